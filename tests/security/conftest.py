from tests.engine.conftest import engine, interpreter, static  # noqa: F401
from tests.telegram.conftest import any_engine, server, texts  # noqa: F401
