"""The HTML part of a mail as a plain-text client would show it: parsed by libxml2 (lxml), laid
out as text by inscriptis, quotes marked with «> » and a separator line where Outlook's quoted
mail starts, so that `quotes.strip_reply` reads HTML and plain mail alike (answers typed between
quoted questions included).

    html_to_text(html) -> str

Our own one-pass scanner read HTML-only mail from Outlook 2003–2010 as empty: their `<head>`
holds self-closing Office tags (`<o:SmartTagType/>`) that it never saw closed. A real parser
recovers from such markup the way browsers do. libxml2 parses in linear time and caps the tree's
depth (256) and its input is cut at `MAX_HTML_CHARS` first.

Left out: scripts, styles and the head. A paragraph is one line, as Outlook shows its
`MsoNormal` paragraphs, and an empty one (`<div><br></div>`, `<p>&nbsp;</p>`) is the blank line
between paragraphs.
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

# Quoted mail: Gmail, Apple Mail and Thunderbird's `<blockquote>`, Yahoo's container (no
# blockquote in it). Laid out as a plain-text client shows a quote: each line after «> ».
_QUOTES = (
    "(//blockquote | //*[contains(@class, 'yahoo_quoted')])"
    "[not(ancestor::blockquote) and not(ancestor::*[contains(@class, 'yahoo_quoted')])]"
)
# Where the quoted mail starts with no container around it: Outlook on the web (`appendonsend`,
# the header block `divRplyFwdMsg`, prefixed `x_` once quoted again), Outlook for Mac
# (`OLK_SRC_BODY_SECTION`), Zimbra (`<hr id="zwchr">`), Hotmail (`<hr id="stopSpelling">`).
# A separator line goes there, as these clients write in their plain part.
_STARTS = "|".join(
    f"//*[contains(@id, '{mark}')]"
    for mark in ("appendonsend", "divRplyFwdMsg", "OLK_SRC_BODY_SECTION", "zwchr", "stopSpelling")
)
SEPARATOR = "_" * 32
_INLINE = frozenset({"span", "font", "b", "i", "u", "o:p", "p", "br"})
# lxml refuses a str that declares its encoding: the mail's charset was applied already.
_DECLARATION = re.compile(r"^<\?xml[^>]{0,200}\?>")
_PARSER = HTMLParser(remove_comments=True, remove_pis=True, no_network=True, recover=True)

_PROFILE = dict(STRICT_CSS_PROFILE)
for _tag in ("p", "h1", "h2", "h3", "h4", "h5", "h6", "figure"):
    _PROFILE[_tag] = Layout(display=Display.block)
_CONFIG = ParserConfig(css=_PROFILE, display_links=False, display_images=False)
_QUOTE_PROFILE = dict(_PROFILE)
_QUOTE_PROFILE["blockquote"] = Layout(display=Display.block)
_QUOTE_CONFIG = ParserConfig(css=_QUOTE_PROFILE, display_links=False, display_images=False)


def _mark_quotes(tree: HtmlElement) -> None:
    """Each outermost quote becomes its text with every line after «> ». Inner quotes are laid
    out with their outer one, so each part of the mail is laid out at most twice."""
    for quote in tree.xpath(_QUOTES):
        parent = quote.getparent()
        if parent is None:
            continue
        tail, quote.tail = quote.tail, None
        text = Inscriptis(quote, _QUOTE_CONFIG).get_text().strip("\n")
        marked = quote.makeelement("pre", {})
        marked.text = "\n".join(f"> {line}".rstrip() for line in text.splitlines()) + "\n"
        marked.tail = tail
        parent.replace(quote, marked)


def _mark_start(tree: HtmlElement) -> None:
    starts = tree.xpath(_STARTS)
    if starts and starts[0].getparent() is not None:
        separator = starts[0].makeelement("div", {})
        separator.text = SEPARATOR
        starts[0].addprevious(separator)


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
    """The text of an HTML mail, its quotes marked as a plain-text client marks them (which
    `quotes.strip_reply` then leaves out). Linear in the input."""
    tree = _tree(html)
    if tree is None:
        return ""
    try:
        _flatten_tables(tree)
        _blank_lines(tree)
        _mark_start(tree)
        _mark_quotes(tree)
        text = Inscriptis(tree, _CONFIG).get_text()
    except RecursionError:  # a tree deeper than libxml2's cap never comes from a mail client
        return ""
    lines = (" ".join(line.split()) for line in text.splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
