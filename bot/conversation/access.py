"""What a contact may do for their entity, from their membership status and whether the entity
has any member yet. Pure: every flow and route asks here, so the rules live in one place.

- member: everything.
- pending, in an entity with no member yet ("unverified"): may answer (their answers are stored
  and attributed, the diagnosis is «sin verificar»), sees only their own answers, no one else's
  name, no results, cannot submit, reopen or download the entity's answers.
- pending, in an entity that has members ("waiting"): waits for a member's approval; programme
  information, advisory requests and their own data only.
- declined / revoked: like waiting, and never answer.
"""

from __future__ import annotations

from typing import Literal

from bot.storage.api import MemberStatus

Action = Literal[
    "answer",  # store answers, see one's own progress and review
    "see_officials",  # other officials' names (who else takes part, who gave an answer)
    "see_answers",  # the entity's answers given by others
    "results",  # scores, report, peer comparison
    "submit",
    "reopen",
    "download",  # the entity's spreadsheet / answers file
]
ACTIONS: tuple[Action, ...] = (
    "answer",
    "see_officials",
    "see_answers",
    "results",
    "submit",
    "reopen",
    "download",
)
Standing = Literal["member", "unverified", "waiting", "declined", "revoked"]


def standing(status: MemberStatus, entity_has_members: bool) -> Standing:
    """Where a contact stands for their entity."""
    if status == "member":
        return "member"
    if status == "pending":
        return "waiting" if entity_has_members else "unverified"
    return status


def permits(where: Standing, action: Action) -> bool:
    """Whether a contact standing `where` may do `action` for their entity."""
    match where:
        case "member":
            return True
        case "unverified":
            return action == "answer"
        case _:
            return False


def allowed(status: MemberStatus, entity_has_members: bool, action: Action) -> bool:
    """Whether a contact with `status` may do `action` for their entity."""
    return permits(standing(status, entity_has_members), action)
