"""Places named in free text: the held-out table tests/nlu/places_heldout.yml read by the NLU's
entity extractor of a checkout, scored by what registration does with the place entities.

    .venv/bin/python bench/places.py                 # this checkout
    git archive main | tar -x -C /tmp/before
    .venv/bin/python bench/places.py /tmp/before     # another checkout, same table

A row is right when the places found are exactly the expected DANE codes: the registration kind
(`kind`, when the row has one) keeps only municipalities (alcaldía) or departments (gobernación),
as registration does; a name with several candidates left is «ask» (registration asks which).
The table always comes from this checkout; the code is read from `root`.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parents[1]
TABLE = HERE / "tests" / "nlu" / "places_heldout.yml"
ASK = "ask"
_KIND_ENTITY = {"alcaldia": "municipio", "gobernacion": "departamento"}
_BOGOTA, _BOGOTA_DEPT = "11001", "11"  # one span, both units: the capital district (no gobernación)


def load_table(path: Path = TABLE) -> list[dict[str, Any]]:
    rows = yaml.safe_load(path.read_text(encoding="utf-8"))
    for row in rows:
        expect = row["expect"]
        if expect != ASK and not (
            isinstance(expect, list) and all(isinstance(c, str) for c in expect)
        ):
            raise ValueError(f"bad expect in {row!r}")
        if row.get("kind") not in (None, *_KIND_ENTITY):
            raise ValueError(f"bad kind in {row!r}")
    return rows


def outcome(entities: Iterable[Mapping[str, Any]], kind: str | None) -> str | list[str]:
    """Sorted DANE codes named, or ASK when a named place still has several candidates."""
    wanted = {_KIND_ENTITY[kind]} if kind else set(_KIND_ENTITY.values())
    spans: dict[tuple[int, int], set[str]] = {}
    for e in entities:
        if e["entity"] in wanted:
            spans.setdefault((e["start"], e["end"]), set()).add(e["value"])
    codes: set[str] = set()
    for candidates in spans.values():
        if _BOGOTA in candidates:
            candidates.discard(_BOGOTA_DEPT)
        if len(candidates) > 1:
            return ASK
        codes |= candidates
    return sorted(codes)


def measure(root: Path, rows: Sequence[dict[str, Any]]) -> tuple[int, list[str], float]:
    """(right, misses, worst milliseconds per message) for the code at `root`."""
    sys.path.insert(0, str(root))
    from nlu import rasa_data
    from nlu.entities import EntityExtractor
    from nlu.places import Gazetteer

    origin = str(sys.modules[Gazetteer.__module__].__file__)
    if not origin.startswith(str(root)):
        raise SystemExit(f"read the code of {origin}, not of {root}")
    data = root / "data"
    synonyms = rasa_data.load(rasa_data.data_files(data / "nlu")).synonyms
    extractor = EntityExtractor(Gazetteer.from_csv(data / "divipola.csv", synonyms))
    extractor.extract("alcaldia de pasto")  # first-call set-up is not a message's cost
    right, misses, worst = 0, [], 0.0
    for row in rows:
        kind = row.get("kind")
        started = time.perf_counter()
        found = extractor.extract(row["text"])
        worst = max(worst, (time.perf_counter() - started) * 1000)
        got = outcome(found, kind)
        if got == row["expect"]:
            right += 1
        else:
            misses.append(f"{row['text']!r} [{kind or '-'}] -> {got} (expected {row['expect']})")
    return right, misses, worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?", type=Path, default=HERE, help="the checkout to read")
    parser.add_argument("--misses", action="store_true", help="list every row not right")
    parser.add_argument("--table", type=Path, default=TABLE, help="another table, same format")
    args = parser.parse_args()
    rows = load_table(args.table)
    right, misses, worst = measure(args.root.resolve(), rows)
    print(f"places: {right}/{len(rows)} right ({right / len(rows):.1%}) · worst {worst:.1f} ms")
    if args.misses:
        print("\n".join(misses))


if __name__ == "__main__":
    main()
