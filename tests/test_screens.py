"""Ensure that every screen lists, creates, edits and deletes through the test client,
in Vietnamese, with errors shown at the field and nothing saved on bad input."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from models import Meeting, Member, Organisation, PartyDocument, Site, SocialAccount, User
from tests.conftest import csrf_token, seen_version

SCREENS = ["organisation", "member", "site", "socialaccount", "partydocument", "meeting", "user"]


@pytest.mark.parametrize("endpoint", SCREENS)
def test_list_and_new_pages_render(admin_client, endpoint):
    for path in (f"/admin/{endpoint}/", f"/admin/{endpoint}/new/"):
        r = admin_client.get(path)
        assert r.status_code == 200, path
        html = r.get_data(as_text=True)
        assert ("Lưu" in html) if path.endswith("/new/") else ("Danh sách" in html and "Thêm bộ lọc" in html)


def test_flask_admin_speaks_vietnamese(admin_client):
    html = admin_client.get("/admin/member/").get_data(as_text=True)
    assert "Danh sách" in html and "Thêm bộ lọc" in html
    assert "Create" not in html and "Delete" not in html and "Add Filter" not in html
    form = admin_client.get("/admin/member/new/").get_data(as_text=True)
    assert "Họ và tên" in form and "Full Name" not in form and "Đang sinh hoạt" in form


def _thead(client, path):
    html = client.get(path).get_data(as_text=True)
    return html[html.index("<thead"):html.index("</thead>")]


def test_official_column_names_in_order(admin_client):
    html = _thead(admin_client, "/admin/socialaccount/")
    headers = ["Chi bộ", "Họ và tên", "Cấp bậc, chức vụ", "Loại mạng xã hội", "Tên tài khoản",
               "Đường dẫn (Cá nhân/Trang/Hội nhóm...)", "Số điện thoại đăng ký", "Email đăng ký",
               "Thời gian thiết lập", "Thời gian cập nhật cơ sở dữ liệu", "Mục đích sử dụng"]
    positions = [html.find(h) for h in headers]
    assert all(p > 0 for p in positions) and positions == sorted(positions)
    html = _thead(admin_client, "/admin/site/")
    headers = ["Chi bộ", "Họ và tên", "Cấp bậc, chức vụ", "Tên trang web/blog", "Tên miền",
               "IP máy chủ/vị trí địa lý", "Số điện thoại đăng ký", "Email đăng ký", "Thời gian thiết lập",
               "Thời hạn hết hạn", "Thời gian cập nhật cơ sở dữ liệu", "Mục đích sử dụng"]
    positions = [html.find(h) for h in headers]
    assert all(p > 0 for p in positions) and positions == sorted(positions)


def _post(client, path, data):
    page = path if "/delete/" not in path else path.replace("delete/", "")
    seen = {"seen_version": seen_version(client, path)} if "/edit/" in path else {}
    data = {**seen, **data, "csrf_token": csrf_token(client, page)}
    return client.post(path, data=data, follow_redirects=False)


def test_create_edit_delete_member(admin_client, world):
    r = _post(admin_client, "/admin/member/new/", {
        "full_name": "  Lê  Thị Hoa ", "organisation": str(world.cell_a.pk), "position": "Đảng viên",
        "phone": "+84 912 000 111", "email": "hoa@example.com", "status": "active", "date_of_birth": "05/06/1980"})
    assert r.status_code == 302, r.get_data(as_text=True)[-2000:]
    m = Member.objects.get(full_name="Lê Thị Hoa")
    assert m.phone == "0912000111" and m.date_of_birth.strftime("%d/%m/%Y") == "05/06/1980"
    assert m.scope == [world.district.pk, world.commune_a.pk, world.cell_a.pk]
    r = _post(admin_client, f"/admin/member/edit/?id={m.pk}", {
        "full_name": "Lê Thị Hoa", "organisation": str(world.cell_b.pk), "position": "Bí thư chi bộ",
        "status": "active"})
    assert r.status_code == 302
    m.reload()
    assert m.position == "Bí thư chi bộ" and m.org_name == "Chi bộ thôn Đông"
    r = _post(admin_client, "/admin/member/delete/", {"id": str(m.pk), "url": "/admin/member/"})
    assert r.status_code == 302
    m.reload()
    assert m.deleted_at is not None
    assert str(m.pk) not in admin_client.get("/admin/member/").get_data(as_text=True)


def test_a_save_over_someone_elses_later_change_is_stopped(officer_client, world):
    """Ensure that no edit is lost silently: when another officer saves a record after this
    form was opened, saving the form changes nothing and says so (their change stays);
    saving again, knowingly, overwrites it. Every edit screen carries the version."""
    url = f"/admin/socialaccount/edit/?id={world.account_a.pk}"
    page = officer_client.get(url).get_data(as_text=True)
    seen = re.search(r'name="seen_version"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="seen_version"', page)
    assert seen, "the edit form carries the record's version"
    opened = seen.group(1) or seen.group(2)
    account = SocialAccount.objects.get(pk=world.account_a.pk)
    account.purpose = "Tuyên truyền, vận động"  # another officer, in another tab
    account.save()
    form = {"member": str(world.member_a.pk), "platform": "Facebook", "account_name": "An Nguyễn", "url": account.url,
            "link_type": "personal", "purpose": "Cá nhân", "seen_version": opened}
    stale = _post(officer_client, url, form)
    html = stale.get_data(as_text=True)
    assert stale.status_code == 200 and "sau khi bạn mở trang" in html and "chưa được lưu" in html, re.findall(r"(?:alert|invalid-feedback|help-block)[^>]*>([^<]+)", html)
    assert SocialAccount.objects.get(pk=account.pk).purpose == "Tuyên truyền, vận động"
    current = re.search(r'name="seen_version"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="seen_version"', html)
    again = _post(officer_client, url, {**form, "seen_version": current.group(1) or current.group(2)})
    assert again.status_code == 302
    assert SocialAccount.objects.get(pk=account.pk).purpose == "Cá nhân"
    for endpoint, record in (("member", world.member_a), ("site", world.site_a)):
        assert 'name="seen_version"' in officer_client.get(f"/admin/{endpoint}/edit/?id={record.pk}").get_data(as_text=True)


def test_a_save_landing_between_the_check_and_the_write_is_caught(officer_client, world, monkeypatch):
    """Ensure that the edit's write is conditional on the version it checked: a save made by
    someone else after the check (here: inside the save's own preparation) is not
    overwritten, and the officer is told."""
    from admin.base import SecuredModelView

    url = f"/admin/socialaccount/edit/?id={world.account_a.pk}"
    page = officer_client.get(url).get_data(as_text=True)
    opened = re.search(r'value="([^"]+)"[^>]*name="seen_version"|name="seen_version"[^>]*value="([^"]+)"', page)
    real = SecuredModelView.on_model_change

    def racing(self, form, model, is_created):
        other = SocialAccount.objects.get(pk=model.pk)
        other.purpose = "Tuyên truyền, vận động"  # another officer's save lands now
        other.save()
        return real(self, form, model, is_created)

    monkeypatch.setattr(SecuredModelView, "on_model_change", racing)
    form = {"member": str(world.member_a.pk), "platform": "Facebook", "account_name": "An Nguyễn",
            "url": world.account_a.url, "link_type": "personal", "purpose": "Cá nhân",
            "seen_version": opened.group(1) or opened.group(2)}
    r = _post(officer_client, url, form)
    assert r.status_code == 200 and "vừa được người khác sửa trong lúc lưu" in r.get_data(as_text=True)
    assert SocialAccount.objects.get(pk=world.account_a.pk).purpose == "Tuyên truyền, vận động"


@pytest.mark.parametrize("field,value,message", [
    ("phone", "12345", "Số điện thoại không hợp lệ"),
    ("email", "khong-co-a-cong", "Địa chỉ email không hợp lệ"),
    ("position", "", "Cấp bậc, chức vụ: bắt buộc phải nhập."),
    ("date_of_birth", "31/02/1980", "Ngày không hợp lệ"),
])
def test_member_form_rejects_at_field_and_keeps_input(admin_client, world, field, value, message):
    data = {"full_name": "Phạm Văn Dũng", "organisation": str(world.cell_a.pk), "position": "Đảng viên",
            "status": "active", "phone": "0912111222"}
    data[field] = value
    r = _post(admin_client, "/admin/member/new/", data)
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and message in html
    assert "Phạm Văn Dũng" in html  # what the user typed is kept
    assert Member.objects(full_name="Phạm Văn Dũng").count() == 0


def test_create_social_account_normalises(admin_client, world):
    r = _post(admin_client, "/admin/socialaccount/new/", {
        "member": str(world.member_a.pk), "platform": "facebook", "account_name": "An Nguyễn",
        "url": "facebook.com/an.nguyen.page", "link_type": "page", "admin_role": "Quản trị viên",
        "registration_phone": "912 345 678", "established_on": "01/02/2021", "updated_on": "",
        "purpose": "Tuyên truyền"})
    assert r.status_code == 302, r.get_data(as_text=True)[-3000:]
    acc = SocialAccount.objects.get(account_name="An Nguyễn")
    assert acc.platform == "Facebook" and acc.url == "https://facebook.com/an.nguyen.page"
    assert acc.registration_phone == "0912345678" and acc.org_name == "Chi bộ thôn 1"
    assert acc.link_text == "https://facebook.com/an.nguyen.page (Quản trị viên)"
    assert acc.updated_on is not None  # (11) defaults to today


def test_social_account_page_needs_role(admin_client, world):
    r = _post(admin_client, "/admin/socialaccount/new/", {
        "member": str(world.member_a.pk), "platform": "Facebook", "account_name": "Trang xã",
        "url": "https://facebook.com/trangxa", "link_type": "group", "purpose": "Tuyên truyền"})
    assert r.status_code == 200 and "bắt buộc với Trang/Hội nhóm" in r.get_data(as_text=True)
    assert SocialAccount.objects(account_name="Trang xã").count() == 0


def test_site_form_rules(admin_client, world):
    base = {"member": str(world.member_a.pk), "site_name": "Trang tin", "domain": "TrangTin.VN",
            "server_location": "1.1.1.2/Mỹ", "purpose": "Tuyên truyền", "established_on": "02/10/2023"}
    r = _post(admin_client, "/admin/site/new/", {**base, "server_location": "1.1.1/Mỹ"})
    assert r.status_code == 200 and "IP máy chủ không hợp lệ" in r.get_data(as_text=True)
    r = _post(admin_client, "/admin/site/new/", base)
    assert r.status_code == 302
    assert Site.objects.get(site_name="Trang tin").domain == "trangtin.vn"


def test_duplicate_account_refused_with_message(admin_client, world):
    r = _post(admin_client, "/admin/socialaccount/new/", {
        "member": str(world.member_a.pk), "platform": "Facebook", "account_name": "Trùng",
        "url": "https://m.facebook.com/NguyenVanAn/?fbclid=1", "link_type": "personal", "purpose": "Cá nhân"})
    assert r.status_code == 200
    assert "trùng" in r.get_data(as_text=True)
    assert SocialAccount.objects(member=world.member_a).count() == 1


def test_create_organisation_and_refuse_dissolving_non_empty(admin_client, world):
    r = _post(admin_client, "/admin/organisation/new/", {
        "code": "xa-2", "name": "Chi bộ thôn 2", "kind": "cell", "level": "cell", "parent": str(world.commune_a.pk)})
    assert r.status_code == 302
    new = Organisation.objects.get(code="XA-2")
    assert new.scope == [world.district.pk, world.commune_a.pk, new.pk]
    r = _post(admin_client, "/admin/organisation/delete/", {"id": str(world.cell_a.pk), "url": "/admin/organisation/"})
    assert r.status_code == 302
    assert Organisation.objects(pk=world.cell_a.pk).count() == 1
    page = admin_client.get("/admin/organisation/").get_data(as_text=True)
    assert "Không thể giải thể" in page
    r = _post(admin_client, "/admin/organisation/delete/", {"id": str(new.pk), "url": "/admin/organisation/"})
    assert Organisation.objects(pk=new.pk).count() == 0


def test_party_document_and_meeting_crud(admin_client, world):
    r = _post(admin_client, "/admin/partydocument/new/", {
        "number": "1150-cv/hu", "title": "Về việc lập danh sách", "doc_type": "Công văn", "issuer": "Huyện ủy",
        "issued_on": "02/10/2023", "direction": "received", "organisation": str(world.commune_a.pk)})
    assert r.status_code == 302, r.get_data(as_text=True)[-2000:]
    assert PartyDocument.objects.get().number == "1150-CV/HU"
    r = _post(admin_client, "/admin/meeting/new/", {
        "organisation": str(world.cell_a.pk), "held_on": "15/11/2026", "kind": "regular",
        "topic": "Sinh hoạt tháng 11"})
    assert r.status_code == 302, r.get_data(as_text=True)[-2000:]
    assert Meeting.objects.get().org_name == "Chi bộ thôn 1"


def test_user_screen_creates_user(admin_client, world):
    r = _post(admin_client, "/admin/user/new/", {
        "username": "CanBo_B", "organisation": str(world.commune_b.pk), "role": "officer", "active": "y",
        "new_password": "Mot-mat-khau-dai-2026"})
    assert r.status_code == 302, r.get_data(as_text=True)[-2000:]
    u = User.objects.get(username="canbo_b")
    assert u.check_password("Mot-mat-khau-dai-2026")


def test_accent_insensitive_search(admin_client, world):
    html = admin_client.get("/admin/member/?search=nguyen+van+an").get_data(as_text=True)
    assert "Nguyễn Văn An" in html and "Trần Thị Bình" not in html
    html = admin_client.get("/admin/member/?search=0912+345+678").get_data(as_text=True)
    assert "Nguyễn Văn An" in html and "Trần Thị Bình" not in html
    html = admin_client.get("/admin/socialaccount/?search=tran+thi").get_data(as_text=True)
    assert "tranthibinh" in html and "nguyenvanan" not in html


def test_org_subtree_filter(admin_client, world):
    view = admin_client.application.extensions["panel_admin"]._views
    social = next(v for v in view if getattr(v, "endpoint", "") == "socialaccount")
    idx = next(i for i, f in enumerate(social._filters) if f.column == "scope")
    html = admin_client.get(f"/admin/socialaccount/?flt0_{idx}={world.commune_b.pk}").get_data(as_text=True)
    assert "tranthibinh" in html and "nguyenvanan" not in html


def test_organisation_filter_offers_only_the_subtree(officer_client, world):
    """Ensure that the list page carries no unit list, and the filter's picker offers the
    officer's subtree only, each unit named by its full path."""
    html = officer_client.get("/admin/socialaccount/").get_data(as_text=True)
    assert str(world.cell_a.pk) not in html and "org-picker" in html  # loaded on demand
    offered = dict(officer_client.get("/admin/don-vi/?query=").get_json())
    assert offered == {str(world.commune_a.pk): "Huyện ủy Vĩnh Bảo › Đảng bộ xã An Hòa",
                       str(world.cell_a.pk): "Huyện ủy Vĩnh Bảo › Đảng bộ xã An Hòa › Chi bộ thôn 1"}
    assert dict(officer_client.get("/admin/don-vi/?query=thon").get_json()) == {
        str(world.cell_a.pk): "Huyện ủy Vĩnh Bảo › Đảng bộ xã An Hòa › Chi bộ thôn 1"}
    assert officer_client.get("/admin/don-vi/?query=binh minh").get_json() == []


def test_reports_per_committee_pick_committees_on_demand(officer_client, world):
    """Ensure that the pages made per committee (meeting and task reports, handbook
    proposals) carry no unit list but a picker that offers only the committees of the
    officer's subtree, starting on the unit shown (a province has hundreds of communes)."""
    offered = dict(officer_client.get("/admin/don-vi/?query=&kind=committee").get_json())
    assert offered == {str(world.commune_a.pk): "Huyện ủy Vĩnh Bảo › Đảng bộ xã An Hòa"}
    assert officer_client.get("/admin/don-vi/?query=thon&kind=committee").get_json() == []
    assert str(world.cell_a.pk) in dict(officer_client.get("/admin/don-vi/?query=&kind=nonsense").get_json())
    for url in ("/admin/bao-cao-cong-tac-dang/sinh-hoat/", "/admin/bao-cao-cong-tac-dang/nhiem-vu/",
                "/admin/handbook/"):
        html = officer_client.get(f"{url}?org={world.commune_a.pk}").get_data(as_text=True)
        picker = re.search(r'<input type="hidden" class="form-control org-picker"[^>]*>', html)
        assert picker and "kind=committee" in picker.group(0), url
        form = html[html.find('class="form-control org-picker"'):]
        form = form[:form.find("</form>")]
        assert f'value="{world.commune_a.pk}"' in picker.group(0) and "Đảng bộ xã An Hòa</p>" in form, url
        assert "<option" not in form and str(world.cell_a.pk) not in form, url


def test_organisation_filter_shows_the_chosen_unit(officer_client, world):
    """Ensure that a chosen unit's label is on the page (and a foreign unit's is not)."""
    view = officer_client.application.extensions["panel_admin"]._views
    social = next(v for v in view if getattr(v, "endpoint", "") == "socialaccount")
    idx = next(i for i, f in enumerate(social._filters) if f.column == "scope")

    def labels(html):
        raw = re.search(r'<div id="filter-groups-data" class="d-none">(.*?)</div>', html, re.S).group(1)
        return {k: v for items in json.loads(raw).values() for item in items for k, v in item.get("labels", {}).items()}

    html = officer_client.get(f"/admin/socialaccount/?flt0_{idx}={world.cell_a.pk}").get_data(as_text=True)
    assert labels(html) == {str(world.cell_a.pk): "Huyện ủy Vĩnh Bảo › Đảng bộ xã An Hòa › Chi bộ thôn 1"} and "nguyenvanan" in html
    html = officer_client.get(f"/admin/socialaccount/?flt0_{idx}={world.cell_b.pk}").get_data(as_text=True)
    assert labels(html) == {} and "tranthibinh" not in html


def _edit_cases(world):
    doc = PartyDocument(number="1-NQ/ĐU", title="Nghị quyết", issued_on=dt.datetime(2026, 1, 1),
                        organisation=world.commune_a)
    doc.save()
    meeting = Meeting(organisation=world.cell_a, held_on=dt.datetime(2026, 11, 1), topic="Họp")
    meeting.save()
    return {
        "site": (world.site_a, {"member": str(world.member_a.pk), "site_name": "Blog mới", "domain": "blogmoi.vn",
                                "purpose": "Tuyên truyền"}, "site_name", "Blog mới"),
        "socialaccount": (world.account_a, {"member": str(world.member_a.pk), "platform": "Facebook",
                                            "account_name": "Tên mới", "url": "facebook.com/nguyenvanan",
                                            "link_type": "personal", "purpose": "Cá nhân"}, "account_name", "Tên mới"),
        "partydocument": (doc, {"number": "1-NQ/ĐU", "title": "Nghị quyết sửa", "issued_on": "02/01/2026",
                                "direction": "issued", "organisation": str(world.commune_a.pk)}, "title", "Nghị quyết sửa"),
        "meeting": (meeting, {"organisation": str(world.cell_a.pk), "held_on": "02/11/2026", "kind": "thematic",
                              "topic": "Chuyên đề"}, "topic", "Chuyên đề"),
    }


@pytest.mark.parametrize("endpoint", ["site", "socialaccount", "partydocument", "meeting"])
def test_edit_then_delete_goes_to_recycle_bin(admin_client, world, endpoint):
    record, data, field, expected = _edit_cases(world)[endpoint]
    r = _post(admin_client, f"/admin/{endpoint}/edit/?id={record.pk}", data)
    assert r.status_code == 302, r.get_data(as_text=True)[-1500:]
    record.reload()
    assert getattr(record, field) == expected
    r = _post(admin_client, f"/admin/{endpoint}/delete/", {"id": str(record.pk), "url": f"/admin/{endpoint}/"})
    assert r.status_code == 302
    record.reload()
    assert record.deleted_at is not None  # kept, restorable
    assert admin_client.get(f"/admin/{endpoint}/details/?id={record.pk}").status_code in (302, 404)


def test_choice_labels_shown_in_lists(admin_client, world):
    Meeting(organisation=world.cell_a, held_on=dt.datetime(2026, 11, 1), topic="Họp", kind="thematic").save()
    html = admin_client.get("/admin/meeting/").get_data(as_text=True)
    assert "Sinh hoạt chuyên đề" in html and ">thematic<" not in html
    html = admin_client.get("/admin/member/").get_data(as_text=True)
    assert "Đang sinh hoạt" in html
