"""Forms accept what imports accept (issue 24): member dates by one rule on the form and in the
roster import; cross-field errors of the account form on their fields, all at once; link
type against the URL's shape; the page/group role as a list column and a filter."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import re

import pytest

from imports import roster
from models import Member, Site, SocialAccount, normalize, platforms
from tests import factories
from tests.conftest import csrf_token
from tests.test_exports_web import filter_arg
from tests.test_roster_import import book as _book
from tests.test_roster_import import row as _row


def post(client, path: str, data: dict):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, path)})


def _field_errors(page: str) -> dict[str, list[str]]:
    """Error messages shown under each field (Flask-Admin's invalid-feedback blocks)."""
    out: dict[str, list[str]] = {}
    for name, block in re.findall(r'name="([a-z_]+)"[^>]*>(?:(?!name=").)*?<div class="invalid-feedback">(.*?)</div>', page, re.S):
        out.setdefault(name, []).extend(htmllib.unescape(m.strip()) for m in re.findall(r">([^<]+)<", f">{block}<")
                                        if m.strip())
    return out


def refused(client, path: str, data: dict) -> dict[str, list[str]]:
    """Post a form that must be refused: 200, the banner pointing at the fields (never a raw
    dict), and the errors under each field."""
    page = post(client, path, data)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Không lưu được: {" not in text and "Không lưu được: hãy sửa các ô báo lỗi." in text
    return _field_errors(text)


def test_member_dates_refused_on_the_form_all_at_once(officer_client, world) -> None:
    """Ensure that a birth date after today and an admission date before the birth are refused
    on the member form, each under its field, and nothing is saved."""
    later = normalize.today() + dt.timedelta(days=400)
    data = {"full_name": "Lê Văn Tương Lai", "organisation": str(world.cell_a.pk), "position": "Đảng viên",
            "status": "active", "date_of_birth": later.strftime("%Y-%m-%d"), "admission_date": "2020-01-01",
            "official_date": "2019-01-01"}
    errors = refused(officer_client, "/admin/member/new/", data)
    assert not Member.objects(full_name="Lê Văn Tương Lai").count()
    assert any("không được sau ngày hôm nay" in m for m in errors.get("date_of_birth", []))
    assert any("không được trước ngày vào đảng" in m for m in errors.get("official_date", []))


def test_member_dates_one_rule_for_model_and_roster(world) -> None:
    """Ensure that the model and the roster import refuse the same dates with the same words."""
    later = normalize.today() + dt.timedelta(days=30)
    problems = Member.date_problems({"date_of_birth": dt.date(1990, 1, 1), "admission_date": later})
    assert list(problems) == ["admission_date"]
    with pytest.raises(Exception, match="không được sau ngày hôm nay"):
        factories.member(world.cell_a, "Ngày Tương Lai", date_of_birth=dt.date(1990, 1, 1), admission_date=later)
    data = _book([_row("Vào Trước Sinh", born="01/01/2000", admitted="01/01/1999", official="01/01/2000", phone=""),
                  _row("Sinh Sau Nay", born=normalize.format_date(later), admitted="", official="", phone="")])
    summary = roster.run(data, world.commune_a, dry_run=False)
    messages = [e["message"] for e in summary.errors]
    assert summary.created == 0 and len(messages) == 2
    assert "Ngày vào Đảng" in messages[0] and "không được trước ngày sinh" in messages[0]
    assert "không được sau ngày hôm nay" in messages[1]
    assert not Member.objects(full_name__in=["Vào Trước Sinh", "Sinh Sau Nay"]).count()


def test_account_form_shows_every_cross_field_error_on_its_field(officer_client, world) -> None:
    """Ensure that a group typed as a page without a role shows both problems at once, each on
    its field, never a raw dict, and saves nothing."""
    data = {"member": str(world.member_a.pk), "platform": "Facebook", "account_name": "Nhóm thôn 1",
            "url": "https://www.facebook.com/groups/thonmot", "link_type": "page", "purpose": "Tuyên truyền"}
    errors = refused(officer_client, "/admin/socialaccount/new/", data)
    assert not SocialAccount.objects(account_name="Nhóm thôn 1").count()
    assert any("bắt buộc với Trang/Hội nhóm" in m for m in errors.get("admin_role", []))
    assert any("địa chỉ của một hội nhóm" in m for m in errors.get("link_type", []))
    ok = post(officer_client, "/admin/socialaccount/new/", {**data, "link_type": "group", "admin_role": "Quản trị viên"})
    assert ok.status_code == 302
    assert SocialAccount.objects(account_name="Nhóm thôn 1").get().admin_role == "Quản trị viên"


def test_account_form_shows_a_future_establishment_date_with_the_other_cross_field_errors(officer_client,
                                                                                        world) -> None:
    """Ensure that an establishment date after today does not hide the later cross-field
    errors: the date, the missing role and the link type are all shown at once, each on its
    field, and nothing is saved (form 2); on form 1 the date and an expiry before it."""
    later = normalize.today() + dt.timedelta(days=30)
    data = {"member": str(world.member_a.pk), "platform": "Facebook", "account_name": "Nhóm tương lai",
            "url": "https://www.facebook.com/groups/tuonglai", "link_type": "page", "purpose": "Tuyên truyền",
            "established_on": later.strftime("%Y-%m-%d")}
    errors = refused(officer_client, "/admin/socialaccount/new/", data)
    assert not SocialAccount.objects(account_name="Nhóm tương lai").count()
    assert any("không được sau ngày hôm nay" in m for m in errors.get("established_on", []))
    assert any("bắt buộc với Trang/Hội nhóm" in m for m in errors.get("admin_role", []))
    assert any("địa chỉ của một hội nhóm" in m for m in errors.get("link_type", []))
    site = {"member": str(world.member_a.pk), "site_name": "Blog tương lai", "domain": "tuonglai.vn",
            "purpose": "Tuyên truyền", "established_on": later.strftime("%Y-%m-%d"),
            "expires_on": (later - dt.timedelta(days=10)).strftime("%Y-%m-%d")}
    errors = refused(officer_client, "/admin/site/new/", site)
    assert not Site.objects(site_name="Blog tương lai").count()
    assert any("không được sau ngày hôm nay" in m for m in errors.get("established_on", []))
    assert any("không được trước thời gian thiết lập" in m for m in errors.get("expires_on", []))


@pytest.mark.parametrize(("url", "link_type", "ok"), [
    ("https://www.facebook.com/groups/thonmot", "group", True),
    ("https://www.facebook.com/groups/thonmot", "personal", False),
    ("https://www.facebook.com/trangthon", "group", False),
    ("https://www.facebook.com/trangthon", "page", True),
    ("https://zalo.me/g/abcdef", "personal", False),
    ("https://www.linkedin.com/company/ubnd", "personal", False),
    ("https://www.linkedin.com/in/nguyenvana", "page", False),
])
def test_link_type_agrees_with_the_url_shape(world, url, link_type, ok) -> None:
    """Ensure that the link type is checked against the address per platform (model = import)."""
    platform = platforms.platform_of_host(url)
    account = SocialAccount(member=world.member_a, platform=platform, account_name="X", url=url, link_type=link_type,
                            admin_role="Quản trị viên" if link_type != "personal" else None, purpose="Tuyên truyền")
    if ok:
        account.save()
    else:
        with pytest.raises(Exception, match="Loại đường dẫn"):
            account.save()


def test_page_role_is_a_list_column_and_a_filter(app, officer_client, world) -> None:
    """Ensure that the role on a page/group is shown in the list and filters it."""
    factories.account(world.member_a, "https://www.facebook.com/groups/kiemduyet", link_type="group",
                      admin_role="Người kiểm duyệt")
    factories.account(world.member_a, "https://www.facebook.com/groups/quantri", link_type="group",
                      admin_role="Quản trị viên")
    listing = officer_client.get("/admin/socialaccount/").get_data(as_text=True)
    assert "Vai trò (Trang/Hội nhóm)" in listing and "Người kiểm duyệt" in listing
    key = filter_arg(app, "socialaccount", "Vai trò (Trang/Hội nhóm)")
    page = officer_client.get(f"/admin/socialaccount/?flt0_{key}=Người kiểm duyệt").get_data(as_text=True)
    assert "groups/kiemduyet" in page and "groups/quantri" not in page
