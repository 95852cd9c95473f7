from __future__ import annotations

from tests.conversation.conftest import engine, interpreter, static, store

__all__ = ["engine", "interpreter", "static", "store"]
