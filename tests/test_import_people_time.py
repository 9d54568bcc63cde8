"""Import, round three (issue 24): no person created behind the officer's back, no older file
over newer data, every mistake fixable. Each file is typed the way an office types it and
saved by LibreOffice Calc; the tests assert the stored records."""

from __future__ import annotations

import datetime as dt
import io

import pytest

import imports
from models import Member, Organisation, Site, SocialAccount, normalize
from services import reports
from tests import factories
from tests.fixtures.office import SOFFICE, SheetSpec, build, saved_by_libreoffice
from tests.test_import_reading import social_row

pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice Calc (soffice) is needed to save the files")

FIRST = 8  # title rows 1-5, header 6, numbering 7


def typed(*rows: list, subtitle: str | None = None) -> bytes:
    """A form 2 typed by hand (text dates, text phones) and saved by LibreOffice."""
    return saved_by_libreoffice(build([SheetSpec("DS", list(rows), subtitle=subtitle)]))


def row(**kw: object) -> list:
    kw.setdefault("c8", "")
    kw.setdefault("c9", "")
    kw.setdefault("c11", normalize.format_date(normalize.today()))
    return social_row(**kw)


def run(data: bytes, world, dry_run: bool = False, **kw: object) -> imports.Summary:
    return imports.run(data, "social", world.commune_a, dry_run=dry_run, **kw)


# --- people -----------------------------------------------------------------------------------

def test_initialled_name_with_the_zalo_phone_of_a_member_waits_for_the_officer(world) -> None:
    """Ensure that "Đặng T. Hoa" whose Zalo link carries Đặng Thu Hoa's phone creates nobody:
    a possible duplicate (initials, same phone) the officer settles; "same person" attaches it."""
    hoa = factories.member(world.cell_a, "Đặng Thu Hoa", phone="0903111222", date_of_birth=dt.date(1990, 4, 1))
    data = typed(row(c3="Đặng T. Hoa", c5="Zalo", c7="zalo.me/0903111222", c6="Hoa"),
                 row(c3="Đ. T. Hoa", c7="facebook.com/dthoa"))
    people_before = Member.objects.count()
    preview = run(data, world, dry_run=True)
    assert sorted(c.person.name for c in preview.candidates) == ["Đ. T. Hoa", "Đặng T. Hoa"]
    by_name = {c.person.name: c for c in preview.candidates}
    (found,) = by_name["Đặng T. Hoa"].members
    assert (found["name"], found["why"], found["born"], found["phone"]) == ("Đặng Thu Hoa", "tên viết tắt", 1990,
                                                                            "0903111222")
    assert [m["why"] for m in by_name["Đ. T. Hoa"].members] == ["tên viết tắt"]
    assert preview.created == 0 and preview.people_created == 0
    done = run(data, world, resolutions={c.key: str(hoa.pk) for c in preview.candidates})
    assert done.errors == [] and done.created == 2 and done.people_created == 0
    assert Member.objects.count() == people_before
    assert {a.url_key for a in SocialAccount.objects(member=hoa)} == {"zalo.me/0903111222", "facebook.com/dthoa"}


def test_zalo_phone_alone_is_a_possible_duplicate(world) -> None:
    """Ensure that a new name whose Zalo URL is another member's registered phone waits."""
    data = typed(row(c3="Hoàng Văn Mới", c5="Zalo", c7="https://zalo.me/0912345678", c6="Mới"))
    (candidate,) = run(data, world, dry_run=True).candidates
    assert [(m["name"], m["why"]) for m in candidate.members] == [("Nguyễn Văn An", "cùng số điện thoại 0912345678")]


def test_one_differing_word_in_a_three_word_name_of_the_same_cell(world) -> None:
    """Ensure that "Nguyễn Thị Hoa" beside "Nguyễn Thu Hoa" of the same cell is offered, and that
    "new person" creates her with status and party membership to be completed, no gender."""
    thu = factories.member(world.cell_a, "Nguyễn Thu Hoa")
    other_cell = factories.org("XA-2", "Chi bộ thôn 2", world.commune_a)
    factories.member(other_cell, "Nguyễn Thanh Hoa")  # another cell: not offered
    data = typed(row(c3="Nguyễn Thị Hoa", c7="facebook.com/nth"))
    preview = run(data, world, dry_run=True)
    (candidate,) = preview.candidates
    assert [(m["id"], m["why"]) for m in candidate.members] == [(str(thu.pk), "khác một chữ trong tên")]
    done = run(data, world, resolutions={candidate.key: "new"})
    assert done.people_created == 1 and done.created == 1
    new = Member.objects(full_name="Nguyễn Thị Hoa").get()
    assert (new.status, new.is_party_member, new.gender, new.organisation) == ("unknown", False, None, world.cell_a)
    account = SocialAccount.objects(url_key="facebook.com/nth").get()
    assert account.member == new and account.owner_party is False  # not printed as a party member's
    # findable to complete, and counted nowhere as a party member
    assert Member.objects(status=Member.UNKNOWN_STATUS).get() == new
    assert new not in Member.objects(status="active", is_party_member=True)


def test_new_people_listed_with_their_nearest_existing_people(world) -> None:
    """Ensure that every person the file would create is listed with the nearest existing people."""
    factories.member(world.cell_a, "Lê Văn Tám", date_of_birth=dt.date(1970, 1, 1))
    preview = run(typed(row(c3="Lê Văn Tâm Mới", c7="facebook.com/tam")), world, dry_run=True)
    (new,) = preview.new_people
    assert (new["name"], new["cell"], new["rows"]) == ("Lê Văn Tâm Mới", "Chi bộ thôn 1", 1)
    assert new["nearest"][0]["name"] == "Lê Văn Tám" and new["nearest"][0]["born"] == 1970


def test_homonyms_offer_each_with_cell_birth_year_and_phone(world) -> None:
    """Ensure that two "Nguyễn Văn An" in the cell are offered with their birth years and phones,
    and the choice attaches the row to the one chosen."""
    second = factories.member(world.cell_a, "Nguyễn Văn An", phone="0977000111", date_of_birth=dt.date(1985, 3, 3))
    data = typed(row(c7="facebook.com/an.hai"))
    (candidate,) = run(data, world, dry_run=True).candidates
    shown = sorted((m["id"], m["phone"], m["born"], m["cell"], m["why"]) for m in candidate.members)
    assert shown == sorted([(str(world.member_a.pk), "0912345678", None, "Chi bộ thôn 1", "cùng họ tên"),
                            (str(second.pk), "0977000111", 1985, "Chi bộ thôn 1", "cùng họ tên")])
    done = run(data, world, resolutions={candidate.key: str(second.pk)})
    assert done.created == 1 and SocialAccount.objects(url_key="facebook.com/an.hai").get().member == second


# --- time -------------------------------------------------------------------------------------

def _edited_last_month(world) -> dt.datetime:
    stamp = normalize.today_stored() - dt.timedelta(days=30)
    account = world.account_a
    account.purpose = "Đấu tranh phản bác"
    account.save()
    SocialAccount.objects(pk=account.pk).update(set__updated_on=stamp)
    return stamp


def test_older_file_is_a_conflict_that_keeps_the_newer_record_by_default(world) -> None:
    """Ensure that last year's list over a record edited last month is a conflict (file value,
    stored value), that the default confirm keeps the stored record and its date, and that the
    file's value is applied only where chosen, dated by the register (today), not by the file."""
    stamp = _edited_last_month(world)
    last_year = normalize.today() - dt.timedelta(days=400)
    data = typed(row(c7="https://www.facebook.com/nguyenvanan", c6="Nguyễn Văn An", c10="01/05/2020",
                     c11=normalize.format_date(last_year), c12="Tuyên truyền"))
    preview = run(data, world, dry_run=True)
    (conflict,) = preview.conflicts
    assert conflict.changes == {"purpose": ("Đấu tranh phản bác", "Tuyên truyền")}
    assert (conflict.file_date, conflict.stored_date) == (last_year, stamp.date())
    assert preview.updated == 0 and preview.unchanged == 1
    kept = run(data, world, expected=preview.fingerprint)
    assert kept.updated == 0
    stored = SocialAccount.objects.get(pk=world.account_a.pk)
    assert (stored.purpose, stored.updated_on) == ("Đấu tranh phản bác", stamp)
    chosen = run(data, world, resolutions={f"conflict:{world.account_a.pk}": "file"}, expected=preview.fingerprint)
    assert chosen.updated == 1
    stored.reload()
    assert (stored.purpose, stored.updated_on) == ("Tuyên truyền", normalize.today_stored())


def test_file_title_update_date_makes_undated_rows_older(world) -> None:
    """Ensure that a file saying "(Cập nhật đến ngày …)" earlier than the record's last change
    makes its rows without their own date conflicts too."""
    _edited_last_month(world)
    day = normalize.today() - dt.timedelta(days=90)
    data = typed(row(c7="https://www.facebook.com/nguyenvanan", c6="Nguyễn Văn An", c10="01/05/2020", c11="",
                     c12="Tuyên truyền"),
                 subtitle=f"(Cập nhật đến ngày {day.day:02d} tháng {day.month:02d} năm {day.year})")
    (conflict,) = run(data, world, dry_run=True).conflicts
    assert conflict.file_date == day


def test_update_date_column_is_never_read_from_the_file(world) -> None:
    """Ensure that (11) is the register's time: a newer file's changed row is dated today, an
    unchanged row keeps its stored date whatever the file says."""
    stamp = normalize.today_stored() - dt.timedelta(days=5)
    SocialAccount.objects(pk=world.account_a.pk).update(set__updated_on=stamp)
    same = typed(row(c7="https://www.facebook.com/nguyenvanan", c6="Nguyễn Văn An", c10="01/05/2020",
                     c11=normalize.format_date(normalize.today() - dt.timedelta(days=2))))
    assert run(same, world).unchanged == 1
    assert SocialAccount.objects.get(pk=world.account_a.pk).updated_on == stamp


# --- cells ------------------------------------------------------------------------------------

def test_unknown_cell_name_offers_the_target_cells_and_is_learnt(world) -> None:
    """Ensure that "Thôn 1" is not refused as another commune's: the target's cells are offered,
    nearest first; the choice imports the rows and becomes the cell's alias, which later
    imports use without asking; an unchanged export then imports back with nothing to do."""
    factories.org("XA-2", "Chi bộ thôn Đông 2", world.commune_a)
    data = typed(row(c2="Thôn 1", c7="facebook.com/thon1"), row(c2="Thôn 1", c7="facebook.com/thon1b"))
    preview = run(data, world, dry_run=True)
    (unknown,) = preview.unknown_cells
    assert unknown["name"] == "Thôn 1" and unknown["rows"] == 2
    assert [o["name"] for o in unknown["options"]][:2] == ["Chi bộ thôn 1", "Chi bộ thôn Đông 2"]
    assert "không thuộc" not in preview.errors[0]["message"]
    done = run(data, world, resolutions={"cell:Thôn 1": str(world.cell_a.pk)}, expected=preview.fingerprint)
    assert done.created == 2 and done.errors == []
    assert Organisation.objects.get(pk=world.cell_a.pk).aliases == ["Thôn 1"]
    assert {a.member.pk for a in SocialAccount.objects(url_key__in=["facebook.com/thon1", "facebook.com/thon1b"])} \
        == {world.member_a.pk}
    again = run(typed(row(c2="THÔN 1", c7="facebook.com/thon1c")), world)
    assert again.created == 1 and again.unknown_cells == []


@pytest.mark.parametrize("kind", ["social", "sites"])
def test_unchanged_export_imports_back_with_nothing_to_do_after_an_alias(world, kind) -> None:
    """Ensure that the panel's export, saved again by LibreOffice, imports back with 0 created,
    updated, rejected once an alias was learnt on the preview (and the records are untouched)."""
    preview = run(typed(row(c2="Thôn 1", c7="facebook.com/alias")), world, dry_run=True)
    run(typed(row(c2="Thôn 1", c7="facebook.com/alias")), world, resolutions={"cell:Thôn 1": str(world.cell_a.pk)},
        expected=preview.fingerprint)
    out = io.BytesIO()
    exported = reports.export_form(kind, out, world.commune_a)
    model = SocialAccount if kind == "social" else Site
    before = [d.to_mongo().to_dict() for d in model.objects.order_by("id")]
    back = imports.run(saved_by_libreoffice(out.getvalue()), kind, world.commune_a, dry_run=False)
    assert (back.rows, back.created, back.updated, back.rejected, back.people_created) == (exported, 0, 0, 0, 0)
    assert back.writes == 0  # the preview would say the confirm changes nothing
    assert [d.to_mongo().to_dict() for d in model.objects.order_by("id")] == before


# --- corrections ------------------------------------------------------------------------------

def test_rejected_row_corrected_in_place(world) -> None:
    """Ensure that a rejected row's cell corrected on the preview is imported as corrected,
    and that the row carries its name and URL while rejected."""
    data = typed(row(c7="facebook.com/sua", c8="12345"))
    preview = run(data, world, dry_run=True)
    (error,) = preview.errors
    assert (error["name"], error["url"], error["column"]) == ("Nguyễn Văn An", "https://facebook.com/sua", "(8)")
    fixes = {f"fix:DS|{FIRST}|8": "0912 345 678"}
    fixed = run(data, world, dry_run=True, resolutions=fixes)
    assert fixed.errors == [] and fixed.created == 1
    run(data, world, resolutions=fixes, expected=fixed.fingerprint)
    assert SocialAccount.objects(url_key="facebook.com/sua").get().registration_phone == "0912345678"


# --- legacy records with invalid data (issues 24 and 25) --------------------------------------

def _legacy_records(world) -> dict[str, object]:
    """Records kept as old data was found (``save_legacy``): an account and a site with an
    invalid phone and e-mail, an account without its mandatory purpose, and a person without
    a position (column (4), on the person's record) with an account."""
    binh = factories.member(world.cell_a, "Trần Văn Bình")
    kept = {"phone": SocialAccount(member=binh, url="https://www.facebook.com/binh.cu", platform="Facebook",
                                   account_name="Bình", purpose="Tuyên truyền", registration_phone="12345",
                                   registration_email="binh@@cu"),
            "purpose": SocialAccount(member=binh, url="https://www.facebook.com/binh.hai", platform="Facebook",
                                     account_name="Bình 2"),
            "site": Site(member=binh, domain="binhcu.blogspot.com", site_name="Blog cũ", purpose="Tuyên truyền",
                         registration_phone="999")}
    cuong = Member(full_name="Lê Văn Cường", organisation=world.cell_a)
    cuong.save_legacy()
    kept["position"] = SocialAccount(member=cuong, url="https://www.facebook.com/cuong.cu", platform="Facebook",
                                     account_name="Cường", purpose="Tuyên truyền")
    for record in kept.values():
        record.save_legacy()
    kept["cuong"] = cuong
    return kept


@pytest.mark.parametrize("kind", ["social", "sites"])
def test_unchanged_export_with_legacy_invalid_rows_imports_back_unchanged_with_warnings(world, kind) -> None:
    """Ensure that the panel's export of a register holding legacy records with invalid data,
    saved again by LibreOffice, imports back with 0 created, updated, rejected: the legacy
    rows are unchanged, each shown with a warning naming the record's invalid cell and the
    record to fix (the person's, for column (4)), and nothing is written."""
    kept = _legacy_records(world)
    out = io.BytesIO()
    exported = reports.export_form(kind, out, world.commune_a)
    model = SocialAccount if kind == "social" else Site
    before = [d.to_mongo().to_dict() for d in model.objects.order_by("id")]
    data = saved_by_libreoffice(out.getvalue())
    preview = imports.run(data, kind, world.commune_a, dry_run=True)
    back = imports.run(data, kind, world.commune_a, dry_run=False, expected=preview.fingerprint)
    for summary in (preview, back):
        assert (summary.rows, summary.created, summary.updated, summary.rejected, summary.people_created) \
            == (exported, 0, 0, 0, 0)
        assert summary.unchanged == exported and summary.writes == 0
    found = {(w["column"], w["record"], w["member"]) for w in back.as_json()["warnings"]}
    if kind == "social":
        assert found == {("(8)", str(kept["phone"].pk), None), ("(9)", str(kept["phone"].pk), None),
                         ("(12)", str(kept["purpose"].pk), None),
                         ("(4)", str(kept["position"].pk), str(kept["cuong"].pk))}
    else:
        assert found == {("(8)", str(kept["site"].pk), None)}
    messages = {w["column"]: w["message"] for w in back.warnings}
    assert "(8) Số điện thoại đăng ký sai định dạng (“" in messages["(8)"] and "hãy sửa trên bản ghi" in messages["(8)"]
    if kind == "social":
        assert "thiếu (12) Mục đích sử dụng" in messages["(12)"]
        assert "thiếu (4) Cấp bậc, chức vụ" in messages["(4)"] and "hồ sơ người này" in messages["(4)"]
    assert [d.to_mongo().to_dict() for d in model.objects.order_by("id")] == before


def test_legacy_row_changed_or_created_with_invalid_data_is_still_rejected(world) -> None:
    """Ensure that only a row equal to its stored record is spared: the export edited in an
    office (the legacy row's purpose changed, another invalid phone typed over a legacy
    record, a valid record given an invalid phone, a copied legacy row as a new account) is
    rejected row by row with the rules' messages, and nothing is written."""
    import openpyxl

    kept = _legacy_records(world)
    out = io.BytesIO()
    reports.export_form("social", out, world.commune_a)
    book = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    sheet = book.active
    by_url = {sheet.cell(row=r, column=7).value: r for r in range(1, sheet.max_row + 1)}
    sheet.cell(row=by_url["https://www.facebook.com/binh.cu"], column=12).value = "Đấu tranh phản bác"
    sheet.cell(row=by_url["https://www.facebook.com/binh.hai"], column=8).value = "777"
    sheet.cell(row=by_url["https://www.facebook.com/nguyenvanan"], column=8).value = "888"
    source = by_url["https://www.facebook.com/binh.cu"]
    copy = sheet.max_row + 1
    for column in range(1, 13):
        sheet.cell(row=copy, column=column).value = sheet.cell(row=source, column=column).value
    sheet.cell(row=copy, column=7).value = "https://www.facebook.com/binh.moi"
    edited = io.BytesIO()
    book.save(edited)
    before = [d.to_mongo().to_dict() for d in SocialAccount.objects.order_by("id")]
    back = imports.run(saved_by_libreoffice(edited.getvalue()), "social", world.commune_a, dry_run=False)
    rejected = {e["url"]: e["column"] for e in back.errors if e["column"] == "(8)"}
    assert rejected == {"https://www.facebook.com/binh.cu": "(8)", "https://www.facebook.com/binh.hai": "(8)",
                        "https://www.facebook.com/nguyenvanan": "(8)", "https://www.facebook.com/binh.moi": "(8)"}
    assert back.rejected == 4 and back.created == 0 and back.updated == 0
    assert {w["record"] for w in back.warnings} == {str(kept["position"].pk)}  # the one row left as exported
    assert [d.to_mongo().to_dict() for d in SocialAccount.objects.order_by("id")] == before
