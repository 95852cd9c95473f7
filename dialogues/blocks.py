"""Answers to a block of numbered questions in one message, as written by email:

    1) b          1. b            1- no sé
    2) no sé      2. 35,5 %       2: omitir
    3) d          3. la c         3) Está en formulación

Also on one line: "1) b 2) no sé 3) d" or "1b 2c 3a". Pure functions; the dialogue decides what
each item means for its question (`bot.conversation.flows.blocks`).
"""

from __future__ import annotations

import re

# A number at the start of a line, or after whitespace/comma/semicolon, followed by a marker
# (")", ".", ":", "-", "=") or directly by a letter option: "1)", "2.", "3:", "4 -", "5b". A dot,
# colon or dash before a digit is part of a number ("2.500", "10:30"), not a marker.
_ITEM = re.compile(
    r"(?:^|(?<=[\s,;]))(\d{1,2})\s*(?:[)=]|[.:-](?!\d)|(?=[a-zA-Z]\b))\s*", re.MULTILINE
)


def numbered_items(text: str, count: int) -> dict[int, str] | None:
    """{1: "b", 2: "no sé", ...} for the numbers 1..count found in order; None if the text
    holds no numbered item at all. A number given twice keeps its last answer."""
    marks = [m for m in _ITEM.finditer(text) if 1 <= int(m.group(1)) <= count]
    # Keep only an increasing sequence of markers: "2.500 personas" inside an answer is text.
    kept: list[re.Match[str]] = []
    for mark in marks:
        if not kept or int(mark.group(1)) > int(kept[-1].group(1)):
            kept.append(mark)
    if not kept:
        return None
    items: dict[int, str] = {}
    for index, mark in enumerate(kept):
        end = kept[index + 1].start() if index + 1 < len(kept) else len(text)
        # A blank line ends an answer: what follows is a farewell or a signature.
        raw = re.split(r"\n\s*\n", text[mark.end() : end], maxsplit=1)[0]
        value = " ".join(raw.split()).strip(" ,;")
        items[int(mark.group(1))] = value
    return items
