"""Ensure that the screens read as officers need them: units named with their place,
times in Vietnam, one-line lists with invalid values marked, the column chooser and
saved filters per user, details pages with related records, row icons by permission,
the social-account ``url`` field kept apart from the return page, duplicates named."""

from __future__ import annotations

import datetime as dt
import re

from models import AuditEntry, Member, SocialAccount, normalize
from models.organisation import path_label, place_of, unit_label
from models.preferences import COLUMNS, FILTER, ScreenPreference
from tests import factories
from tests.conftest import csrf_token


def _post(client, path, data, page=None):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, page or "/admin/")})


def test_unit_label_names_the_place():
    """Ensure that one label tells apart the cells of different communes."""
    assert unit_label(["Huyện ủy Vĩnh Bảo", "Đảng bộ Xã Tân Hưng", "Chi bộ thôn 1"]) == "Chi bộ thôn 1 — xã Tân Hưng"
    assert unit_label(["Huyện ủy Vĩnh Bảo", "Đảng bộ Xã Tân Hưng"]) == "Đảng bộ Xã Tân Hưng — huyện Vĩnh Bảo"
    assert unit_label(["Huyện ủy Vĩnh Bảo"]) == "Huyện ủy Vĩnh Bảo"
    assert place_of("Đảng bộ Phường 3") == "phường 3" and place_of("Chi bộ Trường THCS") == "Trường THCS"
    assert path_label(["A", "B", "C"]) == "A › B › C"


def test_times_are_shown_in_vietnam():
    """Ensure that a stored UTC moment is shown in Asia/Ho_Chi_Minh (20:33 UTC is 03:33 the next day)."""
    assert normalize.format_moment(dt.datetime(2026, 11, 29, 20, 33)) == "30/11/2026 03:33"


def test_lists_name_each_unit_with_its_place(admin_client, world):
    twin = factories.org("XB-9", "Chi bộ thôn 1", world.commune_b)
    factories.member(twin, "Lê Văn Cường")
    html = admin_client.get("/admin/member/").get_data(as_text=True)
    assert "Chi bộ thôn 1 — xã An Hòa" in html and "Chi bộ thôn 1 — xã Bình Minh" in html
    # the filter offers the full path of every unit
    assert "Huyện ủy Vĩnh Bảo › Đảng bộ xã Bình Minh › Chi bộ thôn 1" in html
    picker = admin_client.get("/admin/member/ajax/lookup/?name=organisation&query=thon").get_json()
    assert {"Chi bộ thôn 1 — xã An Hòa", "Chi bộ thôn 1 — xã Bình Minh"} <= {text for _, text in picker}


def test_audit_list_shows_vietnamese_time_without_utc(admin_client, world):
    AuditEntry(action="login", username="x", at=dt.datetime(2026, 11, 29, 20, 33), scope=[world.district.pk]).save()
    html = admin_client.get("/admin/audit/").get_data(as_text=True)
    assert "30/11/2026 03:33" in html and "(UTC)" not in html


def test_invalid_values_are_marked_with_the_reason(admin_client, world):
    bad = Member(full_name="Phạm Sai Số", organisation=world.cell_a, position="Đảng viên", phone="1234567",
                 email="khongco-email")
    bad.save_legacy()
    html = admin_client.get("/admin/member/").get_data(as_text=True)
    marks = re.findall(r'<span class="value-invalid" title="([^"]+)">([^<]*)', html)
    assert {v.strip() for _, v in marks} >= {"1234567", "khongco-email"}
    assert all(reason.strip() for reason, _ in marks)


def test_domains_are_shown_without_scheme(admin_client, world):
    factories.site(world.member_a, "https://tenblog.blogspot.com")
    html = admin_client.get("/admin/site/").get_data(as_text=True)
    assert ">tenblog.blogspot.com</a>" in html and ">https://tenblog.blogspot.com</a>" not in html


def test_social_account_url_is_not_the_return_page(officer_client, world):
    """Ensure that saving a social account opened from a bookmark returns to the list, not to its address."""
    data = {"member": str(world.member_a.pk), "platform": "Facebook", "account_name": "Thu Hoa",
            "url": "fb.com/thuhoa.ba", "link_type": "personal", "purpose": "Cá nhân"}
    r = _post(officer_client, "/admin/socialaccount/new/", data, "/admin/socialaccount/new/")
    assert r.status_code == 302 and r.headers["Location"].endswith("/admin/socialaccount/")
    assert SocialAccount.objects(account_name="Thu Hoa").count() == 1
    r = _post(officer_client, "/admin/socialaccount/new/", {**data, "url": "fb.com/thuhoa.bb", "_add_another": "1"},
              "/admin/socialaccount/new/")
    assert r.headers["Location"].endswith("/admin/socialaccount/new/?url=/admin/socialaccount/")
    page = officer_client.get("/admin/socialaccount/new/").get_data(as_text=True)
    assert "fb.com/thuhoa" not in page.split("<form")[0]
    # the row delete form still returns to the page it names
    acc = SocialAccount.objects(account_name="Thu Hoa").first()
    r = _post(officer_client, "/admin/socialaccount/delete/", {"id": str(acc.pk), "url": "/admin/socialaccount/?page=1"})
    assert r.headers["Location"].endswith("/admin/socialaccount/?page=1")


def test_officer_sees_no_icon_for_what_they_cannot_do(officer_client, world):
    html = officer_client.get("/admin/organisation/").get_data(as_text=True)
    rows = html.split("</thead>")[1].split("<tr")
    own = next(tr for tr in rows if "Đảng bộ xã An Hòa</span>" in tr and "col-name" in tr)
    assert "/admin/organisation/details/" in own  # may look
    assert "/admin/organisation/edit/" not in own and "fa-trash" not in own  # may not change its own commune
    cell = next(tr for tr in rows if "Chi bộ thôn 1</span>" in tr and "col-name" in tr)
    assert "/admin/organisation/edit/" in cell and "fa-trash" in cell  # positive control
    details = officer_client.get(f"/admin/organisation/details/?id={world.commune_a.pk}").get_data(as_text=True)
    assert "/admin/organisation/edit/" not in details


def test_column_chooser_is_remembered_per_user(officer_client, login, world):
    r = _post(officer_client, "/admin/member/columns/?url=/admin/member/",
              {"show": ["full_name", "org_name", "phone"]}, "/admin/member/")
    assert r.status_code == 302 and r.headers["Location"].endswith("/admin/member/")
    head = officer_client.get("/admin/member/").get_data(as_text=True).split("</thead>")[0]
    assert "column-header col-email" not in head and "column-header col-phone" in head
    assert ScreenPreference.objects.get(kind=COLUMNS).hidden_columns == ["email", "is_party_member", "position", "roles", "status"]
    factories.user("canbo_a2", world.commune_a, "officer")
    other = login("canbo_a2").get("/admin/member/").get_data(as_text=True).split("</thead>")[0]
    assert "column-header col-email" in other
    r = _post(officer_client, "/admin/member/columns/", {"show": []}, "/admin/member/")
    assert ScreenPreference.objects.get(kind=COLUMNS).hidden_columns  # refused: one column must stay
    assert "column-header col-phone" in officer_client.get("/admin/member/").get_data(as_text=True).split("</thead>")[0]


def test_saved_filters_per_user_and_shared_inside_scope(officer_client, login, world):
    query = f"flt0_0={world.cell_a.pk}&search=an"
    r = _post(officer_client, "/admin/member/saved-filters/", {"name": "Thôn 1", "query": query + "&evil=1",
                                                               "shared": "1"}, "/admin/member/")
    assert r.status_code == 302
    saved = ScreenPreference.objects.get(kind=FILTER)
    assert saved.query == query and saved.shared and saved.org == world.commune_a.pk
    html = officer_client.get("/admin/member/").get_data(as_text=True)
    assert f'href="/admin/member/?{query.replace("&", "&amp;")}">Thôn 1' in html
    # a user of a unit below sees it; a sibling commune's officer does not
    factories.user("chibo", world.cell_a, "viewer")
    assert "Thôn 1" in login("chibo").get("/admin/member/").get_data(as_text=True)
    factories.user("canbo_b", world.commune_b, "officer")
    sibling = login("canbo_b")
    assert "Thôn 1" not in sibling.get("/admin/member/").get_data(as_text=True)
    assert _post(sibling, "/admin/member/saved-filters/delete/", {"id": str(saved.pk)}, "/admin/member/").status_code == 404
    assert ScreenPreference.objects(kind=FILTER).count() == 1
    _post(officer_client, "/admin/member/saved-filters/delete/", {"id": str(saved.pk)}, "/admin/member/")
    assert ScreenPreference.objects(kind=FILTER).count() == 0


def test_member_details_list_sites_accounts_and_transfers(officer_client, world):
    html = officer_client.get(f"/admin/member/details/?id={world.member_a.pk}").get_data(as_text=True)
    assert f"/admin/site/details/?id={world.site_a.pk}" in html
    assert f"/admin/socialaccount/details/?id={world.account_a.pk}" in html
    assert "Quá trình chuyển sinh hoạt" in html and "Sinh hoạt, hội họp đã dự" in html


def test_organisation_details_list_units_people_and_figures(officer_client, world):
    html = officer_client.get(f"/admin/organisation/details/?id={world.commune_a.pk}").get_data(as_text=True)
    assert f"/admin/organisation/details/?id={world.cell_a.pk}" in html
    assert f"/admin/member/details/?id={world.member_a.pk}" in html
    assert "Trần Thị Bình" not in html and "Tài khoản mạng xã hội" in html


def test_duplicate_names_and_links_the_existing_record(officer_client, world):
    data = {"member": str(world.member_a.pk), "platform": "Facebook", "account_name": "Trùng",
            "url": "https://m.facebook.com/NguyenVanAn/", "link_type": "personal", "purpose": "Cá nhân"}
    html = _post(officer_client, "/admin/socialaccount/new/", data, "/admin/socialaccount/new/").get_data(as_text=True)
    assert f'<a href="/admin/socialaccount/details/?id={world.account_a.pk}">' in html


def test_trash_shows_address_and_who_binned(officer_client, world):
    _post(officer_client, "/admin/socialaccount/delete/", {"id": str(world.account_a.pk)})
    html = officer_client.get("/admin/trash/?c=socialaccount").get_data(as_text=True)
    assert "https://www.facebook.com/nguyenvanan" in html and "<td>canbo_a</td>" in html and "(UTC)" not in html


def test_forms_explain_themselves(admin_client, world):
    meeting = admin_client.get("/admin/meeting/new/").get_data(as_text=True)
    assert re.search(r'<textarea[^>]*name="agenda"', meeting) and re.search(r'<textarea[^>]*name="conclusions"', meeting)
    assert "để trống thì giữ nguyên mật khẩu cũ" in admin_client.get("/admin/user/new/").get_data(as_text=True)
    # party roles are no longer a bare multi-select: they are granted with a term on the person's page
    assert 'name="roles"' not in admin_client.get("/admin/member/new/").get_data(as_text=True)
