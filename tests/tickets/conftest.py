from __future__ import annotations

from tests.conversation.conftest import engine, interpreter, static

__all__ = ["engine", "interpreter", "static"]
