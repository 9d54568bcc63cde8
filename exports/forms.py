"""Forms 1 and 2 of directive 1150-CV/HU: rows in, a printable xlsx out.

Rows are mappings keyed by the layout's ``field`` names (raw database documents do),
already grouped by cell and in Vietnamese name order: the rows stream straight from
the cursor into a constant-memory workbook, so nothing is held or re-sorted here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import IO, Any

from models.layouts import FormLayout, printed
from models.normalize import format_date

from .layouts import IDENTITY_HEADER, TitleBlock, total_line
from .xlsx import LINE_HEIGHT, Sheet, line_capacity, open_workbook, too_long


def form_cells(layout: FormLayout, rows: Iterable[Mapping[str, Any]]) -> Iterator[list[str]]:
    """The printed texts of columns (2)…(n) of each row: dates as dd/mm/yyyy, form 2's (7) with
    the role on a page/group, the rest as stored (phones are text, so a leading zero stays)."""
    columns = [(c.field, printed(c), c.kind == "date") for c in layout.columns if c.field]
    for row in rows:
        cells = []
        for field, value_of, is_date in columns:
            value = row.get(field) if value_of is None else value_of(row)
            if value is None:
                cells.append("")
            elif is_date and hasattr(value, "strftime"):
                cells.append(format_date(value))
            else:
                cells.append(value if isinstance(value, str) else str(value))
        yield cells


def _ids(rows: Iterable[Mapping[str, Any]], ids: list[object]) -> Iterator[Mapping[str, Any]]:
    for row in rows:
        ids.append(row.get("_id"))
        yield row


def invalid_note(invalid: int) -> str:
    """The warning printed under a list whose rows carry invalid or missing mandatory data."""
    return (f"Lưu ý: {invalid} dòng thiếu hoặc sai định dạng trường bắt buộc (xem Báo cáo chất lượng dữ liệu)."
            if invalid else "")


def form_sheet(book: Any, formats: dict[str, Any], layout: FormLayout, block: TitleBlock,
               rows: Iterable[Mapping[str, Any]], note: str | None = None, invalid: Any = None) -> int:
    """One form as a printable sheet of ``book``: title block, table, ``Tổng cộng: N`` line,
    the warning about invalid rows (``invalid()`` counts them once the rows are written), signer."""
    sheet = Sheet(book, formats, layout.sheet_name, [c.width for c in layout.columns])
    sheet.print_setup()
    row = sheet.title_block(block, layout.title)
    if note:
        sheet.merged(row - 1, 0, len(layout.columns) - 1, note, "subtitle")
    identity = len(layout.columns)  # rows are written in order (constant memory): header row first
    sheet.ws.set_column(identity, identity, 26, None, {"hidden": True})
    sheet.ws.write_string(row, identity, IDENTITY_HEADER)
    row = sheet.header(row, [c.header for c in layout.columns])
    row, count = _write_rows(sheet, layout, row, rows)
    row = sheet.total(row, total_line(count, layout.things))
    warning = invalid_note(invalid() if invalid else 0)
    if warning:
        sheet.merged(row, 0, len(layout.columns) - 1, warning, "subtitle")
        row += 1
    sheet.signature(row, block)
    return count


def write_form(out: str | IO[bytes], layout: FormLayout, block: TitleBlock,
               rows: Iterable[Mapping[str, Any]], note: str | None = None, invalid: Any = None) -> int:
    """Write the whole form to ``out`` (a path or a binary file); return the number of data rows.
    ``note`` is printed under the title (e.g. "gồm cả người đã rời danh sách").

    Raises :class:`exports.xlsx.ExportError` when a value cannot be written faithfully."""
    book, formats = open_workbook(out)
    try:
        return form_sheet(book, formats, layout, block, rows, note, invalid)
    finally:
        book.close()


def _write_rows(sheet: Sheet, layout: FormLayout, row: int, rows: Iterable[Mapping[str, Any]]) -> tuple[int, int]:
    """The hot loop (100,000 rows must cost little more than xlsxwriter itself): text through
    ``write_string`` only, empty cells blank with their border, row height from the longest text."""
    ws, formats = sheet.ws, sheet.f
    write_string, write_blank, write_number, set_row = ws.write_string, ws.write_blank, ws.write_number, ws.set_row
    styles = [formats["cell_center" if c.kind == "date" else "cell"] for c in layout.columns]
    caps = [line_capacity(c.width) for c in layout.columns]
    center, count, identity = formats["cell_center"], 0, len(layout.columns)
    ids: list[object] = []
    for count, cells in enumerate(form_cells(layout, _ids(rows, ids)), start=1):
        write_number(row, 0, count, center)
        if ids[-1] is not None:
            write_string(row, identity, str(ids[-1]))
        lines = 1
        for col, value in enumerate(cells, start=1):
            if not value:
                write_blank(row, col, None, styles[col])
                continue
            if write_string(row, col, value, styles[col]) == -2:
                too_long(row, col, value)
            if len(value) > caps[col]:
                lines = max(lines, -int(-len(value) // caps[col]))
        if lines > 1:
            set_row(row, LINE_HEIGHT * lines)
        row += 1
    return row, count
