"""The commune officer's party work in a real browser: record a meeting with its roll
call, mark the attendees as having studied the resolution, download the monthly meeting
report. One screenshot per step under test-output/e2e/."""

from __future__ import annotations

import re

import openpyxl

from models import normalize
from tests.e2e.conftest import DESKTOP, PHONE, new_page
from tests.e2e.test_journey import log_in, pick_select2, snap

TOPIC = "Sinh hoạt chi bộ kiểm thử trình duyệt"


def test_officer_records_meeting_study_and_downloads_report(live_server, browser, shots):
    """Ensure that a meeting, its roll call, the study record and the monthly report work end to end."""
    page = new_page(browser, DESKTOP, downloads=True)
    base = live_server
    log_in(page, base)
    today = normalize.today()

    # 1. the meeting: cell, date, kind, multi-line agenda and conclusions
    page.goto(f"{base}/admin/meeting/new/")
    pick_select2(page, "organisation", "thon 1", "Chi bộ thôn 1")
    page.fill("#held_on", today.strftime("%d/%m/%Y"))
    page.select_option("#kind", "regular")
    page.fill("#topic", TOPIC)
    page.fill("#agenda", "1. Kiểm điểm nhiệm vụ tháng\n2. Học tập nghị quyết")
    page.fill("#conclusions", "Giao đảng viên rà soát tài khoản mạng xã hội.")
    snap(page, shots, "p01-them-cuoc-hop")
    page.click("input[type=submit][value='Lưu']")
    page.fill("input[name=search]", "kiem thu trinh duyet")
    page.press("input[name=search]", "Enter")
    page.click(f"tr:has-text('{TOPIC}') a[title='Xem chi tiết'], tr:has-text('{TOPIC}') .fa-eye")
    page.wait_for_url(re.compile(r".*/admin/meeting/details/.*"))

    # 2. roll call: party members only; one absent with a reason, one absent without
    page.click("text=Điểm danh…")
    page.wait_for_selector("table.roll-call")
    selects = page.locator("table.roll-call select")
    count = selects.count()
    assert count >= 3
    selects.nth(0).select_option("excused")
    page.locator("table.roll-call input[name^=reason_]").nth(0).fill("Đi công tác")
    selects.nth(1).select_option("unexcused")
    snap(page, shots, "p02-diem-danh")
    page.click("button:has-text('Lưu điểm danh')")
    page.wait_for_selector("text=Đã lưu điểm danh.")
    body = page.inner_text("body")
    assert f"Có mặt {count - 2}/{count}; vắng có lý do 1, vắng không lý do 1" in body
    assert "1. Kiểm điểm nhiệm vụ tháng\n2. Học tập nghị quyết" in body
    snap(page, shots, "p03-chi-tiet-cuoc-hop")

    # 3. one click: the members present have studied the district's resolution
    page.click("button:has-text('Ghi nhận người có mặt đã học tập')")
    # (members who studied at an earlier themed meeting are not recorded twice)
    flash = page.locator(".alert-success", has_text="học tập").inner_text()
    assert re.search(r"Đã ghi nhận \d+ đảng viên học tập|đều đã được ghi nhận", flash), flash
    snap(page, shots, "p04-ghi-nhan-hoc-tap")

    # 4. the dashboard's end-of-month deadline leads to the monthly meeting report
    page.goto(f"{base}/admin/")
    page.click("li:has-text('Báo cáo kết quả sinh hoạt chi bộ') a:has-text('Lập báo cáo')")
    page.wait_for_selector("table.meeting-cells")
    row = page.locator("table.meeting-cells tr", has_text="Chi bộ thôn 1")
    assert re.search(r"\d\d/\d\d/\d{4}", row.inner_text()), row.inner_text()
    snap(page, shots, "p05-bao-cao-sinh-hoat")
    with page.expect_download() as info:
        page.click("#download-meeting-report")
    assert info.value.suggested_filename.startswith("bao-cao-sinh-hoat-X01-")
    path = shots / "bao-cao-sinh-hoat.xlsx"
    info.value.save_as(path)
    ws = openpyxl.load_workbook(path).worksheets[0]
    values = [[c.value for c in r] for r in ws.iter_rows()]
    flat = [v for r in values for v in r if v is not None]
    assert "BÁO CÁO KẾT QUẢ SINH HOẠT CHI BỘ" in flat and "NGƯỜI LẬP BIỂU" in flat
    mine = next(r for r in values if r[1] == "Chi bộ thôn 1")
    assert mine[2] == "Đã sinh hoạt"

    # 5. the work calendar of the month, on a phone too
    page.goto(f"{base}/admin/lich-cong-tac/")
    snap(page, shots, "p06-lich-cong-tac")
    phone = new_page(browser, PHONE)
    log_in(phone, base)
    phone.goto(f"{base}/admin/bao-cao-cong-tac-dang/sinh-hoat/")
    snap(phone, shots, "p07-bao-cao-dien-thoai")

    # 6. the committee of a report is picked by typing (committees only, loaded on demand)
    page.goto(f"{base}/admin/bao-cao-cong-tac-dang/nhiem-vu/?month=2026-10")
    page.click("#s2id_org a.select2-choice")
    page.fill(".select2-drop-active input.select2-input", "tan hung")
    offered = page.locator(".select2-drop-active .select2-result-selectable")
    offered.first.wait_for()
    assert [t.split(" › ")[-1] for t in offered.all_inner_texts()] == ["Đảng bộ Xã Tân Hưng"]
    offered.first.click()
    page.click("button:has-text('Xem')")
    page.wait_for_load_state()
    assert "month=2026-10" in page.url and "org=" in page.url and "Kết quả thực hiện nhiệm vụ tháng 10/2026" in page.inner_text("h1")
    snap(page, shots, "p07b-chon-dang-bo")


def test_party_screens_render_with_demo_content(live_server, browser, shots):
    """Ensure that the other party-work screens show the demo content a commune officer expects."""
    page = new_page(browser, DESKTOP)
    base = live_server
    log_in(page, base)
    page.goto(f"{base}/admin/van-ban-den/")
    assert "NQ/HU" in page.inner_text("table.model-list")
    snap(page, shots, "p08-van-ban-den")
    page.goto(f"{base}/admin/studycampaign/")
    page.click("a:has-text('Tiến độ…')")
    page.wait_for_selector("table.study-cells")
    assert re.search(r"Đã học tập \d+/\d+ đảng viên", page.inner_text("body"))
    snap(page, shots, "p09-tien-do-hoc-tap")
    page.goto(f"{base}/admin/task/")
    snap(page, shots, "p10-nhiem-vu")
    page.goto(f"{base}/admin/task/new/")
    snap(page, shots, "p11-giao-nhiem-vu")
    page.goto(f"{base}/admin/")
    assert "Nhiệm vụ quá hạn" in page.inner_text("body")
    snap(page, shots, "p12-trang-chu")
