"""`cti questionnaire show` (the model's structure), `cti questionnaire sample` (demo answers)
and `cti questionnaire migrate` (answers carried from one loaded version to another).

Errors are one Spanish line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import click

from bot.answers_file import AnswersFile, sample_answers, write_answers
from bot.commands.common import (
    config_from,
    fail,
    gazetteer_from,
    pick,
    questionnaire_from,
    questionnaires_from,
)
from dialogues.questionnaire import (
    DONT_KNOW,
    SKIPPED,
    Kind,
    Question,
    Questionnaire,
)

KIND_NAMES: dict[str, str] = {"alcaldia": "Alcaldía", "gobernacion": "Gobernación"}
MAX_NAME_WIDTH = 50


def _short(name: str) -> str:
    return name[:3].capitalize()


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def structure_lines(questionnaire: Questionnaire, kinds: tuple[Kind, ...]) -> list[str]:
    """The table of `questionnaire show`: questions per dimension, measurement and kind."""
    measurements = [m for m in questionnaire.measurements if m.id != "percepcion"]
    perception = Counter(i.subdimension for i in questionnaire.perception_index.values())

    def counts(questions: Sequence[Question], kind: Kind) -> list[int]:
        row = [
            sum(1 for q in questions if q.applies(kind) and q.measurement == m.id)
            for m in measurements
        ]
        return [*row, sum(row)]

    names = [s.name for _, s in questionnaire.iter_subdimensions()]
    width = min(MAX_NAME_WIDTH, max(len(n) + 2 for n in [*names, "Dimensión / subdimensión"]))
    cols = [f"{_short(m.name):>4}" for m in measurements] + [" Tot"]
    group_width = len(" ".join(cols))
    head1 = (
        f"{'':<{width}} {'':>5} "
        + "  ".join(f"{KIND_NAMES[k]:^{group_width}}" for k in kinds)
        + "  Encuesta"
    )
    head2 = (
        f"{'Dimensión / subdimensión':<{width}} {'Peso':>5} "
        + "  ".join(" ".join(cols) for _ in kinds)
        + f"  {'ítems':>8}"
    )

    def row(name: str, weight: str, questions: Sequence[Question], n_perception: int) -> str:
        groups = "  ".join(" ".join(f"{n:>4}" for n in counts(questions, k)) for k in kinds)
        return f"{_cut(name, width):<{width}} {weight:>5} {groups}  {n_perception:>8}"

    lines = [head1, head2, "-" * len(head2)]
    for dim in questionnaire.dimensions:
        dim_questions = [q for s in dim.subdimensions for q in s.questions]
        dim_perception = sum(perception[s.id] for s in dim.subdimensions)
        lines.append(row(dim.name, str(dim.weight), dim_questions, dim_perception))
        for sub in dim.subdimensions:
            lines.append(row(f"  {sub.name}", str(sub.weight), sub.questions, perception[sub.id]))
    lines.append("-" * len(head2))
    lines.append(row("Total", "", questionnaire.questions, sum(perception.values())))
    return lines


def overview_lines(questionnaire: Questionnaire) -> list[str]:
    """Header and footer of `questionnaire show`: ids, levels, weights, axes, components."""
    n_subs = sum(len(d.subdimensions) for d in questionnaire.dimensions)
    axes = Counter(a for q in questionnaire.questions for a in q.axes)
    return [
        questionnaire.title,
        f"Cuestionario {questionnaire.id} · versión {questionnaire.version} · "
        f"{questionnaire.label}",
        f"{len(questionnaire.dimensions)} dimensiones · {n_subs} subdimensiones · "
        f"{len(questionnaire.questions)} preguntas para funcionarios · "
        f"{len(questionnaire.perception_index)} ítems de percepción",
        "Mediciones (peso): "
        + " · ".join(f"{m.name} {m.weight}" for m in questionnaire.measurements),
        "Niveles (desde): "
        + " · ".join(f"{lv.name} {lv.min_score:g}" for lv in questionnaire.levels),
        "Ejes habilitadores (preguntas): "
        + " · ".join(f"{a.name} {axes[a.id]}" for a in questionnaire.axes),
        "Componentes cofinanciables: "
        + " · ".join(c.name for c in questionnaire.cofinancing_components),
    ]


@click.group(help="Ver el cuestionario y generar respuestas de ejemplo.")
def questionnaire() -> None:
    pass


@questionnaire.command(help="Estructura del cuestionario y número de preguntas por medición.")
@click.option(
    "--kind",
    type=click.Choice(["alcaldia", "gobernacion"]),
    help="Solo un tipo de entidad (por defecto, los dos).",
)
@click.option(
    "--version",
    "version",
    help="Una versión cargada (data.questionnaires); por defecto, la de los diagnósticos nuevos.",
)
@click.pass_context
def show(ctx: click.Context, kind: Kind | None, version: str | None) -> None:
    config = config_from(ctx)
    if version is None:
        q = questionnaire_from(config)
    else:
        q = pick(questionnaires_from(config), version)
    kinds: tuple[Kind, ...] = (kind,) if kind else ("alcaldia", "gobernacion")
    overview = overview_lines(q)
    click.echo("\n".join([*overview[:3], "", *structure_lines(q, kinds), "", *overview[3:]]))


@questionnaire.command(help="Escribir un archivo de respuestas aleatorio pero válido.")
@click.option(
    "--seed", type=int, required=True, help="Semilla: la misma semilla, el mismo archivo."
)
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--kind", type=click.Choice(["alcaldia", "gobernacion"]), help="Tipo de entidad.")
@click.option(
    "--entity", help="Código DANE de la entidad (define el tipo y se guarda en el archivo)."
)
@click.option("--perception/--no-perception", default=False, help="Incluir la encuesta ciudadana.")
@click.pass_context
def sample(
    ctx: click.Context,
    seed: int,
    out: Path,
    kind: Kind | None,
    entity: str | None,
    perception: bool,
) -> None:
    config = config_from(ctx)
    q = questionnaire_from(config)
    if entity is not None:
        found = gazetteer_from(config).get(entity)
        if found is None:
            fail(f"código DANE desconocido: {entity!r}")
        if kind is not None and kind != found.kind:
            fail(f"--kind {kind} no corresponde a {found.title} ({found.kind})")
        kind = found.kind
        entity = found.code
    chosen: Kind = kind or "alcaldia"
    answers = sample_answers(q, chosen, random.Random(seed), perception=perception)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        write_answers(out, AnswersFile(q.id, q.version, answers, entity), q)
    except OSError as exc:
        fail(f"{out}: no se pudo escribir ({exc.strerror or exc})")
    tally = Counter(
        a.dump() if a.kind in ("dont_know", "skipped") else "ok" for a in answers.values()
    )
    click.echo(
        f"{out}: {len(answers)} respuestas para {KIND_NAMES[chosen].lower()} "
        f"({tally['ok']} con opción o cifra, {tally[DONT_KNOW]} «no sé», {tally[SKIPPED]} omitidas)"
    )


@questionnaire.command(
    help="Trasladar las respuestas de los diagnósticos en curso de una versión cargada a otra, "
    "según un archivo de correspondencias (véase el README)."
)
@click.option("--from", "old", required=True, help="Versión actual de los diagnósticos.")
@click.option("--to", "new", required=True, help="Versión a la que pasan.")
@click.option(
    "--map",
    "map_path",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Archivo YAML: id anterior -> id nuevo, con opciones si cambian.",
)
@click.option("--cycle", type=int, help="Año del ciclo (por defecto, el actual).")
@click.option("--dry-run", is_flag=True, help="Mostrar qué pasaría, sin guardar nada.")
@click.option("--db", "db_url", help="URL de base de datos (por defecto la de config.yml).")
@click.pass_context
def migrate(
    ctx: click.Context,
    old: str,
    new: str,
    map_path: Path,
    cycle: int | None,
    dry_run: bool,
    db_url: str | None,
) -> None:
    from bot.commands.migrate import run_migration

    config = config_from(ctx)
    loaded = questionnaires_from(config)
    click.echo("\n".join(run_migration(config, loaded, old, new, map_path, cycle, dry_run, db_url)))
