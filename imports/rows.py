"""Stage 4, rows: the data rows of one sheet's table, as {official column: cell value}.

Skipped wherever they stand: blank rows, the numbering row (text or numbers), a header
repeated on a new page, totals rows (``Tổng``, ``Cộng``), and the signature block (a row
without the key column whose texts are signature words, in any column; the names under
it follow). Owner cells (1)–(4) merged vertically over one person's accounts are filled
down, from the merged ranges the file declares, never guessed from blank cells.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from models import normalize

from . import layouts
from .errors import ImportFileError, Limits
from .header import Header, numbering
from .workbook import Sheet

_TOTALS = re.compile(r"^(tong cong|tong so|tong|cong|cong so)\b")
_TRAILER = re.compile(r"^(nguoi lap|lap bieu|t/?m\b|tm\.|xac nhan|noi nhan|ghi chu|thu truong|"
                      r"pho bi thu|bi thu|\(?ky\b|.*\bngay\b.*\bthang\b.*\bnam\b)")
_OWNER = (1, 2, 3, 4)


@dataclass(slots=True)
class RawRow:
    sheet: str
    excel_row: int
    cells: dict[int, object]
    filled_down: set[int] = field(default_factory=set)  # owner columns taken from a merged cell
    record_id: str | None = None  # from the export's hidden identity column


def data_rows(sheet: Sheet, header: Header, limits: Limits, release: bool = False) -> Iterator[RawRow]:
    """The table's data rows, in order. ``release``: each grid row is dropped once read (the
    last pass over a sheet: the grid and the parsed rows are then never both whole)."""
    form, columns = header.form, header.columns
    key = form.key_column
    down = _merged_down(sheet, columns)
    items = [(n, i) for n, i in columns.items() if n]
    width = max((i for _, i in items), default=-1) + 1
    headers: dict[object, bool] = {}  # (3)'s text -> a header repeated on a new page?
    after_signature = False
    count = 0
    grid = sheet.rows
    for index in range(header.row, len(grid)):
        row = grid[index]
        if release:
            grid[index] = ()
        excel_row = index + 1
        if len(row) >= width:
            values = {n: row[i] for n, i in items}
        else:
            values = {n: (row[i] if i < len(row) else "") for n, i in items}
        filled = [v for v in values.values() if v != "" and v is not None]
        if not filled or numbering(row):
            continue
        if values.get(key) in ("", None):
            texts = [normalize.fold(v) for v in filled if isinstance(v, str)]
            if any(_TRAILER.match(t) for t in texts):
                after_signature = True
                continue
            if after_signature or any(_TOTALS.match(t) for t in texts) or _repeated_header(values, form, headers):
                continue
        elif _repeated_header(values, form, headers):
            continue
        if all(values.get(n) in ("", None) for n in values if n != 1):
            continue  # a numbered but empty line of the template
        count += 1
        if count > limits.max_rows:
            raise ImportFileError(f"Trang “{sheet.name}” có quá nhiều dòng dữ liệu (tối đa "
                                  f"{limits.max_rows:,} dòng); hãy chia thành nhiều tệp.".replace(",", "."))
        raw = RawRow(sheet.name, excel_row, values)
        if header.identity is not None and header.identity < len(row) and isinstance(row[header.identity], str):
            raw.record_id = row[header.identity].strip() or None
        for number in _OWNER:
            source = down.get((index, number))
            if source is not None and values.get(number) in ("", None):
                raw.cells[number] = source
                raw.filled_down.add(number)
        yield raw


def _merged_down(sheet: Sheet, columns: dict[int, int]) -> dict[tuple[int, int], object]:
    """(row index, owner column) -> the value of the vertical merge that covers it.

    Merges are clipped to the rows the sheet has, and the cells they fill are counted: a
    real table fills each owner cell once at most, so more than that (overlapping merges,
    a crafted file) is refused instead of walked."""
    by_index = {i: n for n, i in columns.items() if n in _OWNER}
    out: dict[tuple[int, int], object] = {}
    budget = len(_OWNER) * len(sheet.rows)
    for (r0, c0), (r1, c1) in sheet.merged:
        if r1 <= r0 or r1 - r0 > 10_000 or r0 >= len(sheet.rows):
            continue
        r1 = min(r1, len(sheet.rows) - 1)
        for c in range(max(c0, 0), min(c1, max(by_index, default=-1)) + 1):
            number = by_index.get(c)
            if number is None:
                continue
            budget -= r1 - r0
            if budget < 0:
                raise ImportFileError(f"Trang “{sheet.name}” có các vùng gộp ô chồng lên nhau bất thường, "
                                      "bị từ chối vì lý do an toàn; hãy bỏ gộp ô rồi lưu lại.")
            top = sheet.rows[r0][c] if c < len(sheet.rows[r0]) else ""
            for r in range(r0 + 1, r1 + 1):
                out[(r, number)] = top
    return out


def _repeated_header(values: dict[int, object], form: layouts.Form, seen: dict[object, bool]) -> bool:
    name = values.get(3)
    if not isinstance(name, str) or len(name) > 40:
        return False
    names_column = seen.get(name)
    if names_column is None:  # one header look-up per distinct (3), not per row
        names_column = seen[name] = layouts.match_header(name, form) == 3
    if not names_column:
        return False  # a header repeated on a new page names column (3) first
    hits = sum(1 for n, v in values.items() if isinstance(v, str) and layouts.match_header(v, form) == n)
    return hits >= 4
