"""Ensure that the annual totals, the monthly movement and the data-quality reports count
exactly what a dataset with known totals holds, within the user's scope only."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from models import Member, SocialAccount, normalize
from models.platforms import PLATFORMS
from services import reports
from tests import factories

D = dt.datetime


def _account(owner: Member, url: str, platform: str, created: dt.datetime, **kw: object) -> SocialAccount:
    acc = SocialAccount(member=owner, url=url, platform=platform, account_name=owner.full_name,
                        purpose=kw.pop("purpose", "Tuyên truyền"), created_at=created, **kw)
    acc.save_legacy() if acc.purpose is None else acc.save()
    return acc


@pytest.fixture
def known(world: factories.World) -> factories.World:
    """World (records created today) plus dated records in XA-2 and XB-1; see each comment."""
    cell2 = factories.org("XA-2", "Chi bộ thôn 2", world.commune_a)
    cuong = factories.member(cell2, "Lê Văn Cường", joined_on=D(2025, 3, 10))
    _account(cuong, "https://zalo.me/0911111111", "Zalo", D(2025, 3, 15))
    _account(cuong, "https://www.tiktok.com/@cuong", "Tiktok", D(2025, 10, 5))
    factories.site(cuong, "cuong.vn", created_at=D(2025, 4, 1))
    dung = factories.member(cell2, "Phạm Thị Dung", joined_on=D(2024, 1, 1), status="transferred",
                            left_on=D(2025, 10, 20), left_reason="Chuyển sinh hoạt về xã Bình Minh")
    gone = _account(dung, "https://www.facebook.com/dung", "Facebook", D(2024, 2, 1))
    gone.update(set__deleted_at=D(2025, 10, 21))  # removed from the register in October
    em = factories.member(cell2, "Vũ Văn Em", joined_on=D(2025, 10, 2))
    _account(em, "https://www.youtube.com/@em", "Youtube", D(2025, 10, 3), purpose=None)  # missing (12)
    phuc = factories.member(world.cell_b, "Hoàng Văn Phúc", joined_on=D(2025, 10, 15))
    _account(phuc, "https://viber.com/phuc", "Khác", D(2025, 10, 16))  # Viber: not on the list, so "Khác"
    giang = Member(full_name="Đinh Thị Giang", organisation=world.cell_b, joined_on=D(2025, 11, 5))
    giang.save_legacy()  # no position: a missing mandatory field
    return world


def table(path: Path, sheet: int = 0) -> list[tuple]:
    ws = openpyxl.load_workbook(path).worksheets[sheet]
    rows = list(ws.iter_rows(min_row=7, values_only=True))
    body = []
    for row in rows[1:]:
        if row[1] is None:
            break
        body.append(row)
    return body


def test_annual_totals_as_of_a_date(known: factories.World, tmp_path: Path) -> None:
    out = tmp_path / "annual.xlsx"
    reports.export_report("annual", out, known.district, as_of=dt.date(2025, 10, 31), today=dt.date(2025, 11, 2))
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    assert ws["A1"].value == "ĐẢNG BỘ HUYỆN VĨNH BẢO" and ws["A2"].value == "HUYỆN ỦY VĨNH BẢO"
    assert ws["A5"].value == "(Tính đến ngày 31 tháng 10 năm 2025)"
    assert [c.value for c in ws[7]][:5] == ["STT", "Đơn vị", "Số cán bộ, đảng viên", "Số trang web/blog",
                                          "Tổng số tài khoản mạng xã hội"]
    assert [c.value for c in ws[7]][5:5 + len(PLATFORMS)] == [f"Trong đó: {p}" for p in PLATFORMS]
    assert [c.value for c in ws[7]][5 + len(PLATFORMS):] == [
        "Số đảng viên", "Số người không phải đảng viên", "Số trang, tài khoản của đảng viên",
        "Số trang, tài khoản của người không phải đảng viên"]
    by_platform = {p: 0 for p in PLATFORMS}
    xa = [1, "Đảng bộ xã An Hòa", 2, 1, 3, *{**by_platform, "YouTube": 1, "TikTok": 1, "Zalo": 1}.values(), 2, 0, 4, 0]
    xb = [2, "Đảng bộ xã Bình Minh", 1, 0, 1, *{**by_platform, "Khác": 1}.values(), 1, 0, 1, 0]
    total = ["", "Tổng cộng", 3, 1, 4, *{**by_platform, "YouTube": 1, "TikTok": 1, "Zalo": 1, "Khác": 1}.values(),
             3, 0, 5, 0]
    assert [list(r) for r in table(out)] == [xa, xb, [None if v == "" else v for v in total]]


def test_annual_totals_today_count_everything_live(known: factories.World) -> None:
    [tab] = reports.annual_tables(known.district, None, normalize.today())
    rows = {r[0]: r[1:5] for r in tab.rows}
    assert rows == {"Đảng bộ xã An Hòa": [3, 2, 4, 1], "Đảng bộ xã Bình Minh": [3, 1, 2, 1]}
    assert list(tab.total[1:4]) == [6, 3, 6]


def test_annual_for_a_commune_lists_its_cells(known: factories.World) -> None:
    [tab] = reports.annual_tables(known.commune_a, None, normalize.today())
    assert [r[:4] for r in tab.rows] == [["Chi bộ thôn 1", 1, 1, 1], ["Chi bộ thôn 2", 2, 1, 3]]


def test_monthly_movement_with_names_and_reasons(known: factories.World, tmp_path: Path) -> None:
    out = tmp_path / "monthly.xlsx"
    reports.export_report("monthly", out, known.district, year=2025, month=10)
    summary = [list(r) for r in table(out, 0)]
    assert summary == [[1, "Đảng bộ xã An Hòa", 1, 1, 2, 1, 0, 0, 0, 0], [2, "Đảng bộ xã Bình Minh", 1, 0, 1, 0, 0, 0, 0, 0],
                       [None, "Tổng cộng", 2, 1, 3, 1, 0, 0, 0, 0]]
    detail = [(r[2], r[3], r[5], r[7], r[8]) for r in table(out, 1)]
    assert detail == [
        ("Chi bộ thôn 2", "Lê Văn Cường", "Thêm tài khoản mạng xã hội", "05/10/2025", None),
        ("Chi bộ thôn 2", "Phạm Thị Dung", "Ra khỏi danh sách", "20/10/2025", "Chuyển sinh hoạt về xã Bình Minh"),
        ("Chi bộ thôn 2", "Phạm Thị Dung", "Xóa tài khoản mạng xã hội", "21/10/2025", None),
        ("Chi bộ thôn 2", "Vũ Văn Em", "Thêm mới", "02/10/2025", None),
        ("Chi bộ thôn 2", "Vũ Văn Em", "Thêm tài khoản mạng xã hội", "03/10/2025", None),
        ("Chi bộ thôn Đông", "Hoàng Văn Phúc", "Thêm mới", "15/10/2025", None),
        ("Chi bộ thôn Đông", "Hoàng Văn Phúc", "Thêm tài khoản mạng xã hội", "16/10/2025", None),
    ]
    assert table(out, 1)[0][6] == "TikTok: https://www.tiktok.com/@cuong"
    assert openpyxl.load_workbook(out).worksheets[0]["A5"].value == "(Tháng 10 năm 2025)"


def test_monthly_december_and_an_empty_month(known: factories.World) -> None:
    tables = reports.monthly_tables(known.district, None, 2024, 12)
    assert list(tables[0].total[1:]) == [0] * 8 and list(tables[1].rows) == []


def test_quality_per_unit_with_rule_labels(known: factories.World, tmp_path: Path) -> None:
    out = tmp_path / "quality.xlsx"
    reports.export_report("quality", out, known.district)
    assert [list(r) for r in table(out, 0)] == [[1, "Đảng bộ xã An Hòa", 0, 0, 1, 1],
                                                 [2, "Đảng bộ xã Bình Minh", 1, 0, 0, 1],
                                                 [None, "Tổng cộng", 1, 0, 1, 2]]
    detail = [(r[1], r[3], r[4], r[6]) for r in table(out, 1)]
    assert detail == [("Đảng bộ xã An Hòa", "Vũ Văn Em", "Tài khoản mạng xã hội", "Thiếu (12) Mục đích sử dụng"),
                      ("Đảng bộ xã Bình Minh", "Đinh Thị Giang", "Cán bộ, đảng viên", "Thiếu Cấp bậc, chức vụ")]


def test_issue_labels_come_from_the_model_rules() -> None:
    assert reports.issue_label(SocialAccount, "invalid:registration_phone") == "Sai định dạng (8) Số điện thoại đăng ký"
    assert reports.issue_label(Member, "missing:position") == "Thiếu Cấp bậc, chức vụ"


def test_reports_stay_in_the_users_scope(known: factories.World) -> None:
    officer = factories.user("canbo_a", known.commune_a, "officer")
    with pytest.raises(reports.ReportError):
        reports.annual_tables(known.commune_b, officer, normalize.today())
    with pytest.raises(reports.ReportError):
        reports.quality_tables(known.district, officer)
    [tab] = reports.annual_tables(known.commune_a, officer, normalize.today())
    assert tab.total[1:4] == [3, 2, 4]


def test_hostile_names_in_reports_stay_text(known: factories.World, tmp_path: Path) -> None:
    import zipfile

    factories.member(known.cell_a, "=HYPERLINK(\"http://x\",\"c\")", joined_on=D(2025, 10, 9))
    out = tmp_path / "m.xlsx"
    reports.export_report("monthly", out, known.district, year=2025, month=10)
    with zipfile.ZipFile(out) as z:
        xml = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" not in xml and "<hyperlink" not in xml
    assert '=HYPERLINK("http://x","c")' in [r[3] for r in table(out, 1)]


def test_cli_reports(runner, known: factories.World, tmp_path: Path) -> None:
    out = tmp_path / "a.xlsx"
    result = runner.invoke(args=["reports", "annual", "--org", "HU", "--as-of", "2025-10-31", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert table(out)[-1][2:5] == (3, 1, 4)
    result = runner.invoke(args=["reports", "monthly", "--org", "XA", "--month", "2025-10", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert table(out)[-1][2:6] == (1, 1, 2, 1)
    result = runner.invoke(args=["reports", "quality", "--org", "XB", "-o", str(out)])
    assert result.exit_code == 0 and table(out)[-1][2:] == (1, 0, 0, 1)
    factories.user("canbo_a", known.commune_a, "officer")
    result = runner.invoke(args=["reports", "quality", "--org", "XB", "--user", "canbo_a", "-o", str(tmp_path / "b.xlsx")])
    assert result.exit_code != 0 and "ngoài phạm vi" in result.output
