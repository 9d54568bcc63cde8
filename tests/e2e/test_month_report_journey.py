"""The month-end report in a real browser: the commune's officer puts the signer's name on its
own printed names, sends the month's meetings and study report, the district sees it arrive, a
member's study is recorded, the district sees "changed since sent" with the difference; a viewer
of the commune cannot edit the names. Screenshots m01…m06 under test-output/e2e/."""

from __future__ import annotations

from pathlib import Path

from models import normalize
from tests.e2e.conftest import DESKTOP, new_page
from tests.e2e.serve import DISTRICT_ADMIN, VIEWER
from tests.e2e.test_submission_journey import BASE, commune_reports, download_as_sent, send_with_check, sign_in, snap

UNIT = "tr[data-unit='Đảng bộ Xã Tân Hưng']"


def test_commune_signs_and_sends_its_month_end_report(live_server, browser, shots: Path) -> None:
    base = live_server
    commune, row, period = commune_reports(browser, base, "tr[data-kind=meetings][data-state=open]")
    row.locator("a:has-text('Kiểm tra và gửi')").click()
    commune.click("[data-edit-titles]")
    commune.wait_for_selector("form.unit-titles")
    commune.fill("#signer_name", "Phạm Văn Ký")
    commune.fill("#signer_title", "PHÓ BÍ THƯ")
    snap(commune, shots, "m01-xa-sua-ten-in")
    commune.click("#save-titles")
    commune.wait_for_selector("[data-quality-count]")
    assert "PHÓ BÍ THƯ Phạm Văn Ký" in commune.inner_text("body")
    send_with_check(commune, shots, "m02-kiem-tra-gui-bao-cao-thang")
    facts = commune.inner_text(".sub-facts")
    assert "Phạm Văn Ký" in facts and "chi bộ đã sinh hoạt thường kỳ" in facts and "học tập nghị quyết" in facts
    snap(commune, shots, "m03-da-gui-bao-cao-thang")
    book = download_as_sent(commune, shots / "bao-cao-sinh-hoat-da-gui.xlsx")
    assert "Học tập nghị quyết" in book.sheetnames
    texts = [str(c) for r in book["Học tập nghị quyết"].iter_rows(values_only=True) for c in r if c is not None]
    assert any(t.startswith("Học tập, quán triệt") for t in texts) and "Phạm Văn Ký" in texts

    district = new_page(browser, DESKTOP)
    sign_in(district, base, DISTRICT_ADMIN)
    tracker = f"{base}{BASE}theo-doi/?kind=meetings&period={period}"
    district.goto(tracker)
    assert district.locator(UNIT).get_attribute("data-state") in ("sent", "late_sent"), district.locator(UNIT).inner_text()
    snap(district, shots, "m04-huyen-thay-bao-cao-thang")

    # one more member of the commune has studied the resolution since the report was sent
    commune.goto(f"{base}/admin/studycampaign/")
    commune.locator("a:has-text('Tiến độ')").first.click()
    commune.locator("form.study-by-hand input[name=member]").first.check()
    commune.fill("#studied_on", normalize.format_date(normalize.today()))
    commune.click("form.study-by-hand button[type=submit]")
    commune.wait_for_selector(".alert-success")

    district.goto(tracker)
    unit = district.locator(UNIT)
    assert unit.get_attribute("data-state") == "changed", unit.inner_text()
    assert "đã học tập «Học tập, quán triệt" in unit.locator("[data-col=change]").inner_text()
    snap(district, shots, "m05-huyen-thay-thay-doi-bao-cao-thang")

    viewer = new_page(browser, DESKTOP)
    sign_in(viewer, base, VIEWER)
    viewer.goto(f"{base}{BASE}")
    assert viewer.locator("[data-edit-titles]").count() == 0
    snap(viewer, shots, "m06-nguoi-xem-khong-sua-ten-in")
    assert viewer.goto(f"{base}{BASE}ten-in/").status == 403
    for page in (commune, district, viewer):
        page.context.close()
