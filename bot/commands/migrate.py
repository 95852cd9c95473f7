"""The work of `cti questionnaire migrate`: one transaction over the cycle's assessments.

Only assessments in progress move: a submitted diagnosis keeps the version it was submitted
under (its report and any constancia name it). For each one moved, every current answer is
taken off, the carried ones are written under their new ids (the answer history gets them with
no contact and the migration's time), the assessment is set to the new version, and the staff
audit trail records the migration («migración», by whom, the mapping file's digest, what was
carried and what was not).
"""

from __future__ import annotations

import asyncio
import getpass
import hashlib
from datetime import UTC, datetime
from pathlib import Path

from bot.analytics.cycle import current_cycle
from bot.commands.common import fail, gazetteer_from, pick
from bot.commands.staff_db import staff_database_url
from bot.config import Config
from bot.questionnaire_migration import MappingError, Plan, QuestionMap, plan, read_mapping, say
from bot.storage.api import StorageError, Tx
from bot.storage.sql import open_store
from bot.web.accounts import staff_tx
from dialogues.questionnaire import Questionnaire, Questionnaires

AUDIT_ACTION = "questionnaire.migrate"


def actor() -> str:
    """Who ran it, as the audit trail names a command-line user."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "?"
    return f"migración (cli:{user})"


async def migrate_cycle(
    tx: Tx,
    mapping: QuestionMap,
    cycle: int,
    now: datetime,
    *,
    dry_run: bool,
    who: str,
    source: str,
) -> tuple[list[str], int, int]:
    """Report lines, assessments moved, answers not carried."""
    old, new = mapping.old, mapping.new
    lines: list[str] = []
    moved = unmapped = 0
    for item in await tx.cycle_assessments(cycle):
        a = await tx.assessment(item.assessment.id)  # locked until the transaction ends
        if a is None or (a.questionnaire_id, a.questionnaire_version) != (old.id, old.version):
            continue
        entity = item.entity.title
        if a.status == "submitted":
            lines.append(
                say("submitted", id=a.id, entity=entity, cycle=a.cycle, version=old.version)
            )
            continue
        stored = await tx.answers(a.id)
        result = plan(mapping, {qid: s.answer for qid, s in stored.items()})
        lines.append(
            say(
                "assessment",
                id=a.id,
                entity=entity,
                cycle=a.cycle,
                carried=len(result.carried),
                version=new.version,
            )
        )
        lines += [say("unmapped", question=q, reason=why) for q, why in result.unmapped]
        moved += 1
        unmapped += len(result.unmapped)
        if not dry_run:
            await _apply(tx, a.id, list(stored), result, new, now)
            await staff_tx(tx).record(
                who,
                AUDIT_ACTION,
                now,
                target=f"diagnóstico {a.id} · {item.entity.code}",
                detail=say(
                    "audit",
                    old=f"{old.id}:{old.version}",
                    new=f"{new.id}:{new.version}",
                    map=source,
                    carried=", ".join(f"{o}→{n}" for n, (o, _) in result.carried.items()) or "—",
                    unmapped=", ".join(f"{q} ({why})" for q, why in result.unmapped) or "—",
                ),
            )
    return lines, moved, unmapped


async def _apply(
    tx: Tx, assessment_id: int, old_ids: list[str], result: Plan, new: Questionnaire, at: datetime
) -> None:
    for qid in old_ids:
        await tx.drop_answer(assessment_id, qid)
    for new_id, (_, answer) in result.carried.items():
        await tx.save_answer(assessment_id, new_id, answer, None, at)
    await tx.set_questionnaire(assessment_id, new.id, new.version)


def run_migration(
    config: Config,
    loaded: Questionnaires,
    old_version: str,
    new_version: str,
    map_path: Path,
    cycle: int | None,
    dry_run: bool,
    db_url: str | None,
) -> list[str]:
    """Everything the command prints; errors exit with one line (`fail`)."""
    old, new = pick(loaded, old_version), pick(loaded, new_version)
    if (old.id, old.version) == (new.id, new.version):
        fail(say("same_version"))
    try:
        mapping = read_mapping(map_path, old, new)
    except MappingError as exc:
        fail(str(exc))
    digest = hashlib.sha256(map_path.read_bytes()).hexdigest()[:16]
    now = datetime.now(UTC)
    year = cycle or current_cycle(config.assessment, now)
    url = staff_database_url(config, db_url)
    source = f"{map_path.name}, sha256 {digest}"

    async def go() -> tuple[list[str], int, int]:
        store = await open_store(url, gazetteer_from(config), migrate=False)
        try:
            async with store.transaction() as tx:
                return await migrate_cycle(
                    tx, mapping, year, now, dry_run=dry_run, who=actor(), source=source
                )
        finally:
            await store.close()

    try:
        lines, moved, unmapped = asyncio.run(go())
    except StorageError as exc:
        fail(str(exc))
    if not moved and not lines:
        return [say("none", version=old.version)]
    summary = say("dry_run") if dry_run else ""
    done = say("done", count=moved, old=old.version, new=new.version, unmapped=unmapped)
    return [*lines, done if not dry_run else summary]
