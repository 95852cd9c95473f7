"""A Rasa server for our data: export, train once per data version, run on loopback.

Rasa lives in its own Python 3.10 environment (`.venv-rasa`, made by `scripts/rasa-venv.sh`), so
this module only runs its command-line tool. A model is named after a hash of the exported
project, so training happens again only when the data, the threshold or the pipeline changes.
"""

from __future__ import annotations

import hashlib
import logging
import os
import signal
import subprocess
import time
from pathlib import Path
from types import TracebackType

import httpx

from nlu.export import export_rasa

log = logging.getLogger(__name__)

MODEL_PREFIX = "cti-nlu-"


class RasaError(RuntimeError):
    """Rasa could not be trained or started; the message says why in one line."""


def rasa_binary(venv: Path) -> Path:
    """`.venv-rasa/bin/rasa`; `RasaError` when the environment has not been made."""
    binary = venv / "bin" / "rasa"
    if not binary.exists():
        raise RasaError(f"{binary} no existe: cree el entorno con `make rasa` (Python 3.10)")
    return binary


def project_hash(project: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in project.rglob("*.yml") if "models" not in p.parts):
        digest.update(str(path.relative_to(project)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def train_model(
    data_dir: Path,
    work_dir: Path,
    rasa: Path,
    *,
    threshold: float,
    epochs: int = 100,
    timeout: float = 3600.0,
) -> tuple[Path, bool]:
    """Export `data_dir` to `work_dir/project` and train it unless already trained.

    Returns the model's path and whether it was trained now (False: reused).
    """
    project = work_dir / "project"
    export_rasa(data_dir, project, epochs=epochs, threshold=threshold)
    name = MODEL_PREFIX + project_hash(project)
    models = work_dir / "models"
    model = models / f"{name}.tar.gz"
    if model.exists():
        return model, False
    command = [
        str(rasa), "train", "nlu",
        "--config", str(project / "config.yml"),
        "--nlu", str(project / "data"),
        "--domain", str(project / "domain.yml"),
        "--out", str(models),
        "--fixed-model-name", name,
    ]  # fmt: skip
    log.info("training Rasa model %s", name)
    result = subprocess.run(
        command, cwd=project, capture_output=True, text=True, timeout=timeout, check=False
    )
    if result.returncode != 0 or not model.exists():
        tail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["sin salida"]
        raise RasaError(f"rasa train nlu falló ({result.returncode}): {tail[0]}")
    for stale in models.glob(f"{MODEL_PREFIX}*.tar.gz"):
        if stale != model:
            stale.unlink(missing_ok=True)
    return model, True


class RasaServer:
    """`rasa run --enable-api` on 127.0.0.1, started and stopped by this process.

    with RasaServer(rasa, model, port=5005) as server:
        httpx.post(f"{server.url}/model/parse", json={"text": "hola"})
    """

    def __init__(
        self, rasa: Path, model: Path, *, port: int, log_file: Path, startup: float = 300.0
    ) -> None:
        self.rasa, self.model, self.port, self.log_file = rasa, model, port, log_file
        self.startup = startup
        self.url = f"http://127.0.0.1:{port}"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [
            str(self.rasa), "run", "--enable-api",
            "--model", str(self.model),
            "--interface", "127.0.0.1", "--port", str(self.port),
        ]  # fmt: skip
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        with self.log_file.open("wb") as output:
            # Its own process group, so stopping it also stops the workers it may spawn.
            self._process = subprocess.Popen(
                command, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + self.startup
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RasaError(
                    f"rasa run terminó con código {self._process.returncode}; vea {self.log_file}"
                )
            try:
                if httpx.get(f"{self.url}/version", timeout=2.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(1.0)
        self.stop()
        raise RasaError(f"rasa run no respondió en {self.startup:.0f} s; vea {self.log_file}")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=20)

    def wait(self) -> int:
        """Block until the server exits (for `cti nlu rasa-serve`)."""
        assert self._process is not None
        return self._process.wait()

    def __enter__(self) -> RasaServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
