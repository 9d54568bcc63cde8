"""Reading forms 1 and 2 as cells really type them: header, rows, values, row errors."""

from __future__ import annotations

import datetime as dt

import pytest

import imports
from models import Member, Site, SocialAccount
from tests.fixtures.workbooks import Formula, headers, workbook

FIRST = 9  # title block rows 1-5, blank row 6, header row 7, numbering row 8


def social_row(**kw: object) -> list:
    row = {1: 1, 2: "Chi bộ thôn 1", 3: "Nguyễn Văn An", 4: "Đảng viên", 5: "Facebook", 6: "An Nguyễn",
           7: "https://www.facebook.com/an.moi", 8: "0912345678", 9: "an@example.com",
           10: "02/10/2023", 11: "01/10/2025", 12: "Tuyên truyền"}
    row.update({int(k[1:]): v for k, v in kw.items()})
    return [row[i] for i in range(1, 13)]


def site_row(**kw: object) -> list:
    row = {1: 1, 2: "Chi bộ thôn 1", 3: "Nguyễn Văn An", 4: "Đảng viên", 5: "Blog mới", 6: "anmoi.vn",
           7: "123.124.125.124/Việt Nam", 8: "0912345678", 9: "an@example.com", 10: "02/10/2023",
           11: "02/10/2026", 12: "01/10/2025", 13: "Tuyên truyền"}
    row.update({int(k[1:]): v for k, v in kw.items()})
    return [row[i] for i in range(1, 14)]


def test_messy_header_title_block_numbering_blank_rows_and_signature(world) -> None:
    """Ensure that the header is found despite line breaks, case, NFD and extra spaces,
    and that numbering row, blank rows and the signature block are not data rows."""
    rows = [social_row(c7=f"facebook.com/user{i}") for i in range(5)]
    data = workbook("social", rows, messy_header=True, blank_every=2, first_col=1)
    summary = imports.run(data, "social", world.commune_a)
    assert summary.as_json() == {"rows": 5, "created": 5, "updated": 0, "unchanged": 0,
                                 "people_created": 0, "errors": [], "candidates": []}


def test_values_as_cells_write_them(world) -> None:
    """Ensure that Excel dates, text dates, phones without the leading zero, with spaces,
    dots or +84, URLs without scheme and NFD names are normalised on import."""
    nfd_name = "Nguye\u0302\u0303n Va\u0306n An"
    rows = [
        social_row(c3=nfd_name, c7="fb.com/an.mot", c8=912345678, c10=dt.date(2020, 5, 1), c11=dt.date(2025, 10, 1)),
        social_row(c7="facebook.com/an.hai", c8="+84 912 345 678", c10="1/2/2021"),
        social_row(c7="www.facebook.com/an.ba", c8="0912.345.678", c5="fb", c2="  CHI BO THON 1 "),
    ]
    summary = imports.run(workbook("social", rows), "social", world.commune_a, dry_run=False)
    assert summary.as_json()["errors"] == [] and summary.created == 3 and summary.people_created == 0
    docs = {a.url_key: a for a in SocialAccount.objects(member=world.member_a)}
    first = docs["facebook.com/an.mot"]
    assert first.url == "https://fb.com/an.mot" and first.registration_phone == "0912345678"
    assert first.established_on == dt.datetime(2020, 5, 1) and first.updated_on == dt.datetime(2025, 10, 1)
    assert docs["facebook.com/an.hai"].established_on == dt.datetime(2021, 2, 1)
    assert docs["facebook.com/an.ba"].platform == "Facebook"
    assert {docs[k].registration_phone for k in ("facebook.com/an.mot", "facebook.com/an.hai", "facebook.com/an.ba")} == {"0912345678"}


def test_page_and_group_role_in_brackets(world) -> None:
    """Ensure that ``URL (Quản trị viên)`` becomes a page/group link with its role."""
    rows = [social_row(c7="https://www.facebook.com/groups/thonmot (Quản trị viên)"),
            social_row(c7="facebook.com/trangthonmot\n(người kiểm duyệt)")]
    imports.run(workbook("social", rows), "social", world.commune_a, dry_run=False)
    group = SocialAccount.objects(url_key="facebook.com/groups/thonmot").get()
    page = SocialAccount.objects(url_key="facebook.com/trangthonmot").get()
    assert (group.link_type, group.admin_role, group.url) == ("group", "Quản trị viên", "https://www.facebook.com/groups/thonmot")
    assert (page.link_type, page.admin_role) == ("page", "Người kiểm duyệt")


INVALID = [
    ({"c8": "12345"}, "(8)", "Số điện thoại"),
    ({"c9": "an@"}, "(9)", "email"),
    ({"c10": "31/02/2023"}, "(10)", "Ngày không hợp lệ"),
    ({"c11": "hôm qua"}, "(11)", "Ngày không hợp lệ"),
    ({"c7": "javascript:alert(1)"}, "(7)", "Đường dẫn"),
    ({"c7": ""}, "(7)", "bắt buộc"),
    ({"c6": ""}, "(6)", "bắt buộc"),
    ({"c5": None}, "(5)", "bắt buộc"),
    ({"c4": ""}, "(4)", "bắt buộc"),
    ({"c12": ""}, "(12)", "bắt buộc"),
    ({"c3": ""}, "(3)", "bắt buộc"),
    ({"c2": ""}, "(2)", "bắt buộc"),
    ({"c2": "Chi bộ thôn Đông"}, "(2)", "không thuộc"),
    ({"c2": "Chi bộ không có"}, "(2)", "không thuộc"),
    ({"c8": Formula("=0912345678+0", 912345678)}, "(8)", "công thức"),
    ({"c6": Formula('="="&"HYPERLINK(1)"', "=HYPERLINK(1)")}, "(6)", "công thức"),
    ({"c6": "=HYPERLINK(\"http://x\",\"c\")"}, "(6)", "công thức"),
]


@pytest.mark.parametrize(("change", "column", "reason"), INVALID)
def test_each_invalid_value_is_reported_with_row_and_column(world, change, column, reason) -> None:
    """Ensure that one bad row among good ones is rejected with its Excel row, official
    column and a Vietnamese reason, and the other rows are imported."""
    rows = [social_row(c7="facebook.com/good1"), social_row(**{"c7": "facebook.com/bad", **change}),
            social_row(c7="facebook.com/good2")]
    summary = imports.run(workbook("social", rows), "social", world.commune_a, dry_run=False)
    result = summary.as_json()
    assert result["rows"] == 3 and result["created"] == 2
    assert [(e["row"], e["column"]) for e in result["errors"]] == [(FIRST + 1, column)]
    assert reason.lower() in result["errors"][0]["message"].lower()
    assert not SocialAccount.objects(url_key="facebook.com/bad").count()
    assert not SocialAccount.objects(__raw__={"url": {"$regex": "^="}}).count()


def test_summary_row_by_row_for_form_1(world) -> None:
    """Ensure that the JSON summary of a form 1 lists every rejected row, and counts add up."""
    rows = [site_row(c6="moi1.vn"), site_row(c6="moi2.vn", c7="999.1.1.1/Mỹ"),
            site_row(c6="nguyenvanan.blogspot.com", c5="Blog cá nhân"),
            site_row(c6="moi3.vn", c11="01/01/2020", c10="01/01/2021"),
            site_row(c6="moi4.vn", c3="Phạm Văn Mới", c4="Phó Bí thư", c8="0987654321")]
    summary = imports.run(workbook("sites", rows), "sites", world.commune_a, dry_run=False).as_json()
    assert [(e["row"], e["column"]) for e in summary["errors"]] == [(FIRST + 1, "(7)"), (FIRST + 3, "(11)")]
    assert (summary["created"], summary["updated"], summary["unchanged"], summary["people_created"]) == (2, 1, 0, 1)
    assert summary["rows"] == summary["created"] + summary["updated"] + summary["unchanged"] + 2
    newcomer = Member.objects(full_name="Phạm Văn Mới").get()
    assert newcomer.organisation == world.cell_a and newcomer.position == "Phó Bí thư"
    assert Site.objects(domain_key="moi4.vn").get().member == newcomer


def test_headers_of_the_other_form_or_of_no_form_fail_as_a_whole(world) -> None:
    """Ensure that a form 2 imported as form 1, or a sheet without the official header,
    fails with a clear message and writes nothing."""
    data = workbook("social", [social_row()])
    with pytest.raises(imports.ImportFileError, match="Biểu mẫu 2"):
        imports.run(data, "sites", world.commune_a, dry_run=False)
    other = workbook("social", [social_row()], header_cells=["Số", "Tên", "Địa chỉ", "Ghi chú"])
    with pytest.raises(imports.ImportFileError, match="không phải Biểu mẫu 1 hoặc Biểu mẫu 2"):
        imports.run(other, None, world.commune_a, dry_run=False)
    missing = workbook("social", [social_row()], header_cells=headers("social")[:6])
    with pytest.raises(imports.ImportFileError, match=r"thiếu cột \(7\)"):
        imports.run(missing, "social", world.commune_a, dry_run=False)
    assert SocialAccount.objects.count() == 2


def test_form_is_detected_when_not_given(world) -> None:
    """Ensure that the web's "detect" choice recognises form 1."""
    summary = imports.run(workbook("sites", [site_row()]), None, world.commune_a)
    assert summary.kind == "sites" and summary.created == 1


def test_workbook_saved_by_another_writer(world) -> None:
    """Ensure that a workbook written by openpyxl (shared strings, no numbering row, a
    formula stored without cached value) is read the same way."""
    import io

    import openpyxl

    from imports.layouts import FORMS

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.merge_cells("A1:E1")
    sheet["A1"] = "ĐẢNG BỘ XÃ AN HÒA"
    sheet.append([])
    sheet.append([c.header for c in FORMS["social"].columns])
    sheet.append(social_row(c7="facebook.com/openpyxl1"))
    sheet.append(social_row(c7="facebook.com/openpyxl2", c8='=CONCAT("09","12345678")'))
    out = io.BytesIO()
    book.save(out)
    result = imports.run(out.getvalue(), "social", world.commune_a).as_json()
    assert result["created"] == 1 and [(e["row"], e["column"]) for e in result["errors"]] == [(5, "(8)")]
