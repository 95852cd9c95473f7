"""A contact writing to the assistant by email, through the engine: reads the replies it queues."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from bot.contract import ConversationKey, IncomingMessage, Notice
from bot.conversation.engine import Engine

_ids = itertools.count(1)


@dataclass
class Mailbox:
    """A contact writing to the assistant; reads the replies queued in the outbox."""

    engine: Engine
    address: str
    seen: int = 0
    inbox: list[Notice] = field(default_factory=list)

    async def send(self, text: str, message_id: str | None = None) -> Notice | None:
        message = IncomingMessage(
            ConversationKey("email", self.address),
            message_id or f"<e{next(_ids)}@municipio.gov.co>",
            text=text,
            subject="Diagnóstico",
            proven=True,  # a reply to our mail (the email channel checks its reply key)
        )
        assert await self.engine.handle(message) == []
        async with self.engine.store.transaction() as tx:
            new = await tx.outbox_for(self.address, self.seen)
        notices = []
        for item in new:  # conversation replies; other mail (a code) is read separately
            assert item.id is not None
            self.seen = max(self.seen, item.id)
            if isinstance(item, Notice):
                notices.append(item)
        self.inbox.extend(notices)
        return notices[-1] if notices else None

    @property
    def text(self) -> str:
        return "\n".join(r.text for r in self.inbox[-1].replies)

    async def register(self) -> Notice | None:
        for line in ("Hola", "acepto", "alcaldía", "Tunja", "sí", "Marta Gil", "Asesora TIC"):
            await self.send(line)
        await self.send(self.address)
        return await self.send("sí")


def block_size(text: str) -> int:
    return len(re.findall(r"^\d+\) $", text, re.MULTILINE))
