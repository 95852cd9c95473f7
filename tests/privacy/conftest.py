from tests.engine.conftest import engine, interpreter, static  # noqa: F401
