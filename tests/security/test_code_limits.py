"""Codes cannot be farmed: typing a victim's registered address again and again, from one chat
or many, mails at most `CODES_PER_HOUR` codes to it (once 4 rounds gave 20 guesses in 1.2 s and
4 mails in the victim's inbox); each code still allows only 5 attempts."""

from __future__ import annotations

import pytest

from bot.app import build_deps, channel_traits
from bot.config import load_config
from bot.contract import OutboundEmail
from bot.conversation.codes import CODES_PER_HOUR
from bot.conversation.engine import Engine
from tests.conversation.chat import Chat

VICTIM = "ana@pasto.gov.co"


@pytest.fixture
def engine(store, static, interpreter) -> Engine:
    deps = build_deps(load_config(env={"CTI_EMAIL_ENABLED": "true"}), static)
    return Engine(store, deps, interpreter, traits=channel_traits())


async def test_retyping_a_victims_address_mails_a_bounded_number_of_codes(engine):
    await Chat(engine, "7100", channel="telegram").register(email=VICTIM)
    texts = []
    for n in range(CODES_PER_HOUR + 3):
        attacker = Chat(engine, f"71{n + 10}", channel="telegram")
        await attacker.register(email=VICTIM)
        texts.append(" ".join(r.text for r in attacker.replies))
    async with engine.store.transaction() as tx:
        mailed = [
            i
            for i in await tx.outbox_for(VICTIM)
            if isinstance(i, OutboundEmail) and i.kind == "code"
        ]
    # The victim's own registration code counts too: it went to the same mailbox.
    assert len(mailed) == CODES_PER_HOUR
    linked = CODES_PER_HOUR - 1
    assert all("código de 6 dígitos que le enviamos" in t for t in texts[:linked])
    assert all("no enviaremos otro por ahora" in t for t in texts[linked:])
