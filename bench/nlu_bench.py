"""Benchmark: the embedded NLU's training, cache, parse latency and accuracy, with baselines.

Measured in one run, on this machine:
- training from scratch vs loading the cached artefact;
- parse latency per message of the classifier's fast path vs scikit-learn's own
  `predict_proba` on the same fitted pipeline (the baseline the fast path must beat), of the full
  `EmbeddedInterpreter.parse` (classifier + entities), of the rule-only backend, and of answer
  interpretation (`nlu.answers`) against every question's options;
- 5-fold cross-validation on the training data, with the threshold table that chose
  `nlu.threshold` (what share of messages a threshold accepts, and how many of those are wrong);
- the held-out evaluation (`data/nlu/test`), as `cti nlu evaluate` prints it;
- with `--rasa`: the same held-out texts against a real Rasa 3.6 server trained on the same data
  (`make rasa` builds `.venv-rasa`; the model is trained once per data version and cached in
  var/rasa/models): latency p50/p99 per parse, parses per second, peak memory, and the ratios
  against the embedded interpreter measured in the same run.

    .venv/bin/python bench/nlu_bench.py            # about a minute
    .venv/bin/python bench/nlu_bench.py --quick    # no cross-validation
    .venv/bin/python bench/nlu_bench.py --quick --rasa   # and the Rasa server beside it

(Not bench/nlu.py: run as a script, that name would shadow the `nlu` package.)
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import socket
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from bot.config import PROJECT_ROOT
from dialogues.questionnaire import load_questionnaire
from nlu import rasa_data
from nlu.answers import interpret_answer
from nlu.embedded import DEFAULT_THRESHOLD, EmbeddedInterpreter
from nlu.evaluate import cross_validate, evaluate, threshold_table
from nlu.rasa_project import RasaServer, train_model
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


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory of a process and its children (Rasa may spawn workers), in MB."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            total += int(peak_rss_mb(int(child)) * 1024)
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            total += int(line.split()[1])
    return total / 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def concurrent_rate(url: str, texts: list[str], concurrency: int = 8) -> float:
    queue = list(texts)
    async with httpx.AsyncClient(timeout=30) as client:

        async def worker() -> None:
            while queue:
                text = queue.pop()
                (await client.post(url, json={"text": text})).raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return len(texts) / (time.perf_counter() - started)


def compare_with_rasa(embedded: EmbeddedInterpreter, texts: list[str]) -> None:
    rasa = PROJECT_ROOT / ".venv-rasa" / "bin" / "rasa"
    if not rasa.exists():
        print("Rasa: no hay .venv-rasa (créelo con `make rasa`); comparación omitida")
        return
    work = PROJECT_ROOT / "var" / "rasa"
    started = time.perf_counter()
    model, trained = train_model(DATA / "nlu", work, rasa, threshold=embedded.threshold)
    state = "entrenado ahora" if trained else "de la caché"
    print(f"Rasa: modelo {state} en {time.perf_counter() - started:.0f} s")

    own: list[float] = []
    for text in texts:
        started = time.perf_counter()
        embedded.parse_sync(text)
        own.append(time.perf_counter() - started)
    own_rate = len(texts) / sum(own)
    own_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # this whole process

    log = work / "rasa-bench.log"
    with RasaServer(rasa, model, port=free_port(), log_file=log) as server:
        url = f"{server.url}/model/parse"
        with httpx.Client(timeout=30) as client:
            for text in texts[:20]:  # warm-up: first parses load lazily
                client.post(url, json={"text": text}).raise_for_status()
            theirs: list[float] = []
            for text in texts:
                started = time.perf_counter()
                client.post(url, json={"text": text}).raise_for_status()
                theirs.append(time.perf_counter() - started)
        rate = asyncio.run(concurrent_rate(url, texts * 2))
        assert server._process is not None
        peak = peak_rss_mb(server._process.pid)

    p50, p99 = percentile(own, 0.5) * 1e3, percentile(own, 0.99) * 1e3
    r50, r99 = percentile(theirs, 0.5) * 1e3, percentile(theirs, 0.99) * 1e3
    print(f"Embebido vs Rasa {len(texts)} textos reservados (ms; Rasa por HTTP en loopback):")
    row = "  {:9} p50 {:7.2f}  p99 {:7.2f}  {:7.0f} parses/s  {:5.0f} MB"
    print(row.format("embebido", p50, p99, own_rate, own_peak))
    print(row.format("Rasa", r50, r99, rate, peak))
    print(
        f"  razón Rasa/embebido: latencia p50 {r50 / p50:.0f}x · p99 {r99 / p99:.0f}x · "
        f"rendimiento embebido/Rasa {own_rate / rate:.0f}x · memoria {peak / own_peak:.1f}x"
    )
    print("  (memoria del embebido: pico de este proceso entero, con el entrenamiento)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="skip cross-validation")
    parser.add_argument("--rasa", action="store_true", help="compare with a Rasa server")
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
    if args.rasa:
        compare_with_rasa(fresh, texts)
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
