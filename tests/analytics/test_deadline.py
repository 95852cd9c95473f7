"""A cycle's deadline exists only where MinTIC set one in config (`assessment.deadlines`):
Resolución 01117 de 2022 sets no yearly due date, so by default nothing counts down."""

from __future__ import annotations

from datetime import date

import pytest

from bot.analytics.progress import Progress
from bot.analytics.progress_table import progress_lines, spanish_date
from bot.config import ConfigError, load_config

TODAY = date(2026, 12, 5)


def heading(deadline: date | None, today: date = TODAY) -> str:
    return progress_lines(Progress(2026, deadline, today, ()))[1]


def test_no_deadline_by_default():
    config = load_config(env={})
    assert config.assessment.deadlines == {}
    assert config.assessment.deadline_for(2026) is None


def test_a_deadline_set_for_one_cycle_only(tmp_path):
    path = tmp_path / "config.yml"
    path.write_text("assessment:\n  deadlines: {2026: 2026-06-30}\n", encoding="utf-8")
    assessment = load_config(path, env={}).assessment
    assert assessment.deadline_for(2026) == date(2026, 6, 30)
    assert assessment.deadline_for(2027) is None


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('assessment:\n  deadline: "04-01"\n', "deadline ya no existe"),
        ("assessment:\n  deadlines: {2026: 30 de junio}\n", "assessment.deadlines.2026"),
        ("assessment:\n  deadlines: {2026: 2026-02-30}\n", "day is out of range"),
    ],
)
def test_a_bad_deadline_fails_in_one_line_naming_it(tmp_path, text: str, key: str):
    path = tmp_path / "config.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=key) as caught:
        load_config(path, env={})
    assert "\n" not in str(caught.value)


def test_progress_without_a_deadline_counts_nothing_down():
    progress = Progress(2026, None, TODAY, ())
    assert progress.days_left is None
    assert heading(None) == "Hoy es 5 de diciembre de 2026"


@pytest.mark.parametrize(
    ("today", "told"),
    [
        (date(2026, 6, 1), "faltan 29 días"),
        (date(2026, 6, 29), "falta 1 día"),
        (date(2026, 6, 30), "vence hoy"),
        (date(2026, 7, 1), "venció ayer"),
        (TODAY, "venció hace 158 días"),
    ],
)
def test_progress_with_a_deadline_counts_down_to_it(today: date, told: str):
    assert heading(date(2026, 6, 30), today) == (
        f"Plazo fijado por MinTIC: 30 de junio de 2026 · {told} (hoy es {spanish_date(today)})"
    )
