"""``hydrascope.inert``: Markdown that shows outsider text as text, CSV cells no spreadsheet runs."""

from __future__ import annotations

import csv
import html
import io
import random
import re
import string
from decimal import Decimal

import pandas as pd
import pytest
from markdown_it import MarkdownIt

from hydrascope.inert import WORD_JOINER, csv_cell, csv_frame, csv_row, csv_values, md

# CommonMark with GFM tables and strikethrough: the block and inline syntax Streamlit parses.
MARKDOWN = MarkdownIt("commonmark").enable(["table", "strikethrough"])
# Rules Streamlit applies to the *decoded* text (escapes cannot stop them) or to the raw source.
GFM_AUTOLINK = re.compile(r"(https?://|www(?=\.))[-.\w]+", re.IGNORECASE)
GFM_EMAIL = re.compile(r"[-.\w+]+@[-\w]+(?:\.[-\w]+)+")
MATERIAL_ICON = re.compile(r":material_\w+:")
EMOJI_SHORTCODE = re.compile(r":(?!material/|streamlit:)[\w+-][\w_+-]*:")  # Streamlit's loader check

HOSTILE = [
    "![](http://127.0.0.1:9/_beacon)",
    "[click me](http://x.example)",
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    ":red[x]",
    ":red-background[x]",
    ':color[x]{foreground="red"}',
    ":help[tip]",
    "$x$",
    "$$\\int x$$",
    ":material/home:",
    ":material_home:",
    ":streamlit:",
    ":smile: :+1:",
    "# heading",
    "> quote",
    "- item",
    "1. item",
    "1) item",
    "    indented code",
    "| a | b |",
    "~~strike~~",
    "**bold** _it_ `code`",
    "&amp; &#33; &lt;",
    "<http://x.example>",
    "http://x.example/bare",
    "www.x.example",
    "bob@example.com",
    "a\\*b",
    "x\\",
    "[ref]: http://x.example",
    "2001:db8::1",
    "===",
    "---",
]


def rendered(source: str) -> str:
    """The HTML CommonMark makes of ``source``, without the word joiners ``md`` inserts."""
    return MARKDOWN.render(source).replace(WORD_JOINER, "")


def as_text(value: str) -> str:
    """``value`` shown as one plain paragraph (markdown-it escapes & < > and ")."""
    return "<p>" + html.escape(value.strip(), quote=False).replace('"', "&quot;") + "</p>\n"


@pytest.mark.parametrize("value", HOSTILE)
def test_md_shows_hostile_text_as_exactly_that_text(value: str) -> None:
    assert rendered(md(value)) == as_text(value)


def test_md_shows_any_printable_text_as_text() -> None:
    rng = random.Random(12)
    alphabet = string.punctuation * 3 + string.ascii_letters + "  0123456789é→"
    for _ in range(2000):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30)))
        assert rendered(md(value)) == as_text(value), value


@pytest.mark.parametrize("value", HOSTILE)
def test_md_defeats_streamlit_rules_that_escapes_cannot(value: str) -> None:
    source = md(value)
    decoded = html.unescape(MARKDOWN.render(source))  # the text nodes Streamlit's plugins see
    assert not GFM_AUTOLINK.search(decoded) and not GFM_EMAIL.search(decoded)
    assert not MATERIAL_ICON.search(decoded) and ":streamlit:" not in decoded
    assert ":material/" not in source  # rewritten on the raw source before parsing
    assert not EMOJI_SHORTCODE.search(source)  # so the emoji plugin is never loaded


def test_md_keeps_lines_together_and_handles_none() -> None:
    assert md(None) == ""
    assert md(42) == "42"
    assert md("a\n# b\r\n> c") == "a \\# b \\> c"
    assert rendered(md("a\n\n- b")).count("<p>") == 1


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cell_neutralises_formula_starts(start: str) -> None:
    assert csv_cell(start + "1+2") == "'" + start + "1+2"


@pytest.mark.parametrize("value", ["acct-1", "a=b", " =1", "", "'=already quoted", "x@example.com"])
def test_csv_cell_leaves_other_text(value: str) -> None:
    assert csv_cell(value) == value


@pytest.mark.parametrize("value", [-0.25, -3, 0, 1.5, Decimal("-2.5"), None, True])
def test_csv_cell_leaves_non_strings(value: object) -> None:
    assert csv_cell(value) is value


def test_csv_row_values_and_frame_use_the_same_rule() -> None:
    assert csv_row({"a": "=1+2", "b": -1.0}) == {"a": "'=1+2", "b": -1.0}
    assert csv_values(["@x", 2, "-"]) == ["'@x", 2, "'-"]
    frame = pd.DataFrame({"=col": ['=HYPERLINK("http://x")', "ok"], "score": [-0.5, 0.25]})
    out = csv_frame(frame)
    assert list(out.columns) == ["'=col", "score"]
    assert out["score"].tolist() == [-0.5, 0.25] and out["score"].dtype == frame["score"].dtype
    rows = list(csv.reader(io.StringIO(out.to_csv(index=False))))
    assert rows == [["'=col", "score"], ['\'=HYPERLINK("http://x")', "-0.5"], ["ok", "0.25"]]
    assert frame.columns[0] == "=col"  # the input is not changed
