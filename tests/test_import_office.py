"""Office workbooks as they really are (issue 15): each situation built the way offices
produce it, asserting the stored records, not only the counts."""

from __future__ import annotations

import datetime as dt

import pytest

import imports
from models import Member, SocialAccount, normalize, vn_legacy
from tests import factories
from tests.fixtures.office import SheetSpec, build, convert
from tests.test_import_reading import social_row

FIRST = 8  # title rows 1-5, header 6, numbering 7


def row(**kw: object) -> list:
    kw.setdefault("c8", "")
    kw.setdefault("c9", "")  # the template's e-mail is Nguyễn Văn An's: a possible duplicate for anyone else
    kw.setdefault("c11", normalize.format_date(normalize.today()))  # a file of today: no older than the register
    return social_row(**kw)


def run(data: bytes, world, dry_run: bool = False, **kw: object) -> imports.Summary:
    return imports.run(data, "social", world.commune_a, dry_run=dry_run, **kw)


# --- encodings and names ----------------------------------------------------------------------

def test_whole_file_in_tcvn3_is_converted_and_matches_existing_people(world) -> None:
    """Ensure that a workbook typed entirely in .VnTime (headers, names, purposes) is read,
    converted to Unicode, matched to the existing member, and the conversion is reported."""
    enc = lambda s: vn_legacy.encode(s, "tcvn3")  # noqa: E731
    headers = [enc(c) for c in ("STT", "Chi bộ", "Họ và tên", "Cấp bậc, chức vụ", "Loại mạng xã hội", "Tên tài khoản",
                                "Đường dẫn", "Số điện thoại đăng ký", "Email đăng ký", "Thời gian thiết lập",
                                "Thời gian cập nhật cơ sở dữ liệu", "Mục đích sử dụng")]
    rows = [[enc(v) if isinstance(v, str) else v for v in row(c7=f"facebook.com/tcvn{i}", c6="Nguyễn Văn An")]
            for i in range(3)]
    summary = run(build([SheetSpec("DS", rows, headers=headers)]), world)
    assert summary.errors == [] and summary.created == 3 and summary.people_created == 0
    assert summary.conversions == {vn_legacy.NAMES["tcvn3"]: 15}  # (2) (3) (4) (6) (12) of 3 rows
    saved = SocialAccount.objects(url_key="facebook.com/tcvn0").get()
    assert saved.member == world.member_a and saved.purpose == "Tuyên truyền" and saved.account_name == "Nguyễn Văn An"


def test_vni_and_tcvn3_cells_pasted_into_a_unicode_template(world) -> None:
    """Ensure that legacy cells among Unicode ones are converted and create no duplicate."""
    vu = factories.member(world.cell_a, "Vũ Đình An")
    rows = [row(c3="Vò §×nh An", c7="facebook.com/vu.tcvn"), row(c3="Vuõ Ñình An", c7="facebook.com/vu.vni"),
            row(c7="facebook.com/an.unicode")]
    summary = run(build([SheetSpec("DS", rows)]), world)
    assert summary.errors == [] and summary.people_created == 0
    assert SocialAccount.objects(member=vu).count() == 2
    assert Member.objects(full_name__in=["Vò §×nh An", "Vuõ Ñình An"]).count() == 0


def test_invisible_and_lookalike_characters_match_but_diacritics_do_not(world) -> None:
    """Ensure that a zero-width space or Ð (U+00D0) still finds the member, while names that
    differ by a diacritic are different people, offered as a possible duplicate."""
    hoa = factories.member(world.cell_a, "Đặng Thu Hòa")
    rows = [row(c3="Nguyễn\u200b Văn An", c7="facebook.com/zw"), row(c3="Ðặng Thu Hòa", c7="facebook.com/eth"),
            row(c3="Đặng Thu Hoa", c7="facebook.com/hoa.khac")]
    preview = run(build([SheetSpec("DS", rows)]), world, dry_run=True)
    assert [c.person.name for c in preview.candidates] == ["Đặng Thu Hoa"]
    assert [m["name"] for m in preview.candidates[0].members] == ["Đặng Thu Hòa"]
    assert [(e["row"], e["column"]) for e in preview.errors] == [(FIRST + 2, "(3)")]
    key = preview.candidates[0].key
    done = run(build([SheetSpec("DS", rows)]), world, resolutions={key: "new"})
    assert done.errors == [] and done.people_created == 1
    assert SocialAccount.objects(url_key="facebook.com/zw").get().member == world.member_a
    assert SocialAccount.objects(url_key="facebook.com/eth").get().member == hoa
    other = SocialAccount.objects(url_key="facebook.com/hoa.khac").get().member
    assert other != hoa and other.full_name == "Đặng Thu Hoa"


def test_possible_duplicate_resolved_as_the_existing_member(world) -> None:
    """Ensure that the officer's choice "same person" attaches the row to that member."""
    data = build([SheetSpec("DS", [row(c3="Nguyen Van An", c7="facebook.com/khongdau")])])
    key = run(data, world, dry_run=True).candidates[0].key
    done = run(data, world, resolutions={key: str(world.member_a.pk)})
    assert done.people_created == 0 and SocialAccount.objects(url_key="facebook.com/khongdau").get().member == world.member_a


def test_possible_duplicate_resolved_on_the_command_line(world, runner, tmp_path) -> None:
    """Ensure that the command line lists a possible duplicate with ready-to-copy --resolve
    arguments, that its row waits without a choice (JSON says which), that each choice does
    what the web preview's does, that a malformed choice exits 2 before anything is read,
    and that a key naming no possible duplicate is told rather than silently ignored."""
    import json
    import shlex

    hoa = factories.member(world.cell_a, "Đặng Thu Hòa")
    path = tmp_path / "bm2.xlsx"
    path.write_bytes(build([SheetSpec("DS", [row(c3="Đặng Thu Hoa", c7="facebook.com/hoa.cli")])]))
    args = ["forms", "import", "social", str(path), "--org", "xa"]
    waiting = runner.invoke(args=[*args, "--json"])
    result = json.loads(waiting.stdout)
    assert waiting.exit_code == 0 and result["created"] == 0 and "--resolve" in result["errors"][0]["message"]
    assert "bảng" not in result["errors"][0]["message"]  # the web's wording stays on the web
    [candidate] = result["candidates"]
    key = candidate["key"]
    assert candidate["rows"] == [{"sheet": "DS", "row": FIRST}] and candidate["name"] == "Đặng Thu Hoa"
    assert [m["id"] for m in candidate["members"]] == [str(hoa.pk)]
    assert not SocialAccount.objects(url_key="facebook.com/hoa.cli").count()
    dry = runner.invoke(args=[*args, "--dry-run"])
    assert f"--resolve {shlex.quote(f'{key}={hoa.pk}')}" in dry.output and "là Đặng Thu Hòa" in dry.output
    assert f"--resolve {shlex.quote(f'{key}=new')}" in dry.output
    same = runner.invoke(args=[*args, "--resolve", f"{key}={hoa.pk}"])
    assert same.exit_code == 0 and "người mới 0" in same.output
    assert SocialAccount.objects(url_key="facebook.com/hoa.cli").get().member == hoa
    path.write_bytes(build([SheetSpec("DS", [row(c3="Đặng Thu Hoa", c7="facebook.com/hoa.khac.cli")])]))
    new = runner.invoke(args=[*args, "--resolve", f"{key}=new", "--resolve", "khong-co:ai=new"])
    assert new.exit_code == 0 and "người mới 1" in new.output
    assert "--resolve khong-co:ai: không có người nào có thể trùng" in new.stderr
    other = SocialAccount.objects(url_key="facebook.com/hoa.khac.cli").get().member
    assert other != hoa and other.full_name == "Đặng Thu Hoa"
    for bad in ("khong-co-dau-bang", f"{key}=ai-do", "=new"):
        refused = runner.invoke(args=[*args, "--resolve", bad])
        assert refused.exit_code == 2 and "cần dạng KHÓA=" in refused.stderr


# --- containers, sheets, headers, layout -------------------------------------------------------

def _office_book() -> bytes:
    old = [row(c7="facebook.com/cu2022")]
    return build([
        SheetSpec("2022", old, state="hidden"),
        SheetSpec("Thôn 1", [row(c7="facebook.com/s1a"), row(c7="facebook.com/s1b", c9="sai@")]),
        SheetSpec("Ghi chú", [], headers=["Ghi chú của văn phòng"], numbering="none"),
        SheetSpec("Thôn 1 (tiếp)", [row(c7="facebook.com/s2a")], state="visible"),
        SheetSpec("Ẩn hẳn", old, state="veryHidden"),
    ])


@pytest.mark.parametrize("container", ["xlsx", "xls", "ods"])
def test_every_visible_sheet_of_xlsx_xls_and_ods(world, container) -> None:
    """Ensure that .xlsx, and .xls/.ods saved by LibreOffice, are read sheet by sheet: every
    visible sheet with a form header, hidden ones skipped and named, messages name the sheet."""
    data = _office_book() if container == "xlsx" else convert(_office_book(), container)
    summary = run(data, world)
    assert summary.sheets == ["Thôn 1", "Thôn 1 (tiếp)"]
    assert sorted(summary.hidden) == ["2022", "Ẩn hẳn"] and summary.skipped == ["Ghi chú"]
    assert (summary.created, summary.rejected) == (2, 1)
    assert [(e["sheet"], e["column"]) for e in summary.errors] == [("Thôn 1", "(9)")]
    assert not SocialAccount.objects(url_key="facebook.com/cu2022").count()
    assert {a.url_key for a in SocialAccount.objects(member=world.member_a)} >= {"facebook.com/s1a", "facebook.com/s2a"}


def test_two_row_header_synonyms_merged_owner_totals_and_signature(world) -> None:
    """Ensure that a group title over (5)-(12), common wordings, the legend's expiry column,
    numbers in the numbering row, owner cells merged over three accounts, a totals row and a
    signature block over a middle column all read as the officer meant."""
    headers = ["TT", "Chi bộ", "Họ tên", "Chức vụ", "Loại MXH", "Tên tài khoản", "Đường dẫn\n(Cá nhân/Trang/Hội nhóm...)",
               "SĐT", "Email", "Thời gian thiết lập", "Thời gian hết hạn", "CSDL", "Mục đích"]
    base = row(c7="facebook.com/gop1")
    rows = [base[:10] + [""] + base[10:]]
    for url in ("tiktok.com/@gop2", "youtube.com/@gop3"):
        rows.append(["", "", "", "", "Tiktok" if "tiktok" in url else "Youtube", "An", url, "", "", "", "", "",
                     "Tuyên truyền"])
    trailer = [["", "Tổng cộng", "", "", "", "3 tài khoản"], [], ["", "", "", "", "", "", "", "T/M ĐẢNG ỦY"],
               ["", "", "", "", "", "", "", "BÍ THƯ"], ["", "", "", "", "", "", "", "Phạm Thị Thư"]]
    spec = SheetSpec("DS", rows, headers=headers, group_header=True, numbering="numbers",
                     merges=[(0, 2, c) for c in (1, 2, 3, 4)], trailer=trailer)
    summary = run(build([spec]), world)
    assert summary.errors == [] and summary.created == 3 and summary.rows == 3
    stored = {a.url_key: a.platform for a in SocialAccount.objects(member=world.member_a)}
    assert stored["tiktok.com/@gop2"] == "TikTok" and stored["youtube.com/@gop3"] == "YouTube"


def test_missing_column_named_with_what_was_found(world) -> None:
    headers = ["STT", "Chi bộ", "Họ và tên", "Chức vụ", "Loại mạng xã hội", "Tên tài khoản", "Mục đích"]
    with pytest.raises(imports.ImportFileError, match=r"thiếu cột \(7\) Đường dẫn.*Các cột tìm thấy: \(1\) STT"):
        run(build([SheetSpec("DS", [row()], headers=headers, numbering="none")]), world)


# --- values ------------------------------------------------------------------------------------

VALUES = [
    ({"c10": 2021}, "(10)", "chỉ có năm “2021”"),
    ({"c10": "2021"}, "(10)", "chỉ có năm"),
    ({"c10": "10/2021"}, "(10)", "chỉ có tháng/năm"),
    ({"c10": "01/01/2999"}, "(10)", "không được sau ngày hôm nay"),
    ({"c7": "facebook.com/an ba"}, "(7)", "khoảng trắng"),
    ({"c7": "facebook.com/mot facebook.com/hai"}, "(7)", "nhiều hơn một đường dẫn"),
    ({"c7": "https://www.facebook.com/mothttps://www.facebook.com/hai"}, "(7)", "nhiều hơn một đường dẫn"),
    ({"c7": "www.facebook.com"}, "(7)", "chỉ là tên miền"),
    ({"c7": "@annguyen", "c5": "Khác"}, "(7)", "không phải đường dẫn"),
    ({"c7": "https://www.tiktok.com/@an", "c5": "Facebook"}, "(5)", "không khớp"),
    ({"c5": "Viber"}, "(5)", "không có trong danh mục"),
    ({"c6": "A" * 301}, "(6)", "tối đa 300 ký tự"),
]


@pytest.mark.parametrize(("change", "column", "reason"), VALUES)
def test_values_never_silently_changed(world, change, column, reason) -> None:
    """Ensure that each doubtful value is a row error with its column and a Vietnamese
    reason, in the preview exactly as in the real import, and nothing of it is stored."""
    data = build([SheetSpec("DS", [row(c7="facebook.com/tot"), row(**{"c7": "facebook.com/xau", **change})])])
    preview = run(data, world, dry_run=True).as_json()
    result = run(data, world).as_json()
    assert preview == result
    assert [(e["row"], e["column"]) for e in result["errors"]] == [(FIRST + 1, column)]
    assert reason in result["errors"][0]["message"] and result["created"] == 1
    assert not SocialAccount.objects(url_key__in=["facebook.com/xau", "tiktok.com/@an"]).count()


@pytest.mark.parametrize(("cell", "platform", "url", "kind", "role"), [
    ("https://www.facebook.com/groups/123 - Quản trị viên", "Facebook", "https://www.facebook.com/groups/123", "group", "Quản trị viên"),
    ("https://www.facebook.com/groups/124-Quản trị viên", "Facebook", "https://www.facebook.com/groups/124", "group", "Quản trị viên"),
    ("facebook.com/trang.xa\nNgười kiểm duyệt", "Face", "https://facebook.com/trang.xa", "page", "Người kiểm duyệt"),
    ("facebook.com/trang.xb [Quản trị viên]", "Fanpage", "https://facebook.com/trang.xb", "page", "Quản trị viên"),
    ("@an.tiktok", "Tiktok", "https://www.tiktok.com/@an.tiktok", "personal", None),
    ("0912 345 678", "Zalo cá nhân", "https://zalo.me/0912345678", "personal", None),
])
def test_url_cells_as_officers_type_them(world, cell, platform, url, kind, role) -> None:
    """Ensure that a role after a dash, on the next line or in brackets is the role, and that
    handles and Zalo numbers become canonical profile addresses on a known platform."""
    summary = run(build([SheetSpec("DS", [row(c7=cell, c5=platform)])]), world)
    assert summary.errors == [] and summary.created == 1
    saved = SocialAccount.objects(url=url).get()
    assert (saved.link_type, saved.admin_role) == (kind, role)


# --- whose file, preview = result ----------------------------------------------------------------

def test_file_of_another_commune_is_refused_before_writing(world) -> None:
    """Ensure that commune B's file (its title block says so) cannot land in commune A's
    same-named cells."""
    factories.org("XA-2", "Chi bộ thôn Đông", world.commune_a)
    data = build([SheetSpec("DS", [row(c2="Chi bộ thôn Đông", c3="Trần Thị Bình", c7="facebook.com/b.cua.xa.b")],
                            title=("ĐẢNG BỘ HUYỆN VĨNH BẢO", "ĐẢNG BỘ XÃ BÌNH MINH"))])
    before = (SocialAccount.objects.count(), Member.objects.count())
    with pytest.raises(imports.ImportFileError, match="Đảng bộ xã Bình Minh"):
        run(data, world, dry_run=True)
    with pytest.raises(imports.ImportFileError, match="không nhập vào đơn vị khác"):
        run(data, world)
    assert (SocialAccount.objects.count(), Member.objects.count()) == before
    assert imports.run(data, "social", world.commune_b, dry_run=True).created == 1


@pytest.mark.inconsistent  # the member's position is removed behind the model's back, on purpose
def test_preview_equals_result_when_the_member_lacks_a_position(world) -> None:
    """Ensure that the dry run runs the model's checks: a member without a position makes the
    row rejected in the preview, exactly as in the real import."""
    Member.objects(pk=world.member_a.pk).update(set__position=None)
    data = build([SheetSpec("DS", [row(c7="facebook.com/khongchucvu", c4="")])])
    preview, result = run(data, world, dry_run=True).as_json(), run(data, world).as_json()
    assert preview == result and result["created"] == 0
    assert result["errors"][0]["column"] == "(4)" and "bắt buộc" in result["errors"][0]["message"]


def test_preview_lists_changes_before_and_after(world) -> None:
    """Ensure that an update carries its changed fields, before -> after."""
    data = build([SheetSpec("DS", [row(c7="https://www.facebook.com/nguyenvanan", c6="Nguyễn Văn An",
                                       c12="Đấu tranh phản bác", c10=dt.date(2020, 1, 2))])])
    summary = run(data, world, dry_run=True)
    (action,) = summary.actions
    assert action.kind == "update" and action.changes["purpose"] == ("Tuyên truyền", "Đấu tranh phản bác")


def test_file_whose_cells_belong_elsewhere_is_refused(world) -> None:
    """Ensure that a file without a title block, all of whose cells (2) are another
    commune's, is refused as that commune's file, naming it."""
    data = build([SheetSpec("DS", [row(c2="Chi bộ thôn Đông", c3="Trần Thị Bình", c7="facebook.com/b.khong.tieu.de")],
                            title=("", ""))])
    with pytest.raises(imports.ImportFileError, match="thuộc Đảng bộ xã Bình Minh, không thuộc Đảng bộ xã An Hòa"):
        run(data, world, dry_run=True)
