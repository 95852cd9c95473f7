"""Entity attributes in the `Tx` contract: category, PDET and ZOMAC from MinTIC's files."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from bot.storage.api import EntityAttributes
from bot.storage.base import TxBase, entity_attributes


def _record(row: Any) -> EntityAttributes:
    return EntityAttributes(row.entity_code, row.category, row.pdet, row.zomac)


def merged(old: EntityAttributes, new: EntityAttributes) -> EntityAttributes:
    """`new` over `old`, field by field, where `new` says something."""
    return replace(
        old,
        category=new.category if new.category is not None else old.category,
        pdet=new.pdet if new.pdet is not None else old.pdet,
        zomac=new.zomac if new.zomac is not None else old.zomac,
    )


class AttributesTx(TxBase):
    async def load_entity_attributes(self, items: list[EntityAttributes], at: datetime) -> int:
        current = await self.entity_attributes()
        changed: set[str] = set()
        for item in items:
            code = item.entity_code
            old = current.get(code)
            if old is None:
                await self._run(
                    entity_attributes.insert().values(
                        entity_code=code,
                        category=item.category,
                        pdet=item.pdet,
                        zomac=item.zomac,
                        loaded_at=at,
                    )
                )
                current[code] = item
                changed.add(code)
                continue
            new = merged(old, item)
            if new != old:
                await self._run(
                    update(entity_attributes)
                    .where(entity_attributes.c.entity_code == code)
                    .values(category=new.category, pdet=new.pdet, zomac=new.zomac, loaded_at=at)
                )
                current[code] = new
                changed.add(code)
        return len(changed)

    async def entity_attributes(
        self, entity_code: str | None = None
    ) -> dict[str, EntityAttributes]:
        stmt = select(entity_attributes).order_by(entity_attributes.c.entity_code)
        if entity_code is not None:
            stmt = stmt.where(entity_attributes.c.entity_code == entity_code)
        return {row.entity_code: _record(row) for row in await self._run(stmt)}
