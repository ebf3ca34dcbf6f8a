"""``# kfitcompat:`` notes as findings: what migrate left for a person to check.

Where a rewrite needs a person's eye (a sample count to divide by a batch size the code does
not show, loading options dropped from a call), migrate writes a ``# kfitcompat: ...``
comment above the statement. Until that comment is removed, ``check`` reports it under the
rule ``manual-check`` and ``migrate`` counts it as left to do, so that neither says a file is
done while a note in it asks for work. A note above a statement some other rule already
reports is not repeated. ``# kfitcompat: ignore[...]`` comments are suppressions, not notes.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Sequence

from .base import Finding, RuleSelection

__all__ = ["NOTE_RULE", "note_findings"]

NOTE_RULE = "manual-check"
_NOTE = re.compile(r"^#\s*kfitcompat:\s*(?!ignore\b)(.+)$")


def note_findings(text: str, findings: Sequence[Finding],
                  rules: RuleSelection | None = None) -> list[Finding]:
    """A ``manual-check`` finding for each ``# kfitcompat:`` note of ``text`` (the module
    as it stands after the run) whose statement no finding in ``findings`` reports."""
    if "kfitcompat:" not in text or not (rules or RuleSelection()).selected(NOTE_RULE):
        return []
    notes: list[tuple[int, int, str]] = []
    statement_rows: dict[int, int] = {}  # note row -> row of the code below it
    try:
        pending: list[int] = []
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                found = _NOTE.match(token.string)
                if found and token.line.strip() == token.string.strip():  # a line of its own
                    notes.append((token.start[0], token.start[1] + 1, found.group(1).strip()))
                    pending.append(token.start[0])
            elif token.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.INDENT,
                                    tokenize.DEDENT, tokenize.ENCODING) and pending:
                statement_rows.update((row, token.start[0]) for row in pending)
                pending = []
    except (tokenize.TokenError, SyntaxError):
        pass  # what was read so far stands
    reported = {f.line for f in findings}
    return [Finding(row, col, NOTE_RULE, f"a note migrate left to check by hand: {note}",
                    "do what the note says, then delete the note")
            for row, col, note in notes if statement_rows.get(row) not in reported]
