"""Stage 1, package checks: refuse a hostile or unusable file before any reader sees it.

Containers: ``.xlsx`` (zip of XML), ``.ods`` (zip of XML) and ``.xls`` (OLE2, Excel
97–2003). For the zip containers: size, entry count and declared uncompressed size (zip
bombs), content type (macro-enabled workbooks refused), no DTD in any XML part (entity
bombs), then one streaming pass of a real XML parser (expat, DTDs forbidden) over every
worksheet: cell references in any attribute order or none at all, inline strings,
namespaces, shared and array formulas. The area that holds values is bounded *before*
the reader allocates it (it lays cells out densely: one value in XFD1048576 would be
terabytes); the reader itself then runs under a memory ceiling (:mod:`imports.workbook`).
"""

from __future__ import annotations

import io
import itertools
import re
import zipfile
from dataclasses import dataclass, field
from xml.parsers import expat

from .errors import ImportFileError, Limits
from .sheet_scan import SheetScan
from .xls_scan import scan as scan_xls

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
_MACRO = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
_ODS = b"application/vnd.oasis.opendocument.spreadsheet"
_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")
_M = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_P = "http://schemas.openxmlformats.org/package/2006/relationships"
_T = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_O = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


@dataclass
class Package:
    container: str  # xlsx | xls | ods
    sheets: dict[str, SheetScan] = field(default_factory=dict)  # by sheet name


def check(data: bytes, limits: Limits) -> Package:
    if len(data) > limits.max_bytes:
        raise ImportFileError(f"Tệp quá lớn (tối đa {limits.max_bytes // (1024 * 1024)} MB).")
    if data[:4] == b"%PDF":
        raise ImportFileError("Tệp là PDF, không phải bảng tính (.xlsx, .xls, .ods).")
    if data[:8] == OLE2:
        if "_VBA_PROJECT".encode("utf-16-le") in data:
            raise ImportFileError("Tệp chứa macro không được chấp nhận: hãy lưu lại dạng .xlsx.")
        out = Package("xls", scan_xls(data, limits))
        for sheet, found in out.sheets.items():
            _bound(found, sheet, limits)
        return out
    if data[:2] != b"PK" or not zipfile.is_zipfile(io.BytesIO(data)):
        raise ImportFileError("Tệp không phải bảng tính (.xlsx, .xls hoặc .ods).")
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        infos = package.infolist()
    except zipfile.BadZipFile:
        raise ImportFileError("Tệp bảng tính bị hỏng, không đọc được.") from None
    if len(infos) > limits.max_entries:
        raise ImportFileError(f"Tệp có quá nhiều thành phần ({len(infos)}), bị từ chối vì lý do an toàn.")
    if sum(i.file_size for i in infos) > limits.max_uncompressed:
        raise ImportFileError("Tệp khi giải nén quá lớn (nghi ngờ “bom nén”), bị từ chối vì lý do an toàn.")
    names = set(package.namelist())
    if "mimetype" in names and _read(package, "mimetype").strip() == _ODS:
        return _check_ods(package, limits)
    return _check_xlsx(package, names, limits)


def _read(package: zipfile.ZipFile, name: str) -> bytes:
    try:
        return package.read(name)
    except (zipfile.BadZipFile, OSError, EOFError, KeyError, NotImplementedError):
        raise ImportFileError(f"Tệp bảng tính bị hỏng (thành phần {name} không đọc được).") from None


def _check_xlsx(package: zipfile.ZipFile, names: set[str], limits: Limits) -> Package:
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise ImportFileError("Tệp không phải bảng tính Excel (.xlsx): thiếu thành phần bắt buộc.")
    types = _read(package, "[Content_Types].xml").decode("utf-8", "replace")
    if _MACRO in types or any(n.lower().endswith("vbaproject.bin") for n in names):
        raise ImportFileError("Tệp chứa macro (.xlsm) không được chấp nhận: hãy lưu lại dạng .xlsx.")
    if _MAIN not in types:
        raise ImportFileError("Tệp không phải bảng tính Excel (.xlsx) thông thường.")
    sheets = _sheet_paths(package, names)
    scanned = set(sheets.values())
    for name in sorted(names - scanned):
        if name.endswith((".xml", ".rels")):  # VML is often not well-formed, and no reader opens it
            _parse(package, name, None)  # well-formed, no DTD: expat alone, no Python per element
    out = Package("xlsx")
    for sheet, path in sheets.items():
        scan = _parse(package, path, _XlsxSheet(), namespaces=False).scan
        _bound(scan, sheet, limits)
        out.sheets[sheet] = scan
    return out


def _check_ods(package: zipfile.ZipFile, limits: Limits) -> Package:
    out = Package("ods")
    for name in ("content.xml", "styles.xml", "meta.xml", "settings.xml"):
        if name in package.namelist():
            handler = _parse(package, name, _OdsContent() if name == "content.xml" else None)
            if name == "content.xml":
                out.sheets = handler.sheets
    for sheet, scan in out.sheets.items():
        _bound(scan, sheet, limits)
    return out


def _bound(scan: SheetScan, sheet: str, limits: Limits) -> None:
    if scan.max_row * max(scan.max_col, 26) > limits.max_cells or scan.max_col > 16384:
        raise ImportFileError(f"Trang tính “{sheet}” khai báo vùng dữ liệu quá lớn "
                              f"({scan.max_row} dòng × {scan.max_col} cột), bị từ chối vì lý do an toàn.")


def _parse(package: zipfile.ZipFile, name: str, handler, namespaces: bool = True):
    """Stream one part through expat; any DTD or entity declaration refuses the file.
    ``handler`` None: only well-formedness and the DTD ban are checked (no Python call
    per element, so a large shared-strings part costs what expat costs)."""
    parser = expat.ParserCreate(namespace_separator=" ") if namespaces else expat.ParserCreate()
    parser.buffer_text = True

    def forbid(*_args: object) -> None:
        raise ImportFileError("Tệp chứa khai báo XML không an toàn (DTD/thực thể), bị từ chối.")

    parser.StartDoctypeDeclHandler = forbid
    parser.EntityDeclHandler = forbid
    if handler is not None:
        parser.StartElementHandler = handler.start
    if hasattr(handler, "end"):
        parser.EndElementHandler = handler.end
    try:
        with package.open(name) as stream:
            parser.ParseFile(stream)
    except expat.ExpatError:
        raise ImportFileError(f"Tệp bảng tính bị hỏng (thành phần {name} không đọc được).") from None
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError):
        raise ImportFileError(f"Tệp bảng tính bị hỏng (thành phần {name} không đọc được).") from None
    return handler


def column_index(letters: str) -> int:
    """``A`` -> 0, ``AA`` -> 26."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


_COLUMNS: dict[str, int] = {}


def _ref(value: str | None) -> tuple[int, int] | None:
    """``B7`` -> (7, 1): Excel row and 0-based column."""
    match = _REF.match(value or "")
    if match is None:
        return None
    letters = match[1]
    column = _COLUMNS.get(letters)
    if column is None:
        column = column_index(letters)
        if len(_COLUMNS) < 20_000:
            _COLUMNS[letters] = column
    return int(match[2]), column


#: worksheet parts that follow ``sheetData``: an ``f`` in them (``xm:f`` of a data validation
#: or a conditional format in ``extLst``) is not a formula cell
_AFTER_DATA = frozenset({
    "sheetCalcPr", "sheetProtection", "protectedRanges", "scenarios", "autoFilter", "sortState",
    "dataConsolidate", "customSheetViews", "mergeCells", "phoneticPr", "conditionalFormatting",
    "dataValidations", "hyperlinks", "printOptions", "pageMargins", "pageSetup", "headerFooter", "rowBreaks",
    "colBreaks", "customProperties", "cellWatches", "ignoredErrors", "smartTags", "drawing", "legacyDrawing",
    "legacyDrawingHF", "picture", "oleObjects", "controls", "webPublishItems", "tableParts", "extLst"})


def _column_table() -> dict[str, int]:
    """Every column's letters (``A`` … ``XFD``) -> 0-based index: the scan's fast path."""
    table, letters = {}, [chr(c) for c in range(65, 91)]
    for width in (1, 2, 3):
        for combo in itertools.product(letters, repeat=width):
            name = "".join(combo)
            index = column_index(name)
            if index < 16384:
                table[name] = index
    return table


_DIGITS = "0123456789"


class _XlsxSheet:
    """Cells with a value (``v``, ``is`` or ``f`` child), wherever their ``r`` sits.

    Elements are taken by local name whatever their prefix or namespace, as the reader
    (calamine) takes them: a cell in an odd namespace still counts towards the area. One
    start-element callback per element and nothing else: this is the hot loop of the
    package stage (a 100,000-row sheet has millions of elements), so the callback is a
    closure over local state, tests the frequent unprefixed names first and reads a
    plain ``B7`` reference by table look-up; anything else (``$B$7``, lower case, a
    prefix) takes the general path."""

    _COLUMNS = None

    def __init__(self) -> None:
        self.scan = scan = SheetScan()
        columns = _XlsxSheet._COLUMNS
        if columns is None:
            columns = _XlsxSheet._COLUMNS = _column_table()
        formulas = scan.formulas
        row, col, max_row, max_col, after_data = 0, -1, 0, 0, False

        def start(name: str, attrs: dict) -> None:
            nonlocal row, col, max_row, max_col, after_data
            if name == "c":
                r = attrs.get("r")
                if r is None:
                    col += 1
                    return
                letters = r.rstrip(_DIGITS)
                column = columns.get(letters)
                if column is not None and 0 < len(r) - len(letters) < 8:
                    row, col = int(r[len(letters):]), column
                    return
                ref = _ref(r)
                if ref is None:
                    col += 1
                else:
                    row, col = ref
            elif name == "v" or name == "is":
                if row > max_row:
                    max_row = scan.max_row = row
                if col >= max_col:
                    max_col = scan.max_col = col + 1
            elif name == "t":
                return
            elif name == "row":
                r = attrs.get("r")
                row = int(r) if r and r.isascii() and r.isdigit() and len(r) < 9 else row + 1
                col = -1
            elif name == "f":
                if row > max_row:
                    max_row = scan.max_row = row
                if col >= max_col:
                    max_col = scan.max_col = col + 1
                if after_data:
                    return
                formulas.add((row, col))
                area = attrs.get("ref", "")  # array formula: the whole range is computed
                if attrs.get("t") == "array" and ":" in area:
                    first, last = (_ref(p) for p in area.split(":", 1))
                    if first and last and (last[0] - first[0] + 1) * (last[1] - first[1] + 1) <= 100_000:
                        formulas.update((r, c) for r in range(first[0], last[0] + 1)
                                        for c in range(first[1], last[1] + 1))
            elif ":" in name:
                start(name.rpartition(":")[2], attrs)
            elif name == "sheetData":
                after_data = False
            elif name in _AFTER_DATA:
                after_data = True

        self.start = start


class _OdsContent:
    """Tables, their valued area (repeats counted), formulas and vertical merges."""

    def __init__(self) -> None:
        self.sheets: dict[str, SheetScan] = {}
        self.scan: SheetScan | None = None
        self.row = 0
        self.col = 0
        self.repeat = 1

    def start(self, name: str, attrs: dict) -> None:
        ns, _, local = name.rpartition(" ")
        if ns != _T:
            return
        if local == "table":
            self.scan = self.sheets.setdefault(attrs.get(f"{_T} name", f"Sheet{len(self.sheets) + 1}"), SheetScan())
            self.row = 0
        elif local == "table-row" and self.scan is not None:
            self.repeat = _int(attrs.get(f"{_T} number-rows-repeated"))
            self.row += 1
            self.col = 0
        elif local in ("table-cell", "covered-table-cell") and self.scan is not None:
            columns = _int(attrs.get(f"{_T} number-columns-repeated"))
            valued = f"{_O} value-type" in attrs or f"{_T} formula" in attrs
            if valued:
                scan = self.scan
                scan.max_row = max(scan.max_row, self.row + self.repeat - 1)
                scan.max_col = max(scan.max_col, self.col + columns)
                if f"{_T} formula" in attrs:
                    scan.formulas.add((self.row, self.col))
            span = _int(attrs.get(f"{_T} number-rows-spanned"))
            if span > 1:
                self.scan.merged.append(((self.row - 1, self.col), (self.row + span - 2, self.col)))
            self.col += columns

    def end(self, name: str) -> None:
        if name.endswith(" table-row") and self.scan is not None:
            self.row += self.repeat - 1


def _int(value: str | None) -> int:
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 9 else 1


def _sheet_paths(package: zipfile.ZipFile, names: set[str]) -> dict[str, str]:
    """Sheet name -> worksheet part, from the workbook and its relationships."""
    book, rels = _Collect(f"{_M} sheet"), _Collect(f"{_P} Relationship")
    _parse(package, "xl/workbook.xml", book)
    if "xl/_rels/workbook.xml.rels" in names:
        _parse(package, "xl/_rels/workbook.xml.rels", rels)
    targets = {r.get("Id"): r.get("Target", "") for r in rels.found}
    out = {}
    for sheet in book.found:
        target = targets.get(sheet.get(f"{_R} id"), "")
        path = target.lstrip("/") if target.startswith("/") else "xl/" + target
        if path in names:
            out[sheet.get("name", "")] = path
    return out


class _Collect:
    def __init__(self, tag: str) -> None:
        self.tag = tag
        self.found: list[dict] = []

    def start(self, name: str, attrs: dict) -> None:
        if name == self.tag:
            self.found.append(dict(attrs))
