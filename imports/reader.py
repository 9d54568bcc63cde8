"""Find the official table in a workbook and yield its data rows.

Reader: python-calamine (Rust), chosen with figures from ``bench/bench_import.py``:
about 12x faster than openpyxl's read-only mode on a 100,000-row form 2. It never sees a
file that :mod:`imports.safety` has not checked first.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

import python_calamine as calamine
from defusedxml import ElementTree as SafeET

from . import layouts
from .layouts import FORM_NAMES, FORMS, Form
from .safety import ImportFileError, Limits, check_parts, open_package, scan_sheet

HEADER_SEARCH_ROWS = 40
_NUMBERING = re.compile(r"^\(?\d{1,2}\)?$")
_TRAILER = re.compile(r"^(nguoi lap|lap bieu|t/?m\b|tm\.|xac nhan|noi nhan|ghi chu|tong cong|tong so|"
                      r"pho bi thu|bi thu|\(?ky\b|.*\bngay\b.*\bthang\b)")
_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
       "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
       "p": "http://schemas.openxmlformats.org/package/2006/relationships"}


@dataclass
class Table:
    form: Form
    sheet: str
    header_row: int  # Excel row number of the header
    columns: dict[int, int]  # official column number -> 0-based index within the iterated row
    rows: Iterator[list] = field(repr=False)
    formulas: set[tuple[int, int]] = field(default_factory=set)  # (Excel row, number)


def open_table(data: bytes, kind: str | None, limits: Limits) -> Table:
    """The table of form ``kind`` (or of either form when ``kind`` is None)."""
    package = open_package(data, limits)
    check_parts(package)
    paths = _sheet_paths(package)
    try:
        book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception:  # the reader's own errors carry no useful text for the officer
        raise ImportFileError("Tệp .xlsx bị hỏng, không đọc được.") from None
    other = None
    for meta in book.sheets_metadata:
        if str(meta.typ).rsplit(".", 1)[-1] != "WorkSheet" or meta.name not in paths:
            continue
        scan = scan_sheet(package, paths[meta.name], limits)
        try:
            sheet = book.get_sheet_by_name(meta.name)
        except Exception:
            raise ImportFileError(f"Trang tính “{meta.name}” bị hỏng, không đọc được.") from None
        offset = sheet.start[1] if sheet.start else 0
        rows = sheet.iter_rows()
        found = _find_header(rows, kind)
        if found is None:
            continue
        form, header_row, columns = found
        if kind is not None and form.kind != kind:
            other = form
            continue
        formulas = {(r, n) for r, c in scan.formulas for n, i in columns.items() if i + offset == c}
        return Table(form, meta.name, header_row, columns, rows, formulas)
    if other is not None:
        raise ImportFileError(f"Tệp là {FORM_NAMES[other.kind]}, không phải {FORM_NAMES[kind or '']}.")
    raise ImportFileError("Tệp không phải Biểu mẫu 1 hoặc Biểu mẫu 2: không tìm thấy dòng tiêu đề "
                          "(STT, Chi bộ, Họ và tên, …) theo mẫu của Hướng dẫn 1150-CV/HU.")


def _find_header(rows: Iterator[list], kind: str | None) -> tuple[Form, int, dict[int, int]] | None:
    forms = [FORMS[kind]] if kind else list(FORMS.values())
    if kind:  # also recognise the other form, to say so instead of "not a form"
        forms += [f for f in FORMS.values() if f.kind != kind]
    for index, row in enumerate(rows):
        if index >= HEADER_SEARCH_ROWS:
            return None
        best = None
        for form in forms:
            columns = _header_columns(row, form)
            if len(columns) >= 4 and (best is None or len(columns) > len(best[2])):
                best = (form, index + 1, columns)
        if best is not None:
            _require_all(*best)
            return best
    return None


def _header_columns(row: list, form: Form) -> dict[int, int]:
    columns: dict[int, int] = {}
    for i, cell in enumerate(row):
        if isinstance(cell, str) and cell:
            number = layouts.match_header(cell, form)
            if number is not None and number not in columns:
                columns[number] = i
    return columns


def _require_all(form: Form, header_row: int, columns: dict[int, int]) -> None:
    missing = [c for c in form.columns if c.number not in columns]
    if missing:
        names = ", ".join(f"({c.number}) {c.header}" for c in missing)
        raise ImportFileError(f"{FORM_NAMES[form.kind]}: dòng tiêu đề (dòng {header_row}) thiếu cột {names}.")


def data_rows(table: Table, limits: Limits) -> Iterator[tuple[int, dict[int, object]]]:
    """(Excel row, {column number: value}) for each data row; stops at the signature block."""
    last = table.header_row + limits.max_rows
    for index, row in enumerate(table.rows, start=table.header_row + 1):
        values = {n: (row[i] if i < len(row) else "") for n, i in table.columns.items()}
        filled = [v for v in values.values() if v not in ("", None)]
        if not filled or all(isinstance(v, str) and _NUMBERING.match(v.strip()) for v in filled):
            continue  # blank row or the numbering row (1) (2) …
        if all(values[n] in ("", None) for n in values if n != 1):
            continue  # a numbered but empty line of the template
        if values[table.form.key_column] in ("", None) and _is_trailer(filled[0]):
            return
        if index > last:
            raise ImportFileError(f"Tệp có quá nhiều dòng dữ liệu (tối đa {limits.max_rows:,} dòng); "
                                  "hãy chia thành nhiều tệp.".replace(",", "."))
        yield index, values


def _is_trailer(first: object) -> bool:
    return isinstance(first, str) and bool(_TRAILER.match(layouts.normalize.fold(first)))


def _sheet_paths(package: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> worksheet part, from the workbook and its relationships."""
    try:
        book = SafeET.fromstring(package.read("xl/workbook.xml"), forbid_dtd=True)
        rels = SafeET.fromstring(package.read("xl/_rels/workbook.xml.rels"), forbid_dtd=True)
    except Exception:
        raise ImportFileError("Tệp .xlsx bị hỏng (không đọc được danh sách trang tính).") from None
    targets = {r.get("Id"): r.get("Target", "") for r in rels.findall("p:Relationship", _NS)}
    out = {}
    for sheet in book.findall("m:sheets/m:sheet", _NS):
        target = targets.get(sheet.get(f"{{{_NS['r']}}}id"), "")
        path = target.lstrip("/") if target.startswith("/") else "xl/" + target
        if path in package.namelist():
            out[sheet.get("name")] = path
    return out
