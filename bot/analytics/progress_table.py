"""`cti progress` as plain text: a table with bars that reads in any terminal and in a log. Pure.

Bars are 20 cells: █ submitted, ▒ in progress, · not started. A cell is drawn for any non-zero
count, so one submitted entity out of 125 still shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from bot.analytics.peers import GroupAverages
from bot.analytics.progress import Progress, Tally
from bot.territory import EntityKind
from nlu.numbers import format_number, format_percent

BAR_WIDTH = 20
SUBMITTED, IN_PROGRESS, NOT_STARTED = "█", "▒", "·"
MONTHS = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)
KIND_PLURAL: dict[EntityKind, str] = {"alcaldia": "Alcaldías", "gobernacion": "Gobernaciones"}
NAME_WIDTH = 26


def spanish_date(day: date) -> str:
    return f"{day.day} de {MONTHS[day.month - 1]} de {day.year}"


def days_left_text(days: int) -> str:
    if days > 1:
        return f"faltan {days} días"
    if days == 1:
        return "falta 1 día"
    if days == 0:
        return "vence hoy"
    if days == -1:
        return "venció ayer"
    return f"venció hace {-days} días"


def _cells(count: int, total: int) -> int:
    if total == 0 or count == 0:
        return 0
    return max(1, round(BAR_WIDTH * count / total))


def bar(t: Tally) -> str:
    """`█` for submitted, `▒` for started but not submitted, `·` for the rest."""
    submitted = _cells(t.submitted, t.total)
    started = max(submitted, _cells(t.started, t.total))
    return (
        SUBMITTED * submitted
        + IN_PROGRESS * (started - submitted)
        + NOT_STARTED * (BAR_WIDTH - started)
    )


def share(t: Tally) -> str:
    return format_percent(Fraction(t.submitted, t.total)) if t.total else "—"


def _governorate(t: Tally) -> str:
    if t.total == 0:
        return "—"  # Bogotá D.C. has no gobernación
    if t.submitted:
        return "enviado"
    return "en curso" if t.started else "sin iniciar"


def _cut(text: str, width: int = NAME_WIDTH) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _row(name: str, t: Tally, last: str = "") -> str:
    return (
        f"{_cut(name):<{NAME_WIDTH}} {t.total:>9} {t.started:>9} {t.submitted:>8}  "
        f"{bar(t)} {share(t):>6}  {last}"
    ).rstrip()


def _dates(progress: Progress) -> str:
    """Today, and the deadline only where MinTIC set one: otherwise nothing counts down."""
    today = spanish_date(progress.today)
    if progress.deadline is None or progress.days_left is None:
        return f"Hoy es {today}"
    return (
        f"Plazo fijado por MinTIC: {spanish_date(progress.deadline)} · "
        f"{days_left_text(progress.days_left)} (hoy es {today})"
    )


def progress_lines(progress: Progress) -> list[str]:
    """Heading with the date (and the deadline, if any), one row per department, the totals
    by kind, the legend."""
    header = (
        f"{'Departamento':<{NAME_WIDTH}} {'Alcaldías':>9} {'Iniciadas':>9} {'Enviadas':>8}  "
        f"{'Avance de las alcaldías':<{BAR_WIDTH + 7}}  Gobernación"
    )
    lines = [
        f"Avance del autodiagnóstico · ciclo {progress.cycle}",
        _dates(progress),
        "",
        header,
        "-" * len(header),
    ]
    for dep in progress.departments:
        lines.append(
            _row(dep.name, dep.by_kind["alcaldia"], _governorate(dep.by_kind["gobernacion"]))
        )
    lines.append("-" * len(header))
    for kind, label in KIND_PLURAL.items():
        lines.append(_row(label, progress.total(kind)))
    everyone = progress.total("alcaldia") + progress.total("gobernacion")
    lines.append(_row("Todas las entidades", everyone))
    lines += [
        "",
        f"{SUBMITTED} enviados  {IN_PROGRESS} en curso  {NOT_STARTED} sin iniciar. "
        "«Iniciadas» incluye las que ya enviaron; el porcentaje es de enviadas.",
    ]
    return lines


@dataclass(frozen=True, slots=True)
class EntityLine:
    name: str
    status: str  # "enviado", "en curso", "sin iniciar"
    submitted_on: date | None
    overall: float | None


def entity_lines(title: str, entities: Sequence[EntityLine]) -> list[str]:
    """The department's entities, submitted first, for follow-up calls."""
    order = {"enviado": 0, "en curso": 1, "sin iniciar": 2}
    ranked = sorted(entities, key=lambda e: (order[e.status], e.name))
    lines = [title, f"  {'Estado':<12} {'Entidad':<{NAME_WIDTH + 14}} {'Enviado':<10} Puntaje"]
    for e in ranked:
        sent = e.submitted_on.strftime("%d/%m/%Y") if e.submitted_on else ""
        score = format_number(e.overall) if e.overall is not None else ""
        lines.append(
            f"  {e.status:<12} {_cut(e.name, NAME_WIDTH + 14):<{NAME_WIDTH + 14}} {sent:<10} "
            f"{score:>7}".rstrip()
        )
    return lines


def comparison_lines(
    title: str,
    labels: tuple[str, str],
    groups: tuple[GroupAverages, GroupAverages],
    dimensions: Sequence[tuple[str, str]],
) -> list[str]:
    """Averages of two groups side by side: the overall score, then each (id, name) dimension."""
    heads = [f"{label} ({group.members})" for label, group in zip(labels, groups, strict=True)]
    width = max(14, *(len(h) for h in heads))

    def cell(value: float | None) -> str:
        return f"{format_number(value) if value is not None else '—':>{width}}"

    lines = [title, f"  {'':<{NAME_WIDTH}} " + " ".join(f"{h:>{width}}" for h in heads)]
    lines.append(f"  {'General':<{NAME_WIDTH}} " + " ".join(cell(g.overall.value) for g in groups))
    for dim_id, name in dimensions:
        values = " ".join(cell(g.dimensions[dim_id].value) for g in groups)
        lines.append(f"  {_cut(name):<{NAME_WIDTH}} {values}")
    return lines
