"""Benchmark: the embedded NLU's training, cache, parse latency and accuracy, with baselines.

Measured in one run, on this machine:
- training from scratch vs loading the cached artefact;
- parse latency per message of the classifier's fast path vs scikit-learn's own
  `predict_proba` on the same fitted pipeline (the baseline the fast path must beat), of the full
  `EmbeddedInterpreter.parse` (classifier + entities), of the rule-only backend, and of answer
  interpretation (`nlu.answers`) against every question's options;
- 5-fold cross-validation on the training data, with the threshold table that chose
  `nlu.threshold` (what share of messages a threshold accepts, and how many of those are wrong);
- the held-out evaluation (`data/nlu/test`), as `cti nlu evaluate` prints it.

    .venv/bin/python bench/nlu_bench.py            # about a minute
    .venv/bin/python bench/nlu_bench.py --quick    # no cross-validation

(Not bench/nlu.py: run as a script, that name would shadow the `nlu` package.)
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bot.config import PROJECT_ROOT
from dialogues.questionnaire import load_questionnaire
from nlu import rasa_data
from nlu.answers import interpret_answer
from nlu.embedded import DEFAULT_THRESHOLD, EmbeddedInterpreter
from nlu.evaluate import cross_validate, evaluate, threshold_table
from nlu.rules import RuleInterpreter, RulesFirst

DATA = PROJECT_ROOT / "data"


def per_call_us(function: Callable[[str], object], texts: list[str], rounds: int = 3) -> float:
    """Median over rounds of the mean microseconds per call."""
    results = []
    for _ in range(rounds):
        started = time.perf_counter()
        for text in texts:
            function(text)
        results.append((time.perf_counter() - started) / len(texts) * 1e6)
    return statistics.median(results)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="skip cross-validation")
    args = parser.parse_args()
    training = rasa_data.load(DATA / "nlu")
    held_out = rasa_data.load(rasa_data.data_files(DATA / "nlu" / "test"))
    texts = [e.text for e in held_out.examples]
    print(f"Datos: {len(training.examples)} ejemplos de entrenamiento, {len(texts)} reservados")

    with tempfile.TemporaryDirectory() as cache:
        fresh = EmbeddedInterpreter(
            DATA / "nlu", divipola=DATA / "divipola.csv", cache_dir=Path(cache)
        )
        trained = fresh.train()
        cached = EmbeddedInterpreter(
            DATA / "nlu", divipola=DATA / "divipola.csv", cache_dir=Path(cache)
        ).train()
    print(
        f"Entrenamiento: {trained.seconds:.2f} s desde cero · {cached.seconds:.3f} s desde la "
        "caché (incluye DIVIPOLA para las entidades)"
    )

    classifier = fresh.classifier
    rules = RuleInterpreter()
    layered = RulesFirst(fresh)
    baseline = per_call_us(lambda t: classifier.probabilities([t]), texts)
    fast = per_call_us(classifier.scores, texts)
    full = per_call_us(fresh.parse_sync, texts)
    rule_only = per_call_us(lambda t: asyncio.run(rules.parse(t)), texts[:50], rounds=1)
    print("Latencia por mensaje (µs):")
    print(f"  sklearn predict_proba (línea base) {baseline:8.0f}")
    print(f"  clasificador, ruta rápida          {fast:8.0f}   ({baseline / fast:.1f}x)")
    print(f"  parse embebido completo            {full:8.0f}   (clasificador + entidades)")
    print(f"  reglas (incluye asyncio.run)       {rule_only:8.0f}")

    questionnaire = load_questionnaire(DATA / "questionnaire" / "v1.yml")
    questions = [q for q in questionnaire.questions_for("alcaldia") if q.options]
    sample = texts[:40]
    started = time.perf_counter()
    for question in questions:
        options = [(o.id, o.text) for o in question.options or ()]
        for text in sample:
            interpret_answer(text, options)
    each = (time.perf_counter() - started) / (len(questions) * len(sample)) * 1e6
    # The text's own analysis is cached across questions (as when one reply meets one question
    # after another in tests); a single reply to a single question costs a little more.
    print(f"  interpretación de respuesta        {each:8.0f}   (por texto y pregunta)")

    evaluation = asyncio.run(evaluate(layered, held_out.examples))
    print(
        f"Reservados (reglas + embebido, umbral {fresh.threshold}): exactitud "
        f"{evaluation.accuracy:.3f} · macro-F1 {evaluation.macro_f1:.3f} · respaldo "
        f"{evaluation.fallback_rate:.1%}"
    )
    if args.quick:
        return
    result = cross_validate(training, folds=5)
    print(
        f"Validación cruzada (5 particiones, sin umbral): exactitud "
        f"{result.evaluation.accuracy:.3f} · macro-F1 {result.evaluation.macro_f1:.3f}"
    )
    print("Umbral  acepta  exactitud aceptados  aceptados errados  correctos rechazados")
    for row in threshold_table(
        result.confidences, result.correct, [0.3, 0.35, 0.4, DEFAULT_THRESHOLD, 0.5, 0.6]
    ):
        print(
            f"  {row['threshold']:.2f}  {row['coverage']:6.1%}  {row['accuracy_accepted']:17.1%}"
            f"  {row['wrong_accepted']:17.1%}  {row['right_rejected']:20.1%}"
        )


if __name__ == "__main__":
    main()
