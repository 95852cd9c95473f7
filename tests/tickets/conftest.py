from __future__ import annotations

from tests.engine.conftest import engine, interpreter, static

__all__ = ["engine", "interpreter", "static"]
