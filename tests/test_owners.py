"""Ensure that departed owners leave forms 1 and 2 and the annual totals unless asked for
(with a note on the sheet), that non-party people can be separated, and that the update date
column moves on a real change only."""

import datetime as dt
import io

import openpyxl

from models import Site, SocialAccount, normalize
from services import lifecycle, members, reports
from tests import factories
from tests.conftest import csrf_token

TODAY = normalize.today()


def _names(path_or_bytes) -> tuple[list[str], list[str]]:
    src = io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else path_or_bytes
    ws = openpyxl.load_workbook(src).active
    texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    names = [row[2] for row in ws.iter_rows(min_row=9, values_only=True) if row[2] and isinstance(row[0], int)]
    return names, texts


def _with_departed_and_non_party(world):
    admin = factories.user("quantrivien", world.district, "admin")
    lifecycle.leave(world.member_b, "deceased", TODAY, "Từ trần", admin)
    cc = factories.member(world.cell_a, "Vũ Văn Công Chức", is_party_member=False, position="Công chức")
    factories.account(cc, "https://www.facebook.com/congchuc")
    return admin


def test_departed_owners_absent_from_form_export_unless_asked(world, tmp_path):
    _with_departed_and_non_party(world)
    assert SocialAccount.objects.get(pk=world.account_b.pk).owner_status == "departed"
    out = tmp_path / "f2.xlsx"
    reports.export_form("social", out, world.district)
    names, texts = _names(out)
    assert "Trần Thị Bình" not in names and "Nguyễn Văn An" in names
    assert not any(t.startswith("Ghi chú") for t in texts)
    reports.export_form("social", out, world.district, include_departed=True)
    names, texts = _names(out)
    assert "Trần Thị Bình" in names
    assert any("gồm cả người đã rời danh sách" in t for t in texts)


def test_party_and_non_party_separable(world, tmp_path):
    _with_departed_and_non_party(world)
    out = tmp_path / "f2.xlsx"
    reports.export_form("social", out, world.district, people="non_party")
    names, texts = _names(out)
    assert names == ["Vũ Văn Công Chức"] and any("không phải là đảng viên" in t for t in texts)
    reports.export_form("social", out, world.district, people="party")
    assert _names(out)[0] == ["Nguyễn Văn An"]
    reports.export_form("social", out, world.district)
    assert sorted(_names(out)[0]) == ["Nguyễn Văn An", "Vũ Văn Công Chức"]


def test_annual_totals_exclude_departed_and_split_non_party(world):
    _with_departed_and_non_party(world)
    [tab] = reports.annual_tables(world.district, None, TODAY)
    rows = {r[0]: r for r in tab.rows}
    xa, xb = rows["Đảng bộ xã An Hòa"], rows["Đảng bộ xã Bình Minh"]
    assert xa[1:4] == [2, 1, 2] and xa[-4:] == [1, 1, 2, 1]
    assert xb[1:4] == [0, 0, 0]  # the deceased owner's site and account are not counted
    [tab] = reports.annual_tables(world.district, None, TODAY, include_departed=True)
    assert {r[0]: r for r in tab.rows}["Đảng bộ xã Bình Minh"][2:4] == [1, 1]


def test_list_owner_status_filter_and_web_export(world, admin_client):
    _with_departed_and_non_party(world)
    view = next(v for v in admin_client.application.extensions["panel_admin"]._views
                if getattr(v, "endpoint", "") == "socialaccount")
    i = next(n for n, f in enumerate(view._filters) if f.column == "owner_status")
    body = admin_client.get(f"/admin/socialaccount/?flt0_{i}=departed").get_data(as_text=True)
    assert "Trần Thị Bình" in body and "Nguyễn Văn An" not in body
    r = admin_client.get(f"/admin/socialaccount/export-xlsx/?flt0_{i}=departed")
    try:
        assert _names(r.get_data())[0] == ["Trần Thị Bình"]
    finally:
        r.close()
    r = admin_client.get("/admin/socialaccount/export-xlsx/")
    try:
        assert "Trần Thị Bình" not in _names(r.get_data())[0]
    finally:
        r.close()


def test_update_date_refreshed_on_real_change_only(world, admin_client):
    old = dt.datetime(2024, 1, 2)
    SocialAccount.objects(pk=world.account_a.pk).update(set__updated_on=old)
    acc = SocialAccount.objects.get(pk=world.account_a.pk)
    acc.save()  # nothing changed
    assert SocialAccount.objects.get(pk=acc.pk).updated_on == old
    path = f"/admin/socialaccount/edit/?id={acc.pk}"
    page = admin_client.get(path).get_data(as_text=True)
    assert "02/01/2024" in page
    form = {"member": str(world.member_a.pk), "platform": "Facebook", "account_name": "Nguyễn Văn An",
            "url": "https://www.facebook.com/nguyenvanan", "link_type": "personal", "established_on": "01/05/2020",
            "updated_on": "02/01/2024", "purpose": "Tuyên truyền", "csrf_token": csrf_token(admin_client, path)}
    assert admin_client.post(path, data=form).status_code == 302  # the same values: not a change
    assert SocialAccount.objects.get(pk=acc.pk).updated_on == old
    form["purpose"] = "Đấu tranh phản bác"
    admin_client.post(path, data=form)
    assert SocialAccount.objects.get(pk=acc.pk).updated_on.date() == TODAY
    # the owner's change (a transfer, a new name) is a change of the printed row too
    Site.objects(pk=world.site_a.pk).update(set__updated_on=old)
    m = world.member_a
    m.full_name = "Nguyễn Văn Ân"
    members.save(m, audited=False)
    assert Site.objects.get(pk=world.site_a.pk).updated_on.date() == TODAY


def test_explicit_update_date_is_kept(world):
    acc = SocialAccount.objects.get(pk=world.account_a.pk)
    acc.purpose, acc.updated_on = "Cá nhân", dt.datetime(2025, 5, 5)
    acc.save()
    assert SocialAccount.objects.get(pk=acc.pk).updated_on == dt.datetime(2025, 5, 5)


def test_update_date_refreshed_by_an_import_that_changes_the_row(world):
    import imports
    from tests.fixtures.workbooks import workbook
    from tests.test_import_reading import social_row

    old = dt.datetime(2024, 1, 2)
    SocialAccount.objects(pk=world.account_a.pk).update(set__updated_on=old)
    same = social_row(c6="Nguyễn Văn An", c7="https://www.facebook.com/nguyenvanan", c8="", c9="", c10="01/05/2020",
                      c11="", c12="Tuyên truyền")
    imports.run(workbook("social", [same]), "social", world.commune_a, dry_run=False)
    assert SocialAccount.objects.get(pk=world.account_a.pk).updated_on == old  # nothing changed
    changed = same[:11] + ["Đấu tranh phản bác"]
    summary = imports.run(workbook("social", [changed]), "social", world.commune_a, dry_run=False)
    assert summary.updated == 1
    assert SocialAccount.objects.get(pk=world.account_a.pk).updated_on.date() == TODAY
