"""Stage 3, header and layout: where a sheet's table starts and which column is which.

The header is found by its texts (the official ones or a synonym, over one row or two:
a group title over (5)–(12) with the column names below) or, failing that, by the
numbering row ``(1) … (n)`` typed as text or numbers. The rows above it are the title
block (kept to check whose file it is).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from exports.layouts import IDENTITY_HEADER

from . import layouts
from .errors import ImportFileError
from .layouts import FORM_NAMES, FORMS, Form
from .workbook import Sheet

SEARCH_ROWS = 40
_NUMBER_TEXT = re.compile(r"^\(?(\d{1,2})\)?$")


@dataclass
class Header:
    form: Form
    sheet: str
    row: int  # Excel row of the (last) header row
    columns: dict[int, int]  # official column number -> 0-based column index
    title: list[str] = field(default_factory=list)  # texts of the title block
    missing_optional: list[int] = field(default_factory=list)
    identity: int | None = None  # the export's hidden record-id column, if any


def numbering(values: list) -> bool:
    """``(1) (2) … (n)`` or ``1 2 … n`` (n >= 4), consecutive from 1."""
    numbers = []
    for value in values:
        if value in ("", None):
            continue
        if isinstance(value, str):
            match = _NUMBER_TEXT.match(value.strip())
            if not match:
                return False
            numbers.append(int(match[1]))
        elif isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
            numbers.append(int(value))
        else:
            return False
    return len(numbers) >= 4 and numbers == list(range(1, len(numbers) + 1))


def find(sheet: Sheet, kind: str | None) -> Header | None:
    """The header of form ``kind`` (either form when None); None when the sheet has none.
    Raises ImportFileError when it is the other form, or a required column is missing."""
    forms = [FORMS[kind]] if kind else list(FORMS.values())
    others = [f for f in FORMS.values() if f not in forms]
    rows = sheet.rows
    for r in range(min(len(rows), SEARCH_ROWS)):
        best = _best(rows, r, forms + others)
        if best is None:
            continue
        if r + 1 < len(rows):  # a blank line over a two-row header matches its first row only
            nxt = _best(rows, r + 1, forms + others)
            if nxt is not None and len(nxt[2]) > len(best[2]):
                best, r = nxt, r + 1
        form, last, columns = best
        if form not in forms:
            raise ImportFileError(f"Trang “{sheet.name}” là {FORM_NAMES[form.kind]}, không phải {FORM_NAMES[kind or '']}.")
        return _complete(sheet, form, last, columns, _title(rows[:r]))
    return None


def _best(rows: list[list], r: int, forms: list[Form]) -> tuple[Form, int, dict[int, int]] | None:
    best = None
    below = rows[r + 1] if r + 1 < len(rows) else []
    for form in forms:
        single = _match(rows[r], form)
        double = _match(rows[r], form, below) if below and not numbering(below) else {}
        for columns, last in ((single, r + 1), (double, r + 2)):
            if len(columns) >= 4 and (2 in columns or 3 in columns) and (best is None or len(columns) > len(best[2])):
                best = (form, last, columns)
    if best is None and below and numbering(below):  # header texts unknown: trust the numbering
        count = sum(1 for v in below if v not in ("", None))
        for form in forms:
            by_number = {n: i for i, n in enumerate(_numbers(below)) if n}
            agree = sum(1 for n, i in _match(rows[r], form).items() if by_number.get(n) == i)
            texts = sum(1 for v in rows[r] if isinstance(v, str) and v.strip())
            if count == len(form.columns) and (agree >= 3 or texts == 0):
                best = (form, r + 1, by_number)
    return best


def _numbers(values: list) -> list[int]:
    out = []
    for value in values:
        match = _NUMBER_TEXT.match(str(value).strip()) if value not in ("", None) else None
        out.append(int(match[1]) if match else int(value) if isinstance(value, int | float) and value else 0)
    return out


def _match(row: list, form: Form, below: list | None = None) -> dict[int, int]:
    columns: dict[int, int] = {}
    for i in range(max(len(row), len(below or []))):
        number = None
        if below and i < len(below) and isinstance(below[i], str) and below[i].strip():
            number = layouts.match_header(below[i], form)
        if number is None and i < len(row) and isinstance(row[i], str) and row[i].strip():
            number = layouts.match_header(row[i], form)
        if number and number not in columns:
            columns[number] = i
    return columns


def _complete(sheet: Sheet, form: Form, last: int, columns: dict[int, int], title: list[str]) -> Header:
    missing = [c for c in form.columns if c.number not in columns]
    required = [c for c in missing if c.required]
    if required:
        found = ", ".join(f"({n}) {_col(form, n)}" for n in sorted(columns))
        names = ", ".join(f"({c.number}) {c.header}" for c in required)
        raise ImportFileError(f"{FORM_NAMES[form.kind]}, trang “{sheet.name}”: dòng tiêu đề (dòng {last}) "
                              f"thiếu cột {names}. Các cột tìm thấy: {found}.")
    found = Header(form, sheet.name, last, columns, title, [c.number for c in missing])
    identity = layouts.header_key(IDENTITY_HEADER)
    for row in sheet.rows[max(0, last - 2):last]:
        for i, value in enumerate(row):
            if isinstance(value, str) and layouts.header_key(value) == identity:
                found.identity = i
    return found


def _col(form: Form, number: int) -> str:
    return next(c.header for c in form.columns if c.number == number)


def title_of(rows: list[list]) -> list[str]:
    """The texts of the rows above a header, in order."""
    return _title(rows)


def _title(rows: list[list]) -> list[str]:
    return [v.strip() for row in rows for v in row if isinstance(v, str) and v.strip()]
