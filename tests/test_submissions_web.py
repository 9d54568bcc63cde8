"""The *Báo cáo lên cấp trên* screens and the dashboard's deadlines, as officers use them
(every date frozen with time-machine)."""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest

from models import AuditEntry, SocialAccount, Submission
from tests import factories, reporting
from tests.conftest import csrf_token

clock, district = reporting.clock, reporting.district  # the shared fixtures

BASE = "/admin/bao-cao-len-cap-tren/"


def _send(client, kind: str = "annual", period: str = "2026", **extra: str):
    token = csrf_token(client, f"{BASE}gui/?kind={kind}&period={period}")
    return client.post(f"{BASE}gui/", data={"kind": kind, "period": period, "csrf_token": token, **extra})


def test_commune_sends_and_district_sees_it(district, clock, login) -> None:
    """Ensure that a commune officer checks and sends the annual report, downloads it exactly as
    sent, and the district's tracker shows it sent; a sibling sees none of it."""
    clock.move_to(dt.datetime(2026, 11, 20, 3, tzinfo=dt.UTC))
    a = login("canbo_a")
    page = a.get(f"{BASE}gui/?kind=annual&period=2026").get_data(as_text=True)
    assert 'data-quality-count="0"' in page and "Gửi báo cáo" in page
    assert a.post(f"{BASE}gui/", data={"kind": "annual", "period": "2026"}).status_code == 400  # no CSRF token
    assert Submission.objects.count() == 0
    r = _send(a)
    assert r.status_code == 302
    sub = Submission.objects.get()
    details = a.get(r.headers["Location"]).get_data(as_text=True)
    assert "1 người, 1 tài khoản mạng xã hội, 1 trang web, blog" in details and "canbo_a" in details
    file = a.get(f"{BASE}tai/{sub.pk}/")
    assert file.status_code == 200 and file.data == bytes(sub.file)
    assert openpyxl.load_workbook(io.BytesIO(file.data)).sheetnames == ["Tổng hợp", "Biểu mẫu 1", "Biểu mẫu 2"]
    b = login("canbo_b")
    assert b.get(f"{BASE}xem/{sub.pk}/").status_code == 404 and b.get(f"{BASE}tai/{sub.pk}/").status_code == 404
    hu = login("huyen")
    tracker = hu.get(f"{BASE}theo-doi/?kind=annual&period=2026").get_data(as_text=True)
    assert re.search(r'data-unit="Đảng bộ xã An Hòa" data-state="sent"', tracker)
    assert re.search(r'data-unit="Đảng bộ xã Bình Minh" data-state="open"', tracker)
    assert "Đề nghị Đảng bộ xã Bình Minh gửi" in tracker
    assert hu.get(f"{BASE}tai/{sub.pk}/").data == bytes(sub.file)  # the level above downloads it too
    assert AuditEntry.objects(action="export", detail__contains="Tải báo cáo đã gửi").count() == 2


def test_quality_problems_are_listed_with_links_and_need_confirmation(district, clock, login) -> None:
    bad = SocialAccount.objects.get(pk=district.account_a.pk)
    bad.registration_email = "khong-phai-email"
    bad.save_legacy()
    clock.move_to(dt.datetime(2026, 11, 20, 3, tzinfo=dt.UTC))
    a = login("canbo_a")
    page = a.get(f"{BASE}gui/?kind=annual&period=2026").get_data(as_text=True)
    assert 'data-quality-count="1"' in page and f"/admin/socialaccount/edit/?id={bad.pk}" in page
    r = _send(a)
    assert r.status_code == 302 and "gui" in r.headers["Location"] and Submission.objects.count() == 0
    assert "hồ sơ thiếu hoặc sai" in a.get(r.headers["Location"]).get_data(as_text=True)
    r = _send(a, confirm_quality="1")
    assert Submission.objects.get().quality_confirmed


def test_reopen_and_send_version_2(district, clock, login) -> None:
    clock.move_to(dt.datetime(2026, 11, 20, 3, tzinfo=dt.UTC))
    a = login("canbo_a")
    _send(a)
    first = Submission.objects.get()
    token = csrf_token(a, f"{BASE}xem/{first.pk}/")
    a.post(f"{BASE}mo-lai/{first.pk}/", data={"reason": "", "csrf_token": token})
    assert Submission.objects.get().state == "sent"  # a reason is required
    assert login("canbo_b").post(f"{BASE}mo-lai/{first.pk}/", data={"reason": "x", "csrf_token": token}).status_code in (400, 404)
    a.post(f"{BASE}mo-lai/{first.pk}/", data={"reason": "Thiếu tài khoản Zalo", "csrf_token": token})
    assert Submission.objects.get().state == "reopened"
    _send(a)
    assert sorted((s.version, s.state) for s in Submission.objects) == [(1, "reopened"), (2, "sent")]


@pytest.mark.parametrize(("day", "month", "text"), [(30, 11, "hôm nay"), (2, 12, "quá hạn 2 ngày")])
def test_dashboard_shows_the_overdue_report_until_sent(district, clock, login, day, month, text) -> None:
    """Ensure that on 30/11 the annual report is due today, on 2/12 overdue by 2 days, for the
    commune and (as a missing unit) for the district, until it is sent."""
    clock.move_to(dt.datetime(2026, month, day, 3, tzinfo=dt.UTC))
    a = login("canbo_a")
    page = a.get("/admin/").get_data(as_text=True)
    row = re.search(r'data-kind="annual" data-period="2026" data-state="(\w+)">(.*?)</li>', page, re.S)
    assert row and text in row.group(2)
    hu = login("huyen").get("/admin/").get_data(as_text=True)
    assert "Đơn vị trực thuộc năm 2026: 0/2 đã gửi, 2 chưa gửi" in hu
    if month == 12:
        assert "quá hạn 2 ngày" in hu
        _send(a)
        page = a.get("/admin/").get_data(as_text=True)
        assert 'data-period="2026"' not in page and 'data-period="2027"' in page
        assert "Đơn vị trực thuộc năm 2026: 1/2 đã gửi, 1 chưa gửi, quá hạn 2 ngày" in login("huyen").get("/admin/").get_data(as_text=True)


def test_consolidated_download_from_snapshots_and_live(district, clock, login) -> None:
    clock.move_to(dt.datetime(2026, 11, 20, 3, tzinfo=dt.UTC))
    _send(login("canbo_a"))
    hu = login("huyen")

    def book(url: str):
        with hu.get(url) as r:
            return openpyxl.load_workbook(io.BytesIO(r.data)).active

    sent = book(f"{BASE}tong-hop/?kind=annual&period=2026")
    texts = [c for row in sent.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert any("Tổng hợp từ báo cáo các đơn vị đã gửi" in t for t in texts)
    assert "Đảng bộ xã Bình Minh (chưa gửi)" in texts
    live = book(f"{BASE}tong-hop/?kind=annual&period=2026&live=1")
    assert any("SỐ LIỆU TRỰC TIẾP" in c for row in live.iter_rows(values_only=True) for c in row if isinstance(c, str))


def test_unit_names_are_editable_data(district, clock, login) -> None:
    """Ensure that the printed names are fields of the unit, filled with defaults per kind."""
    from models import Organisation

    unit = Organisation(code="X09", name="Đảng bộ xã Tân Hưng", parent=district.district, kind="committee")
    unit.save()
    assert (unit.party_name, unit.issuer_name, unit.place) == ("ĐẢNG BỘ XÃ TÂN HƯNG", "ĐẢNG ỦY XÃ TÂN HƯNG", "Tân Hưng")
    cell = Organisation(code="X09-1", name="Chi bộ thôn 1", parent=unit, kind="cell")
    cell.save()
    assert (cell.issuer_name, cell.place, cell.signer_for) == ("CHI BỘ THÔN 1", "Tân Hưng", "T/M CHI BỘ")
    factories.user("quantri", district.district, "admin")
    form = login("quantri").get(f"/admin/organisation/edit/?id={unit.pk}").get_data(as_text=True)
    assert 'name="issuer_name"' in form and "ĐẢNG ỦY XÃ TÂN HƯNG" in form and 'name="signer_name"' in form
