"""The HTML part of a mail as the text its author typed: parsed by libxml2 (lxml), the quoted
conversation pruned from the tree, the rest laid out as text by inscriptis.

    html_to_text(html) -> str

Our own one-pass scanner read HTML-only mail from Outlook 2003–2010 as empty: their `<head>`
holds self-closing Office tags (`<o:SmartTagType/>`) that it never saw closed. A real parser
recovers from such markup the way browsers do. libxml2 parses in linear time and caps the tree's
depth (256) and its input is cut at `MAX_HTML_CHARS` first.

Left out: scripts, styles, the head, and what each client wraps its quote in (below); a
paragraph is one line, as Outlook shows its `MsoNormal` paragraphs, and an empty one
(`<div><br></div>`, `<p>&nbsp;</p>`) is the blank line between paragraphs.
"""

from __future__ import annotations

import re

from inscriptis import Inscriptis
from inscriptis.css_profiles import STRICT_CSS_PROFILE
from inscriptis.html_properties import Display
from inscriptis.model.config import ParserConfig
from inscriptis.model.html_element import HtmlElement as Layout
from lxml import etree
from lxml.html import HtmlElement, HTMLParser, document_fromstring

MAX_HTML_CHARS = 256 * 1024  # HTML is verbose; what anyone types is far shorter

# Containers whose whole content is the quoted mail (or its attribution): Gmail, Apple Mail and
# Thunderbird's `<blockquote type="cite">`, Thunderbird's attribution line, Yahoo's quote.
_QUOTES = (
    "//blockquote",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' gmail_quote ')]",
    "//*[contains(@class, 'moz-cite-prefix')]",
    "//*[contains(@class, 'yahoo_quoted')]",
)
# Markers after which nothing is new text: Outlook on the web (`appendonsend`, the header block
# `divRplyFwdMsg`, prefixed `x_` once quoted again), Outlook for Mac (`OLK_SRC_BODY_SECTION`),
# Zimbra (`<hr id="zwchr">`), Hotmail (`<hr id="stopSpelling">`).
_ENDS = "|".join(
    f"//*[contains(@id, '{mark}')]"
    for mark in ("appendonsend", "divRplyFwdMsg", "OLK_SRC_BODY_SECTION", "zwchr", "stopSpelling")
)
_INLINE = frozenset({"span", "font", "b", "i", "u", "o:p", "p", "br"})
# lxml refuses a str that declares its encoding: the mail's charset was applied already.
_DECLARATION = re.compile(r"^<\?xml[^>]{0,200}\?>")
_PARSER = HTMLParser(remove_comments=True, remove_pis=True, no_network=True, recover=True)

_PROFILE = dict(STRICT_CSS_PROFILE)
for _tag in ("p", "h1", "h2", "h3", "h4", "h5", "h6", "figure"):
    _PROFILE[_tag] = Layout(display=Display.block)
_PROFILE["blockquote"] = Layout(display=Display.none)
_CONFIG = ParserConfig(css=_PROFILE, display_links=False, display_images=False)


def _cut_after(element: HtmlElement) -> None:
    """Remove `element` and everything after it in document order."""
    node, parent = element, element.getparent()
    while parent is not None:
        for sibling in list(node.itersiblings()):
            parent.remove(sibling)  # with its tail: the text after it
        if node is element:
            parent.remove(node)
        node, parent = parent, parent.getparent()


def _blank_lines(tree: HtmlElement) -> None:
    """An empty paragraph (Outlook's `<p><o:p>&nbsp;</o:p></p>`) is the blank line its author
    sees; the layout would drop it. Only paragraphs of inline content are looked into, so the
    cost stays linear."""
    for block in tree.iter("p", "div"):
        if all(child.tag in _INLINE for child in block) and not block.text_content().strip():
            tail = block.tail
            block.clear()
            block.append(block.makeelement("br", {}))
            block.tail = tail


def _flatten_tables(tree: HtmlElement) -> None:
    """A table row is one line, its cells side by side: people type no tables, signatures and
    layouts use them, and the table layout costs several times the rest."""
    for element in tree.iter("table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption"):
        if element.tag in ("td", "th"):
            element.tag = "span"
            element.tail = " " + (element.tail or "")
        else:
            element.tag = "div"


def _tree(html: str) -> HtmlElement | None:
    text = _DECLARATION.sub("", html[:MAX_HTML_CHARS].strip(), count=1)
    if not text:
        return None
    try:
        return document_fromstring(text, parser=_PARSER)
    except (etree.ParserError, ValueError):  # nothing but comments or a declaration
        return None


def html_to_text(html: str) -> str:
    """The text of an HTML mail without its quoted conversation. Linear in the input."""
    tree = _tree(html)
    if tree is None:
        return ""
    ends = tree.xpath(_ENDS)
    if ends:
        _cut_after(ends[0])
    for quote in tree.xpath("|".join(_QUOTES)):
        quote.drop_tree()  # its tail stays: text typed below a quote is new
    _flatten_tables(tree)
    _blank_lines(tree)
    try:
        text = Inscriptis(tree, _CONFIG).get_text()
    except RecursionError:  # a tree deeper than libxml2's cap never comes from a mail client
        return ""
    lines = (" ".join(line.split()) for line in text.splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
