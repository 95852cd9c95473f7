import pytest

from tests.conversation.conftest import engine, interpreter, static  # noqa: F401
from tests.storage.helpers import store_with_domains


@pytest.fixture
async def store(database_url, gazetteer):
    """A fresh store with the alcaldías' institutional domains (tests/storage/helpers.py): the
    officials these tests register at pasto.gov.co, medellin.gov.co or tunja.gov.co join their
    entity at once."""
    async with store_with_domains(database_url, gazetteer) as opened:
        yield opened
