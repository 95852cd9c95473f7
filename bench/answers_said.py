"""Held-out sets of issue 16, measured as the dialogue acts on them.

Answers (bench/sets/answers_said.yml): each free-text answer read by `read_reply` against its
question with the default NLU (rules first, then the embedded classifier), counted as
saved right · confirmed right · asked · hijacked (taken as another request: nothing saved) ·
confirmed wrong · saved wrong (an option or «No sé» stored that the official did not mean:
must be 0). Rows labelled «ask» are right when the assistant asks or confirms.
Messages (bench/sets/messages_long.yml): accuracy, macro-F1 and fallback rate of the same NLU.

    .venv/bin/python bench/answers_said.py               # this checkout
    git archive main | tar -x -C /tmp/before
    .venv/bin/python bench/answers_said.py /tmp/before   # another checkout, same sets
    .venv/bin/python bench/answers_said.py --misses      # and every row not right

The sets always come from this checkout; the code is read from `root`.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from collections import Counter
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parents[1]
SETS = HERE / "bench" / "sets"
ANSWERS = SETS / "answers_said.yml"
MESSAGES = SETS / "messages_long.yml"


def answer_rows() -> list[tuple[str, str, str]]:
    """(question id, text, option id or «ask») of the answers set."""
    table = yaml.safe_load(ANSWERS.read_text(encoding="utf-8"))
    return [(qid, text, expected) for qid, rows in table.items() for expected, text in rows]


def _bucket(expected: str, action: str, got: str | None) -> str:
    if expected == "ask":
        return {"answer": "saved wrong", "intent": "hijacked"}.get(action, "asked (right)")
    if action == "answer":
        return "saved right" if got == expected else "saved wrong"
    if action == "confirm":
        return "confirmed right" if got == expected else "confirmed wrong"
    if action == "intent":
        return "saved wrong" if got == "no_sabe" else "hijacked"  # «no sabe» stores «No sé»
    return "asked"


async def measure(root: Path) -> tuple[Counter[str], list[str], dict[str, float], list[str]]:
    sys.path.insert(0, str(root))
    from bot.conversation.reading import read_reply
    from dialogues.questionnaire import load_questionnaire
    from nlu import rasa_data
    from nlu.embedded import EmbeddedInterpreter
    from nlu.evaluate import evaluate
    from nlu.rules import RulesFirst

    data = root / "data"
    with tempfile.TemporaryDirectory() as cache:
        embedded = EmbeddedInterpreter(
            data / "nlu", divipola=data / "divipola.csv", cache_dir=Path(cache)
        )
        embedded.train()
        interpreter = RulesFirst(embedded)
        questionnaire = load_questionnaire(data / "questionnaire" / "v1.yml")
        counts: Counter[str] = Counter()
        misses: list[str] = []
        for question_id, text, expected in answer_rows():
            question = questionnaire.question_index[question_id][2]
            reading = read_reply(question, text, await interpreter.parse(text))
            got = reading.intent if reading.action == "intent" else None
            if reading.answer is not None:
                got = reading.answer.option or reading.answer.kind
            bucket = _bucket(expected, reading.action, got)
            counts[bucket] += 1
            if bucket not in ("saved right", "confirmed right", "asked (right)"):
                misses.append(f"{bucket}: {question_id} {text!r} -> {got} (meant {expected})")
        counts["rows"] = sum(counts.values())
        messages = rasa_data.load(MESSAGES).examples
        evaluation = await evaluate(interpreter, messages)
        figures = {
            "messages": float(evaluation.examples),
            "accuracy": evaluation.accuracy,
            "macro_f1": evaluation.macro_f1,
            "fallback": evaluation.fallback_rate,
        }
        wrong = [
            f"{m.expected} -> {m.predicted} {m.confidence:.2f}: {m.text}" for m in evaluation.misses
        ]
    origin = str(sys.modules[read_reply.__module__].__file__)
    if not origin.startswith(str(root)):
        raise SystemExit(f"read the code of {origin}, not of {root}")
    return counts, misses, figures, wrong


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?", type=Path, default=HERE, help="the checkout to read")
    parser.add_argument("--misses", action="store_true", help="list every row not right")
    args = parser.parse_args()
    counts, misses, figures, wrong = asyncio.run(measure(args.root.resolve()))
    right = counts["saved right"] + counts["confirmed right"] + counts["asked (right)"]
    print(f"Respuestas: {counts['rows']} · terminan bien {right} ({right / counts['rows']:.1%})")
    print("  " + " · ".join(f"{k}: {v}" for k, v in sorted(counts.items()) if k != "rows"))
    print(
        f"Mensajes largos: {int(figures['messages'])} · exactitud {figures['accuracy']:.3f} · "
        f"macro-F1 {figures['macro_f1']:.3f} · respaldo {figures['fallback']:.1%}"
    )
    if args.misses:
        print("\n".join(misses))
        print("\n".join(wrong))


if __name__ == "__main__":
    main()
