"""Outsider data made inert: in the analyst's browser (Markdown) and in their spreadsheet (CSV).

Everything in the graph that came in through ingest (account ids, emails, org ids, template
hashes, IP-intelligence names, ban reasons) and every text built from it (evidence, reasons,
drawing titles) was written by someone outside the organisation. Two places would otherwise act
on it:

- **Streamlit renders labels, captions, subheaders, alerts and ``st.markdown`` as Markdown**
  (GitHub-flavoured, with Streamlit's ``:color[…]``, ``:material/…:``, ``:streamlit:``, emoji and
  LaTeX extensions). ``![](http://…)`` would make the browser fetch a URL and ``[x](http://…)``
  would be a live link. :func:`md` turns any value into Markdown that displays exactly that value
  as plain text. Pages call it on every outsider value they put into Markdown; tables
  (``st.dataframe``) and select-box options are plain text already and take raw values.
- **Spreadsheets run cells that start with ``=``, ``+``, ``-``, ``@``, tab or CR as formulas**
  (``=HYPERLINK(…)``, ``=1+2``: CSV injection). :func:`csv_cell` neutralises such a cell with a
  leading ``'`` (OWASP); every CSV this project writes passes each cell through it
  (:func:`csv_frame` for DataFrames, :func:`csv_row` for rows).

Leaf module (standard library and pandas only), so the app, the jobs and the CLI all use it.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

import pandas as pd

# ------------------------------------------------------------------------------------ Markdown

# CommonMark: "any ASCII punctuation character may be backslash-escaped" and then stands for
# itself. Escaping all of them leaves no emphasis, link, image, code, HTML tag, entity (&),
# table cell (|), strikethrough (~), math ($), Streamlit directive (:red[…]) or list/heading
# marker at the start. "/" matters too: Streamlit rewrites ":material/" in the *source* before
# parsing, and "\:material\/" no longer contains it.
_MD_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
# Some rules act on the *parsed* text, after escapes are decoded, so escaping cannot stop them:
# GitHub-flavoured autolinks (http://…, www.…, name@host.tld) and Streamlit's ":material_…:"
# icons and ":streamlit:" logo. A WORD JOINER (U+2060: invisible, no line break) right after
# the character that starts them breaks the match and changes nothing that is displayed.
# (Emoji shortcodes are not loaded at all: Streamlit loads them only for a source containing
# ":name:", and every ":" that md() emits is preceded by a backslash.)
WORD_JOINER = "\u2060"
_TEXT_RULES = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?<=@)|(?<=:)(?=material|streamlit)", re.IGNORECASE)
_LINE_BREAKS = re.compile(r"[\r\n\t\v\f\u2028\u2029]+")


def md(value: object) -> str:
    """``value`` as Markdown that Streamlit displays as exactly that text, inert.

    Line breaks become spaces and the ends are trimmed (a value is shown inline: a new line could
    start a heading, a quote or a table, four leading spaces a code block; HTML shows neither
    difference). ``None`` becomes the empty string.
    """
    if value is None:
        return ""
    text = _LINE_BREAKS.sub(" ", str(value)).strip()
    text = _TEXT_RULES.sub(WORD_JOINER, text)
    return _MD_PUNCTUATION.sub(r"\\\1", text)


# ----------------------------------------------------------------------------------------- CSV

# Cells a spreadsheet (Excel, LibreOffice, Google Sheets) would evaluate as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
T = TypeVar("T")


def csv_cell(value: T) -> T | str:
    """A CSV cell a spreadsheet shows as text: a string starting like a formula gets a ``'``.

    Only strings are touched: real numbers (a negative score) and other values pass unchanged,
    so numeric columns stay numeric.
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """A row (``csv.DictWriter``) with every cell passed through :func:`csv_cell`."""
    return {k: csv_cell(v) for k, v in row.items()}


def csv_values(values: Iterable[Any]) -> list[Any]:
    """A row (``csv.writer``) with every cell passed through :func:`csv_cell`."""
    return [csv_cell(v) for v in values]


def csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` ready for ``to_csv``: :func:`csv_cell` on every cell and column name.

    Numeric columns are left as they are (their cells are numbers, never formulas).
    """
    out = frame.rename(columns=lambda c: csv_cell(str(c)))
    for col in out.columns:
        if not pd.api.types.is_numeric_dtype(out[col]):
            out[col] = out[col].map(csv_cell)
    return out
