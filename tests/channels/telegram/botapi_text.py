"""Formatted text as the Bot API reads it: `parse_mode=HTML` parsed into its visible text, with
Telegram's refusals ("can't parse entities: ...").

Telegram's HTML is a small fixed subset, read by TDLib's own parser, not a browser's: the tags
below and nothing else, every tag closed in order, `&lt; &gt; &amp; &quot;` and numeric
references decoded (any other `&name;` stays as typed). Limits on a message (4,096 UTF-16
units, 1,024 for a caption) apply to the visible text, after the tags are gone.

One pass over the text with a stack of open tags: linear in the text's length.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# tag -> the attribute it needs (None: none); `span` needs class="tg-spoiler" besides.
TAGS: dict[str, str | None] = {
    "b": None,
    "strong": None,
    "i": None,
    "em": None,
    "u": None,
    "ins": None,
    "s": None,
    "strike": None,
    "del": None,
    "span": "class",
    "tg-spoiler": None,
    "a": None,  # without href TDLib links the text itself
    "tg-emoji": "emoji-id",
    "code": None,
    "pre": None,
    "blockquote": None,
}
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
PARSE_MODES = frozenset({"HTML", "MarkdownV2", "Markdown"})

_ENTITY = re.compile(r"&(?:#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z]{1,8}));")
_ATTRIBUTE = re.compile(r"""\s*([a-zA-Z-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")


class EntityError(ValueError):
    """Why Telegram cannot parse the entities (the text after "can't parse entities: ")."""


@dataclass(frozen=True, slots=True)
class _Open:
    name: str
    at: int  # byte offset of its "<"


def _offset(text: str, index: int) -> int:
    return len(text[:index].encode())


def _entity(text: str, index: int) -> tuple[str, int] | None:
    """The character an entity at `index` stands for and where it ends, or None when the "&"
    is an ordinary character (Telegram keeps unknown names as typed)."""
    match = _ENTITY.match(text, index)
    if match is None:
        return None
    decimal, hexadecimal, name = match.groups()
    if name is not None:
        char = NAMED_ENTITIES.get(name)
        return (char, match.end()) if char is not None else None
    code = int(decimal) if decimal is not None else int(hexadecimal, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), match.end()


def _attributes(raw: str) -> dict[str, str]:
    found: dict[str, str] = {}
    position = 0
    while position < len(raw):
        match = _ATTRIBUTE.match(raw, position)
        if match is None or match.end() == position:
            break
        name, *values = match.groups()
        found[name.lower()] = next((v for v in values if v is not None), "")
        position = match.end()
    return found


def _check_start(name: str, attributes: dict[str, str], stack: list[_Open], at: int) -> None:
    if name not in TAGS:
        raise EntityError(f'Unsupported start tag "{name}" at byte offset {at}')
    needed = TAGS[name]
    if needed is not None and needed not in attributes:
        if name == "span":
            raise EntityError('Tag "span" must have class "tg-spoiler"')
        raise EntityError(f'Tag "{name}" must have attribute "{needed}" at byte offset {at}')
    if name == "span" and attributes["class"] != "tg-spoiler":
        raise EntityError('Tag "span" must have class "tg-spoiler"')
    inside = stack[-1].name if stack else None
    if inside == "code" or (inside == "pre" and name != "code"):
        raise EntityError(f'Can\'t use tag "{name}" inside "{inside}" at byte offset {at}')


def visible_html(text: str) -> str:
    """The text a reader sees once Telegram read `text` as HTML; EntityError if it cannot."""
    out: list[str] = []
    stack: list[_Open] = []
    index, length = 0, len(text)
    while index < length:
        char = text[index]
        if char == "&":
            decoded = _entity(text, index)
            if decoded is not None:
                out.append(decoded[0])
                index = decoded[1]
                continue
        if char != "<":
            out.append(char)
            index += 1
            continue
        end = text.find(">", index)
        at = _offset(text, index)
        if end < 0:
            raise EntityError(f"Unclosed start tag at byte offset {at}")
        inner = text[index + 1 : end]
        if inner.startswith("/"):
            name = inner[1:].strip().lower()
            if not stack:
                raise EntityError(f"Unexpected end tag at byte offset {at}")
            if stack[-1].name != name:
                raise EntityError(
                    f'Unmatched end tag at byte offset {at}, expected "</{stack[-1].name}>", '
                    f'found "</{name}>"'
                )
            stack.pop()
        else:
            name_end = next((i for i, c in enumerate(inner) if c.isspace() or c == "/"), None)
            name = (inner if name_end is None else inner[:name_end]).lower()
            if not name:
                raise EntityError(f"Empty tag name at byte offset {at}")
            attributes = _attributes(inner[len(name) :]) if name_end is not None else {}
            _check_start(name, attributes, stack, at)
            stack.append(_Open(name, at))
        index = end + 1
    if stack:
        raise EntityError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    return "".join(out)


def visible(text: str, parse_mode: str | None) -> str:
    """The visible text under a `parse_mode` (None: the text itself)."""
    if parse_mode is None or parse_mode == "":
        return text
    if parse_mode not in PARSE_MODES:
        raise ValueError("unsupported parse_mode")
    if parse_mode != "HTML":
        # The project sends no Markdown; refusing it loudly beats accepting it wrongly.
        raise ValueError(f"the local test server does not read parse_mode {parse_mode}")
    return visible_html(text)
