from tests.channels.telegram.conftest import any_engine, server, texts  # noqa: F401
from tests.conversation.conftest import engine, interpreter, static  # noqa: F401
