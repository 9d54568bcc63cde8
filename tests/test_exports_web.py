"""Ensure that "Xuất Excel" exports exactly what the list shows (filters, search, scope),
that the row cap holds, and that ``flask forms export`` writes the same forms."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient

from models import Site, SocialAccount
from tests import factories

DATA_ROW = 9  # title block (5 rows), a blank row, the header and the numbering rows come first


def download(client: FlaskClient, url: str) -> openpyxl.Workbook:
    response = client.get(url)
    try:
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        assert response.mimetype.endswith("spreadsheetml.sheet")
        return openpyxl.load_workbook(io.BytesIO(response.get_data()))
    finally:
        response.close()


def data_rows(wb: openpyxl.Workbook) -> list[tuple]:
    ws = wb.active
    rows = []
    for row in ws.iter_rows(min_row=DATA_ROW, values_only=True):
        if not isinstance(row[0], int):
            break
        rows.append(row)
    return rows


def filter_arg(app: Flask, endpoint: str, label: str) -> str:
    """The query-string key Flask-Admin gives the view's filter named ``label``."""
    view = next(v for v in app.extensions["panel_admin"]._views if v.endpoint == endpoint)
    return next(key for key, (_, flt) in view._filter_args.items() if flt.name.startswith(label))


@pytest.fixture
def more(world: factories.World) -> dict:
    """Commune XA gets a second cell and people whose names test the Vietnamese order."""
    cell2 = factories.org("XA-2", "Chi bộ thôn 2", world.commune_a)
    people = {name: factories.member(cell2, name) for name in
              ("Đỗ Văn Đức", "Lê Thị Ân", "Phạm Văn Dũng", "Trần Văn An")}
    for i, m in enumerate(people.values()):
        factories.account(m, f"https://zalo.me/09{i}1234567", platform="Zalo",
                          registration_phone="0912345678", established_on=dt.date(2021, 2, 3))
    return {"cell2": cell2, **people}


def test_export_groups_by_cell_and_sorts_by_vietnamese_name(officer_client: FlaskClient, more: dict) -> None:
    wb = download(officer_client, "/admin/socialaccount/export-xlsx/")
    rows = data_rows(wb)
    assert [r[0] for r in rows] == [1, 2, 3, 4, 5]
    assert [(r[1], r[2]) for r in rows] == [
        ("Chi bộ thôn 1", "Nguyễn Văn An"),
        ("Chi bộ thôn 2", "Trần Văn An"), ("Chi bộ thôn 2", "Lê Thị Ân"),
        ("Chi bộ thôn 2", "Phạm Văn Dũng"), ("Chi bộ thôn 2", "Đỗ Văn Đức")]
    assert rows[1][7] == "0912345678" and rows[1][9] == "03/02/2021"
    ws = wb.active
    assert ws["A2"].value == "ĐẢNG ỦY XÃ AN HÒA" and ws["A1"].value == "ĐẢNG BỘ HUYỆN VĨNH BẢO"


def test_officer_never_exports_a_sibling_commune(app: Flask, officer_client: FlaskClient, world: factories.World) -> None:
    """Ensure crafted filters, search and ``org`` parameters cannot reach commune XB's rows."""
    org_arg = filter_arg(app, "socialaccount", "Tổ chức")
    for query in (f"?flt0_{org_arg}={world.commune_b.pk}", f"?flt0_{org_arg}={world.cell_b.pk}",
                  f"?org={world.commune_b.pk}", "?search=Trần Thị Bình", '?search={"$ne": ""}',
                  f"?flt0_{org_arg}={world.district.pk}", "?flt9_scope__ne=x"):
        wb = download(officer_client, f"/admin/socialaccount/export-xlsx/{query}")
        names = {r[2] for r in data_rows(wb)}
        assert "Trần Thị Bình" not in names, query
        assert wb.active["A2"].value == "ĐẢNG ỦY XÃ AN HÒA", query
    wb = download(officer_client, "/admin/site/export-xlsx/")
    assert [r[5] for r in data_rows(wb)] == ["nguyenvanan.blogspot.com"]


def test_export_honours_filters_and_search(app: Flask, officer_client: FlaskClient, world: factories.World, more: dict) -> None:
    platform = filter_arg(app, "socialaccount", "Loại mạng xã hội")
    rows = data_rows(download(officer_client, f"/admin/socialaccount/export-xlsx/?flt0_{platform}=Zalo"))
    assert {r[4] for r in rows} == {"Zalo"} and len(rows) == 4
    rows = data_rows(download(officer_client, "/admin/socialaccount/export-xlsx/?search=dung"))
    assert [r[2] for r in rows] == ["Phạm Văn Dũng"]
    org_arg = filter_arg(app, "socialaccount", "Tổ chức")
    wb = download(officer_client, f"/admin/socialaccount/export-xlsx/?flt0_{org_arg}={world.cell_a.pk}")
    assert [r[2] for r in data_rows(wb)] == ["Nguyễn Văn An"]
    assert wb.active["A2"].value == "CHI BỘ THÔN 1" and wb.active["A1"].value == "ĐẢNG BỘ XÃ AN HÒA"


def test_list_page_links_the_export_with_its_filters(officer_client: FlaskClient, more: dict) -> None:
    html = officer_client.get("/admin/socialaccount/?search=dung&page=2").get_data(as_text=True)
    href = re.search(r'href="([^"]*export-xlsx[^"]*)"', html).group(1)
    assert "Xuất Excel" in html and "search=dung" in href and "page" not in href


def test_soft_deleted_records_are_not_exported(officer_client: FlaskClient, world: factories.World) -> None:
    world.account_a.update(set__deleted_at=dt.datetime(2026, 1, 1))
    assert data_rows(download(officer_client, "/admin/socialaccount/export-xlsx/")) == []


def test_row_cap_refuses_mass_export(app: Flask, officer_client: FlaskClient, more: dict) -> None:
    app.config["EXPORT_ROW_CAP"] = 3
    response = officer_client.get("/admin/socialaccount/export-xlsx/?search=van")
    assert response.status_code == 302 and "search=van" in response.headers["Location"]
    page = officer_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "vượt giới hạn xuất 3 bản ghi" in page


def test_anonymous_and_deactivated_users_cannot_export(app: Flask, client: FlaskClient, world: factories.World,
                                                       login) -> None:
    response = client.get("/admin/socialaccount/export-xlsx/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    user = factories.user("xem_a", world.commune_a, "viewer")
    viewer = login("xem_a")
    assert len(data_rows(download(viewer, "/admin/socialaccount/export-xlsx/"))) == 1
    user.update(set__active=False)
    response = viewer.get("/admin/socialaccount/export-xlsx/")
    assert response.status_code in (302, 403)
    assert not response.mimetype.endswith("spreadsheetml.sheet")


def test_cli_exports_the_subtree(runner, world: factories.World, tmp_path: Path) -> None:
    out = tmp_path / "mau2.xlsx"
    result = runner.invoke(args=["forms", "export", "social", "--org", "xa", "--as-of", "2026-10-31", "-o", str(out)])
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(out)
    assert wb.active["A5"].value == "(Cập nhật đến ngày 31 tháng 10 năm 2026)"
    assert [r[2] for r in data_rows(wb)] == ["Nguyễn Văn An"]
    result = runner.invoke(args=["forms", "export", "sites", "--org", "HU", "-o", str(tmp_path / "mau1.xlsx")])
    assert result.exit_code == 0 and "2 dòng" in result.output
    assert sorted(r[5] for r in data_rows(openpyxl.load_workbook(tmp_path / "mau1.xlsx"))) == [
        world.site_a.domain, world.site_b.domain]


def test_cli_on_behalf_of_a_user_stays_in_scope(runner, world: factories.World, tmp_path: Path) -> None:
    factories.user("canbo_a", world.commune_a, "officer")
    out = tmp_path / "x.xlsx"
    result = runner.invoke(args=["forms", "export", "social", "--org", "XB", "--user", "canbo_a", "-o", str(out)])
    assert result.exit_code != 0 and "ngoài phạm vi" in result.output and not out.exists()
    result = runner.invoke(args=["forms", "export", "social", "--org", "NOPE", "-o", str(out)])
    assert result.exit_code != 0 and "Không tìm thấy tổ chức" in result.output


def test_overlong_value_is_reported_not_cut(runner, officer_client: FlaskClient, world: factories.World,
                                            tmp_path: Path) -> None:
    """Ensure a value over Excel's cell limit (data written around the model) stops the export with a
    message, on the web and in the CLI, and leaves no partial file."""
    SocialAccount._get_collection().update_one({"_id": world.account_a.pk}, {"$set": {"purpose": "x" * 40000}})
    response = officer_client.get("/admin/socialaccount/export-xlsx/")
    assert response.status_code == 302
    assert "32.767" in officer_client.get(response.headers["Location"]).get_data(as_text=True)
    out = tmp_path / "x.xlsx"
    result = runner.invoke(args=["forms", "export", "social", "--org", "XA", "-o", str(out)])
    assert result.exit_code != 0 and "32.767" in result.output
    assert not out.exists() and list(tmp_path.iterdir()) == []
    assert Site.objects.count() == 2


def test_exports_are_audited(officer_client: FlaskClient, world: factories.World) -> None:
    from models.audit import AuditEntry

    download(officer_client, "/admin/socialaccount/export-xlsx/?search=an")
    entry = AuditEntry.objects(action="export").order_by("-at").first()
    assert entry.username == "canbo_a" and entry.collection == "social_accounts"
    assert "1 dòng" in entry.detail and "search=an" in entry.detail and "XA" in entry.detail


def test_same_named_cells_of_two_communes_stay_apart(admin_client: FlaskClient, world: factories.World) -> None:
    """Ensure rows are grouped by cell in tree order, not by cell name (communes reuse names)."""
    twin = factories.org("XB-2", "Chi bộ thôn 1", world.commune_b)
    factories.account(factories.member(twin, "Lê Văn A"), "https://www.facebook.com/levana")
    rows = data_rows(download(admin_client, "/admin/socialaccount/export-xlsx/"))
    assert [(r[1], r[2]) for r in rows] == [("Chi bộ thôn 1", "Nguyễn Văn An"), ("Chi bộ thôn Đông", "Trần Thị Bình"),
                                            ("Chi bộ thôn 1", "Lê Văn A")]


def test_export_counts_once_and_projects_the_exported_fields(officer_client: FlaskClient, more: dict) -> None:
    """Ensure that a list export counts its rows once (against the cap) and asks the store for
    the form's fields only (no search keys, no scope arrays per row)."""
    from tests.budget import Budget

    with Budget() as budget:
        response = officer_client.get("/admin/socialaccount/export-xlsx/")
        assert response.status_code == 200
        response.close()
    assert sum(1 for c in budget.commands if c == ("social_accounts", "count")) == 1
    fields = {k for p in budget.projections["social_accounts"] if p for k, v in dict(p).items() if v}
    # quality_issues: the export counts the rows carrying invalid data (and says so)
    assert {"member_name", "url", "platform", "quality_issues"} <= fields and not fields & {"search_keys", "scope"}
