"""The new text of a reply, without the conversation it quotes or the signature below it.

    strip_reply(text) -> str

Where the quote starts is found by our rules for the clients officials use, in Spanish and
English (Gmail, Outlook desktop / on the web / mobile, Apple Mail and iPhone, Yahoo, Thunderbird,
Zimbra, Roundcube), and by the header patterns of mail-parser-reply (a maintained library with
Spanish among its languages), whichever comes first. The library's patterns backtrack on long
lines, so it reads only a probe of the first `_PROBE_LINES` lines, each cut at `_PROBE_WIDTH`.

Text typed *below* a quote is new too (Thunderbird's bottom posting, an answer written under
each quoted question of our block mail, or inside its quoted «1) … 2) …» template): it is read
when nothing was typed above the quote, each answer numbered as the question above it.
Our own read-back lines («• 1) ✓ b) …») are never new text, wherever they appear.
Every rule works line by line: linear in the input, which the caller cuts first.
"""

from __future__ import annotations

import re

from mailparser_reply import EmailMessage as LibraryMessage

from channels.email.greeting import is_salutation

# "El lun, 2 mar 2026 a las 10:00, Asistente <x@y> escribió:" (Gmail, Apple, Thunderbird,
# Roundcube), "En sábado, 5 de diciembre de 2026, 10:00 a. m. COT, Asistente escribió:" (Yahoo),
# "On Mon, Mar 2, 2026 at 10:00 AM Asistente wrote:"; wrapped over up to three lines.
_REPLY_START = re.compile(r"^\s*(el|en|on|am|le|il)\s", re.IGNORECASE)
_REPLY_END = re.compile(r"(escribi[oó]|wrote|schrieb|a [ée]crit|ha scritto)\s*:\s*$", re.IGNORECASE)
# An attribution in any language ends with the quoted author's address and a colon.
_ADDRESS_END = re.compile(r"<[^<>\s@]{1,64}@[^<>\s]{1,255}>\)?\s*:\s*$")
_SEPARATORS = re.compile(
    r"^\s*(-{2,}\s*(mensaje original|original message|mensaje reenviado|forwarded message"
    r"|message d'origine|ursprüngliche nachricht)\s*-{2,}|_{10,}|-{20,})\s*$",
    re.IGNORECASE,
)
_OUTLOOK_FROM = re.compile(r"^\s*\*?(de|from)\s*:\*?\s+\S", re.IGNORECASE)
# Outlook for Windows in Spanish says "Enviado el:"; Zimbra "Enviados:"; its HTML leaves blank
# lines between them.
_OUTLOOK_NEXT = re.compile(
    r"^\s*\*?(enviado(?:s| el)?|sent|fecha|date|para|to|asunto|subject)\s*:", re.IGNORECASE
)
_SIGNATURE = re.compile(
    r"^\s*(--\s*|enviado desde mi [\w .-]{1,40}|sent from my [\w .-]{1,40}"
    r"|obtener outlook para [\w .<>:/-]{1,80}|get outlook for [\w .<>:/-]{1,80}"
    r"|enviado desde (?:yahoo|correo|outlook)[\w .<>:/-]{0,60}"
    r"|sent (?:with|from) (?:sparrow|yahoo|mail|outlook)[\w .()<>:/?=-]{0,80})$",
    re.IGNORECASE,
)
# Our own lines, as `q.block` and `q.block_read` in data/templates/messages.yml write them.
_READ_BACK = re.compile(r"^\s*•\s*\d{1,2}\)\s|^\s*esto es lo que entendí de su mensaje", re.I)
_QUESTION = re.compile(r"^\s*(\d{1,2})\)\s.*\(pregunta \d{1,3}\)\s*$")
_TEMPLATE_INTRO = re.compile(r"por ejemplo:\s*$", re.IGNORECASE)
_TEMPLATE_ITEM = re.compile(r"^\s*(\d{1,2})\)\s*(.*)$")
# Our lines under a question: its options, the unit of a figure, the help; and what ends a block.
_OURS = re.compile(r"^\s*(?:[a-z]\)\s|escriba la cifra en |ayuda:)", re.IGNORECASE)
_BLOCK_END = re.compile(r"^\s*(?:responda arriba de este mensaje|otras opciones:)", re.IGNORECASE)
_QUOTED = re.compile(r"^\s*>")

_PROBE_LINES = 400
_PROBE_WIDTH = 160
_LIBRARY = LibraryMessage(text="", languages=["es", "en"])


def _unquote(line: str) -> str:
    return re.sub(r"^(\s*>)+ ?", "", line)


def _library_cut(lines: list[str]) -> int | None:
    """The line where mail-parser-reply sees the first reply header, if it sees one."""
    probe = [line.strip()[:_PROBE_WIDTH] for line in lines[:_PROBE_LINES]]
    found = _LIBRARY.HEADER_REGEX.search("\n".join(probe))
    if found is None:
        return None
    start = found.start()
    while start < found.end() and found.string[start] == "\n":
        start += 1  # its patterns take the newline before the header
    return found.string.count("\n", 0, start)


def _boundary(lines: list[str], i: int) -> str | None:
    """What starts at line `i`: "hard" (a header block or separator: everything below is the
    quoted mail), "attribution" ("… escribió:", quoted lines follow), "signature", or None."""
    line = lines[i]
    if _SEPARATORS.match(line):
        return "hard"
    if _SIGNATURE.match(line):
        return "signature"
    if _OUTLOOK_FROM.match(line):
        following = [n for n in lines[i + 1 : i + 8] if n.strip()][:3]
        if any(_OUTLOOK_NEXT.match(n) for n in following):
            return "hard"
    if _QUOTED.match(line):
        return None
    if _REPLY_START.match(line) and any(_REPLY_END.search(n) for n in lines[i : i + 3]):
        return "attribution"
    if len(line) < 300 and _ADDRESS_END.search(line):
        return "attribution"
    return None


def _numbered(line: str, item: int | None) -> str:
    if item is None or _TEMPLATE_ITEM.match(line):
        return line
    return f"{item}) {line.strip()}"


def _below(lines: list[str]) -> list[str]:
    """Text typed below an attribution: unquoted lines, each answer numbered as the quoted
    question above it, and the items filled in inside our quoted template."""
    kept: list[str] = []
    item: int | None = None
    template = False
    answered: set[int] = set()
    # The attribution itself, wrapped over up to three lines.
    first = next((i for i, n in enumerate(lines[:3]) if _REPLY_END.search(n)), 0)
    for i, line in enumerate(lines[first + 1 :], first + 1):
        if not line or line.isspace():
            if kept and kept[-1] and item is None:  # answers in our block go one per line
                kept.append("")
            continue
        kind = _boundary(lines, i)
        if kind is not None:
            break
        if _READ_BACK.match(_unquote(line)):
            continue
        if _QUOTED.match(line):
            quoted = _unquote(line)
            question = _QUESTION.match(quoted)
            if question:
                item = int(question.group(1))
            filled = _TEMPLATE_ITEM.match(quoted) if template else None
            if filled and filled.group(2).strip():
                kept.append(f"{filled.group(1)}) {filled.group(2).strip()}")
            elif quoted.strip() and not filled:
                # The template's lines end at the first other line.
                template = bool(_TEMPLATE_INTRO.search(quoted))
            continue
        kept.append(_numbered(line, item if item not in answered else None))
        if item is not None:
            answered.add(item)
    return kept


def _unmarked_answers(lines: list[str]) -> list[str]:
    """Answers typed inside our block quoted without marks (Outlook, Outlook on the web): in
    the template's «N)» lines, or under a question, where every line but ours (an option, the
    figure's unit, the help) is the official's. Only the newest quoted block is read."""
    found: list[str] = []
    item: int | None = None
    answered: set[int] = set()
    template = False
    for i, line in enumerate(lines[1:], 1):
        text = _unquote(line).strip()
        if not text or _READ_BACK.match(text):
            continue
        if (item is not None or template) and _boundary(lines, i) is not None:
            break  # an older mail quoted below ours
        if template:
            filled = _TEMPLATE_ITEM.match(text)
            if filled is None:
                break
            if filled.group(2).strip():
                found.append(f"{filled.group(1)}) {filled.group(2).strip()}")
            continue
        if _TEMPLATE_INTRO.search(text) or _BLOCK_END.match(text):
            template, item = bool(_TEMPLATE_INTRO.search(text)), None
            continue
        question = _QUESTION.match(text)
        if question:
            item = int(question.group(1))
        elif item is not None and not _OURS.match(text):
            found.append(text if item in answered else f"{item}) {text}")
            answered.add(item)
    return found


def strip_reply(text: str) -> str:
    """The new text of a reply: what is above the quoted conversation or the signature, else
    what was typed below or inside the quote."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cut = _library_cut(lines)
    kept: list[str] = []
    boundary: tuple[int, str] | None = None
    for i, line in enumerate(lines):
        if not line or line.isspace():
            kept.append("")  # the common case of a flood of blank lines, kept cheap
            continue
        kind = _boundary(lines, i)
        if i == cut and kind is None:
            attribution = any(_REPLY_END.search(n) for n in lines[i : i + 3])
            kind = "attribution" if attribution else "hard"
        if kind is not None:
            boundary = (i, kind)
            break
        if _QUOTED.match(line) or _READ_BACK.match(line):
            continue
        kept.append(line.rstrip())
    top = "\n".join(kept).strip()
    greeting_only = all(is_salutation(p) for p in re.split(r"\n\s*\n", top))
    if boundary is None or (top and not greeting_only):
        return top
    start, kind = boundary
    if kind == "signature":
        # A phone's signature goes first («Obtener Outlook para Android», «Enviado desde mi
        # iPhone»): the quote that follows it may hold the answers.
        following = next(
            (
                j
                for j in range(start + 1, min(start + 12, len(lines)))
                if _QUOTED.match(lines[j]) or _boundary(lines, j) in ("hard", "attribution")
            ),
            None,
        )
        if following is None:
            return top
        start, kind = following, _boundary(lines, following) or "attribution"
    quote = lines[start:]
    # Some clients (Yahoo's plain part) quote under the attribution without marks: our block
    # there is read as Outlook's is, never as text typed below a quote.
    marked = kind == "attribution" and not any(_QUESTION.match(line) for line in quote)
    below = _below(quote) if marked else []
    if not any(line.strip() for line in below):
        below = _unmarked_answers(quote)
    return "\n\n".join(p for p in (top, "\n".join(below).strip()) if p)
