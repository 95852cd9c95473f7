"""The Spanish texts of the conversation, as Jinja2 templates kept in a YAML catalog."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, StrictUndefined, Template

from nlu.numbers import format_number


def number(value: float) -> str:
    """Colombian style: '1.234,5', '80', '0,25'."""
    return format_number(value, 2, trim=True)


class CatalogError(Exception):
    """A missing or broken message template."""


class Catalog:
    """Message key -> template. Plain text: channels decide how to escape for their format."""

    def __init__(self, templates: dict[str, str], source: str = "<memory>") -> None:
        env = Environment(
            undefined=StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True
        )
        env.filters["num"] = number
        self.source = source
        try:
            self._templates: dict[str, Template] = {
                k: env.from_string(v.strip()) for k, v in templates.items()
            }
        except Exception as exc:  # jinja2.TemplateSyntaxError and friends
            raise CatalogError(f"{source}: {exc}") from None

    @classmethod
    def load(cls, *paths: Path) -> Catalog:
        merged: dict[str, str] = {}
        for path in paths:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            if not isinstance(data, dict):
                raise CatalogError(f"{path}: debe ser un mapa clave -> texto")
            merged.update({str(k): str(v) for k, v in data.items()})
        return cls(merged, ", ".join(str(p) for p in paths))

    def __contains__(self, key: str) -> bool:
        return key in self._templates

    def render(self, key: str, **params: Any) -> str:
        try:
            template = self._templates[key]
        except KeyError:
            raise CatalogError(f"{self.source}: falta el mensaje {key!r}") from None
        return template.render(**params).strip()


class SettingsCatalog(Catalog):
    """A catalog whose every text may name the deployment's settings: `{{ mailbox }}` is
    `routing.mailbox`, `{{ controller }}` and `{{ privacy_contact }}` come from `privacy`, so
    no message spells them out. A caller's value still wins."""

    settings: Mapping[str, str] = {}

    def render(self, key: str, **params: Any) -> str:
        return super().render(key, **{**self.settings, **params})
