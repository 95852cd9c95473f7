"""The programme mailbox is configuration only: every text receives it (`{{ mailbox }}`) from
`routing.mailbox`, and no template spells the address out."""

from __future__ import annotations

import pytest

from bot.app import load_static
from bot.config import PROJECT_ROOT, RoutingConfig, load_config

OTHER = "acompanamiento@territorio.gov.co"
TEMPLATES = PROJECT_ROOT / "data" / "templates"


@pytest.fixture(scope="module")
def catalog():
    return load_static(load_config(env={"CTI_ROUTING_MAILBOX": OTHER})).catalog


@pytest.mark.parametrize(
    ("key", "params"),
    [
        ("consent.notice", {"version": "2"}),
        ("reg.stuck", {}),
        ("help.register", {}),
        ("knowledge.solicitar_asesoria", {}),
        ("knowledge.hablar_humano", {}),
        ("knowledge.info_cofinanciacion", {}),
        ("knowledge.privacidad", {}),
    ],
)
def test_texts_name_the_configured_mailbox(catalog, key: str, params: dict[str, str]):
    text = catalog.render(key, **params)
    assert OTHER in text
    assert RoutingConfig().mailbox not in text


def test_a_callers_mailbox_still_wins(catalog):
    assert "x@y.gov.co" in catalog.render("help.register", mailbox="x@y.gov.co")


@pytest.mark.parametrize("name", ["messages.yml", "knowledge.yml"])
def test_no_conversation_text_spells_the_address(name: str):
    assert RoutingConfig().mailbox not in (TEMPLATES / name).read_text(encoding="utf-8")
