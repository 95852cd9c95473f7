from tests.conversation.conftest import engine, interpreter, static  # noqa: F401
