"""One-pass Cypher tokeniser for the console's text checks.

Why one pass: strings (``'…'``, ``"…"``), quoted names (```…```) and comments (``// …``,
``/* … */``) can each contain the others' delimiters, so removing them one kind at a time lets one
kind hide code from the other (a backtick inside a ``//`` comment once hid a whole ``LOAD CSV``
line). Scanning left to right and deciding at each character which of them starts there is what
the server's own lexer does, so the tokens seen here are the ones the server parses.

The rules follow Neo4j 5.26 (checked against the server): ``//`` runs to ``\\n`` or ``\\r``;
``/* */`` does not nest; in a string a backslash escapes the next character whatever it is; in a
quoted name a doubled backtick is a literal backtick and a backslash is an ordinary character.
Only the ASCII quote characters delimit anything. Text that does not close (a string, a quoted
name or a block comment running to the end) is refused: guessing where it ends is how a clause
hides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from hydrascope.errors import InputError

TokenKind = Literal["word", "name", "string", "number", "param", "symbol"]
# Symbols the checks look at as one token (everything else is a one-character symbol).
_NUMBER = re.compile(r"0[xX][0-9a-fA-F_]*|0[oO][0-7_]*|\d[\d_]*(?:\.\d[\d_]*)?(?:[eE][+-]?\d[\d_]*)?")
_TWO_CHAR_SYMBOLS = ("::", "<>", "<=", ">=", "=~", "+=", "..", "->", "<-")


@dataclass(frozen=True)
class Token:
    """One token: ``text`` as written; ``value`` unquoted for names, upper-cased for words."""

    kind: TokenKind
    text: str
    value: str
    start: int
    end: int

    def is_word(self, *words: str) -> bool:
        return self.kind == "word" and self.value in words


def _line_of(source: str, offset: int) -> int:
    return source.count("\n", 0, offset) + 1


def _unclosed(source: str, start: int, what: str) -> InputError:
    return InputError(
        f"{what} starting on line {_line_of(source, start)} is never closed; "
        "the console refuses a query whose end it cannot see"
    )


def _scan_string(source: str, start: int) -> int:
    """End offset (exclusive) of the string that opens at ``start``."""
    quote = source[start]
    i = start + 1
    while i < len(source):
        char = source[i]
        if char == "\\":
            i += 2
            continue
        if char == quote:
            return i + 1
        i += 1
    raise _unclosed(source, start, "a string")


def _scan_name(source: str, start: int) -> int:
    """End offset of the backtick-quoted name that opens at ``start`` (```` `` ```` is a backtick)."""
    i = start + 1
    while i < len(source):
        if source[i] == "`":
            if source.startswith("``", i):
                i += 2
                continue
            return i + 1
        i += 1
    raise _unclosed(source, start, "a `quoted name`")


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def tokenize(source: str) -> list[Token]:
    """The tokens of ``source``, comments and whitespace dropped; raises ``InputError`` on unclosed text."""
    tokens: list[Token] = []
    i, n = 0, len(source)
    while i < n:
        char = source[i]
        if char.isspace():
            i += 1
        elif source.startswith("//", i):
            ends = [e for e in (source.find("\n", i), source.find("\r", i)) if e >= 0]
            i = min(ends) if ends else n
        elif source.startswith("/*", i):
            close = source.find("*/", i + 2)
            if close < 0:
                raise _unclosed(source, i, "a /* comment")
            i = close + 2
        elif char in "'\"":
            end = _scan_string(source, i)
            tokens.append(Token("string", source[i:end], source[i + 1 : end - 1], i, end))
            i = end
        elif char == "`":
            end = _scan_name(source, i)
            tokens.append(Token("name", source[i:end], source[i + 1 : end - 1].replace("``", "`"), i, end))
            i = end
        elif char == "$":
            end = i + 1
            if end < n and source[end] == "`":
                end = _scan_name(source, end)
            else:
                while end < n and _is_word_char(source[end]):
                    end += 1
            tokens.append(Token("param", source[i:end], source[i + 1 : end].strip("`"), i, end))
            i = end
        elif char.isdigit():
            # Only the number itself: letters right after it start a word, so `1LOAD` shows LOAD.
            match = _NUMBER.match(source, i)
            end = match.end() if match else i + 1
            tokens.append(Token("number", source[i:end], source[i:end], i, end))
            i = end
        elif _is_word_char(char):
            end = i + 1
            while end < n and _is_word_char(source[end]):
                end += 1
            tokens.append(Token("word", source[i:end], source[i:end].upper(), i, end))
            i = end
        else:
            width = 2 if source.startswith(_TWO_CHAR_SYMBOLS, i) else 1
            tokens.append(Token("symbol", source[i : i + width], source[i : i + width], i, i + width))
            i += width
    return tokens
