"""Stage 1 for ``.xls`` (Excel 97–2003): scan the BIFF records before any reader sees them.

The compound file (OLE2) is opened by olefile; its ``Workbook`` (BIFF8) or ``Book``
(BIFF5) stream is walked record by record, without decoding a single cell value:

- globals: ``FILEPASS`` (a password: refused), ``BOUNDSHEET`` (names, visibility, type,
  where each sheet's records start; Excel 4 macro sheets refused), ``SST`` (its declared
  string count must fit the stream: the reader reserves room for it first);
- each worksheet, from its ``BOF`` to its ``EOF``: every value cell (``NUMBER``,
  ``LABELSST``, ``LABEL``, ``RK``, ``MULRK``, ``BOOLERR``, ``RSTRING``, ``FORMULA``) bounds
  the valued area the reader will lay out densely; ``FORMULA`` cells and ``ARRAY`` ranges
  are formulas; ``DIMENSIONS`` is bounded too (the reader reserves its area up front), and
  so are the cells covered by ``MERGEDCELLS`` (each merged range is filled down cell by cell).

Every cell of a shared formula (``SHRFMLA``, a filled-down formula) has its own
``FORMULA`` record pointing at it, so the shared range itself is not needed (its
bounding box may hold plain values). Merged ranges are handed on by the reader itself for
``.xls`` (python-calamine's ``merged_cell_ranges``), so they are only counted here.

Sheet names are decoded the way the reader decodes them (the scan is looked up by name);
a name that could decode differently is refused rather than left without its formulas.
"""

from __future__ import annotations

import io
import struct

import olefile

from .errors import PASSWORD_MESSAGE, ImportFileError, Limits
from .sheet_scan import SheetScan

_HEAD = struct.Struct("<HH").unpack_from  # record type, length; also a cell's row, column
_CELL = struct.Struct("<HHHH").unpack_from  # record type, length, then a cell's row, column
_U16 = struct.Struct("<H").unpack_from
_U32 = struct.Struct("<I").unpack_from
_I32 = struct.Struct("<i").unpack_from
_RANGE = struct.Struct("<HHBB").unpack_from  # RefU: first row, last row, first column, last column
_DIM8 = struct.Struct("<IIHH").unpack_from  # BIFF8 DIMENSIONS: rows 32-bit
_DIM5 = struct.Struct("<HHHH").unpack_from

BOF, EOF, FILEPASS, CODEPAGE, BOUNDSHEET, SST = 0x0809, 0x000A, 0x002F, 0x0042, 0x0085, 0x00FC
FORMULA, MULRK, ARRAY, DIMENSIONS, MERGEDCELLS = 0x0006, 0x00BD, 0x0221, 0x0200, 0x00E5
VALUED = frozenset({0x0203, 0x00FD, 0x0204, 0x027E, 0x0205, 0x00D6, FORMULA})  # one cell each
_KINDS = {0x00: "worksheet", 0x01: "macro", 0x02: "chart", 0x06: "vba"}
_ARRAY_CELLS = 100_000  # as for xlsx: a larger array formula still marks its first cell

BROKEN = "Tệp .xls bị hỏng, không đọc được"
MACRO = "Tệp chứa macro không được chấp nhận: hãy lưu lại dạng .xlsx."


def _broken(why: str) -> ImportFileError:
    return ImportFileError(f"{BROKEN} ({why}).")


def scan(data: bytes, limits: Limits) -> dict[str, SheetScan]:
    """{sheet name: valued area and formula cells} of every sheet (worksheets and chart
    sheets: the reader parses them all on opening) of an .xls file."""
    stream = _stream(data)
    budget = _Budget(limits)
    sheets, end = _globals(stream, budget, limits)
    found: dict[int, SheetScan] = {}
    # In stream order, each sheet after the previous one's end: no record is walked twice,
    # whatever offsets the file declares.
    for offset, name in sorted(sheets):
        if offset < end:
            raise _broken(f"trang tính “{name}” chồng lên dữ liệu khác")
        found[offset], end = _sheet(stream, offset, budget, limits, name)
    return {name: found[offset] for offset, name in sheets}


def _stream(data: bytes) -> bytes:
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:  # bytes under 1.5 KB would be a file name
            if ole.exists("EncryptionInfo") or ole.exists("EncryptedPackage"):
                raise ImportFileError(PASSWORD_MESSAGE)  # an .xlsx saved with a password
            name = next((n for n in ("Workbook", "Book") if ole.exists(n)), None)
            if name is None or ole.get_type(name) != olefile.STGTY_STREAM:
                raise ImportFileError("Tệp không phải bảng tính Excel 97–2003 (.xls): không có dữ liệu bảng tính.")
            if ole.get_size(name) > len(data):  # a stream cannot outgrow its file
                raise _broken("kích thước luồng dữ liệu sai")
            return ole.openstream(name).read()
    except ImportFileError:
        raise
    except Exception:  # olefile raises OSError, ValueError, struct.error… on a damaged container
        raise _broken("cấu trúc tệp OLE2 sai") from None


class _Budget:
    """Records walked over the whole file: a cap on the scan's time, whatever the file says."""

    def __init__(self, limits: Limits) -> None:
        self.left = limits.xls_records
        self.merged = limits.max_cells  # cells covered by merged ranges, over all sheets


def _records(stream: bytes, pos: int, budget: _Budget):
    """(type, body start, body end) from ``pos``; a record past the stream's end is damage."""
    size = len(stream)
    while pos < size:
        if pos + 4 > size:
            raise _broken("bản ghi bị cắt cụt")
        typ, length = _HEAD(stream, pos)
        body = pos + 4
        pos = body + length
        if pos > size:
            raise _broken("bản ghi vượt quá cuối luồng dữ liệu")
        budget.left -= 1
        if budget.left < 0:
            raise ImportFileError("Tệp .xls có quá nhiều bản ghi, bị từ chối vì lý do an toàn.")
        yield typ, body, pos
    raise _broken("thiếu bản ghi kết thúc (EOF)")


def _globals(stream: bytes, budget: _Budget, limits: Limits) -> tuple[list[tuple[int, str]], int]:
    """Worksheets as (offset of their records, name), in the workbook's order; where the
    globals end."""
    if len(stream) < 8 or _HEAD(stream, 0)[0] != BOF:
        raise ImportFileError("Tệp không phải bảng tính Excel 97–2003 (.xls) hợp lệ.")
    biff8, codepage, found, end = True, None, [], 0
    for typ, body, end in _records(stream, 0, budget):
        if typ == EOF:
            break
        if typ == BOF:
            biff8 = _is_biff8(stream[body:end])
        elif typ == FILEPASS:
            raise ImportFileError(PASSWORD_MESSAGE)
        elif typ == CODEPAGE and end - body >= 2:
            codepage = _U16(stream, body)[0]
        elif typ == SST:
            if end - body < 8 or not 0 <= _I32(stream, body + 4)[0] <= len(stream) // 3:
                raise _broken("bảng chuỗi khai báo số chuỗi sai")  # each string takes >= 3 bytes
        elif typ == BOUNDSHEET:
            found.append(_boundsheet(stream[body:end], biff8, codepage))
            if len(found) > limits.max_sheets:
                raise ImportFileError(f"Tệp có quá nhiều trang tính (hơn {limits.max_sheets}), "
                                      "bị từ chối vì lý do an toàn.")
    sheets, names = [], set()
    for offset, kind, name in found:
        if kind in ("macro", "vba"):
            raise ImportFileError(MACRO)
        if not 0 < offset < len(stream):
            raise _broken(f"vị trí trang tính “{name}” nằm ngoài tệp")
        if name in names:  # the scans are looked up by name
            raise _broken(f"hai trang tính cùng tên “{name}”")
        names.add(name)
        sheets.append((offset, name))  # chart sheets too: the reader parses every sheet on opening
    return sheets, end


def _is_biff8(bof: bytes) -> bool:
    """The reader's reading of the BOF version: anything not older than BIFF8 is BIFF8."""
    version = _U16(bof, 0)[0] if len(bof) >= 2 else 0x0600
    kind = _U16(bof, 2)[0] if len(bof) >= 4 else 0
    return version not in (0x0200, 0x0002, 0x0007, 0x0300, 0x0400, 0x0500) and not (version == 0 and kind == 0x1000)


def _boundsheet(body: bytes, biff8: bool, codepage: int | None) -> tuple[int, str, str]:
    if len(body) < 8:
        raise _broken("bản ghi trang tính bị cắt cụt")
    offset = _U32(body, 0)[0]
    state, kind = body[4] & 0x3F, _KINDS.get(body[5])
    if state > 2 or kind is None:
        raise _broken("trạng thái hoặc loại trang tính không hợp lệ")
    cch = body[6]
    if biff8:
        wide = body[7] & 1
        raw = body[8:8 + cch * (2 if wide else 1)]
        if len(raw) != cch * (2 if wide else 1):
            raise _broken("tên trang tính bị cắt cụt")
        try:
            name = raw.decode("utf-16-le") if wide else raw.decode("latin-1")
        except UnicodeDecodeError:  # a lone surrogate: the reader would put U+FFFD in its place
            raise _broken("tên trang tính không đọc được") from None
        if codepage not in (None, 1200) and not name.isascii():
            # the reader would decode these UTF-16 bytes with the declared code page
            raise _broken("bảng mã của tên trang tính không chuẩn; hãy mở và lưu lại bằng Excel hoặc LibreOffice")
    else:  # BIFF5: bytes in the declared code page (the reader reads them as UTF-16 without one)
        raw = body[7:7 + cch]
        if len(raw) != cch:
            raise _broken("tên trang tính bị cắt cụt")
        try:
            if codepage in (None, 1200):
                raise LookupError
            name = raw.decode(f"cp{codepage}")
        except (LookupError, UnicodeDecodeError):
            raise _broken("bảng mã của tên trang tính không đọc được") from None
    return offset, kind, name.replace("\0", "")


def _sheet(stream: bytes, offset: int, budget: _Budget, limits: Limits, name: str) -> tuple[SheetScan, int]:
    """One worksheet's valued area and formulas; returns where its records end.

    The hot loop of the scan (one pass per cell record), written out by hand: no generator,
    locals only, the record checks of :func:`_records` inlined."""
    size = len(stream)
    if offset + 4 > size or _HEAD(stream, offset)[0] != BOF:
        raise _broken(f"trang tính “{name}” không bắt đầu bằng bản ghi BOF")
    result = SheetScan()
    formulas = result.formulas
    padded = stream + bytes(4)  # a record's header and a cell's row and column in one read
    cell, valued, left = _CELL, VALUED, budget.left
    last_row = last_col = -1
    # Charts embedded in a sheet bring their own BOF ... EOF; the reader reads cell records
    # wherever they stand, so cells are counted at every depth.
    depth = walked = 0
    pos = offset
    while pos + 4 <= size:
        typ, length, row, col = cell(padded, pos)
        body = pos + 4
        pos = body + length
        walked += 1
        if typ in valued:  # a cell past the stream's end is refused when the loop ends there
            if length < 4:
                raise _broken(f"ô trong trang tính “{name}” bị cắt cụt")
            if row > last_row:
                last_row = row
            if col > last_col:
                last_col = col
            if typ == FORMULA:
                formulas.add((row + 1, col))
            continue
        if walked > left:
            raise ImportFileError("Tệp .xls có quá nhiều bản ghi, bị từ chối vì lý do an toàn.")
        if pos > size:
            raise _broken("bản ghi vượt quá cuối luồng dữ liệu")
        if typ == MULRK:
            row, last = _mulrk(stream, body, pos, name)
            last_row = max(last_row, row)
            last_col = max(last_col, last)
        elif typ == BOF:
            depth += 1
        elif typ == EOF:
            depth -= 1
            if depth == 0:
                budget.left = left - walked
                result.max_row, result.max_col = last_row + 1, last_col + 1
                return result, pos
        elif typ == ARRAY:
            _array(stream, body, pos, formulas, name)
        elif typ == DIMENSIONS:
            _dimensions(stream[body:pos], limits, name)
        elif typ == MERGEDCELLS:
            _merged(stream[body:pos], budget, name)
    if walked > left:
        raise ImportFileError("Tệp .xls có quá nhiều bản ghi, bị từ chối vì lý do an toàn.")
    raise _broken("bản ghi vượt quá cuối luồng dữ liệu" if pos > size else
                  "bản ghi bị cắt cụt" if pos < size else "thiếu bản ghi kết thúc (EOF)")


def _mulrk(stream: bytes, body: int, end: int, name: str) -> tuple[int, int]:
    """Row and last column of a run of numbers in one row (6 bytes a cell)."""
    size = end - body
    if size < 12 or (size - 6) % 6:
        raise _broken(f"dãy số (MULRK) trong trang tính “{name}” sai độ dài")
    row, first = _HEAD(stream, body)
    last = _U16(stream, end - 2)[0]
    if last - first + 1 != (size - 6) // 6:
        raise _broken(f"dãy số (MULRK) trong trang tính “{name}” sai độ dài")
    return row, last


def _array(stream: bytes, body: int, end: int, formulas: set[tuple[int, int]], name: str) -> None:
    if end - body < 6:
        raise _broken(f"công thức mảng trong trang tính “{name}” bị cắt cụt")
    first, last, left, right = _RANGE(stream, body)
    if last < first or right < left:
        raise _broken(f"vùng công thức mảng trong trang tính “{name}” sai")
    if (last - first + 1) * (right - left + 1) <= _ARRAY_CELLS:
        formulas.update((r + 1, c) for r in range(first, last + 1) for c in range(left, right + 1))


def _merged(body: bytes, budget: _Budget, name: str) -> None:
    """The reader hands every merged range on, and each is filled down cell by cell: their
    count and the reader's bounds checks are not to be trusted (it indexes past the record)."""
    count = _U16(body, 0)[0] if len(body) >= 2 else -1
    if count < 0 or len(body) < 2 + 8 * count:
        raise _broken(f"vùng gộp ô trong trang tính “{name}” bị cắt cụt")
    for first, last, left, right in struct.iter_unpack("<HHHH", body[2:2 + 8 * count]):
        budget.merged -= (abs(last - first) + 1) * (abs(right - left) + 1)
    if budget.merged < 0:
        raise ImportFileError(f"Trang tính “{name}” khai báo quá nhiều ô gộp, bị từ chối vì lý do an toàn.")


def _dimensions(body: bytes, limits: Limits, name: str) -> None:
    """The reader reserves room for the declared area before reading a cell."""
    if len(body) == 14:
        first, stop, left, right = _DIM8(body, 0)
    elif len(body) == 10:
        first, stop, left, right = _DIM5(body, 0)
    else:
        raise _broken(f"bản ghi kích thước của trang tính “{name}” sai độ dài")
    if stop and first > stop or right and left > right:  # the reader would wrap round to a huge area
        raise _broken(f"kích thước khai báo của trang tính “{name}” sai")
    rows, cols = max(stop - first, 0), max(right - left, 0)
    if rows * cols > limits.max_cells:
        raise ImportFileError(f"Trang tính “{name}” khai báo vùng dữ liệu quá lớn "
                              f"({rows} dòng × {cols} cột), bị từ chối vì lý do an toàn.")
