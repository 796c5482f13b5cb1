"""Markdown escaping for text that came from users' files (exercise and athlete names)."""

import re

# Characters that start Markdown markup inside a line (emphasis, code, links/images, tables,
# strikethrough, HTML tags and entities, headings) and the backslash itself: each is escaped
# with a backslash, which CommonMark renders as the literal character.
_INLINE = re.compile(r"([\\`*_\[\]|~<>&#!])")
# List markers, which only mean something at the start of a line ("- x", "+ x", "1. x", "1) x").
_LINE_START = re.compile(r"^(\s*)([+\-]|\d{1,9})([.)]?)(?=\s)")


def escape_md(text: object) -> str:
    """`text` as literal Markdown: one line, HTML tags and entities inert, markup escaped.

    A name like ``<img src=x onerror=alert(1)>`` or ``[x](javascript:...)`` renders as the
    characters it holds, and a ``|`` cannot split a table cell.
    """
    one_line = " ".join(str(text).split())
    escaped = _INLINE.sub(r"\\\1", one_line)
    return _LINE_START.sub(_escape_marker, escaped, count=1)


def _escape_marker(match: re.Match[str]) -> str:
    space, marker, dot = match.groups()
    if marker.isdigit():  # a backslash escapes punctuation only: "1\. x"
        return f"{space}{marker}\\{dot}" if dot else match.group(0)
    return f"{space}\\{marker}{dot}"
