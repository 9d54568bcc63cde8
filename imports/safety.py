"""Refuse hostile or unusable workbooks before any spreadsheet parser sees them.

Checks, in order: size, zip signature (a renamed PDF or old .xls is named as such),
entry count and declared uncompressed size (zip bombs), content types (macro-enabled
workbooks refused), a DTD in any XML part (entity bombs; parsed with ``defusedxml``),
and, streaming through the worksheet, the area that holds values: the reader lays
cells out densely, so a single value in XFD1048576 would otherwise allocate gigabytes.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET


class ImportFileError(Exception):
    """The file cannot be used at all; ``str(err)`` is a Vietnamese message."""


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 20 * 1024 * 1024
    max_entries: int = 500
    max_uncompressed: int = 400 * 1024 * 1024
    max_rows: int = 120_000  # data rows; the table header may sit a little lower
    max_cells: int = 4_000_000  # dense area (rows x columns) the reader may allocate


@dataclass
class SheetScan:
    """What streaming through one worksheet's XML found."""

    max_row: int = 0
    max_col: int = 0
    formulas: set[tuple[int, int]] = field(default_factory=set)  # (excel row, column index 0-based)


_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
_MACRO = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
_ROW_WITH_VALUE = re.compile(rb'<row r="(\d+)"[^>]*>(?:\s*<c [^>]*/>)*\s*<c [^>]*[^/]>')
_WIDE_CELL = re.compile(rb'<c r="([A-Z]{2,3})\d+"(?:[^>]*[^/])?>')
_FORMULA = re.compile(rb'<c r="([A-Z]{1,3})(\d+)"(?:[^>]*[^/])?>\s*<f\b')
_CHUNK = 4 * 1024 * 1024


def open_package(data: bytes, limits: Limits) -> zipfile.ZipFile:
    if len(data) > limits.max_bytes:
        raise ImportFileError(f"Tệp quá lớn (tối đa {limits.max_bytes // (1024 * 1024)} MB).")
    if data[:4] == b"%PDF":
        raise ImportFileError("Tệp là PDF, không phải bảng tính Excel (.xlsx).")
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportFileError("Tệp Excel 97–2003 (.xls) hoặc tệp được mã hóa: hãy mở và lưu lại dạng .xlsx.")
    if data[:2] != b"PK" or not zipfile.is_zipfile(io.BytesIO(data)):
        raise ImportFileError("Tệp không phải bảng tính Excel (.xlsx).")
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ImportFileError("Tệp .xlsx bị hỏng, không đọc được.") from None
    infos = package.infolist()
    if len(infos) > limits.max_entries:
        raise ImportFileError(f"Tệp có quá nhiều thành phần ({len(infos)}), bị từ chối vì lý do an toàn.")
    if sum(i.file_size for i in infos) > limits.max_uncompressed:
        raise ImportFileError("Tệp khi giải nén quá lớn (nghi ngờ “bom nén”), bị từ chối vì lý do an toàn.")
    return package


def check_parts(package: zipfile.ZipFile) -> None:
    """Content types and XML prologs; raises ImportFileError."""
    names = set(package.namelist())
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise ImportFileError("Tệp không phải bảng tính Excel (.xlsx): thiếu thành phần bắt buộc.")
    for name in sorted(names):
        if name.endswith((".xml", ".rels")):  # VML is often not well-formed, and no reader opens it
            _check_prolog(package, name)
    types = package.read("[Content_Types].xml").decode("utf-8", "replace")
    if _MACRO in types or any(n.lower().endswith("vbaproject.bin") for n in names):
        raise ImportFileError("Tệp chứa macro (.xlsm) không được chấp nhận: hãy lưu lại dạng .xlsx.")
    if _MAIN not in types:
        raise ImportFileError("Tệp không phải bảng tính Excel (.xlsx) thông thường.")


def _check_prolog(package: zipfile.ZipFile, name: str) -> None:
    """A DTD can only appear before the root element: parse up to it, with DTDs forbidden."""
    try:
        with package.open(name) as stream:
            for _event, _elem in SafeET.iterparse(stream, events=("start",), forbid_dtd=True):
                break
    except DefusedXmlException:
        raise ImportFileError("Tệp chứa khai báo XML không an toàn (DTD/thực thể), bị từ chối.") from None
    except (SafeET.ParseError, zipfile.BadZipFile, OSError, EOFError):
        raise ImportFileError(f"Tệp .xlsx bị hỏng (thành phần {name} không đọc được).") from None


def scan_sheet(package: zipfile.ZipFile, path: str, limits: Limits) -> SheetScan:
    """Stream the sheet XML once: area holding values, and formula cells."""
    scan = SheetScan()
    carry = b""
    with package.open(path) as stream:
        while True:
            block = stream.read(_CHUNK)
            buf = carry + block
            cut = buf.rfind(b"<row ") if block else len(buf)
            if block and cut <= 0:
                if len(buf) > 4 * _CHUNK:
                    raise ImportFileError("Bảng tính có một dòng quá lớn, bị từ chối vì lý do an toàn.")
                carry = buf
                continue
            _scan_rows(buf[:cut], scan)
            carry = buf[cut:]
            if not block:
                break
    if scan.max_row * max(scan.max_col, 26) > limits.max_cells:
        raise ImportFileError("Bảng tính khai báo vùng dữ liệu quá lớn (quá nhiều dòng hoặc cột có dữ liệu).")
    return scan


def _scan_rows(buf: bytes, scan: SheetScan) -> None:
    for match in _ROW_WITH_VALUE.finditer(buf):
        scan.max_row = max(scan.max_row, int(match[1]))
    for match in _WIDE_CELL.finditer(buf):
        scan.max_col = max(scan.max_col, column_index(match[1].decode()) + 1)
    if b"<f" in buf:
        for match in _FORMULA.finditer(buf):
            scan.formulas.add((int(match[2]), column_index(match[1].decode())))


def column_index(letters: str) -> int:
    """``A`` -> 0, ``AA`` -> 26."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1
