"""Real clients' mail (`fixtures/real/`, sources in its README) read through the email
channel's inbound parsing, each against the text it must be read as.

    .venv/bin/python -m tests.channels.email.real            # this tree's reader
    .venv/bin/python -m tests.channels.email.real OLD.py     # another inbound.py, to compare

prints how many are read right and what each wrong one was read as."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

import yaml

REAL = Path(__file__).parent / "fixtures" / "real"
US = "asistente@cti.test"
Reader = Callable[[bytes, str], object]


def expected() -> dict[str, str]:
    loaded = yaml.safe_load((REAL / "expected.yml").read_text("utf-8"))
    return {str(k): str(v) for k, v in loaded.items()}


def raw(name: str) -> bytes:
    """The fixture as a received mail: an .eml as it is, an HTML body as an HTML-only mail
    (as some servers keep it), a text body as a plain mail."""
    path = REAL / name
    if path.suffix == ".eml":
        return path.read_bytes()
    message = EmailMessage()
    message["From"] = "Ana Pérez <ana.perez@pasto.gov.co>"
    message["To"] = US
    message["Subject"] = "Re: Autodiagnóstico"
    message["Message-ID"] = f"<{path.stem}@pasto.gov.co>"
    subtype = "html" if path.suffix == ".html" else "plain"
    message.set_content(path.read_text("utf-8"), subtype=subtype)
    return message.as_bytes()


def outcome(read: Reader, name: str) -> str:
    mail = read(raw(name), US)
    text = getattr(mail, "request", getattr(mail, "text", None))
    if text is None:
        return f"robot: {getattr(mail, 'reason', '?')}"
    return str(text)


def same(got: str, want: str) -> bool:
    return got.split() == want.split()


def wrong(read: Reader) -> dict[str, str]:
    """Every fixture not read as expected, with what it was read as."""
    return {
        name: got for name, want in expected().items() if not same(got := outcome(read, name), want)
    }


def _reader(path: str | None) -> Reader:
    if path is None:
        from channels.email.inbound import read

        return read
    spec = importlib.util.spec_from_file_location("inbound_under_test", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.read  # type: ignore[no-any-return]


def main() -> None:
    read = _reader(sys.argv[1] if len(sys.argv) > 1 else None)
    failed = wrong(read)
    total = len(expected())
    for name, got in failed.items():
        print(f"✗ {name}: {got[:160]!r}")
    print(f"read right: {total - len(failed)} of {total}")


if __name__ == "__main__":
    main()
