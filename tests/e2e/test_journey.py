"""An officer's day in a real browser, one screenshot per step under test-output/e2e/."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import openpyxl

from tests.e2e.conftest import DESKTOP, PHONE, new_page
from tests.e2e.serve import OFFICER, PASSWORD

PHONE_TYPED = "+84 912 888 777"
URL_TYPED = "m.facebook.com/kiemthu.e2e/?fbclid=IwAR0xyz&mibextid=abc"


def snap(page, shots: Path, name: str) -> None:
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


def log_in(page, base: str, shots: Path | None = None) -> None:
    page.goto(f"{base}/admin/")
    assert "/login/" in page.url
    page.fill("input[name=username]", OFFICER)
    page.fill("input[name=password]", PASSWORD)
    if shots:
        snap(page, shots, "01-dang-nhap")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/admin/")


def pick_select2(page, field: str, typed: str, choice: str) -> None:
    """Flask-Admin's ajax reference fields are select2 boxes fed by a scoped look-up."""
    page.click(f"#s2id_{field} a.select2-choice")
    page.fill(".select2-drop-active input.select2-input", typed)
    page.click(f".select2-drop-active .select2-result-selectable:has-text('{choice}')")


def add_filter(page, name: str, value: str) -> None:
    page.click("text=Thêm bộ lọc")
    page.click(f"a.filter:has-text('{name}')")
    row = page.locator("#filter_form tr", has_text=name)
    row.locator(".select2-container.filter-val a.select2-choice").click()
    page.click(f".select2-drop-active .select2-result-selectable:has-text('{value}')")


def look_up(page, shots: Path, typed: str, name: str) -> str:
    page.fill("form.panel-search input[name=q]", typed)
    page.press("form.panel-search input[name=q]", "Enter")
    page.wait_for_selector(".lookup-summary")
    snap(page, shots, name)
    return page.inner_text("main, body")


def test_officer_day(live_server, browser, shots):
    """Ensure that the officer's daily journey works end to end in Chromium."""
    page = new_page(browser, DESKTOP, downloads=True)
    base = live_server
    log_in(page, base, shots)

    # the dashboard of the officer's own commune, with figures that are links
    assert "Tổng quan: Đảng bộ Xã Tân Hưng" in page.inner_text("body")
    assert page.locator("a.fig").count() >= 7 and page.locator("svg.bar-chart a").count() >= 3
    snap(page, shots, "02-trang-chu")

    # look-up by a phone typed the international way, then by a mobile URL with tracking
    text = look_up(page, shots, PHONE_TYPED, "03-tra-cuu-so-dien-thoai")
    assert "Hoàng Minh Kiểm" in text and "Chi bộ thôn 1" in text and "Đảng bộ Xã Tân Hưng" in text
    text = look_up(page, shots, URL_TYPED, "04-tra-cuu-duong-dan")
    assert "Hoàng Minh Kiểm" in text and "Lý Thu Trang" in text and "Trùng khai báo" in text

    # a dashboard figure opens the list behind it, with as many rows as it says
    page.goto(f"{base}/admin/")
    figure = page.locator("table.dash-units tr", has_text="Chi bộ thôn 1").locator("a.fig-accounts")
    count = figure.inner_text()
    figure.click()
    assert f"Danh sách ({count})" in page.inner_text(".nav-tabs")
    snap(page, shots, "05-so-lieu-mo-danh-sach")
    page.goto(f"{base}/admin/")
    figure = page.locator(".dash-cards a.fig-no_account")
    count = int(figure.inner_text())
    figure.click()
    assert page.locator("table.no-account tbody a").count() == count
    snap(page, shots, "05b-nguoi-chua-khai-bao")

    # social accounts filtered by cell and platform with the list's own filter controls
    page.goto(f"{base}/admin/socialaccount/")
    add_filter(page, "Tổ chức (gồm cấp dưới)", "Chi bộ thôn 1")
    add_filter(page, "Loại mạng xã hội", "Zalo")
    page.click("#filter_form button:has-text('Áp dụng')")
    page.wait_for_url(re.compile(r".*flt\d+_\w+=Zalo.*"))
    assert page.locator("table.model-list tbody tr").count() >= 1
    assert set(page.locator("td.col-platform").all_inner_texts()) == {"Zalo"}
    assert set(page.locator("td.col-org_name").all_inner_texts()) == {"Chi bộ thôn 1 — xã Tân Hưng"}
    snap(page, shots, "06-loc-chi-bo-va-mang-xa-hoi")

    create_member(page, base, shots)
    create_account(page, base, shots)
    export_form_2(page, base, shots)

    # log out from the user menu; the panel is closed afterwards
    page.click("#panel-user")
    page.click("button.dropdown-item:has-text('Đăng xuất')")
    page.wait_for_url(re.compile(r".*/login/.*"))
    snap(page, shots, "11-dang-xuat")
    page.goto(f"{base}/admin/member/")
    assert "/login/" in page.url
    page.context.close()


def create_member(page, base: str, shots: Path) -> None:
    page.goto(f"{base}/admin/member/new/")
    page.fill("#full_name", "Đinh Thị Thử Nghiệm")
    pick_select2(page, "organisation", "thon 1", "Chi bộ thôn 1")
    page.fill("#position", "Giáo viên")
    page.fill("#phone", "09128 777")  # one digit short: rejected
    page.click("input[type=submit][value='Lưu']")
    assert "Số điện thoại" in page.inner_text("form.admin-form") and "không hợp lệ" in page.inner_text("form.admin-form")
    snap(page, shots, "07-them-nguoi-loi")
    page.fill("#phone", "0912 877 766")
    page.click("input[type=submit][value='Lưu']")
    page.wait_for_url(re.compile(r".*/admin/member/(\?.*)?$"))
    assert "Đã tạo bản ghi" in page.inner_text("body")
    page.fill("input[name=search]", "dinh thi thu nghiem")
    page.press("input[name=search]", "Enter")
    page.wait_for_selector("table.model-list td.col-full_name")
    assert page.locator("td.col-full_name").all_inner_texts() == ["Đinh Thị Thử Nghiệm"]
    assert page.locator("td.col-phone").all_inner_texts() == ["0912877766"]
    snap(page, shots, "08-them-nguoi-da-luu")


def create_account(page, base: str, shots: Path) -> None:
    page.goto(f"{base}/admin/socialaccount/new/")
    pick_select2(page, "member", "dinh thi thu", "Đinh Thị Thử Nghiệm")
    page.fill("#platform", "facebook")
    page.fill("#account_name", "Đinh Thử Nghiệm")
    page.fill("#url", "https//www.facebook,com/dinhthunghiem")  # typo: rejected
    page.fill("#purpose", "Tuyên truyền")
    page.click("input[type=submit][value='Lưu']")
    assert "Đường dẫn" in page.inner_text("form.admin-form")
    snap(page, shots, "09-them-tai-khoan-loi")
    page.fill("#url", "https://www.facebook.com/dinhthunghiem")
    page.click("input[type=submit][value='Lưu']")
    page.wait_for_url(re.compile(r".*/admin/socialaccount/(\?.*)?$"))
    page.goto(f"{base}/admin/lookup/?q=fb.com/dinhthunghiem")
    assert "Đinh Thị Thử Nghiệm" in page.inner_text("body")


def export_form_2(page, base: str, shots: Path) -> None:
    page.goto(f"{base}/admin/socialaccount/")
    page.fill("input[name=search]", "dinh thu nghiem")
    page.press("input[name=search]", "Enter")
    page.wait_for_selector("table.model-list td.col-account_name")
    page.screenshot(path=str(shots / "10-xuat-mau-2.png"))
    with page.expect_download() as info:
        page.click("a[data-export=xlsx]")
    target = shots / "mau-2.xlsx"
    info.value.save_as(str(target))
    book = openpyxl.load_workbook(target, read_only=True)
    try:
        rows = [[str(c) for c in row if c is not None] for row in book.active.iter_rows(values_only=True)]
    finally:
        book.close()
    assert any("DANH SÁCH TÀI KHOẢN MẠNG XÃ HỘI" in c for row in rows[:12] for c in row)
    data = [row for row in rows if row and row[0].isdigit()]  # the list shown: one searched account
    assert len(data) == 1 and "Đinh Thị Thử Nghiệm" in data[0] and "https://www.facebook.com/dinhthunghiem" in data[0]


def test_phone_screen(live_server, browser, shots):
    """Ensure that the dashboard and the look-up fit a phone's width (no sideways scrolling)."""
    page = new_page(browser, PHONE)
    log_in(page, live_server)
    for path, name in (("/admin/", "12-dien-thoai-trang-chu"), (f"/admin/lookup/?q={quote(PHONE_TYPED)}", "13-dien-thoai-tra-cuu")):
        page.goto(live_server + path)
        snap(page, shots, name)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, (path, overflow)
    assert page.locator(".lookup-owner").count() == 1
    page.context.close()


def test_office_screen_fits(live_server, browser):
    """Ensure that the main screens fit a 1366-pixel office screen without sideways scrolling."""
    page = new_page(browser, DESKTOP)
    log_in(page, live_server)
    for path in ("/admin/", "/admin/lookup/?q=nguyen", "/admin/member/", "/admin/socialaccount/", "/admin/site/"):
        page.goto(live_server + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        # nor inside the list tables: every column of the official forms stays in view
        hidden = page.evaluate("Math.max(0, ...Array.from(document.querySelectorAll('.table-responsive'),"
                               " e => e.scrollWidth - e.clientWidth))")
        assert overflow <= 1 and hidden <= 1, (path, overflow, hidden)
    page.context.close()
