"""The import preview in a real browser: conversions, skipped sheets, a possible duplicate
to resolve, per-row changes; then the confirm (issue 15). Screenshots under test-output/e2e/."""

from __future__ import annotations

from pathlib import Path

from models import vn_legacy
from tests.e2e.conftest import DESKTOP, new_page
from tests.e2e.serve import URL
from tests.e2e.test_journey import log_in, snap
from tests.fixtures.office import SheetSpec, build

TITLE = ("ĐẢNG BỘ HUYỆN VĨNH BẢO", "ĐẢNG BỘ XÃ TÂN HƯNG")


def _row(name: str, url: str, purpose: str = "Tuyên truyền") -> list:
    return [1, "Chi bộ thôn 1", name, "Bí thư Đoàn thanh niên", "Facebook", name, url, "", "",
            "02/10/2023", "01/10/2025", purpose]


def test_import_preview_walk(live_server, browser, shots: Path, tmp_path: Path) -> None:
    """Ensure that an officer sees what the import will do, resolves a possible duplicate,
    and confirms."""
    rows = [_row(vn_legacy.encode("Hoàng Minh Kiểm", "tcvn3"), URL, purpose="Đấu tranh phản bác"),
            _row("Hoàng Minh Kiểm", "https://www.facebook.com/kiem.moi"),
            _row("Hoang Minh Kiem", "https://www.facebook.com/kiem.khongdau")]
    data = build([SheetSpec("Năm 2022", rows[:1], state="hidden", title=TITLE), SheetSpec("Thôn 1", rows, title=TITLE)])
    path = tmp_path / "danh-sach-thon-1.xlsx"
    path.write_bytes(data)
    page = new_page(browser, DESKTOP)
    base = live_server
    log_in(page, base)
    page.goto(f"{base}/admin/imports/")
    page.set_input_files("input[name=file]", str(path))
    page.click("button:has-text('Kiểm tra và xem trước')")
    page.wait_for_selector("#import-rows")
    snap(page, shots, "30-nhap-xem-truoc")
    assert "Năm 2022" in page.inner_text("#import-hidden")
    assert "TCVN3" in page.inner_text("#import-conversions")
    assert "Hoang Minh Kiem" in page.inner_text("#import-duplicates")
    update = page.inner_text("#import-rows tr.import-update")
    assert "Tuyên truyền → Đấu tranh phản bác" in update and "Hoàng Minh Kiểm" in update
    assert "Thêm mới" in page.inner_text("#import-rows tr.import-create")
    page.check("#import-duplicates input[value=new]")
    page.click("button:has-text('Xác nhận nhập')")
    page.wait_for_selector(".alert:has-text('Đã nhập')")
    snap(page, shots, "31-nhap-xong")
    done = page.inner_text(".alert:has-text('Đã nhập')")
    assert "thêm mới 2, cập nhật 1" in done and "người mới 1" in done, done
