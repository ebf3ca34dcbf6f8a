"""A source file's bytes as text and back, byte for byte; whether CPython 3 compiles it.

Python reads a source file as PEP 263 says: a UTF-8 byte-order mark, or a coding cookie
(``# -*- coding: latin-1 -*-``) on one of its first two lines, else UTF-8. The text keeps
the file's line endings (``\\r\\n`` stays ``\\r\\n``: no newline translation), and
``encode_source`` writes it back in the same encoding, with the mark if it had one, so
that what migrate does not rewrite is unchanged byte for byte.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
import warnings
from dataclasses import dataclass

from .problems import Problem

__all__ = ["PYTHON2_HINT", "SourceError", "SourceText", "compile_problem", "decode_source",
           "encode_source", "looks_like_python2"]

PYTHON2_HINT = ("Python 2 code: convert the file to Python 3 first, e.g. `2to3 -w FILE` "
                "(Python <= 3.12) or `pip install modernize` then `python-modernize -w FILE`, "
                "and migrate it again")
_DECODE_HINT = ("declare the file's encoding on its first or second line (PEP 263), e.g. "
                "`# -*- coding: latin-1 -*-`, or save it as UTF-8")
# Python 2 spellings CPython 3 rejects: the print and exec statements, `except X, e:`,
# `raise E, "message"`, backquotes, `<>`, `ur''` strings, 0777 and 10L literals.
_PYTHON2 = re.compile(r"^\s*(print\s+[^\s(=.,)\]}]|exec\s+[\"'\w]|except\s*\(?[\w.]+(\s*,\s*"
                      r"[\w.]+)*\)?\s*,\s*[\w(]|raise\s+[\w.]+\s*,)|`|<>|\bur[\"']|"
                      r"\b0[0-7]+\b|\b\d+[lL]\b", re.M)
_PYTHON2_MESSAGES = ("Missing parentheses in call to 'print'",
                     "Missing parentheses in call to 'exec'",
                     "multiple exception types must be parenthesized")


class SourceError(Exception):
    """A file whose bytes are not text in its declared (or the default) encoding."""

    def __init__(self, message: str, line: int | None = None, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.hint = hint


@dataclass(frozen=True)
class SourceText:
    """A source's text and how to write it back: ``encoding`` is Python's codec name
    (``utf-8-sig`` when the file starts with a byte-order mark)."""

    text: str
    encoding: str = "utf-8"


def decode_source(data: bytes) -> SourceText:
    """The text of a Python source file, as CPython decodes it (PEP 263).

    Raises:
        SourceError: an unknown encoding in the cookie, or a byte that is not valid in the
            encoding (named with its offset and line).
    """
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        raise SourceError(f"cannot read the encoding declaration: {exc}",
                          hint=_DECODE_HINT) from None
    try:
        return SourceText(data.decode(encoding), encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise SourceError(f"byte 0x{data[exc.start]:02x} at offset {exc.start} (line {line}) "
                          f"is not valid {exc.encoding}", line, _DECODE_HINT) from None
    except LookupError as exc:  # a codec Python knows by name but cannot decode with
        raise SourceError(f"cannot decode the file: {exc}", hint=_DECODE_HINT) from None


def encode_source(source: SourceText, text: str) -> bytes:
    """``text`` encoded as ``source`` was read (its encoding, its byte-order mark).

    Raises:
        UnicodeEncodeError: ``text`` has a character the file's encoding cannot hold.
    """
    return text.encode(source.encoding)


def looks_like_python2(line: str, message: str = "") -> bool:
    """Whether a line CPython 3 rejected (and its error message) read as Python 2."""
    return bool(_PYTHON2.search(line)) or message.startswith(_PYTHON2_MESSAGES)


def compile_problem(text: str, path: str, cell: int | None = None, full: bool = True
                    ) -> Problem | None:
    """Why CPython cannot compile ``text`` (with the line and column it names), or None.

    ``full=False``: parse only (a notebook cell may ``await`` or ``return`` at its top
    level, which only the compiler rejects). Python 2 code is told apart from other syntax
    errors and gets ``PYTHON2_HINT``.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escapes and the like: not ours to say
            if full:
                compile(text, path, "exec", dont_inherit=True)
            else:
                ast.parse(text)
    except SyntaxError as exc:
        line = exc.lineno or 1
        lines = text.splitlines()
        shown = lines[line - 1] if 0 < line <= len(lines) else ""
        message = exc.msg or "invalid syntax"
        if looks_like_python2(shown, message):
            return Problem(path, "python2", f"cannot parse: {message}", line,
                           exc.offset or 1, cell, PYTHON2_HINT)
        return Problem(path, "syntax", f"cannot parse: {message}", line, exc.offset or 1,
                       cell)
    except (ValueError, MemoryError) as exc:  # null bytes (3.11); a parser out of memory
        return Problem(path, "syntax", f"cannot parse: {exc}", cell=cell)
    except RecursionError:
        return Problem(path, "too-deep", "cannot parse: an expression is nested deeper than "
                       "CPython's parser follows", cell=cell,
                       hint="split the expression into smaller ones")
    return None
