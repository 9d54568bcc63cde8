"""Ensure that the "Báo cáo" page offers only organisations in the user's scope, produces
each download, and refuses foreign organisations and bad dates with a clear message."""

from __future__ import annotations

import io

import openpyxl
from flask.testing import FlaskClient

from tests import factories


def get_xlsx(client: FlaskClient, url: str) -> openpyxl.Workbook:
    response = client.get(url)
    try:
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        assert "attachment" in response.headers["Content-Disposition"]
        return openpyxl.load_workbook(io.BytesIO(response.get_data()))
    finally:
        response.close()


def test_page_offers_only_the_users_subtree(officer_client: FlaskClient, world: factories.World) -> None:
    html = officer_client.get("/admin/reports/").get_data(as_text=True)
    assert "Tổng hợp số lượng hằng năm" in html and "Biến động trong tháng" in html and "Chất lượng dữ liệu" in html
    # the page starts on the officer's unit and never lists the tree (a province has thousands):
    # the picker asks /admin/don-vi/ as the officer types, within the subtree only
    assert str(world.commune_a.pk) in html and str(world.cell_a.pk) not in html
    assert str(world.commune_b.pk) not in html and str(world.district.pk) not in html
    offered = {pk for pk, _label in officer_client.get("/admin/don-vi/?query=").get_json()}
    assert {str(world.commune_a.pk), str(world.cell_a.pk)} <= offered
    assert str(world.commune_b.pk) not in offered and str(world.district.pk) not in offered
    # a unit named in the address starts the picker when it is in scope, never when it is not
    assert str(world.cell_a.pk) in officer_client.get(f"/admin/reports/?org={world.cell_a.pk}").get_data(as_text=True)
    html = officer_client.get(f"/admin/reports/?org={world.commune_b.pk}").get_data(as_text=True)
    assert str(world.commune_b.pk) not in html and str(world.commune_a.pk) in html


def test_each_download(officer_client: FlaskClient, world: factories.World) -> None:
    org = world.commune_a.pk
    wb = get_xlsx(officer_client, f"/admin/reports/download/?kind=annual&org={org}&as_of=2026-01-31")
    assert wb.active["A2"].value == "ĐẢNG ỦY XÃ AN HÒA"  # the issuing committee, not the party body
    assert wb.active["A5"].value == "(Tính đến ngày 31 tháng 01 năm 2026)"
    wb = get_xlsx(officer_client, f"/admin/reports/download/?kind=monthly&org={org}&month=10&year=2025")
    assert [ws.title for ws in wb.worksheets] == ["Tổng hợp", "Chi tiết"]
    wb = get_xlsx(officer_client, f"/admin/reports/download/?kind=quality&org={org}")
    assert wb.worksheets[1]["A4"].value == "DANH SÁCH HỒ SƠ CẦN BỔ SUNG, SỬA"
    wb = get_xlsx(officer_client, f"/admin/reports/download/?kind=social&org={world.cell_a.pk}&as_of=31/10/2026")
    ws = wb.active
    assert ws["A5"].value == "(Cập nhật đến ngày 31 tháng 10 năm 2026)" and ws["C9"].value == "Nguyễn Văn An"
    wb = get_xlsx(officer_client, f"/admin/reports/download/?kind=sites&org={org}")
    assert wb.active["F9"].value == "nguyenvanan.blogspot.com"


def test_foreign_or_bogus_organisation_is_refused(officer_client: FlaskClient, world: factories.World) -> None:
    for org in (world.commune_b.pk, world.cell_b.pk, world.district.pk, "x", '{"$ne": ""}'):
        for kind in ("annual", "social", "quality"):
            response = officer_client.get(f"/admin/reports/download/?kind={kind}&org={org}")
            assert response.status_code == 404, (kind, org)
    assert officer_client.get(f"/admin/reports/download/?kind=evil&org={world.commune_a.pk}").status_code == 404


def test_bad_dates_are_explained(officer_client: FlaskClient, world: factories.World) -> None:
    org = world.commune_a.pk
    for query, message in ((f"kind=annual&org={org}&as_of=31/02/2026", "Ngày không hợp lệ"),
                           (f"kind=annual&org={org}&as_of=01/01/2999", "không được sau hôm nay"),
                           (f"kind=monthly&org={org}&month=13&year=2025", "không hợp lệ"),
                           (f"kind=monthly&org={org}&month=x", "Hãy chọn tháng")):
        response = officer_client.get(f"/admin/reports/download/?{query}")
        assert response.status_code == 302, query
        assert message in officer_client.get(response.headers["Location"]).get_data(as_text=True), query


def test_admin_sees_every_organisation(admin_client: FlaskClient, world: factories.World) -> None:
    offered = {pk for pk, _label in admin_client.get("/admin/don-vi/?query=").get_json()}
    assert {str(world.commune_b.pk), str(world.district.pk)} <= offered
    assert str(world.commune_b.pk) in admin_client.get(f"/admin/reports/?org={world.commune_b.pk}").get_data(as_text=True)
    wb = get_xlsx(admin_client, f"/admin/reports/download/?kind=annual&org={world.district.pk}")
    assert [r[1] for r in wb.active.iter_rows(min_row=8, max_row=10, values_only=True)] == [
        "Đảng bộ xã An Hòa", "Đảng bộ xã Bình Minh", "Tổng cộng"]


def test_anonymous_is_sent_to_login(client: FlaskClient, world: factories.World) -> None:
    response = client.get(f"/admin/reports/download/?kind=annual&org={world.commune_a.pk}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
