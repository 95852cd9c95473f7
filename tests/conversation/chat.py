"""A scripted user for engine tests: sends messages, keeps the replies, presses buttons."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from bot.contract import ConversationKey, IncomingMessage, Option, OutboundEmail, OutgoingMessage
from bot.conversation.engine import Engine

_ids = itertools.count(1)


@dataclass
class Chat:
    engine: Engine
    address: str
    channel: str = "console"
    replies: list[OutgoingMessage] = field(default_factory=list)
    last: list[OutgoingMessage] = field(default_factory=list)

    @property
    def key(self) -> ConversationKey:
        return ConversationKey(self.channel, self.address)  # type: ignore[arg-type]

    async def send(self, text: str = "", option: str | None = None, message_id: str | None = None):
        # A chat here stands for a channel that knows who writes (an email conversation that
        # answered our mail); unproven mail is tested in tests/security/test_forged_mail.py.
        message = IncomingMessage(
            self.key, message_id or f"m{next(_ids)}", text=text, option=option, proven=True
        )
        self.last = await self.engine.handle(message)
        self.replies.extend(self.last)
        return self.last

    @property
    def text(self) -> str:
        return "\n".join(r.text for r in self.last)

    @property
    def options(self) -> tuple[Option, ...]:
        for reply in reversed(self.last):
            if reply.options:
                return reply.options
        return ()

    async def press(self, label_part: str):
        for option in self.options:
            if label_part.casefold() in option.label.casefold():
                return await self.send(option=option.value)
        raise AssertionError(f"no option {label_part!r} in {[o.label for o in self.options]}")

    def question_id(self) -> str | None:
        for option in self.options:
            if option.value.startswith(("ans:", "dk:", "skip:")):
                return option.value.split(":")[1]
        return None

    async def register(
        self,
        kind: str = "alcaldía",
        place: str = "Pasto",
        name: str = "Ana Pérez",
        email: str = "ana@pasto.gov.co",
        role: str = "Jefe de Planeación",
    ):
        await self.send("hola")
        await self.press("Acepto")
        await self.send(kind)
        await self.send(place)
        if "¿Su entidad es" not in self.text:
            raise AssertionError(self.text)
        await self.send("sí")
        await self.send(name)
        await self.send(role)
        await self.send(email)
        await self.send("sí")
        if "antes de registrarle verificamos" in self.text:  # the address's owner reads the code
            await self.send(await mailed_code(self.engine.store, email))
        return self.last


async def mailed_code(store, address: str, kind: str = "code") -> str:
    """The code in the last mail of `kind` queued to `address`, read as a person reads it."""
    async with store.transaction() as tx:
        items = await tx.outbox_for(address)
    codes = [i for i in items if isinstance(i, OutboundEmail) and i.kind == kind]
    assert codes, f"no code was mailed to {address}"
    found = re.search(r"^\s*(\d{6})\s*$", codes[-1].text, re.MULTILINE)
    assert found is not None, codes[-1].text
    return found.group(1)


async def answers_of(store, assessment_id):
    async with store.transaction() as tx:
        return await tx.answers(assessment_id)


async def state_of(store, chat: Chat):
    async with store.transaction() as tx:
        return await tx.find_conversation(chat.key)
