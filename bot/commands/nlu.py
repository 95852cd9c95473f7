"""`cti nlu`: train the embedded interpreter, export a Rasa project, evaluate any backend, parse.

    cti nlu train [--force]
    cti nlu export --out DIR [--epochs N]
    cti nlu evaluate [--backend embedded|rasa|rules] [--data FILE_OR_DIR]... [--raw] [--json]
    cti nlu parse "hasta cuándo hay plazo" [--backend ...]
    cti nlu rasa-train [--epochs N]      (needs .venv-rasa: `make rasa`)
    cti nlu rasa-serve [--port 5005]

Evaluation reads the held-out files under `data/nlu/test/` (never used for training) and prints
accuracy, macro-F1, the fallback rate, per-intent F1, the most frequent confusions and the parse
latency. With `--backend rasa` a server that cannot be reached is an error, not a silent fallback.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import time
from pathlib import Path
from typing import Any

import click
import httpx

from bot.app import build_interpreter, close_interpreter, embedded_interpreter
from bot.config import Config, ConfigError, load_config
from nlu import rasa_data
from nlu.base import Interpreter
from nlu.evaluate import Evaluation, evaluate
from nlu.export import export_rasa
from nlu.numbers import format_number
from nlu.rasa_data import NluDataError
from nlu.rasa_http import RasaHttpInterpreter
from nlu.rasa_project import RasaError, RasaServer, rasa_binary, train_model
from nlu.rules import RulesFirst

BACKENDS = ("embedded", "rasa", "rules")
RASA_VENV = Path(".venv-rasa")  # made by scripts/rasa-venv.sh (`make rasa`)
RASA_WORK = Path("var/rasa")  # exported project, trained models, server log


def _config(backend: str | None = None, rasa_url: str | None = None) -> Config:
    try:
        config = load_config()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    updates: dict[str, Any] = {}
    if backend:
        updates["backend"] = backend
    if rasa_url:
        updates["rasa_url"] = rasa_url
    if updates:
        config = config.model_copy(update={"nlu": config.nlu.model_copy(update=updates)})
    return config


def _interpreter(config: Config, *, raw: bool = False) -> Interpreter:
    try:
        interpreter = build_interpreter(config)
    except NluDataError as exc:
        raise click.ClickException(str(exc)) from None
    return interpreter.inner if raw and isinstance(interpreter, RulesFirst) else interpreter


def _rasa_of(interpreter: Interpreter) -> RasaHttpInterpreter | None:
    inner = interpreter.inner if isinstance(interpreter, RulesFirst) else interpreter
    return inner if isinstance(inner, RasaHttpInterpreter) else None


@click.group("nlu")
def nlu() -> None:
    """Comprensión del lenguaje: entrenamiento, exportación a Rasa y evaluación."""


@nlu.command()
@click.option("--force", is_flag=True, help="Entrenar aunque haya un modelo en caché.")
def train(force: bool) -> None:
    """Entrena el intérprete embebido con data/nlu (o lo carga de la caché si no cambió)."""
    config = _config()
    try:
        interpreter = embedded_interpreter(config, train=False)
        info = interpreter.train(force=force)
    except NluDataError as exc:
        raise click.ClickException(str(exc)) from None
    how = "cargado de la caché" if info.from_cache else "entrenado"
    click.echo(
        f"Intérprete embebido {how} en {info.seconds:.2f} s: {info.examples} ejemplos, "
        f"{len(interpreter.classifier.intents)} intenciones, "
        f"modelo {interpreter.cache_path(info.fingerprint)}"
    )


@nlu.command()
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path))
@click.option("--epochs", default=100, show_default=True, help="Épocas de DIETClassifier.")
def export(out_dir: Path, epochs: int) -> None:
    """Escribe un proyecto Rasa (config.yml, domain.yml, data/nlu.yml) con nuestros datos."""
    config = _config()
    try:
        paths = export_rasa(
            config.path(config.data.nlu), out_dir, epochs=epochs, threshold=config.nlu.threshold
        )
    except NluDataError as exc:
        raise click.ClickException(str(exc)) from None
    for path in paths:
        click.echo(str(path))
    click.echo(
        f"Entrene con: rasa train nlu --config {out_dir}/config.yml "
        f"--nlu {out_dir}/data --domain {out_dir}/domain.yml --out {out_dir}/models"
    )


def render(evaluation: Evaluation, backend: str, sources: list[Path]) -> str:
    """The evaluation as the lines `cti nlu evaluate` prints."""
    latency = evaluation.latency_ms
    lines = [
        f"Backend {backend}: {evaluation.examples} ejemplos reservados "
        f"({', '.join(p.name for p in sources)})",
        f"  exactitud {format_number(evaluation.accuracy, 3)} · "
        f"macro-F1 {format_number(evaluation.macro_f1, 3)} · "
        f"respaldo (nlu_fallback) {format_number(100 * evaluation.fallback_rate)} % · "
        f"exactitud sin umbral {format_number(evaluation.top_accuracy, 3)}",
    ]
    if latency:
        lines.append(
            f"  latencia por mensaje: mediana {format_number(latency['median'], 2)} ms · "
            f"p95 {format_number(latency['p95'], 2)} ms · "
            f"máx {format_number(latency['max'], 2)} ms"
        )
    lines.append("F1 por intención (ejemplos):")
    width = max(len(s.intent) for s in evaluation.per_intent)
    for item in sorted(evaluation.per_intent, key=lambda s: (s.f1, s.intent)):
        lines.append(f"  {item.intent:<{width}}  {format_number(item.f1, 2)}  ({item.support})")
    if evaluation.confusions:
        lines.append("Confusiones más frecuentes (esperada -> obtenida: veces):")
        lines.extend(f"  {e} -> {g}: {n}" for e, g, n in evaluation.confusions)
    return "\n".join(lines)


def _test_files(config: Config, data: tuple[Path, ...]) -> list[Path]:
    if not data:
        data = (config.path(config.data.nlu) / "test",)
    files: list[Path] = []
    for path in data:
        files.extend(rasa_data.data_files(path) if path.is_dir() else [path])
    return files


async def _evaluate(interpreter: Interpreter, examples: list[rasa_data.Example]) -> Evaluation:
    rasa = _rasa_of(interpreter)
    try:
        if rasa is not None:
            try:
                await rasa.version()
            except httpx.HTTPError as exc:
                raise click.ClickException(
                    f"el servidor Rasa {rasa.url} no responde ({type(exc).__name__}); "
                    "inícielo con `make rasa-serve`"
                ) from None
        evaluation = await evaluate(interpreter, examples)
        if rasa is not None and rasa.degraded:
            raise click.ClickException(
                f"{rasa.degraded} mensajes no llegaron al servidor Rasa {rasa.url}; "
                "la evaluación no es válida"
            )
        return evaluation
    finally:
        await close_interpreter(interpreter)


@nlu.command(name="evaluate")
@click.option("--backend", type=click.Choice(BACKENDS), help="Por defecto, el de config.yml.")
@click.option(
    "--data",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="Archivo o carpeta de ejemplos (por defecto data/nlu/test).",
)
@click.option("--rasa-url", help="Servidor Rasa (por defecto nlu.rasa_url).")
@click.option("--raw", is_flag=True, help="Sin las reglas de comandos delante del backend.")
@click.option("--json", "as_json", is_flag=True, help="Resultado completo en JSON.")
def evaluate_command(
    backend: str | None, data: tuple[Path, ...], rasa_url: str | None, raw: bool, as_json: bool
) -> None:
    """Mide un backend con los ejemplos reservados: exactitud, macro-F1, confusiones, latencia."""
    config = _config(backend, rasa_url)
    try:
        files = _test_files(config, data)
        examples = list(rasa_data.load(files).examples)
    except NluDataError as exc:
        raise click.ClickException(str(exc)) from None
    if not examples:
        raise click.ClickException("no hay ejemplos para evaluar")
    interpreter = _interpreter(config, raw=raw)
    evaluation = asyncio.run(_evaluate(interpreter, examples))
    name = config.nlu.backend + (" (sin reglas)" if raw else "")
    if as_json:
        payload = {"backend": name, "files": [str(f) for f in files], **evaluation.to_dict()}
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        click.echo(render(evaluation, name, files))


@nlu.command()
@click.argument("text")
@click.option("--backend", type=click.Choice(BACKENDS), help="Por defecto, el de config.yml.")
@click.option("--rasa-url", help="Servidor Rasa (por defecto nlu.rasa_url).")
def parse(text: str, backend: str | None, rasa_url: str | None) -> None:
    """Muestra la interpretación de un texto, con la forma de /model/parse de Rasa."""
    interpreter = _interpreter(_config(backend, rasa_url))

    async def run() -> dict[str, Any]:
        try:
            return dict(await interpreter.parse(text))
        finally:
            await close_interpreter(interpreter)

    click.echo(json.dumps(asyncio.run(run()), ensure_ascii=False, indent=2))


def _rasa_paths(config: Config) -> tuple[Path, Path]:
    """The Rasa environment's binary and the folder for the exported project and models."""
    try:
        return rasa_binary(config.path(RASA_VENV)), config.path(RASA_WORK)
    except RasaError as exc:
        raise click.ClickException(str(exc)) from None


@nlu.command(name="rasa-train")
@click.option("--epochs", default=100, show_default=True, help="Épocas de DIETClassifier.")
def rasa_train(epochs: int) -> None:
    """Exporta los datos y entrena un modelo Rasa (en .venv-rasa), si aún no existe."""
    config = _config()
    rasa, work = _rasa_paths(config)
    started = time.perf_counter()
    try:
        model, trained = train_model(
            config.path(config.data.nlu), work, rasa, threshold=config.nlu.threshold, epochs=epochs
        )
    except (RasaError, NluDataError) as exc:
        raise click.ClickException(str(exc)) from None
    how = f"entrenado en {time.perf_counter() - started:.0f} s" if trained else "ya estaba al día"
    click.echo(f"Modelo Rasa {model} {how}.")


@nlu.command(name="rasa-serve")
@click.option("--port", default=5005, show_default=True)
def rasa_serve(port: int) -> None:
    """Inicia `rasa run --enable-api` en 127.0.0.1 con el modelo entrenado (Ctrl+C detiene)."""
    config = _config()
    rasa, work = _rasa_paths(config)
    models = sorted((work / "models").glob("cti-nlu-*.tar.gz"))
    if not models:
        raise click.ClickException("no hay modelo entrenado: ejecute `cti nlu rasa-train`")
    server = RasaServer(rasa, models[-1], port=port, log_file=work / "rasa-run.log")
    try:
        server.start()
    except RasaError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Servidor Rasa en {server.url} (registro en {server.log_file}); Ctrl+C detiene.")
    # Rasa runs in its own process group: stop it on SIGTERM too, or it would outlive us.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
