""".xls (Excel 97–2003) files are scanned before the reader runs (issue 15, hostile files):
formulas are never their cached values, no declared area can exhaust the reader, and
every damaged or crafted file ends in a Vietnamese message. Workbooks are made the way
offices make them: written as .xlsx, saved as .xls by LibreOffice."""

from __future__ import annotations

import io
import shutil
import struct

import olefile
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.worksheet.formula import ArrayFormula

import imports
from imports import package, workbook, xls_scan
from imports.errors import PASSWORD_MESSAGE, ImportFileError, Limits
from imports.values import FORMULA_MESSAGE
from models import SocialAccount
from tests.fixtures.office import SOFFICE, SheetSpec, build, convert
from tests.test_import_reading import social_row

FIRST = 8  # title rows 1-5, header 6, numbering 7: the first data row
MAIN, LATIN, HIDDEN = "Danh sách chi bộ", "Danh sách", "Năm 2022"  # UTF-16 name, compressed (Latin-1) name


def row(**kw: object) -> list:
    kw.setdefault("c8", "")
    return social_row(**kw)


def _book() -> bytes:
    r = FIRST
    main = [row(c7="facebook.com/xls.ok"),
            row(c6='=CONCATENATE("An"," Nguyễn")', c7="facebook.com/xls.f6"),  # a formula in (6)
            *[row(c7=f"facebook.com/xls.fill{i}", c12=f"=L{r + i}") for i in range(1, 4)],  # filled down
            row(c7="facebook.com/xls.arr", c9=ArrayFormula(f"I{r + 5}:I{r + 5}", '=LOWER("AN@EXAMPLE.COM")')),
            row(c7="facebook.com/xls.m1"),  # owner cells (2)-(4) merged over three accounts
            row(c2="", c3="", c4="", c7="tiktok.com/@xls.m2", c5="TikTok"),
            row(c2="", c3="", c4="", c7="youtube.com/@xls.m3", c5="YouTube")]
    return build([SheetSpec(MAIN, main, merges=[(6, 8, 2), (6, 8, 3), (6, 8, 4)]),
                  SheetSpec(LATIN, [row(c6="=UPPER(\"an\")", c7="facebook.com/xls.latin")]),
                  SheetSpec(HIDDEN, [row(c7="facebook.com/xls.2022")], state="hidden")])


MAIN_FORMULAS = {(FIRST + 1, 5), (FIRST + 2, 11), (FIRST + 3, 11), (FIRST + 4, 11), (FIRST + 5, 8)}


@pytest.fixture(scope="module")
def xls() -> bytes:
    if SOFFICE is None:
        pytest.fail("LibreOffice (soffice) is required: apt-get install libreoffice-calc")
    return convert(_book(), "xls")


def run(data: bytes, world, **kw: object) -> imports.Summary:
    return imports.run(data, "social", world.commune_a, **kw)


# --- office files ------------------------------------------------------------------------------

def test_formulas_shared_and_array_formulas_are_rejected_rows(world, xls) -> None:
    """Ensure that a formula, a filled-down (shared) formula and an array formula in an .xls
    saved by LibreOffice are rejected with the formula message, on the right sheet, row and
    column, and that the other rows (merged owner cells included) are imported."""
    summary = run(xls, world, dry_run=False)
    assert summary.sheets == [MAIN, LATIN] and summary.hidden == [HIDDEN]
    found = {(e["sheet"], e["row"], e["column"]) for e in summary.errors}
    assert found == {(MAIN, FIRST + 1, "(6)"), (MAIN, FIRST + 2, "(12)"), (MAIN, FIRST + 3, "(12)"),
                     (MAIN, FIRST + 4, "(12)"), (MAIN, FIRST + 5, "(9)"), (LATIN, FIRST, "(6)")}
    assert all(FORMULA_MESSAGE in e["message"] for e in summary.errors)
    assert summary.created == 4
    stored = {a.url_key: a for a in SocialAccount.objects(url_key__in=[
        "facebook.com/xls.ok", "facebook.com/xls.m1", "tiktok.com/@xls.m2", "youtube.com/@xls.m3"])}
    assert len(stored) == 4 and {a.member for a in stored.values()} == {world.member_a}
    assert not SocialAccount.objects(url_key__in=["facebook.com/xls.f6", "facebook.com/xls.latin",
                                                  "facebook.com/xls.2022", "facebook.com/xls.arr"]).count()


def test_without_the_scan_the_cached_values_would_be_imported(world, xls, monkeypatch) -> None:
    """Ensure that the test above can fail: with a scan that finds no formula, LibreOffice's
    cached values of the same formulas pass as typed values; with no scan at all (``Package("xls")``
    as before the scan existed) the reader's sheets are unchecked and the file is refused."""
    real = package.check
    monkeypatch.setattr(package, "check", lambda data, limits: package.Package("xls"))
    with pytest.raises(imports.ImportFileError, match="không kiểm tra được"):
        run(xls, world, dry_run=False)
    blind = package.Package("xls", {name: package.SheetScan(scan.max_row, scan.max_col)
                                    for name, scan in real(xls, Limits()).sheets.items()})
    monkeypatch.setattr(package, "check", lambda data, limits: blind)
    run(xls, world, dry_run=False)
    cached = ["facebook.com/xls.f6", "facebook.com/xls.latin", *[f"facebook.com/xls.fill{i}" for i in range(1, 4)]]
    assert SocialAccount.objects(url_key__in=cached).count() == 5
    assert SocialAccount.objects(url_key="facebook.com/xls.fill3").get().purpose == "Tuyên truyền"


def test_scan_finds_the_readers_area_names_and_formulas(xls) -> None:
    """Ensure that the scan's sheet names are the reader's (Vietnamese names stored as UTF-16
    and as compressed Latin-1 alike), its valued area is exactly the area the reader lays
    out, and its formula cells are exactly the formulas written."""
    scans = package.check(xls, Limits()).sheets
    book = workbook.read(xls, package.check(xls, Limits()), Limits())
    assert set(scans) == {MAIN, LATIN, HIDDEN} and [s.name for s in book.sheets] == [MAIN, LATIN]
    for sheet in book.sheets:
        scan = scans[sheet.name]
        assert (scan.max_row, scan.max_col) == (len(sheet.rows), max(len(r) for r in sheet.rows))
    assert scans[MAIN].formulas == MAIN_FORMULAS and scans[LATIN].formulas == {(FIRST, 5)}
    assert (scans[HIDDEN].max_row, scans[HIDDEN].max_col) == (FIRST, 12)
    main = next(s for s in book.sheets if s.name == MAIN)
    assert ((FIRST + 5, 1), (FIRST + 7, 1)) in main.merged  # merges come from the reader for .xls


def _boundsheet(name: bytes, cch: int, flags: int | None) -> bytes:
    return struct.pack("<IBBB", 4096, 0, 0, cch) + (bytes([flags]) if flags is not None else b"") + name


def test_sheet_names_decode_as_the_reader_decodes_them() -> None:
    """Ensure that BOUNDSHEET names are read as the reader reads them: BIFF8 as UTF-16 or
    compressed Latin-1 (NULs dropped), BIFF5 in the declared code page (Vietnamese 1258);
    a name the reader could read differently (a BIFF8 file declaring another code page, a
    BIFF5 file declaring none) is refused rather than left without its formulas."""
    assert xls_scan._boundsheet(_boundsheet("Chi bộ 1".encode("utf-16-le"), 8, 1), True, 1200)[2] == "Chi bộ 1"
    assert xls_scan._boundsheet(_boundsheet("Danh sách".encode("latin-1"), 9, 0), True, None)[2] == "Danh sách"
    assert xls_scan._boundsheet(_boundsheet(b"DS\0", 3, 0), True, 1200)[2] == "DS"
    assert xls_scan._boundsheet(_boundsheet(b"Sheet1", 6, 0), True, 1252)[2] == "Sheet1"
    tieng = "Thôn 1".encode("cp1258")
    assert xls_scan._boundsheet(_boundsheet(tieng, len(tieng), None), False, 1258)[2] == "Thôn 1"
    for body, biff8, codepage in [(_boundsheet("Danh sách".encode("latin-1"), 9, 0), True, 1252),
                                  (_boundsheet(b"Sheet1", 6, None), False, None),
                                  (_boundsheet(b"Sheet1", 6, None), False, 1200)]:
        with pytest.raises(ImportFileError, match=r"Tệp \.xls bị hỏng.*bảng mã"):
            xls_scan._boundsheet(body, biff8, codepage)
    with pytest.raises(ImportFileError, match=r"Tệp \.xls bị hỏng.*tên trang tính"):
        xls_scan._boundsheet(_boundsheet(b"\x00\xd8A\x00", 2, 1), True, 1200)  # a lone surrogate


def _record(typ: int, body: bytes) -> bytes:
    return struct.pack("<HH", typ, len(body)) + body


BOF8 = _record(xls_scan.BOF, struct.pack("<HHHHII", 0x0600, 0x0010, 0, 0, 0, 0))


def test_huge_number_run_and_cells_inside_an_embedded_chart() -> None:
    """Ensure that a run of numbers (MULRK) over 10,000 columns, consistent in length, widens
    the area to be refused, and that cells between an embedded chart's BOF and EOF (the
    reader reads cell records wherever they stand) still count, formulas included."""
    run = struct.pack("<HH", 4, 0) + b"\0" * 6 * 10_000 + struct.pack("<H", 9_999)
    stream = BOF8 + _record(xls_scan.MULRK, run) + _record(xls_scan.EOF, b"")
    scan, end = xls_scan._sheet(stream, 0, xls_scan._Budget(Limits()), Limits(), "DS")
    assert (scan.max_row, scan.max_col, end) == (5, 10_000, len(stream))
    with pytest.raises(ImportFileError, match="quá lớn"):
        package._bound(scan, "DS", Limits(max_cells=40_000))
    formula = _record(xls_scan.FORMULA, struct.pack("<HHH", 20, 3, 0) + b"\0" * 14)
    chart = BOF8 + _record(0x0203, struct.pack("<HHH", 2, 1, 0) + b"\0" * 8) + formula + _record(xls_scan.EOF, b"")
    stream = BOF8 + chart + _record(xls_scan.EOF, b"")
    scan, _ = xls_scan._sheet(stream, 0, xls_scan._Budget(Limits()), Limits(), "DS")
    assert (scan.max_row, scan.max_col, scan.formulas) == (21, 4, {(21, 3)})


# --- crafted files: a LibreOffice .xls with its records patched in place ----------------------

def _records(stream: bytes):
    pos = 0
    while pos + 4 <= len(stream):
        typ, size = struct.unpack_from("<HH", stream, pos)
        yield pos, typ, size
        pos += 4 + size


def _patched(data: bytes, tmp_path, change) -> bytes:
    """``data`` with its Workbook stream changed in place by ``change(bytearray)``."""
    path = tmp_path / "book.xls"
    path.write_bytes(data)
    with olefile.OleFileIO(str(path), write_mode=True) as ole:
        stream = bytearray(ole.openstream("Workbook").read())
        change(stream)
        ole.write_stream("Workbook", bytes(stream))
    return path.read_bytes()


def _first(stream: bytearray, typ: int, after: int = 0) -> int:
    return next(pos for pos, t, _ in _records(bytes(stream)) if t == typ and pos >= after)


def _sheet_start(stream: bytearray) -> int:
    """Where the first worksheet's records start (its BOUNDSHEET's offset)."""
    return struct.unpack_from("<I", stream, _first(stream, xls_scan.BOUNDSHEET) + 4)[0]


def refused(data: bytes, world, match: str, monkeypatch, limits: Limits | None = None) -> None:
    """The file is refused before the reader is started, and nothing is stored."""
    def no_reader(*_args: object) -> None:
        raise AssertionError("the reader ran")

    monkeypatch.setattr(workbook, "read", no_reader)
    with pytest.raises(ImportFileError, match=match):
        run(data, world, dry_run=False, limits=limits)
    assert SocialAccount.objects.count() == 2  # the world's two accounts, nothing more


def test_biff8_far_corner_cell_is_refused_before_the_reader(world, xls, tmp_path, monkeypatch) -> None:
    """Ensure that one cell at row 65536, column IV (the farthest BIFF8 can address: 65,536 x
    256 = 16.7M cells, four times Limits.max_cells) is scanned without trouble and refused
    before the reader allocates that area, as for .xlsx."""
    assert 65536 * 256 > Limits().max_cells

    def far(stream: bytearray) -> None:
        cell = next(p for p, t, _ in _records(bytes(stream)) if t in (0x00FD, 0x027E, 0x0203)
                    and p > _sheet_start(stream))
        struct.pack_into("<HH", stream, cell + 4, 65535, 255)

    crafted = _patched(xls, tmp_path, far)
    scan = xls_scan.scan(crafted, Limits())[MAIN]
    assert (scan.max_row, scan.max_col) == (65536, 256)
    refused(crafted, world, "quá lớn", monkeypatch)


def test_far_cell_in_a_chart_sheet_is_refused_too(world, xls, tmp_path, monkeypatch) -> None:
    """Ensure that a far cell in a sheet marked as a chart sheet (never imported, but the
    reader parses every sheet when it opens the file) is refused before the reader."""
    def chart(stream: bytearray) -> None:
        third = _first(stream, xls_scan.BOUNDSHEET)
        for _ in range(2):
            third = _first(stream, xls_scan.BOUNDSHEET, third + 1)
        stream[third + 4 + 5] = 0x02
        start = struct.unpack_from("<I", stream, third + 4)[0]
        cell = next(p for p, t, _ in _records(bytes(stream)) if t in (0x00FD, 0x027E) and p > start)
        struct.pack_into("<HH", stream, cell + 4, 65535, 255)

    refused(_patched(xls, tmp_path, chart), world, f"“{HIDDEN}”.*quá lớn", monkeypatch)


def test_declared_dimensions_are_bounded(world, xls, tmp_path, monkeypatch) -> None:
    """Ensure that a DIMENSIONS record declaring 4 billion rows (the reader reserves its area
    first), or a reversed one (it would wrap round), is refused before the reader."""
    def huge(stream: bytearray) -> None:
        struct.pack_into("<IIHH", stream, _first(stream, xls_scan.DIMENSIONS) + 4, 0, 0xFFFFFFFF, 0, 12)

    def reversed_rows(stream: bytearray) -> None:
        struct.pack_into("<IIHH", stream, _first(stream, xls_scan.DIMENSIONS) + 4, 900, 10, 0, 12)

    refused(_patched(xls, tmp_path, huge), world, "quá lớn", monkeypatch)
    refused(_patched(xls, tmp_path, reversed_rows), world, r"Tệp \.xls bị hỏng.*kích thước", monkeypatch)


def test_merged_ranges_are_bounded(world, xls, tmp_path, monkeypatch) -> None:
    """Ensure that merged ranges covering more cells than the dense-area limit (each is
    filled down cell by cell after reading), or a MERGEDCELLS record counting more ranges
    than it holds (the reader indexes past it), are refused before the reader."""
    def whole_sheet(stream: bytearray) -> None:
        struct.pack_into("<HHHH", stream, _first(stream, xls_scan.MERGEDCELLS) + 6, 0, 65535, 0, 255)

    def overcounted(stream: bytearray) -> None:
        struct.pack_into("<H", stream, _first(stream, xls_scan.MERGEDCELLS) + 4, 900)

    refused(_patched(xls, tmp_path, whole_sheet), world, "quá nhiều ô gộp", monkeypatch)
    refused(_patched(xls, tmp_path, overcounted), world, r"Tệp \.xls bị hỏng.*gộp ô", monkeypatch)


def test_password_protected_workbook_is_refused(world, xls, tmp_path, monkeypatch) -> None:
    """Ensure that a FILEPASS record (an encrypted workbook) is refused with the password message."""
    def filepass(stream: bytearray) -> None:
        pos = next(p for p, t, s in _records(bytes(stream)) if t == 0x00E1 and s == 2)  # INTERFACEHDR
        struct.pack_into("<HHH", stream, pos, xls_scan.FILEPASS, 2, 1)

    refused(_patched(xls, tmp_path, filepass), world, PASSWORD_MESSAGE, monkeypatch)


def test_macro_sheet_is_refused(world, xls, tmp_path, monkeypatch) -> None:
    """Ensure that an Excel 4 macro sheet (BOUNDSHEET type 1) is refused as a macro workbook."""
    def macro(stream: bytearray) -> None:
        stream[_first(stream, xls_scan.BOUNDSHEET) + 4 + 5] = 0x01

    refused(_patched(xls, tmp_path, macro), world, "macro", monkeypatch)


@pytest.mark.parametrize(("change", "match"), [
    (lambda s: struct.pack_into("<H", s, _first(s, 0x00E2) + 2, 0xFFFF), "vượt quá cuối"),  # record past the end
    (lambda s: struct.pack_into("<i", s, _first(s, xls_scan.SST) + 8, 0x7FFFFFFF), "bảng chuỗi"),
    (lambda s: struct.pack_into("<I", s, _first(s, xls_scan.BOUNDSHEET) + 4, 0xFFFFFF), "nằm ngoài"),
    (lambda s: struct.pack_into("<I", s, _first(s, xls_scan.BOUNDSHEET) + 4, 40), "chồng lên"),  # inside the globals
    (lambda s: struct.pack_into("<I", s, _first(s, xls_scan.BOUNDSHEET) + 4, _sheet_start(s) + 4), "BOF"),
    (lambda s: s.__setitem__(_first(s, xls_scan.BOUNDSHEET) + 4 + 4, 7), "trạng thái"),  # visibility 7
    (lambda s: s.__setitem__(_first(s, xls_scan.BOUNDSHEET) + 4 + 6, 200), "tên trang tính bị cắt"),
    (lambda s: struct.pack_into("<H", s, _first(s, 0x027E, _sheet_start(s)), xls_scan.MULRK), "MULRK"),
    (lambda s: s.__setitem__(_first(s, xls_scan.BOUNDSHEET) + 4 + 6, len(LATIN)), "cùng tên"),  # MAIN cut to LATIN
    (lambda s: struct.pack_into("<H", s, _first(s, xls_scan.EOF, _sheet_start(s)), 0x0201), "EOF|BOF|bị cắt"),
])
def test_damaged_records_give_a_vietnamese_message(world, xls, tmp_path, monkeypatch, change, match) -> None:
    """Ensure that damaged records (too long, a string table larger than the stream, a sheet
    outside the stream or not starting with BOF, a bad visibility, a cut name, a run of
    numbers of the wrong length, two sheets of one name, a sheet without its end) are refused as a damaged .xls."""
    refused(_patched(xls, tmp_path, change), world, rf"Tệp \.xls bị hỏng.*({match})", monkeypatch)


def test_two_sheets_on_the_same_records_are_refused(xls, tmp_path) -> None:
    """Ensure that two sheets pointing at the same records (a way to make the scan walk the
    stream once per sheet) are refused."""
    def same(stream: bytearray) -> None:
        first = _first(stream, xls_scan.BOUNDSHEET)
        second = _first(stream, xls_scan.BOUNDSHEET, first + 1)
        stream[second + 4:second + 8] = stream[first + 4:first + 8]

    with pytest.raises(ImportFileError, match="chồng lên"):
        xls_scan.scan(_patched(xls, tmp_path, same), Limits())


def test_sheet_and_record_counts_are_capped(world, xls, monkeypatch) -> None:
    """Ensure that a workbook declaring more sheets than allowed, or holding more records
    than the scan walks, is refused before the reader."""
    refused(xls, world, "quá nhiều trang tính", monkeypatch, Limits(max_sheets=2))
    refused(xls, world, "quá nhiều bản ghi", monkeypatch, Limits(xls_records=50))


def test_garbage_truncated_and_foreign_ole_files(world, xls, monkeypatch) -> None:
    """Ensure that an OLE2 header over garbage, a file cut in half, and a compound file with
    no Workbook stream (a Word file, say) or an encrypted .xlsx inside get a Vietnamese message."""
    refused(package.OLE2 + b"\0" * 100, world, r"Tệp \.xls bị hỏng", monkeypatch)
    refused(xls[: len(xls) // 2], world, r"Tệp \.xls bị hỏng", monkeypatch)
    entry = "Workbook".encode("utf-16-le")
    assert xls.count(entry) == 1
    refused(xls.replace(entry, "WordDocu".encode("utf-16-le")), world, "không phải bảng tính Excel 97–2003", monkeypatch)
    name = "EncryptionInfo\0".encode("utf-16-le")
    at = xls.index(entry)
    foreign = bytearray(xls)
    foreign[at:at + len(name)] = name
    struct.pack_into("<H", foreign, at + 64, len(name))  # the entry's name length
    refused(bytes(foreign), world, PASSWORD_MESSAGE, monkeypatch)


def test_sector_chain_looping_on_itself_is_bounded(world, xls, monkeypatch) -> None:
    """Ensure that a compound file whose Workbook sector chain loops on itself is read no
    further than the stream's declared size (never more than the file) and refused."""
    looped = bytearray(xls)
    entry = looped.index("Workbook".encode("utf-16-le"))
    start = struct.unpack_from("<I", looped, entry + 116)[0]
    sector = 1 << struct.unpack_from("<H", looped, 30)[0]
    fat = (struct.unpack_from("<I", looped, 76)[0] + 1) * sector  # the first FAT sector
    struct.pack_into("<I", looped, fat + 4 * start, start)
    refused(bytes(looped), world, r"Tệp \.xls bị hỏng", monkeypatch)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(flips=st.lists(st.tuples(st.integers(0, 10 ** 9), st.integers(0, 255)), min_size=1, max_size=8),
       cut=st.integers(0, 10 ** 9))
def test_any_damage_ends_in_a_vietnamese_message_or_a_scan(xls, flips, cut) -> None:
    """Ensure that random bytes written into the Workbook stream, the stream cut short, or
    random bytes over the compound file (its header and tables first) never escape as
    anything but ImportFileError, and always finish."""
    ole = olefile.OleFileIO(io.BytesIO(xls))
    stream = bytearray(ole.openstream("Workbook").read())
    for at, value in flips:  # a third of the examples aim at the globals (names, offsets, counts)
        stream[at % (len(stream) if cut % 3 else 3000)] = value
    for data in (bytes(stream), bytes(stream[: cut % len(stream)])):
        try:
            scans, _ = xls_scan._globals(data, xls_scan._Budget(Limits()), Limits())
            for offset, name in scans:
                xls_scan._sheet(data, offset, xls_scan._Budget(Limits()), Limits(), name)
        except ImportFileError as err:
            assert str(err).startswith(("Tệp", "Trang tính"))
    whole = bytearray(xls)  # the same bytes over the whole file: the container's tables too
    for at, value in flips:
        whole[at % 2048 if cut % 2 else at % len(whole)] = value
    try:
        xls_scan.scan(bytes(whole), Limits())
    except ImportFileError as err:
        assert str(err).startswith(("Tệp", "Trang tính"))


def test_soffice_is_there() -> None:
    """Ensure that the office converter the fixtures use is installed (never a silent skip)."""
    assert SOFFICE and shutil.which(SOFFICE)
