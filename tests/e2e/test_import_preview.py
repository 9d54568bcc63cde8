"""The import preview in a real browser: conversions, skipped sheets, a possible duplicate
to resolve, per-row changes; then the confirm (issue 15). Screenshots under test-output/e2e/."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from models import normalize, vn_legacy
from tests.e2e.conftest import DESKTOP, new_page
from tests.e2e.serve import CONFLICT_URL, URL
from tests.e2e.test_journey import log_in, snap
from tests.fixtures.office import SheetSpec, build, saved_by_libreoffice

TITLE = ("ĐẢNG BỘ HUYỆN VĨNH BẢO", "ĐẢNG BỘ XÃ TÂN HƯNG")


def _row(name: str, url: str, purpose: str = "Tuyên truyền", cell: str = "Chi bộ thôn 1", dated: str | None = None) -> list:
    """A row as typed; (11) today unless ``dated`` (an older file's row is a conflict)."""
    return [1, cell, name, "Bí thư Đoàn thanh niên", "Facebook", name, url, "", "",
            "02/10/2023", dated or normalize.format_date(normalize.today()), purpose]


def _preview(browser, base: str, path: Path):
    """A logged-in officer's page showing the preview of the file at ``path``."""
    page = new_page(browser, DESKTOP)
    log_in(page, base)
    page.goto(f"{base}/admin/imports/")
    page.set_input_files("input[name=file]", str(path))
    page.click("button:has-text('Kiểm tra và xem trước')")
    page.wait_for_selector("#import-rows")
    return page


def _confirm(page, shots: Path, name: str) -> str:
    """Click the confirm, wait for the result, keep a screenshot; the result's text."""
    page.click("button:has-text('Xác nhận nhập')")
    page.wait_for_selector(".alert:has-text('Đã nhập')")
    snap(page, shots, name)
    return page.inner_text(".alert:has-text('Đã nhập')")


def test_import_preview_walk(live_server, browser, shots: Path, tmp_path: Path) -> None:
    """Ensure that an officer sees what the import will do, resolves a possible duplicate,
    and confirms."""
    rows = [_row(vn_legacy.encode("Hoàng Minh Kiểm", "tcvn3"), URL, purpose="Đấu tranh phản bác"),
            _row("Hoàng Minh Kiểm", "https://www.facebook.com/kiem.moi"),
            _row("Hoang Minh Kiem", "https://www.facebook.com/kiem.khongdau")]
    data = build([SheetSpec("Năm 2022", rows[:1], state="hidden", title=TITLE), SheetSpec("Thôn 1", rows, title=TITLE)])
    path = tmp_path / "danh-sach-thon-1.xlsx"
    path.write_bytes(data)
    page = _preview(browser, live_server, path)
    snap(page, shots, "30-nhap-xem-truoc")
    assert "Năm 2022" in page.inner_text("#import-hidden")
    assert "TCVN3" in page.inner_text("#import-conversions")
    assert "Hoang Minh Kiem" in page.inner_text("#import-duplicates")
    update = page.inner_text("#import-rows tr.import-update")
    assert "Tuyên truyền → Đấu tranh phản bác" in update and "Hoàng Minh Kiểm" in update
    assert "Thêm mới" in page.inner_text("#import-rows tr.import-create")
    page.check("#import-duplicates input[value=new]")
    done = _confirm(page, shots, "31-nhap-xong")
    assert "thêm mới 2, cập nhật 1" in done and "người mới 1" in done, done


def test_confirm_after_someone_else_changed_the_register(live_server, browser, shots: Path, tmp_path: Path) -> None:
    """Ensure that preview = result in the browser: when the account the file updates is
    edited in another tab after the preview, the confirm writes nothing, says so, and shows
    the new preview (with the other change as "before"); confirming that one writes."""
    path = tmp_path / "cap-nhat.xlsx"
    path.write_bytes(build([SheetSpec("Thôn 1", [_row("Hoàng Minh Kiểm", URL, purpose="Học tập nghị quyết")],
                                      title=TITLE)]))
    base = live_server
    page = _preview(browser, base, path)
    assert "→ Học tập nghị quyết" in page.inner_text("#import-rows tr.import-update")
    other = new_page(browser, DESKTOP)  # the same officer in another tab
    log_in(other, base)
    other.goto(f"{base}/admin/socialaccount/?search=kiemthu")
    other.click("tr:has-text('Hoàng Minh Kiểm') a[title='Sửa bản ghi']")
    other.fill("#purpose", "Cá nhân")
    other.click("input[type=submit][value='Lưu']")
    other.wait_for_load_state()
    page.click("button:has-text('Xác nhận nhập')")
    page.wait_for_selector(".alert:has-text('đã thay đổi kể từ lúc xem trước')")
    snap(page, shots, "32-nhap-du-lieu-da-doi")
    assert "Cá nhân → Học tập nghị quyết" in page.inner_text("#import-rows tr.import-update")
    page.click("button:has-text('Xác nhận nhập')")
    page.wait_for_selector(".alert:has-text('Đã nhập')")
    assert "cập nhật 1" in page.inner_text(".alert:has-text('Đã nhập')")


def test_cell_alias_homonym_and_conflict_settled_on_the_page(live_server, browser, shots: Path, tmp_path: Path) -> None:
    """Ensure that an officer settles on the page an unknown cell name (learnt as an alias), a
    homonym (the candidates with birth years and phones) and a conflict with an older file
    (the file's value chosen), then confirms; the next file with that cell name just imports."""
    last_year = normalize.format_date(normalize.today() - dt.timedelta(days=365))
    rows = [_row("Hoàng Minh Kiểm", "https://www.facebook.com/kiem.thon1", cell="Thôn 1"),
            _row("Phan Văn Đồng", "https://www.facebook.com/dong.e2e"),
            _row("Đinh Văn Xung", CONFLICT_URL, purpose="Tuyên truyền", dated=last_year)]
    path = tmp_path / "danh-sach-nam-ngoai.xlsx"
    path.write_bytes(saved_by_libreoffice(build([SheetSpec("Thôn 1", rows, title=TITLE)])))
    page = _preview(browser, live_server, path)
    snap(page, shots, "33-nhap-chon-chi-bo-nguoi-xung-dot")
    cells = page.inner_text("#import-cells")
    assert "Thôn 1" in cells and "không thuộc" not in page.inner_text("#import-rows")
    options = page.locator("#import-cells select option").all_inner_texts()
    assert options[1] == "Chi bộ thôn 1", options  # nearest first, after "skip"
    page.select_option("#import-cells select", label="Chi bộ thôn 1")
    duplicates = page.inner_text("#import-duplicates")
    assert "sinh năm 1970" in duplicates and "sinh năm 1992" in duplicates and "0912000002" in duplicates
    page.check("#import-duplicates label:has-text('1992') input")
    conflict = page.inner_text("#import-conflicts")
    assert "theo tệp Tuyên truyền / đã có Đấu tranh phản bác" in conflict and last_year in conflict
    page.check("#import-conflicts input[value=file]")
    done = _confirm(page, shots, "34-nhap-da-chon")
    assert "thêm mới 2, cập nhật 1" in done and "người mới 0" in done, done
    again = tmp_path / "lan-sau.xlsx"
    again.write_bytes(build([SheetSpec("Thôn 1", [_row("Hoàng Minh Kiểm", "https://www.facebook.com/kiem.thon1b",
                                                       cell="Thôn 1")], title=TITLE)]))
    second = _preview(browser, live_server, again)
    assert second.locator("#import-cells").count() == 0
    assert "Thêm mới" in second.inner_text("#import-rows tr.import-create")


def test_export_with_legacy_invalid_rows_previews_unchanged_with_warnings(live_server, browser, shots: Path,
                                                                          tmp_path: Path) -> None:
    """Ensure that the officer's own form 2 export of the demo register (which keeps legacy
    accounts with a short phone, an invalid e-mail or no purpose), saved again by LibreOffice,
    previews with no row rejected and nothing to write, the legacy rows warned with a link to
    the record, which opens its edit form."""
    page = new_page(browser, DESKTOP, downloads=True)
    log_in(page, live_server)
    page.goto(f"{live_server}/admin/socialaccount/")
    with page.expect_download() as info:
        page.click("a[data-export=xlsx]")
    exported = tmp_path / "mau-2-xuat.xlsx"
    info.value.save_as(str(exported))
    path = tmp_path / "mau-2-luu-lai.xlsx"
    path.write_bytes(saved_by_libreoffice(exported.read_bytes()))
    page.goto(f"{live_server}/admin/imports/")
    page.set_input_files("input[name=file]", str(path))
    page.click("button:has-text('Kiểm tra và xem trước')")
    page.wait_for_selector("#import-rows")
    snap(page, shots, "35-nhap-lai-ban-xuat-co-du-lieu-cu-sai")
    counts = page.inner_text("#import-counts")
    assert "Bị từ chối\t0" in counts and "Sẽ thêm mới\t0" in counts and "Sẽ cập nhật\t0" in counts, counts
    assert int(page.inner_text("#import-warned")) > 0
    assert page.locator("#import-rows tr.import-rejected").count() == 0
    assert page.locator("#import-nothing").count() == 1
    warning = page.locator(".import-warning").first
    assert "Không đổi, nhưng" in warning.inner_text()
    warning.locator("a").click()
    page.wait_for_selector("form.admin-form")
    assert "/edit/" in page.url
