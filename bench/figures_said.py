"""Figures as officials say them: the held-out table of tests/nlu/test_figures_as_said.py read
by `read_reply` and the default NLU of a checkout, counted by what the dialogue does.

    .venv/bin/python bench/figures_said.py                 # this checkout
    git archive main | tar -x -C /tmp/before
    .venv/bin/python bench/figures_said.py /tmp/before     # another checkout, same table

Counts: right, saved wrong (a figure or «No sé» stored that the person did not give: must be
0), confirmed wrong (a wrong figure proposed: a yes would store it), confirmed though plain
enough to save, asked instead (safe, not yet right), taken as another request. The table
always comes from this checkout; the code read from `root`.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import sys
import tempfile
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
TABLE = HERE / "tests" / "nlu" / "test_figures_as_said.py"


def _table() -> list[tuple[str, str, str, float | None]]:
    spec = importlib.util.spec_from_file_location("figures_table", TABLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return [*module.TABLE, *module.MISSES]


def _same(value: float | None, expected: float | None) -> bool:
    if value is None or expected is None:
        return value is expected
    return abs(value - expected) < 0.05


async def measure(root: Path) -> tuple[Counter[str], list[str]]:
    sys.path.insert(0, str(root))  # first, also for the modules the table's file imports
    rows = _table()
    from bot.conversation.reading import read_reply
    from dialogues.questionnaire import load_questionnaire
    from nlu.embedded import EmbeddedInterpreter
    from nlu.rules import RulesFirst

    data = root / "data"
    with tempfile.TemporaryDirectory() as cache:
        classifier = EmbeddedInterpreter(
            data / "nlu", divipola=data / "divipola.csv", cache_dir=Path(cache), threshold=0.45
        )
        classifier.train()
        interpreter = RulesFirst(classifier)
        questionnaire = load_questionnaire(data / "questionnaire" / "v1.yml")
        counts: Counter[str] = Counter()
        misses: list[str] = []
        for question_id, text, expected, value in rows:
            question = questionnaire.question_index[question_id][2]
            reading = read_reply(question, text, await interpreter.parse(text))
            answer = reading.answer
            got, got_value = "ask", None  # "ask" and "unclear" both ask for the figure again
            if reading.action == "answer" and answer is not None:
                got, got_value = (
                    ("saved", answer.value) if answer.kind == "figure" else ("dk", None)
                )
            elif reading.action == "intent":
                got = "dk" if reading.intent == "no_sabe" else "intent"
            elif reading.action == "confirm" and answer is not None:
                got, got_value = "confirm", answer.value
            expected = "dk" if expected == "dont_know" else expected
            if got == expected and _same(got_value, value):
                counts["right"] += 1
                continue
            bucket = {
                "saved": "saved wrong",
                "dk": "saved wrong",  # «No sé» stored for a figure that was given
                "confirm": "confirmed wrong",
                "ask": "asked instead",
                "intent": "taken as another request",
            }[got]
            if got == "confirm" and expected == "saved" and _same(got_value, value):
                bucket = "confirmed, plain enough to save"
            counts[bucket] += 1
            misses.append(f"{bucket}: {text!r} -> {got} {got_value} (expected {expected} {value})")
    counts["rows"] = len(rows)
    origin = sys.modules[read_reply.__module__].__file__
    if not str(origin).startswith(str(root)):
        raise SystemExit(f"read the code of {origin}, not of {root}")
    return counts, misses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?", type=Path, default=HERE, help="the checkout to read")
    parser.add_argument("--misses", action="store_true", help="list every row not right")
    args = parser.parse_args()
    counts, misses = asyncio.run(measure(args.root.resolve()))
    print(" · ".join(f"{k}: {v}" for k, v in sorted(counts.items())))
    if args.misses:
        print("\n".join(misses))


if __name__ == "__main__":
    main()
