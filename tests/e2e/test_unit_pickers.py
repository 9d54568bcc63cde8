"""Units chosen on demand in a real browser (issue 27): the transfer destination searched in
the whole tree, several recipients of a document chosen in one picker. Screenshots under
test-output/e2e/."""

from __future__ import annotations

import re

from models import normalize
from tests.e2e.conftest import DESKTOP, new_page
from tests.e2e.test_journey import log_in, snap


def _open_first(page, base: str, listing: str, detail: str) -> None:
    page.goto(f"{base}{listing}")
    page.locator("a[title='Xem chi tiết'], a:has(.fa-eye)").first.click()
    page.wait_for_url(re.compile(rf".*{detail}.*"))


def test_officer_transfers_with_the_tree_picker_and_sends_to_chosen_cells(live_server, browser, shots):
    """Ensure that the commune officer finds a unit of another commune by typing part of its
    path, sends the transfer, and sends a document to two of its own cells picked in one box."""
    page = new_page(browser, DESKTOP)
    base = live_server
    log_in(page, base)

    # 1. the transfer destination: any unit outside the officer's commune, by path
    _open_first(page, base, "/admin/member/?search=trinh+van+chuyen", "/admin/member/details/")
    page.click("text=Chuyển sinh hoạt…")
    page.wait_for_selector("#s2id_to_unit")
    assert page.locator("select#to_unit, select#to_org").count() == 0  # no list of units in the page
    page.click("#s2id_to_unit a.select2-choice")
    page.fill(".select2-drop-active input.select2-input", "thon 1")
    first = page.locator(".select2-drop-active .select2-result-selectable").first
    first.wait_for()
    chosen = first.inner_text()
    assert "›" in chosen  # offered with its path: cell names repeat across communes
    snap(page, shots, "u01-chon-don-vi-chuyen-den")
    first.click()
    page.fill("#out_on", normalize.today().strftime("%d/%m/%Y"))
    page.click("text=Gửi chuyển sinh hoạt")
    page.wait_for_url(re.compile(r".*/admin/transfers/.*side=outgoing.*"))
    assert "chờ đơn vị đó tiếp nhận" in page.content()
    snap(page, shots, "u02-da-gui-chuyen-sinh-hoat")

    # 2. a document of the commune sent to two of its cells picked in one box
    _open_first(page, base, "/admin/partydocument/", "/admin/partydocument/details/")
    page.click("text=Gửi văn bản…")
    page.wait_for_selector("#s2id_to-below")
    for typed in ("truong tieu hoc", "cong an"):  # two cells of the commune
        page.click("#s2id_to-below input.select2-input")
        page.type("#s2id_to-below input.select2-input", typed)
        offered = page.locator(".select2-drop-active .select2-result-selectable").first
        offered.wait_for()
        offered.click()
    assert page.locator("#s2id_to-below li.select2-search-choice").count() == 2
    snap(page, shots, "u03-chon-noi-nhan")
    page.click("text=Gửi các đơn vị đã chọn")
    page.wait_for_url(re.compile(r".*/admin/partydocument/details/.*"))
    assert re.search(r"Đã gửi văn bản đến 2 đơn vị|Các đơn vị đã chọn đều đã nhận", page.content())
