"""`cti run` gets a reminder service when reminders are enabled and some channel delivers them,
with the channels whose workers run; the configuration is read once, with its defaults."""

from __future__ import annotations

import io
from typing import Any

import pytest

from bot.app import build_app, build_services
from bot.config import PROJECT_ROOT, Config, ConfigError, load_config
from bot.reminders.scheduler import ReminderScheduler
from nlu.rules import RuleInterpreter


def config(url: str, **sections: Any) -> Config:
    tree: dict[str, Any] = {"root": str(PROJECT_ROOT), "database": {"url": url}}
    tree["channels"] = sections.pop("channels", {})
    tree.update(sections)
    return Config.model_validate(tree)


TELEGRAM = {"enabled": True}
EMAIL = {"enabled": True, "address": "asistente@cti.test", "inbound": "none"}
SECRETS = {"telegram_token": "123456:ABCDEF", "mail_key_secret": "pruebas-" + "r" * 40}


@pytest.mark.parametrize(
    "channels,reminders,expected",
    [
        ({"console": {"enabled": False}, "telegram": TELEGRAM}, {}, {"telegram"}),
        ({"console": {"enabled": False}, "email": EMAIL}, {}, {"email"}),
        ({"telegram": TELEGRAM, "email": EMAIL}, {}, {"telegram", "email"}),
        ({"telegram": TELEGRAM, "email": EMAIL}, {"enabled": False}, None),
        ({"console": {"enabled": True}}, {}, None),  # nobody delivers: no service
    ],
)
async def test_the_service_comes_with_the_channels_that_deliver(
    tmp_path, channels: dict[str, Any], reminders: dict[str, Any], expected: set[str] | None
):
    url = f"sqlite+aiosqlite:///{tmp_path / 'cti.db'}"
    built = config(url, channels=channels, reminders=reminders, secrets=SECRETS)
    app = await build_app(built, interpreter=RuleInterpreter())
    try:
        services = build_services(app, stdin=io.StringIO())
    finally:
        await app.close()
    service = services.get("reminders")
    if expected is None:
        assert service is None
        return
    assert isinstance(service, ReminderScheduler)
    assert service.channels == expected
    assert (service.policy.after_days, service.policy.max_count) == (5, 3)
    assert service.domain == built.channels.email.address.rpartition("@")[2]


def test_defaults_environment_and_bad_values(tmp_path):
    defaults = load_config(env={}).reminders
    assert (defaults.enabled, defaults.after_days, defaults.max_count) == (True, 5, 3)
    assert not load_config(env={"CTI_REMINDERS_ENABLED": "false"}).reminders.enabled
    with pytest.raises(ConfigError, match=r"reminders\.enabled"):
        load_config(env={"CTI_REMINDERS_ENABLED": "quizás"})
    bad = tmp_path / "config.yml"
    bad.write_text("reminders:\n  after_days: 0\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"reminders\.after_days"):
        load_config(bad, env={})
