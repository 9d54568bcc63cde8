"""The reporting cycle in a real browser: a commune sends its annual report, the district sees
it arrive, a record changes, the district sees "changed since sent", the commune reopens and
sends version 2. One screenshot per step under test-output/e2e/ (s01…s08)."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from tests.e2e.conftest import DESKTOP, new_page
from tests.e2e.serve import DISTRICT_ADMIN, OFFICER, PASSWORD

BASE = "/admin/bao-cao-len-cap-tren/"


def snap(page, shots: Path, name: str) -> None:
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/admin/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/admin/")


def send_with_check(page, shots: Path, name: str) -> None:
    """The quality check page: confirm sending with the listed problems if there are any."""
    page.wait_for_selector("[data-quality-count]")
    snap(page, shots, name)
    if page.locator("#confirm_quality").count():
        page.check("#confirm_quality")
    page.click("#send-report")
    page.wait_for_selector(".sub-facts")


def download_as_sent(page, path: Path) -> openpyxl.Workbook:
    """The report's file exactly as sent, saved under ``path`` and read back."""
    with page.expect_download() as info:
        page.click("[data-download]")
    info.value.save_as(path)
    return openpyxl.load_workbook(path)


def commune_reports(browser, base: str, rows: str) -> tuple:
    """The commune officer's reports page: (the page, the first row matching ``rows``, its period)."""
    commune = new_page(browser, DESKTOP, downloads=True)
    sign_in(commune, base, OFFICER)
    commune.goto(f"{base}{BASE}")
    row = commune.locator(rows).first
    return commune, row, row.get_attribute("data-period")


def test_commune_sends_district_follows_commune_sends_again(live_server, browser, shots):
    base = live_server
    commune, row, period = commune_reports(browser, base, "tr[data-kind=annual]")
    snap(commune, shots, "s01-bao-cao-phai-gui")
    row.locator("a:has-text('Kiểm tra và gửi')").click()
    send_with_check(commune, shots, "s02-kiem-tra-truoc-khi-gui")
    facts = commune.inner_text(".sub-facts")
    assert "Đã gửi" in facts and OFFICER in facts and "người" in facts
    snap(commune, shots, "s03-da-gui-lan-1")
    book = download_as_sent(commune, shots / "bao-cao-nam-da-gui.xlsx")
    assert book.sheetnames == ["Tổng hợp", "Biểu mẫu 1", "Biểu mẫu 2"]
    assert book["Biểu mẫu 2"]["A2"].value == "ĐẢNG ỦY XÃ TÂN HƯNG"

    district = new_page(browser, DESKTOP)
    sign_in(district, base, DISTRICT_ADMIN)
    tracker = f"{base}{BASE}theo-doi/?kind=annual&period={period}"
    district.goto(tracker)
    unit = district.locator("tr[data-unit='Đảng bộ Xã Tân Hưng']")
    assert unit.get_attribute("data-state") in ("sent", "late_sent"), unit.inner_text()
    snap(district, shots, "s04-huyen-thay-da-gui")

    # a record of the commune changes after the report was sent
    commune.goto(f"{base}/admin/socialaccount/?search=kiemthu.e2e")
    commune.locator("a[title='Sửa bản ghi'], a.icon[href*='/edit/']").first.click()
    commune.fill("#account_name", "Kiểm Hoàng (đã đổi tên)")
    commune.locator("form.admin-form input[type=submit], form.admin-form button[type=submit]").first.click()
    commune.wait_for_selector(".alert-success")

    district.goto(tracker)
    unit = district.locator("tr[data-unit='Đảng bộ Xã Tân Hưng']")
    assert unit.get_attribute("data-state") == "changed", unit.inner_text()
    assert "sửa hồ sơ lúc" in unit.locator("[data-col=change]").inner_text()
    snap(district, shots, "s05-huyen-thay-thay-doi-sau-khi-gui")
    unit.locator("a:has-text('Xem')").click()
    district.wait_for_selector("[data-changed]")
    assert "Kiểm Hoàng (đã đổi tên)" in district.inner_text("main, body")
    snap(district, shots, "s06-huyen-xem-khac-biet")

    # the commune reopens with a reason and sends version 2
    commune.goto(f"{base}{BASE}")
    commune.locator("table.sub-history a").first.click()
    commune.fill("#reason", "Cập nhật tên tài khoản đã đổi")
    commune.click("#reopen")
    commune.wait_for_selector("#send-again")
    snap(commune, shots, "s07-xa-mo-lai")
    commune.click("#send-again")
    send_with_check(commune, shots, "s07b-kiem-tra-gui-lan-2")
    assert "gửi lần 2" in commune.inner_text("body")
    versions = commune.inner_text("table.sub-versions")
    assert "Cập nhật tên tài khoản đã đổi" in versions
    snap(commune, shots, "s08-da-gui-lan-2")

    district.goto(tracker)
    unit = district.locator("tr[data-unit='Đảng bộ Xã Tân Hưng']")
    assert unit.get_attribute("data-state") in ("sent", "late_sent") and "lần 2" in unit.inner_text()
    snap(district, shots, "s09-huyen-nhan-lan-2")
    district.context.close()
    commune.context.close()
