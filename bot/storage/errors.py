"""Which database failures mean "unavailable, try again later" (`StorageError`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import exc as sa_exc

from bot.storage.api import StorageError

# SQLSTATE classes: 08 connection exception, 40 transaction rollback (serialization failure,
# deadlock), 53 insufficient resources, 57 operator intervention (query cancelled by a timeout,
# server shutting down), 58 system error. 55P03: lock not available (lock_timeout).
_TRANSIENT_CLASSES = frozenset({"08", "40", "53", "57", "58"})
_TRANSIENT_STATES = frozenset({"55P03"})


def _sqlstate(exc: sa_exc.DBAPIError) -> str | None:
    state = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    return state if isinstance(state, str) else None


def is_unavailable(exc: BaseException) -> bool:
    """True for failures of the database itself (unreachable, locked, timed out, shut down)."""
    if isinstance(exc, OSError | TimeoutError | sa_exc.TimeoutError):
        return True
    if not isinstance(exc, sa_exc.DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    if isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError):
        return True
    state = _sqlstate(exc)
    return state is not None and (state[:2] in _TRANSIENT_CLASSES or state in _TRANSIENT_STATES)


@contextmanager
def storage_errors(action: str, *, connecting: bool = False) -> Iterator[None]:
    """Re-raise database unavailability as `StorageError`; let every other error through.

    While `connecting`, any driver error counts: a database that refuses the connection (wrong
    name, authentication) is unreachable for this process.
    """
    try:
        yield
    except StorageError:
        raise
    except Exception as exc:
        if is_unavailable(exc) or (connecting and isinstance(exc, sa_exc.DBAPIError)):
            raise StorageError(f"{action}: {type(exc).__name__}: {exc}") from exc
        raise
