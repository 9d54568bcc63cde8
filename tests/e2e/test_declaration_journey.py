"""A declaration round in a real browser on a phone-sized screen (375×667), one screenshot
per step under test-output/e2e/ (issue 26)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from models import normalize
from tests.e2e.conftest import new_page
from tests.e2e.serve import DECLARER
from tests.e2e.test_journey import log_in

SMALL = {"width": 375, "height": 667}


def snap(page, shots: Path, name: str) -> None:
    page.screenshot(path=str(shots / f"khai-bao-{name}.png"), full_page=True)


def officer_page(browser, base: str):
    page = new_page(browser, SMALL)
    log_in(page, base)
    return page


def member_record(page, label: str):
    return page.locator("fieldset.rec", has=page.locator("legend", has_text=label))


def test_declaration_round_journey(live_server, browser, shots):
    """Ensure that the officer opens a round and prints the sheet, the member declares on a
    phone, the officer approves part and returns part, the member sends again, and the
    register and the dashboard show the result."""
    base = live_server
    officer = officer_page(browser, base)
    officer.goto(f"{base}/admin/dot-khai-bao/moi/")
    officer.click("button:has-text('Chọn đơn vị')")
    officer.fill("#title", "Khai báo trang web, tài khoản cuối năm")
    officer.fill("#closes_on", normalize.format_date(normalize.today() + dt.timedelta(days=14)))
    snap(officer, shots, "01-mo-dot")
    officer.click("button:has-text('Mở đợt và tạo liên kết')")
    officer.wait_for_selector("table.decl-progress")
    snap(officer, shots, "02-dot-khai-bao")
    round_url = officer.url
    cell_row = officer.locator("table.decl-progress tbody tr", has_text="thôn 1").first
    officer.goto(base + cell_row.locator("a:has-text('In phiếu')").get_attribute("href"))
    card = officer.locator(".card", has_text=DECLARER)
    assert card.locator("img.qr").count() == 1
    code = card.locator(".code").inner_text().removeprefix("Mã: ").strip()
    snap(officer, shots, "03-phieu-in")

    person = new_page(browser, SMALL)
    person.goto(f"{base}/khai-bao/")
    person.fill("#code", code.lower())
    person.click("button:has-text('Tiếp tục')")
    person.fill("#answer", "01/01/1970")  # wrong answer first: the same page as any failure
    person.click("button:has-text('Mở trang khai báo')")
    assert "Không mở được trang khai báo" in person.inner_text("main")
    person.go_back()
    person.fill("#answer", "7666")
    snap(person, shots, "04-xac-nhan")
    person.click("button:has-text('Mở trang khai báo')")
    person.wait_for_selector("form#decl")
    assert person.evaluate("document.documentElement.scrollWidth") <= 375  # nothing wider than the phone
    snap(person, shots, "05-trang-khai")
    account = member_record(person, "Facebook: Đỗ Thị Khánh")
    account.locator("input[value=correct]").check()
    account.locator("input[name$='-account_name']").fill("Khánh Đỗ")
    member_record(person, "Góc văn hóa thôn").locator("input[value=gone]").check()
    person.click("button:has-text('+ Thêm tài khoản mạng xã hội')")
    new = person.locator("fieldset.new").first
    new.locator("select[name$='-platform']").select_option("Facebook")
    new.locator("input[name$='-account_name']").fill("Văn hóa thôn 1")
    new.locator("input[name$='-url']").fill("facebook.com/vanhoathon1.e2e")
    new.locator("select[name$='-link_type']").select_option("page")
    new.locator("input[name$='-registration_phone']").fill("0912 777 666")
    new.locator("select[name$='-purpose']").select_option("Tuyên truyền")
    snap(person, shots, "06-dang-khai")
    new.locator("select[name$='-admin_role']").select_option("")
    person.click("button:has-text('Gửi bản khai')")  # the role is missing: said on the field
    assert "bắt buộc" in person.locator("fieldset.new .has-err").first.inner_text().lower()
    snap(person, shots, "07-loi-tren-o")
    person.locator("fieldset.new select[name$='-admin_role']").select_option("Quản trị viên")
    person.click("button:has-text('Gửi bản khai')")
    person.wait_for_selector("#state")
    assert "chờ duyệt" in person.inner_text("#state")
    snap(person, shots, "08-da-gui")

    officer.goto(round_url.replace("/dot/", "/duyet/"))
    decl = officer.locator(".decl", has_text=DECLARER)
    assert "Khánh Đỗ" in decl.inner_text()
    decl.locator(".decl-item.act-gone input[type=checkbox]").uncheck()
    decl.locator("input[name=reason]").fill("Trang Góc văn hóa thôn vẫn đang hoạt động, đồng chí kiểm tra lại")
    snap(officer, shots, "09-duyet")
    decl.locator("button:has-text('Duyệt phần đã chọn')").click()
    officer.wait_for_selector(".alert")
    snap(officer, shots, "10-da-duyet-mot-phan")

    person.goto(person.url.replace("/da-gui/", "/khai/"))
    assert "vẫn đang hoạt động" in person.inner_text("#returned")
    assert member_record(person, "Văn hóa thôn 1").count() == 1  # approved: now in the register
    snap(person, shots, "11-bi-tra-lai")
    member_record(person, "Góc văn hóa thôn").locator("input[value=keep]").check()
    person.click("button:has-text('Gửi bản khai')")
    person.wait_for_selector("#state")
    snap(person, shots, "12-gui-lai")

    officer.goto(round_url.replace("/dot/", "/duyet/"))
    officer.locator(".decl", has_text=DECLARER).locator("button:has-text('Duyệt tất cả')").click()
    officer.wait_for_selector(".alert")
    officer.goto(f"{base}/admin/socialaccount/?search=van+hoa+thon+1")
    assert "vanhoathon1.e2e" in officer.inner_text("main, body")
    snap(officer, shots, "13-danh-sach")
    officer.goto(f"{base}/admin/")
    card = officer.locator(".dash-declarations")
    assert "Đã khai và được duyệt: 1" in " ".join(card.inner_text().split())
    snap(officer, shots, "14-trang-chu")
