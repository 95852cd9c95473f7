"""Benchmark: scoring and report rendering for every registrable entity (1,135 by default).

Each entity gets a seeded sample answers mapping for its kind (alcaldía or gobernación). One
`ReportRenderer` is built up front, as a long-running server would hold it, so template
compilation is not counted per entity. Prints per-entity milliseconds (mean, median, p95) for
scoring, the chat summary, the HTML page and the radar PNG, and the ratio of report rendering
(summary + HTML + radar) to scoring.

    .venv/bin/python bench/report.py            # all entities
    .venv/bin/python bench/report.py --n 100    # the first 100
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from datetime import date
from typing import TypeVar

from bot.answers_file import sample_answers
from bot.config import load_config
from bot.report.radar import radar_png
from bot.report.render import ReportRenderer
from bot.scoring import score
from bot.territory import Gazetteer
from dialogues.questionnaire import load_questionnaire

T = TypeVar("T")
STAGES = ("scoring", "summary", "html", "radar")


def timed(fn: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    result = fn()
    return result, (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=None, help="how many entities (default: all)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    config = load_config()
    questionnaire = load_questionnaire(config.path(config.data.questionnaire))
    gazetteer = Gazetteer.load(config.path(config.data.divipola), config.path(config.data.aliases))
    renderer = ReportRenderer(config.path(config.data.templates), config.routing.mailbox)
    entities = gazetteer.entities[: args.n] if args.n else gazetteer.entities
    samples = [
        sample_answers(questionnaire, e.kind, random.Random(f"{args.seed}-{e.code}"))
        for e in entities
    ]
    today = date(2026, 1, 15)
    # Warm-up: first-use costs (font cache, template compilation) are not per-entity costs.
    warm = score(questionnaire, entities[0].kind, samples[0])
    renderer.build(questionnaire, warm, entities[0], today)

    ms: dict[str, list[float]] = {stage: [] for stage in STAGES}
    html_bytes = png_bytes = 0
    wall = time.perf_counter()
    for entity, answers in zip(entities, samples, strict=True):
        scores, t = timed(lambda: score(questionnaire, entity.kind, answers))  # noqa: B023
        ms["scoring"].append(t)
        view = renderer.view(questionnaire, scores, entity, today)
        _, t = timed(lambda: renderer.summary(view))  # noqa: B023
        ms["summary"].append(t)
        png, t = timed(lambda: radar_png(view.radar_labels, view.radar_values))  # noqa: B023
        ms["radar"].append(t)
        html, t = timed(lambda: renderer.html(view, png))  # noqa: B023
        ms["html"].append(t)
        html_bytes += len(html.encode("utf-8"))
        png_bytes += len(png)
    wall = time.perf_counter() - wall

    n = len(entities)
    kinds = sum(e.kind == "alcaldia" for e in entities)
    print(
        f"{n} entidades ({kinds} alcaldías, {n - kinds} gobernaciones); cuestionario "
        f"{questionnaire.id} {questionnaire.version}, {len(questionnaire.questions)} preguntas"
    )
    print(f"{'etapa':<10} {'media ms':>9} {'mediana':>9} {'p95':>9} {'total s':>9}")
    for stage in STAGES:
        values = sorted(ms[stage])
        p95 = values[min(len(values) - 1, int(0.95 * len(values)))]
        print(
            f"{stage:<10} {statistics.fmean(values):>9.3f} {statistics.median(values):>9.3f} "
            f"{p95:>9.3f} {sum(values) / 1000:>9.2f}"
        )
    rendering = sum(statistics.fmean(ms[s]) for s in ("summary", "html", "radar"))
    scoring = statistics.fmean(ms["scoring"])
    print(f"render (summary+html+radar) {rendering:.2f} ms/entidad; scoring {scoring:.3f} ms")
    print(f"ratio render/scoring: {rendering / scoring:.1f}x")
    print(
        f"wall {wall:.1f} s para {n} entidades ({wall / n * 1000:.1f} ms/entidad); "
        f"HTML medio {html_bytes / n / 1024:.0f} KiB, PNG medio {png_bytes / n / 1024:.0f} KiB"
    )


if __name__ == "__main__":
    main()
