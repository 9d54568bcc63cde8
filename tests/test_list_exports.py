"""Ensure that "Xuất Excel" on the members, documents and meetings lists writes what the list
shows (scope, filters) in a printable layout, and that the roster export is text only."""

import datetime as dt
import io

import openpyxl
import pytest

from models import Meeting, PartyDocument
from tests import factories


def _sheet(client, url):
    r = client.get(url)
    try:
        assert r.status_code == 200, r.status_code
        return openpyxl.load_workbook(io.BytesIO(r.get_data())).active
    finally:
        r.close()


def _data(ws):
    return [row for row in ws.iter_rows(min_row=9, values_only=True) if isinstance(row[0], int)]


def test_members_list_exports_the_roster_in_scope(officer_client, world):
    factories.member(world.cell_a, "Vũ Văn Công Chức", is_party_member=False, gender="nam",
                     date_of_birth=dt.date(1990, 2, 3), party_card_number=None)
    page = officer_client.get("/admin/member/").get_data(as_text=True)
    assert "Xuất Excel" in page and "/admin/member/export-xlsx/" in page
    ws = _sheet(officer_client, "/admin/member/export-xlsx/")
    assert ws["A4"].value == "DANH SÁCH CÁN BỘ, ĐẢNG VIÊN"
    headers = [c.value for c in ws[7]]
    assert headers == ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Chi bộ", "Chức vụ", "Ngày vào Đảng",
                       "Ngày chính thức", "Số thẻ đảng viên", "Trạng thái", "Đảng viên/không phải đảng viên",
                       "Số điện thoại", "Email", "Mã bản ghi (không in)"]  # hidden, outside the print area
    assert ws.column_dimensions["N"].hidden
    rows = {r[1]: r for r in _data(ws)}
    assert set(rows) == {"Nguyễn Văn An", "Vũ Văn Công Chức"}  # not commune B's people
    assert rows["Vũ Văn Công Chức"][2:5] == ("03/02/1990", "Nam", "Chi bộ thôn 1")
    assert rows["Vũ Văn Công Chức"][10] == "Không phải đảng viên" and rows["Nguyễn Văn An"][11] == "0912345678"


@pytest.mark.parametrize("path,title", [("partydocument", "DANH SÁCH VĂN BẢN, VĂN KIỆN"),
                                        ("meeting", "DANH SÁCH BUỔI SINH HOẠT, HỘI HỌP")])
def test_documents_and_meetings_lists_export(officer_client, world, path, title):
    PartyDocument(number="12-NQ/ĐU", title="=HYPERLINK(\"http://x\")", issued_on=dt.date(2026, 1, 5),
                  organisation=world.commune_a).save()
    PartyDocument(number="9-NQ/ĐU", title="Của xã B", issued_on=dt.date(2026, 1, 5), organisation=world.commune_b).save()
    Meeting(organisation=world.cell_a, held_on=dt.date(2026, 2, 10), topic="Sinh hoạt tháng 2").save()
    Meeting(organisation=world.cell_b, held_on=dt.date(2026, 2, 10), topic="Của xã B").save()
    ws = _sheet(officer_client, f"/admin/{path}/export-xlsx/")
    assert ws["A4"].value == title
    rows = _data(ws)
    assert len(rows) == 1 and "Của xã B" not in str(rows)
    if path == "partydocument":
        assert rows[0][2] == '=HYPERLINK("http://x")' and ws.cell(9, 3).data_type == "s"  # text, not a formula
