"""A note's content for writing it again: Attio gives it back as markdown (with plain text escaped) and as
plain text; a note that has no formatting is written back as plain text, so no stray backslashes appear."""

from __future__ import annotations

import re

_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~<=])")


def note_content(markdown: str | None, plaintext: str | None) -> tuple[str, str]:
    """``(format, content)`` to create a note with the same text: plain text when the markdown holds
    nothing but escapes of it, the markdown otherwise.

    >>> note_content("Go\\\\-to\\\\-market", "Go-to-market")
    ('plaintext', 'Go-to-market')
    >>> note_content("## Summary\\n- one", "Summary\\none")
    ('markdown', '## Summary\\n- one')
    """
    if markdown is None or _ESCAPED.sub(r"\1", markdown) == (plaintext or ""):
        return "plaintext", plaintext or ""
    return "markdown", markdown


_BULLET = re.compile(r"(?m)^(\s*)[*+](\s)")


def _said(markdown: str) -> str:
    """Markdown as it reads: escapes undone, ``*``/``+`` bullets as ``-``, whitespace collapsed."""
    return " ".join(_BULLET.sub(r"\1-\2", _ESCAPED.sub(r"\1", markdown)).split())


def same_text(one: tuple[str, str], other: tuple[str, str]) -> bool:
    """Whether two notes' ``(title, markdown)`` say the same: the same title, and the same text however the
    markdown was written back (escapes, bullet marks, spacing); a changed sign, digit or word counts.

    >>> same_text(("Call", "- Go-to-market"), ("Call", "* Go\\\\-to\\\\-market"))
    True
    >>> same_text(("Call", "Budget -$500"), ("Call", "Budget $500"))
    False
    """
    return one[0].strip() == other[0].strip() and _said(one[1]) == _said(other[1])
