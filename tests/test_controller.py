"""The data controller is whoever operates the deployment: every text that names it (the consent
notice, the privacy answer, the data export) takes it from `privacy` in config.yml, and the
recorded consent version changes with the text the person actually read."""

from __future__ import annotations

import pytest

from bot.app import consent_version, load_static
from bot.config import PROJECT_ROOT, Config, PrivacyConfig

OPERATOR = "Gobernación de Nariño, Secretaría TIC"
CONTACT = "datos.personales@narino.gov.co"
TEMPLATES = PROJECT_ROOT / "data" / "templates"
NAMING_THE_CONTROLLER = ["consent.notice", "knowledge.privacidad", "export.controller"]


@pytest.fixture(scope="module")
def operated():
    config = Config.model_validate({"privacy": {"controller": OPERATOR, "contact": CONTACT}})
    return load_static(config).catalog


@pytest.fixture(scope="module")
def default():
    return load_static(Config()).catalog


@pytest.mark.parametrize("key", NAMING_THE_CONTROLLER)
def test_the_texts_name_the_configured_controller_and_contact(operated, key: str):
    text = operated.render(key, version="x")
    assert OPERATOR in text and CONTACT in text
    assert PrivacyConfig().controller not in text
    assert "MinTIC" not in text  # nothing else in them names MinTIC as the controller


@pytest.mark.parametrize("key", NAMING_THE_CONTROLLER)
def test_without_a_contact_the_programme_mailbox_takes_requests(default, key: str):
    text = default.render(key, version="x")
    assert PrivacyConfig().controller in text
    assert Config().routing.mailbox in text


@pytest.mark.parametrize("name", ["messages.yml", "knowledge.yml"])
def test_no_template_spells_the_controller_out(name: str):
    text = (TEMPLATES / name).read_text(encoding="utf-8")
    assert "Ministerio de Tecnologías de la Información" not in text
    assert "El responsable es MinTIC" not in text


def test_the_consent_version_names_the_text_that_was_shown(default, operated):
    base = default.render("consent.version")
    assert consent_version(default).startswith(f"{base}-")
    assert consent_version(operated).startswith(f"{base}-")
    assert consent_version(default) != consent_version(operated)
    assert consent_version(default) == consent_version(load_static(Config()).catalog)
    assert len(consent_version(operated)) <= 32  # consents.text_version is a String(32)
