"""A member approves or declines a colleague's request to act for their entity: one button on
Telegram, or a reply by email («aprobar 42» / «rechazar 42», as the request mail says).

Only a member of the applicant's own entity acts, only on a request still pending, and only
from a conversation that proved its mailbox; a stale or repeated press changes nothing and
says why. The event records the member who decided; the applicant hears it on their channels.
"""

from __future__ import annotations

import re

from bot.conversation.joining import APPROVE, DECLINE, tell
from bot.conversation.registry import NOT_MINE, REPROMPT, Next
from bot.conversation.turn import Turn
from bot.reach import reachable
from bot.storage.api import MembershipKind

# The whole first line is the decision, as the request mail asks: «aprobar 42», «Rechazar 42.»,
# «aprobar solicitud 42». A sentence that merely starts with "aprobado" (an answer such as
# «aprobado por el concejo en 2023») is not one. No nested repetition: linear time.
_TYPED = re.compile(
    r"\s*(aprobar|rechazar)\s+(?:la\s+)?(?:solicitud\s+)?(?:n[.º°o]?\s*|#\s*)?(\d{1,9})\s*[.!]?\s*",
    re.IGNORECASE,
)


def decision(option: str | None, text: str) -> tuple[bool, int] | None:
    """(approve?, applicant's contact id) from a pressed button or the reply's first line."""
    if option is not None:
        for prefix, approve in ((APPROVE, True), (DECLINE, False)):
            if option.startswith(prefix) and option[len(prefix) :].isdigit():
                return approve, int(option[len(prefix) :])
        return None
    first = text.strip().split("\n", 1)[0][:200]
    found = _TYPED.fullmatch(first)
    if found is None:
        return None
    return found.group(1).lower().startswith("aprob"), int(found.group(2))


async def intercept(turn: Turn) -> Next:
    """Interceptor: an approval or a decline, whatever the member was doing."""
    decided = decision(turn.option, turn.text)
    if decided is None or (turn.contact is None and turn.option is None):
        return NOT_MINE
    approve, applicant_id = decided
    me = turn.contact
    if me is None or not me.is_member:
        turn.say("approval.not_member")
        return None
    if turn.refused_unproven():
        return None
    applicant = await turn.tx.contact(applicant_id)
    if applicant is None or applicant.entity_code != me.entity_code or applicant.id == me.id:
        turn.say("approval.unknown", id=applicant_id)
        return REPROMPT
    if applicant.status != "pending":
        turn.say("approval.already", name=applicant.name, status=applicant.status)
        return REPROMPT
    kind: MembershipKind = "approved" if approve else "declined"
    await turn.tx.record_membership(
        applicant.id, kind, turn.now, basis="member", actor_contact_id=me.id
    )
    entity = turn.entity
    for key in await reachable(turn.tx, applicant):
        text = turn.deps.catalog.render(
            f"approval.told_{kind}", name=applicant.name, title=entity.title, by=me.name
        )
        await tell(turn, key, text)
    turn.say(f"approval.done_{kind}", name=applicant.name, title=entity.title)
    return REPROMPT
