"""Text from a target made inert before a person sees it: one function per medium, used by every output.

The suite is pointed at endpoints, senders and clients it has no reason to trust, and what they send (a reason
phrase, a header, a body, a path) ends up in a terminal, a CI log, a pull-request comment or an HTML page. There
it must be shown, never obeyed: no escape sequence that clears a screen or paints a fake passing run, no line
break that plants a fake line, no bidirectional mark that reorders what is read, no live heading, image, link or
tag. Each function here makes a text inert for one medium:

- ``for_terminal``: terminals, CI logs and every command's output. Controls (C0, C1, DEL, CR, LF, tab), escape
  sequences, bidirectional and other invisible formatting characters, line and paragraph separators and lone
  surrogates become visible escapes (``\\x1b``, ``\\n``, ``\\u202e``). ``keep_newlines`` keeps LF, for the
  toolkit's own multi-line messages; a target's text is made inert with LF escaped before it is embedded in one.
- ``for_markdown``: a target's text as plain text in Markdown (one line, every character that could start
  something backslash-escaped, so that nothing can open a link, image, emphasis, tag, entity or autolink).
- ``markdown_code``: a code span that the content cannot close.
- ``for_html``: HTML-escaped, with invisible characters shown as for the terminal.
"""

from __future__ import annotations

import html
import re
import unicodedata

# controls, format marks (bidirectional overrides, zero-width joiners), line and paragraph separators, surrogates
_INVISIBLE = frozenset(("Cc", "Cf", "Zl", "Zp", "Cs"))
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# What can start something live inline: code, emphasis, strikethrough, links and images, raw HTML and autolinks,
# entities, table cells, GitHub's autolinks (scheme:, e-mail@, www.), mentions (@), issue references (#), emoji
# shortcodes (:x:) and math ($). Line-start syntax (headings, lists, quotes) cannot occur: the text is one line
# placed after the toolkit's own words. The rest of ASCII punctuation stays as it is, so the source reads well.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_~\[\]<>&|!@:$#])|(?<=www)(\.)", re.IGNORECASE)


def invisible(character: str) -> bool:
    """Whether a terminal would hide ``character`` or act on it instead of showing it."""
    return unicodedata.category(character) in _INVISIBLE


def escape_character(character: str) -> str:
    """``character`` as a visible escape, as Python writes it: ``\\n``, ``\\x1b``, ``\\u202e``."""
    named = _NAMED.get(character)
    if named is not None:
        return named
    code = ord(character)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def for_terminal(text: str, keep_newlines: bool = False) -> str:
    """``text`` with every character a terminal would act on or hide shown as a visible escape."""
    if text.isprintable():  # the common case, decided in C: printable means no control, format mark or separator
        return text
    if keep_newlines:
        return "\n".join(for_terminal(line) for line in text.split("\n"))
    return "".join(escape_character(c) if invisible(c) else c for c in text)


def for_markdown(text: str) -> str:
    """``text`` as one line of plain text in Markdown (CommonMark and GitHub's): nothing in it is live.

    CommonMark lets any ASCII punctuation character be escaped with a backslash, and an escaped character starts
    nothing: no ``<tag>``, ``&entity;``, ``[link](...)``, ``![image](...)``, ``**emphasis**``, `` `code` ``, table
    ``|``, nor a GitHub autolink (``https\\://``, ``www\\.``, ``a\\@b``), mention, reference or math."""
    return _MARKDOWN_SPECIAL.sub(lambda match: "\\" + match.group(), for_terminal(text))


def markdown_code(text: str, in_table: bool = False) -> str:
    """``text`` as one inline code span: fenced with more backticks than any run inside it, so it cannot be
    closed early. ``in_table``: the span sits in a table cell, where GitHub splits cells at ``|`` even in code."""
    text = for_terminal(text)
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * (longest + 1)
    if text.startswith(("`", " ")) or text.endswith(("`", " ")):
        text = f" {text} "  # CommonMark strips one space each side: content starting with a backtick stays whole
    if in_table:
        text = text.replace("|", "\\|")
    return f"{fence}{text}{fence}"


def for_html(text: str) -> str:
    """``text`` escaped for HTML, its invisible characters (bidirectional overrides too) shown as escapes."""
    return html.escape(for_terminal(text, keep_newlines=True))
