"""Text from outside made safe to store and to show in a terminal.

A mail body may carry terminal escape sequences (ANSI CSI `ESC [ … m`, OSC `ESC ] … BEL`, which
can set a window title or a hyperlink), other C0/C1 control characters and bidirectional
overrides that make a terminal or a log show something else than what is stored. `printable`
removes the whole escape sequence where it can recognise one and every remaining control
character, keeping line breaks and tabs. Linear in the input.
"""

from __future__ import annotations

import re

# ESC [ params final | ESC ] text (BEL | ESC \) | ESC and one more character. Each alternative
# is a single bounded scan: no nested quantifiers, so no backtracking blow-up.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]?|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b.?|\x9b")
_CONTROLS = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]"
)


def printable(text: str) -> str:
    """`text` without escape sequences and control characters (line breaks and tabs kept;
    a carriage return becomes a line break)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROLS.sub("", _ESCAPES.sub("", text))
