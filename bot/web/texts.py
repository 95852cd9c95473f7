"""The console's own words (`data/templates/web/texts.yml`)."""

from __future__ import annotations

from bot.config import Config
from dialogues.messages import Catalog

TEMPLATES = "web"


def web_texts(config: Config) -> Catalog:
    return Catalog.load(config.path(config.data.templates) / TEMPLATES / "texts.yml")
