"""The screens as officers use them, in Chromium at 1366 px; one screenshot per step in
test-output/e2e/ (names start with "s"): which commune is this, a bookmarked create page,
saved filters, the column chooser, no icon for what one may not do, Vietnamese error pages."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl

from tests.e2e.conftest import DESKTOP, new_page
from tests.e2e.serve import DISTRICT_ADMIN, OFFICER, PASSWORD, VIEWER
from tests.e2e.test_journey import add_filter, pick_select2, snap

TAN_HUNG_CELL = "Huyện ủy Vĩnh Bảo › Đảng bộ Xã Tân Hưng › Chi bộ thôn 1"


def sign_in(browser, base: str, username: str):
    page = new_page(browser, DESKTOP, downloads=True)
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/admin/")
    return page


def no_sideways_scroll(page) -> None:
    hidden = page.evaluate("Math.max(0, document.documentElement.scrollWidth - window.innerWidth,"
                           " ...Array.from(document.querySelectorAll('.table-responsive'), e => e.scrollWidth - e.clientWidth))")
    assert hidden <= 1, hidden


def one_line_rows(page) -> None:
    """Every list row is one line tall (the tallest row no taller than twice the shortest)."""
    heights = page.evaluate("Array.from(document.querySelectorAll('table.model-list tbody tr'), r => r.offsetHeight)")
    assert heights and max(heights) <= 1.6 * min(heights), heights


def test_district_admin_filters_one_communes_cell_and_exports(live_server, browser, shots: Path):
    """Ensure that the district administrator can tell the five "Chi bộ thôn 1" apart, filter one and export it."""
    page = sign_in(browser, live_server, DISTRICT_ADMIN)
    page.goto(f"{live_server}/admin/socialaccount/")
    labels = set(page.locator("td.col-org_name").all_inner_texts())
    assert any(label.startswith("Chi bộ") and " — xã " in label.lower() for label in labels), labels
    one_line_rows(page)
    no_sideways_scroll(page)
    snap(page, shots, "s01-tai-khoan-toan-huyen")
    add_filter(page, "Tổ chức (gồm cấp dưới)", TAN_HUNG_CELL)
    snap(page, shots, "s02-bo-loc-duong-dan-day-du")
    assert TAN_HUNG_CELL in page.inner_text("#filter_form")  # the full path, not cut
    page.click("#filter_form button:has-text('Áp dụng')")
    page.wait_for_url(re.compile(r".*flt\d+_\d+=.*"))
    assert set(page.locator("td.col-org_name").all_inner_texts()) == {"Chi bộ thôn 1 — xã Tân Hưng"}
    count = int(re.search(r"\((\d+)\)", page.inner_text(".nav-tabs .nav-link.active")).group(1))
    snap(page, shots, "s03-loc-chi-bo-thon-1-tan-hung")
    with page.expect_download() as info:
        page.click("a[data-export=xlsx]")
    target = shots / "s-mau-2-thon-1-tan-hung.xlsx"
    info.value.save_as(str(target))
    book = openpyxl.load_workbook(target, read_only=True)
    try:
        rows = [[str(c) for c in row if c is not None] for row in book.active.iter_rows(values_only=True)]
    finally:
        book.close()
    data = [row for row in rows if row and row[0].isdigit()]
    assert len(data) == count and all(row[1] == "Chi bộ thôn 1" for row in data)
    page.context.close()


def test_officer_creates_an_account_from_a_bookmarked_create_page(live_server, browser, shots: Path):
    """Ensure that the account's address is not taken for the page to return to."""
    page = sign_in(browser, live_server, OFFICER)
    page.goto(f"{live_server}/admin/socialaccount/new/")  # a bookmark: no ?url=
    pick_select2(page, "member", "hoang minh", "Hoàng Minh Kiểm")
    assert "Chi bộ thôn 1 — xã Tân Hưng" in page.inner_text("#s2id_member")
    page.fill("#platform", "Facebook")
    page.fill("#account_name", "Thu Hoa BA")
    page.fill("#url", "fb.com/thuhoa.ba")
    page.fill("#purpose", "Tuyên truyền")
    snap(page, shots, "s04-tao-tai-khoan-tu-dau-trang")
    page.click("input[type=submit][value='Lưu']")
    page.wait_for_url(re.compile(r".*/admin/socialaccount/(\?.*)?$"))
    assert "Đã tạo bản ghi" in page.inner_text("body")
    snap(page, shots, "s05-da-luu-ve-danh-sach")
    page.context.close()


def test_saving_and_reusing_a_filter_and_hiding_a_column(live_server, browser, shots: Path):
    """Ensure that an officer keeps a filter and a column choice across visits."""
    page = sign_in(browser, live_server, OFFICER)
    page.goto(f"{live_server}/admin/member/")
    add_filter(page, "Tổ chức (gồm cấp dưới)", "Chi bộ thôn 1")
    page.click("#filter_form button:has-text('Áp dụng')")
    page.wait_for_url(re.compile(r".*flt\d+_\d+=[0-9a-f]{24}.*"))
    filtered = page.inner_text(".nav-tabs .nav-link.active")
    page.click(".panel-saved-filters > a")
    page.fill("#saved-filter-name", "Thôn 1")
    snap(page, shots, "s06-luu-bo-loc")
    page.click(".save-filter button[type=submit]")
    page.wait_for_selector("text=Đã lưu bộ lọc")
    page.goto(f"{live_server}/admin/member/")
    assert page.inner_text(".nav-tabs .nav-link.active") != filtered
    page.click(".panel-saved-filters > a")
    snap(page, shots, "s07-bo-loc-da-luu")
    page.click(".saved-filter a:has-text('Thôn 1')")
    page.wait_for_url(re.compile(r".*flt\d+_\d+=[0-9a-f]{24}.*"))
    assert set(page.locator("td.col-org_name").all_inner_texts()) == {"Chi bộ thôn 1 — xã Tân Hưng"}
    assert page.inner_text(".nav-tabs .nav-link.active") == filtered
    snap(page, shots, "s08-dung-lai-bo-loc")

    assert page.locator("th.col-email").count() == 1
    page.click(".panel-columns > a")
    page.uncheck("#show-col-email")
    snap(page, shots, "s09-chon-cot")
    page.click(".panel-columns button[type=submit]")
    page.wait_for_selector("text=Đã lưu các cột hiển thị")
    page.goto(f"{live_server}/admin/member/")
    assert page.locator("th.col-email").count() == 0 and page.locator("th.col-phone").count() == 1
    one_line_rows(page)
    snap(page, shots, "s10-da-an-cot-email")
    page.click(".panel-columns > a")
    page.check("#show-col-email")
    page.click(".panel-columns button[type=submit]")
    page.wait_for_selector("th.col-email")
    page.context.close()


def test_officer_sees_no_action_they_cannot_take(live_server, browser, shots: Path):
    """Ensure that the officer's own commune row offers no edit or delete (they would land on a refusal)."""
    page = sign_in(browser, live_server, OFFICER)
    page.goto(f"{live_server}/admin/organisation/")
    own = page.locator("table.model-list tbody tr", has_text="Đảng bộ Xã Tân Hưng").first
    assert own.locator("span.fa-pencil, span.fa-trash").count() == 0
    cell = page.locator("table.model-list tbody tr", has_text="Chi bộ thôn 1").first
    assert cell.locator("span.fa-pencil").count() == 1  # and a unit below it is theirs to manage
    snap(page, shots, "s11-can-bo-khong-thay-nut-sua-to-chuc-minh")
    own.locator("a[title] span.fa-eye").click()
    page.wait_for_url(re.compile(r".*/details/.*"))
    assert page.locator(".nav-tabs a:has-text('Sửa')").count() == 0
    assert page.locator("section.details-related[data-section=units] a").count() >= 5
    snap(page, shots, "s12-chi-tiet-to-chuc")
    page.context.close()

    viewer = sign_in(browser, live_server, VIEWER)
    viewer.goto(f"{live_server}/admin/member/")
    assert viewer.locator("span.fa-pencil, span.fa-trash").count() == 0
    assert viewer.locator(".nav-tabs a:has-text('Thêm mới')").count() == 0
    snap(viewer, shots, "s13-chi-xem-khong-co-nut-sua")
    viewer.context.close()


def test_every_error_page_is_vietnamese(live_server, browser, shots: Path):
    """Ensure that refusals and mistakes answer in Vietnamese, inside the panel."""
    page = sign_in(browser, live_server, VIEWER)
    for code, path in ((404, "/admin/khong-co-trang-nay/"), (403, "/admin/member/new/"),
                       (405, "/admin/member/columns/")):
        response = page.goto(live_server + path)
        assert response.status == code
        text = page.inner_text("body")
        assert f"Lỗi {code}" in text and "Về trang chủ" in text
        assert page.evaluate("document.documentElement.lang") == "vi"
        snap(page, shots, f"s14-loi-{code}")
    # a form sent without its security token (an expired page): 400
    page.goto(f"{live_server}/admin/member/")
    page.evaluate("""() => { const f = document.createElement('form'); f.method = 'post';
        f.action = '/admin/member/saved-filters/'; document.body.appendChild(f); f.submit(); }""")
    page.wait_for_selector("text=Lỗi 400")
    assert "Yêu cầu không hợp lệ" in page.inner_text("body")
    snap(page, shots, "s14-loi-400")
    page.context.close()
