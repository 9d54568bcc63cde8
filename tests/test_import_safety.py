"""Hostile and unusable files are refused cleanly, before any parsing (SECURITY 18-21)."""

from __future__ import annotations

import io
import re
import zipfile

import pytest

import imports
from imports import package
from imports.errors import Limits
from models import SocialAccount
from tests.fixtures.workbooks import workbook
from tests.test_import_reading import social_row

SHEET = "xl/worksheets/sheet1.xml"


def rebuild(data: bytes, replace: dict[str, bytes] | None = None, extra: dict[str, bytes] | None = None) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            dst.writestr(name, (replace or {}).get(name, src.read(name)))
        for name, content in (extra or {}).items():
            dst.writestr(name, content)
    return out.getvalue()


@pytest.fixture
def good() -> bytes:
    return workbook("social", [social_row(c7="facebook.com/an.moi")])


def refused(data: bytes, world, match: str, limits: Limits | None = None) -> None:
    with pytest.raises(imports.ImportFileError, match=match):
        imports.run(data, "social", world.commune_a, dry_run=False, limits=limits)
    assert SocialAccount.objects.count() == 2  # the world's two accounts, nothing more


def test_defusedxml_is_installed() -> None:
    """Ensure that defusedxml is importable (openpyxl and our checks rely on it)."""
    import defusedxml.ElementTree as safe

    with pytest.raises(Exception, match="(?i)dtd|entit"):
        safe.fromstring('<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', forbid_dtd=True)


def test_renamed_pdf_and_old_xls_and_garbage(world) -> None:
    """Ensure that a renamed PDF, an .xls and random bytes are named for what they are."""
    refused(b"%PDF-1.7\n1 0 obj<<>>endobj", world, "PDF")
    refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, world, r"\.xls")
    refused(b"hello, world", world, "không phải bảng tính")


def test_macro_workbook_refused(world, good) -> None:
    """Ensure that an .xlsm renamed .xlsx is refused by its content types and VBA part."""
    types = zipfile.ZipFile(io.BytesIO(good)).read("[Content_Types].xml").replace(
        b"spreadsheetml.sheet.main+xml", b"PLACEHOLDER").replace(
        b"application/vnd.openxmlformats-officedocument.PLACEHOLDER", b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
    refused(rebuild(good, {"[Content_Types].xml": types}, {"xl/vbaProject.bin": b"\0" * 64}), world, "macro")
    refused(rebuild(good, extra={"xl/vbaProject.bin": b"\0" * 64}), world, "macro")


def test_entity_bomb_refused(world, good) -> None:
    """Ensure that a billion-laughs DTD in a workbook part is refused before parsing."""
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            + b"".join(f'<!ENTITY lol{i} "{"&lol;" * 10 if i == 1 else f"&lol{i - 1};" * 10}">'.encode() for i in range(1, 10))
            + b']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol9;</t></si></sst>')
    refused(rebuild(good, {"xl/sharedStrings.xml": bomb}), world, "DTD")
    external = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>'
    refused(rebuild(good, {"docProps/core.xml": external}), world, "DTD")


def test_zip_bomb_refused_by_uncompressed_size_and_entry_count(world, good) -> None:
    """Ensure that a small file inflating to a huge sheet, or with thousands of entries,
    is refused from the zip directory, before any part is parsed."""
    bomb = rebuild(good, extra={"xl/media/zeros.bin": b"\0" * (50 * 1024 * 1024)})
    assert len(bomb) < 200 * 1024
    refused(bomb, world, "bom nén", Limits(max_uncompressed=20 * 1024 * 1024))
    many = rebuild(good, extra={f"customXml/item{i}.bin": b"x" for i in range(600)})
    refused(many, world, "quá nhiều thành phần")


def test_oversized_file_refused(world, good) -> None:
    """Ensure that a file over the size limit is refused."""
    refused(good, world, "quá lớn", Limits(max_bytes=len(good) - 1))


def test_declared_full_sheet_dimension_reads_only_real_rows(world, good) -> None:
    """Ensure that a sheet declaring A1:XFD1048576 is read quickly up to its real rows."""
    sheet = zipfile.ZipFile(io.BytesIO(good)).read(SHEET)
    sheet = re.sub(rb'<dimension ref="[^"]+"/>', b'<dimension ref="A1:XFD1048576"/>', sheet)
    summary = imports.run(rebuild(good, {SHEET: sheet}), "social", world.commune_a)
    assert (summary.rows, summary.created) == (1, 1)


@pytest.mark.parametrize("cell", [b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row>',
                                  b'<row r="2000"><c r="XFD2000"><v>1</v></c></row>'])
def test_far_away_value_refused_before_the_reader_allocates(world, good, cell) -> None:
    """Ensure that a value in a far row or column (the reader would allocate the whole
    rectangle, gigabytes) is refused by the streaming scan."""
    sheet = zipfile.ZipFile(io.BytesIO(good)).read(SHEET).replace(b"</sheetData>", cell + b"</sheetData>")
    refused(rebuild(good, {SHEET: sheet}), world, "quá lớn")


def test_row_cap(world) -> None:
    """Ensure that a table longer than the row cap stops there and fails as a whole."""
    rows = [social_row(c7=f"facebook.com/u{i}") for i in range(30)]
    refused(workbook("social", rows, signature=False), world, "quá nhiều dòng", Limits(max_rows=20))


def test_formula_never_stored(world) -> None:
    """Ensure that formula cells (even with a cached value beginning with "=") are rejected
    and never stored; a formula in STT (1) is harmless and ignored."""
    from tests.fixtures.workbooks import Formula

    rows = [social_row(c1=Formula("=ROW()-8", 1), c7="facebook.com/stt.formula"),
            social_row(c6=Formula('="=HYPERLINK(""http://x"")"', '=HYPERLINK("http://x")'), c7="facebook.com/f2")]
    summary = imports.run(workbook("social", rows), "social", world.commune_a, dry_run=False)
    assert summary.created == 1 and [e["column"] for e in summary.errors] == ["(6)"]
    assert not SocialAccount.objects(__raw__={"account_name": {"$regex": "^="}}).count()


FAR_CELLS = [
    b'<row r="1048576"><c t="inlineStr" r="XFD1048576"><is><t>x</t></is></c></row>',
    b'<row r="1048576"><c s="0" t="inlineStr" r="XFD1048576"><is><t>x</t></is></c></row>',
    b"<row r='900000'><c r='A900000' t='n'><v>1</v></c></row>",
    b'<row r="900000"><c t="n" r="$A$900000"><v>1</v></c></row>',
    b'<row r="900000"><c><v>1</v></c></row>',  # no reference at all: the row says where
    b'<x:row xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" r="900000">'
    b'<x:c r="B900000"><x:v>1</x:v></x:c></x:row>',
    b'<row r="900000"><c t="str" r="C900000"><f>1+1</f><v>2</v></c></row>',
    # a cell in another namespace: the reader takes elements by local name, so does the scan
    b'<row r="900000"><q:c xmlns:q="urn:other" r="D900000"><q:v>1</q:v></q:c></row>',
    b'<row r="900000"><c r="a900000"><v>1</v></c></row>',  # lower case: off the scan's fast path
    b'<row r="9"><c r="XFD900000"><v>1</v></c></row>',  # the cell's reference wins over its row's
]


@pytest.mark.parametrize("number", ["²", "٣", "1" * 12, "-5", ""])
def test_odd_row_numbers_never_break_the_scan(world, good, number) -> None:
    """Ensure that a row number in other digits (``²`` passes ``str.isdigit``, not ``int``),
    too long, negative or empty is counted from the row before, never an unhandled error."""
    row = f'<row r="{number}"><c t="inlineStr"><is><t>x</t></is></c></row>'.encode()
    sheet = zipfile.ZipFile(io.BytesIO(good)).read(SHEET).replace(b"</sheetData>", row + b"</sheetData>")
    before = [(s.max_row, s.max_col) for s in package.check(good, Limits()).sheets.values()]
    scan = package.check(rebuild(good, {SHEET: sheet}), Limits()).sheets
    assert [(s.max_row, s.max_col) for s in scan.values()] == [(before[0][0] + 1, before[0][1])]


@pytest.mark.parametrize("cell", FAR_CELLS)
def test_far_references_in_any_attribute_order_refused(world, good, cell) -> None:
    """Ensure that the XML parser finds a far cell whatever the attribute order, quoting,
    absolute markers, namespace prefix, or with no reference at all (issue 15)."""
    sheet = zipfile.ZipFile(io.BytesIO(good)).read(SHEET).replace(b"</sheetData>", cell + b"</sheetData>")
    refused(rebuild(good, {SHEET: sheet}), world, "quá lớn")


@pytest.mark.parametrize("formula", [
    b'<c t="str" r="F{r}"><f>CONCAT("An","")</f><v>An</v></c>',
    b'<c s="0" t="str" r="F{r}"><f t="shared" si="0" ref="F{r}:F{r}">A1</f><v>An</v></c>',
    b'<c r="F{r}" t="str"><f t="array" ref="F{r}:F{r}">A1</f><v>An</v></c>',
])
def test_formula_in_any_attribute_order_is_never_its_cached_value(world, good, formula) -> None:
    """Ensure that ``<c t="str" r="F2"><f>`` (type before reference), shared and array
    formulas are rejected as formulas, not imported as their cached value."""
    sheet = zipfile.ZipFile(io.BytesIO(good)).read(SHEET)
    r = b"9"  # the one data row of ``good`` (title block, header row 7, numbering row 8)
    cell = re.search(rb'<c r="F' + r + rb'"[^>]*?(?:/>|>.*?</c>)', sheet, re.S)
    sheet = sheet.replace(cell.group(0), formula.replace(b"{r}", r))
    summary = imports.run(rebuild(good, {SHEET: sheet}), "social", world.commune_a, dry_run=False)
    assert summary.created == 0 and [e["column"] for e in summary.errors] == ["(6)"]


def test_data_validation_formulas_after_the_data_are_not_formula_cells(world, good) -> None:
    """Ensure that the ``xm:f`` of a list validation or conditional format (in ``extLst``,
    after ``sheetData``, as Excel writes drop-down lists) does not turn the last cell of
    the table into a "formula" and its row into an error."""
    ext = (b'<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
           b'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
           b'<x14:dataValidations count="1" xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
           b'<x14:dataValidation type="list"><x14:formula1><xm:f>Lists!$A$1:$A$9</xm:f></x14:formula1>'
           b'<xm:sqref>E9</xm:sqref></x14:dataValidation></x14:dataValidations></ext></extLst>')
    sheet = zipfile.ZipFile(io.BytesIO(good)).read(SHEET).replace(b"</worksheet>", ext + b"</worksheet>")
    data = rebuild(good, {SHEET: sheet})
    assert [scan.formulas for scan in package.check(data, Limits()).sheets.values()] == [set()]
    summary = imports.run(data, "social", world.commune_a, dry_run=False)
    assert summary.errors == [] and summary.created == 1


def test_reader_runs_under_a_memory_ceiling(world, good) -> None:
    """Ensure that a reader running out of memory costs a refused file, not the worker: the
    reader's child process dies at its ceiling and this process carries on."""
    far = b'<row r="1048576"><c t="inlineStr" r="XFD1048576"><is><t>x</t></is></c></row>'
    sheet = zipfile.ZipFile(io.BytesIO(good)).read(SHEET).replace(b"</sheetData>", far + b"</sheetData>")
    # the scan is switched off (as for .xls, which has none): the reader meets the file itself
    refused(rebuild(good, {SHEET: sheet}), world, "bộ nhớ", Limits(max_cells=10 ** 15, reader_memory=512 * 1024 ** 2))
    assert imports.run(good, "social", world.commune_a).created == 1  # still alive, same file fine


def test_ods_repeated_cells_refused_before_reading(world) -> None:
    """Ensure that an .ods whose valued cell repeats over a million rows is refused by the scan."""
    content = (b'<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               b'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               b'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               b'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>'
               b'<table:table table:name="DS"><table:table-row table:number-rows-repeated="1000000">'
               b'<table:table-cell table:number-columns-repeated="200" office:value-type="string">'
               b'<text:p>x</text:p></table:table-cell></table:table-row></table:table>'
               b'</office:spreadsheet></office:body></office:document-content>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content)
    refused(out.getvalue(), world, "quá lớn")


def test_overlapping_merges_are_refused_not_walked(world) -> None:
    """Ensure that a crafted sheet declaring the same tall merge over the owner columns
    thousands of times (each one walked row by row) is refused, not worked through."""
    from imports import rows as rows_stage
    from imports.workbook import Sheet

    sheet = Sheet("Thôn 1", [["", "", "", "", ""] for _ in range(2_000)],
                  merged=[((1, 1), (1_999, 4))] * 5_000)
    with pytest.raises(imports.ImportFileError, match="gộp ô chồng lên nhau"):
        rows_stage._merged_down(sheet, {1: 0, 2: 1, 3: 2, 4: 3})
    sheet.merged = [((1, 1), (5, 4)), ((6, 1), (9, 4))]  # a real table: each owner cell once
    filled = rows_stage._merged_down(sheet, {1: 0, 2: 1, 3: 2, 4: 3})
    assert (5, 2) in filled and (9, 4) in filled and (10, 2) not in filled
