"""Ensure that the member roster goes out and comes back through the same safe reader:
the round trip is a no-op, a second import changes nothing, rows are rejected with their
row and column, the natural key is the party card number else name + birth date + cell,
and the CLI and the import screen speak the same contract as forms 1 and 2."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import openpyxl
import pytest

from imports import ImportFileError, roster
from models import ImportLog, Member
from services import lists
from tests import factories
from tests.conftest import csrf_token
from tests.fixtures.office import SOFFICE, saved_by_libreoffice

HEADERS = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Chi bộ", "Chức vụ", "Ngày vào Đảng", "Ngày chính thức",
           "Số thẻ đảng viên", "Trạng thái", "Đảng viên/không phải đảng viên", "Số điện thoại", "Email"]


def book(rows: list[list], headers: list[str] = HEADERS) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["ĐẢNG BỘ XÃ AN HÒA"])
    ws.append([])
    ws.append(headers)
    for i, row in enumerate(rows, start=1):
        ws.append([i, *row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def row(name="Lê Văn Mới", born="02/03/1990", gender="Nam", cell="Chi bộ thôn 1", position="Đảng viên",
        admitted="05/06/2015", official="05/06/2016", card="", status="Đang sinh hoạt", party="Đảng viên",
        phone="912000111", email="") -> list:
    return [name, born, gender, cell, position, admitted, official, card, status, party, phone, email]


def _snapshot() -> list[dict]:
    return [{k: v for k, v in d.items() if k not in ("modified_at",)} for d in Member.objects.order_by("id").as_pymongo()]


def test_round_trip_is_a_no_op(world, tmp_path):
    factories.member(world.cell_a, "Vũ Văn Công Chức", is_party_member=False, gender="nam",
                     date_of_birth=dt.date(1990, 2, 3), admission_date=None, email="cc@example.com")
    factories.member(world.cell_a, "Đỗ Thị Thẻ", party_card_number="093001234", date_of_birth=dt.date(1985, 1, 9),
                     admission_date=dt.date(2010, 5, 1), official_date=dt.date(2011, 5, 1), gender="nu")
    out = tmp_path / "roster.xlsx"
    assert lists.export_list("roster", out, world.commune_a) == 3
    before = _snapshot()
    summary = roster.run(out.read_bytes(), world.commune_a, dry_run=False)
    assert (summary.rows, summary.created, summary.updated, summary.unchanged, summary.errors) == (3, 0, 0, 3, [])
    assert _snapshot() == before


def test_import_creates_then_is_idempotent_and_updates_by_key(world):
    data = book([row(), row(name="Trần Văn Thẻ", card="093009999", born="", phone="")])
    first = roster.run(data, world.commune_a, dry_run=False)
    assert (first.created, first.updated, first.errors) == (2, 0, [])
    m = Member.objects.get(full_name="Lê Văn Mới")
    assert (m.org_name, m.phone, m.gender, m.date_of_birth) == ("Chi bộ thôn 1", "0912000111", "nam", dt.datetime(1990, 3, 2))
    again = roster.run(data, world.commune_a, dry_run=False)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    # by card number: a new name is an update of the same person, not a new one
    changed = roster.run(book([row(name="Trần Văn Thẻ Mới", card="093009999", born="")]), world.commune_a, dry_run=False)
    assert (changed.created, changed.updated) == (0, 1)
    assert Member.objects(party_card_number="093009999").get().full_name == "Trần Văn Thẻ Mới"
    # without a card: name + birth date + cell; a different birth date is someone else (with the
    # same phone too, the officer is asked first: see the possible duplicates below)
    other = roster.run(book([row(born="02/03/1991", phone="")]), world.commune_a, dry_run=False)
    assert other.created == 1 and Member.objects(full_name="Lê Văn Mới").count() == 2


def test_row_errors_with_row_and_column_and_nothing_lost(world):
    rows = [row(), row(name="Sai Ngày", born="31/02/1990"), row(name="Ngoài Phạm Vi", cell="Chi bộ thôn Đông"),
            row(name="Sai Giới", gender="Không rõ"), row(name=""), row(),
            row(name="Thẻ Người Khác", card="B-1")]
    factories.member(world.cell_b, "Người xã B", party_card_number="B-1")
    summary = roster.run(book(rows), world.commune_a, dry_run=True)
    got = {(e["row"], e["column"]) for e in summary.errors}
    assert got == {(5, "(3)"), (6, "(5)"), (7, "(4)"), (8, "(2)"), (9, "(2)"), (10, "(9)")}
    assert summary.rows == summary.created + summary.updated + summary.unchanged + summary.rejected
    assert not Member.objects(full_name="Lê Văn Mới").count()  # a dry run writes nothing
    assert Member.objects(party_card_number="B-1").get().full_name == "Người xã B"


def test_formula_cells_and_non_roster_files_refused(world):
    data = book([row(name="=HYPERLINK(\"http://x\",\"a\")")])
    wb = openpyxl.load_workbook(io.BytesIO(data))
    wb.active["B4"] = "=1+1"
    out = io.BytesIO()
    wb.save(out)
    summary = roster.run(out.getvalue(), world.commune_a, dry_run=False)
    assert summary.errors and summary.errors[0]["column"] == "(2)" and not summary.created
    with pytest.raises(ImportFileError, match="không phải danh sách"):
        roster.run(book([row()], headers=["A", "B", "C"]), world.commune_a)
    with pytest.raises(ImportFileError):
        roster.run(b"%PDF-1.4 not a workbook", world.commune_a)


def test_cli_import_and_export(runner, world, tmp_path):
    path = tmp_path / "in.xlsx"
    path.write_bytes(book([row(), row(name="Sai", born="x")]))
    r = runner.invoke(args=["members", "import", str(path), "--org", "XA", "--dry-run", "--json"])
    assert r.exit_code == 0, r.output
    result = json.loads(r.output)
    assert set(result) == {"rows", "created", "updated", "unchanged", "people_created", "errors", "candidates", "fingerprint"}
    assert (result["rows"], result["created"], len(result["errors"])) == (2, 1, 1)
    assert not Member.objects(full_name="Lê Văn Mới").count()
    r = runner.invoke(args=["members", "import", str(path), "--org", "XA"])
    assert r.exit_code == 0 and "thêm mới 1" in r.output and ImportLog.objects.get().kind == "roster"
    out = tmp_path / "out.xlsx"
    r = runner.invoke(args=["members", "export", "--org", "XA", "-o", str(out)])
    assert r.exit_code == 0, r.output
    names = [c.value for c in openpyxl.load_workbook(out).active["B"]]
    assert "Lê Văn Mới" in names and "Trần Thị Bình" not in names
    r = runner.invoke(args=["members", "import", str(tmp_path / "missing.xlsx"), "--org", "XA"])
    assert r.exit_code == 2 and "Lỗi:" in r.output


def test_import_screen_previews_and_confirms_a_roster(officer_client, world, app, tmp_path):
    app.config["IMPORT_TMP_DIR"] = str(tmp_path)
    token = csrf_token(officer_client, "/admin/imports/")
    page = officer_client.post("/admin/imports/preview/", content_type="multipart/form-data", data={
        "org": str(world.commune_a.pk), "kind": "roster", "csrf_token": token,
        "file": (io.BytesIO(book([row(), row(name="Sai", born="x")])), "danh-sach.xlsx")})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Danh sách cán bộ, đảng viên" in html
    assert not Member.objects(full_name="Lê Văn Mới").count()
    # the one valid row is a new person: the preview's count of new people says so
    assert re.search(r"Người mới sẽ được thêm vào danh sách</th><td>1<", html)
    pending = re.search(r'name="token" value="([^"]+)"', html).group(1)
    done = officer_client.post("/admin/imports/confirm/", data={"token": pending, "csrf_token": token})
    assert done.status_code == 302 and Member.objects(full_name="Lê Văn Mới").count() == 1
    log = ImportLog.objects(kind="roster").order_by("-id").first()
    assert (log.created, log.people_created) == (1, 1)


def test_every_visible_sheet_is_read_and_errors_name_their_sheet(world):
    wb = openpyxl.Workbook()
    for title, rows in (("Thôn 1", [row()]), ("Ẩn", [row(name="Người Ẩn")]), ("Thôn 2", [row(name="Sai", born="x")]),
                        ("Ghi chú", None)):
        ws = wb.active if title == "Thôn 1" else wb.create_sheet(title)
        ws.title = title
        if rows is None:
            ws.append(["Không phải bảng"])
            continue
        ws.append(HEADERS)
        for i, values in enumerate(rows, start=1):
            ws.append([i, *values])
    wb["Ẩn"].sheet_state = "hidden"
    out = io.BytesIO()
    wb.save(out)
    summary = roster.run(out.getvalue(), world.commune_a, dry_run=False)
    assert (summary.sheets, summary.hidden, summary.skipped) == (["Thôn 1", "Thôn 2"], ["Ẩn"], ["Ghi chú"])
    assert [(e["sheet"], e["row"], e["column"]) for e in summary.errors] == [("Thôn 2", 2, "(3)")]
    assert summary.errors[0]["message"].startswith("(3) Ngày sinh:")
    assert (summary.rows, summary.created) == (2, 1) and not Member.objects(full_name="Người Ẩn").count()


def test_preview_lists_roster_changes_with_their_column_labels(officer_client, world, app, tmp_path):
    from admin.imports import _labels

    assert _labels("roster")["phone"] == "(12) Số điện thoại"
    roster.run(book([row(card="093001111")]), world.commune_a, dry_run=False)
    app.config["IMPORT_TMP_DIR"] = str(tmp_path)
    token = csrf_token(officer_client, "/admin/imports/")
    page = officer_client.post("/admin/imports/preview/", content_type="multipart/form-data", data={
        "org": str(world.commune_a.pk), "kind": "roster", "csrf_token": token,
        "file": (io.BytesIO(book([row(card="093001111", phone="912000222")])), "danh-sach.xlsx")})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "(12) Số điện thoại: 0912000111 → 0912000222" in html and "093001111" in html
    assert Member.objects.get(party_card_number="093001111").phone == "0912000111"  # the preview writes nothing


def test_a_card_number_in_another_cell_moves_the_member(world):
    roster.run(book([row(card="093002222")]), world.district, dry_run=False)
    summary = roster.run(book([row(card="093002222", cell="Chi bộ thôn Đông", phone="")]), world.district, dry_run=False)
    assert (summary.updated, summary.errors) == (1, [])
    assert summary.actions[0].changes == {"org_name": ("Chi bộ thôn 1", "Chi bộ thôn Đông")}
    m = Member.objects.get(party_card_number="093002222")
    assert (m.organisation, m.org_name, m.phone) == (world.cell_b, "Chi bộ thôn Đông", "0912000111")


def test_possible_duplicates_wait_for_the_officers_choice(world):
    """Ensure that someone new who may already be a member (same phone anywhere in the
    subtree, or same birth date and a name differing only by diacritics in the cell) is
    listed for the officer, waits without a choice, and becomes what they choose: an update
    of that member, or someone new (issue 15: never decided silently)."""
    hoa = factories.member(world.cell_a, "Đặng Thu Hòa", date_of_birth=dt.date(1990, 3, 2), gender="nu",
                           phone="0912000111")
    far = factories.member(factories.org("XA-2", "Chi bộ thôn 2", world.commune_a), "Phạm Văn Xa", phone="0987000222")
    factories.member(world.cell_b, "Ngoài Phạm Vi", phone="0933000333")  # another commune: not offered
    data = book([row(name="Đặng Thu Hoa", gender="Nữ", phone=""), row(name="Ngô Văn Mới", phone="0987000222"),
                 row(name="Người Thật Mới", phone="0933000333")])
    preview = roster.run(data, world.commune_a, dry_run=True)
    assert [(c.person.name, [(m["name"], m["why"]) for m in c.members], c.rows) for c in preview.candidates] == [
        ("Đặng Thu Hoa", [("Đặng Thu Hòa", "cùng ngày sinh, họ tên chỉ khác dấu")], [("Sheet", 4)]),
        ("Ngô Văn Mới", [("Phạm Văn Xa", "cùng số điện thoại")], [("Sheet", 5)])]
    assert [(e["row"], e["column"]) for e in preview.errors] == [(4, "(2)"), (5, "(2)")]
    assert "“Có thể trùng người đã có”" in preview.errors[1]["message"] and preview.created == 1
    people = Member.objects.count()
    choices = {preview.candidates[0].key: str(hoa.pk), preview.candidates[1].key: "new"}
    done = roster.run(data, world.commune_a, dry_run=False, resolutions=choices)
    assert (done.errors, done.created, done.updated) == ([], 2, 1)
    assert Member.objects.count() == people + 2
    assert Member.objects.get(pk=hoa.pk).full_name == "Đặng Thu Hoa"  # the officer said: the same person
    assert Member.objects(full_name="Ngô Văn Mới").get().phone == "0987000222"
    assert Member.objects(full_name="Người Thật Mới").get().phone == "0933000333"
    assert Member.objects.get(pk=far.pk).full_name == "Phạm Văn Xa"
    # a choice that is not one of the listed members is no choice: the row still waits
    again = roster.run(book([row(name="Lê Văn Khác", phone="0987000222")]), world.commune_a, dry_run=False,
                       resolutions={f"{world.cell_a.pk}:x": str(far.pk)})
    assert again.created == 0 and again.errors and "cùng số điện thoại" in again.errors[0]["message"]


def test_members_cli_takes_the_possible_duplicates_choices(world, runner, tmp_path):
    """Ensure that ``flask members import`` lists the roster's possible duplicates with their
    --resolve arguments and carries the choice, as the roster's preview does."""
    hoa = factories.member(world.cell_a, "Đặng Thu Hòa", date_of_birth=dt.date(1990, 3, 2), gender="nu", phone="")
    path = tmp_path / "danh-sach.xlsx"
    path.write_bytes(book([row(name="Đặng Thu Hoa", gender="Nữ", phone="")]))
    args = ["members", "import", str(path), "--org", "XA"]
    dry = runner.invoke(args=[*args, "--dry-run"])
    key = json.loads(runner.invoke(args=[*args, "--dry-run", "--json"]).stdout)["candidates"][0]["key"]
    assert dry.exit_code == 0 and f"{key}={hoa.pk}" in dry.output and "--resolve" in dry.output
    assert Member.objects.get(pk=hoa.pk).full_name == "Đặng Thu Hòa"
    done = runner.invoke(args=[*args, "--resolve", f"{key}={hoa.pk}"])
    assert done.exit_code == 0 and "cập nhật 1" in done.output, done.output
    assert Member.objects.get(pk=hoa.pk).full_name == "Đặng Thu Hoa"


def test_a_member_chosen_twice_in_one_file_is_refused_once(world):
    """Ensure that two rows cannot both update one member (the second names them again)."""
    hoa = factories.member(world.cell_a, "Đặng Thu Hòa", date_of_birth=dt.date(1990, 3, 2), gender="nu", phone="")
    data = book([row(name="Đặng Thu Hòa", gender="Nữ", phone="0912000444"),
                 row(name="Đặng Thu Hoa", gender="Nữ", phone="")])
    preview = roster.run(data, world.commune_a, dry_run=True)
    choice = {preview.candidates[0].key: str(hoa.pk)}
    done = roster.run(data, world.commune_a, dry_run=False, resolutions=choice)
    assert done.updated == 1 and [(e["row"], e["column"]) for e in done.errors] == [(5, "(2)")]
    assert "cùng một người với dòng 4" in done.errors[0]["message"]
    assert Member.objects.get(pk=hoa.pk).full_name == "Đặng Thu Hòa"


def test_import_screen_offers_possible_duplicates_and_applies_the_choice(officer_client, world, app, tmp_path):
    """Ensure that the roster's preview lists a possible duplicate with a choice per member
    (as forms 1 and 2) and that the confirm carries the officer's choice."""
    app.config["IMPORT_TMP_DIR"] = str(tmp_path)
    same_phone = factories.member(world.cell_a, "Trịnh Văn Cũ", phone="0912000111")
    people = Member.objects.count()
    token = csrf_token(officer_client, "/admin/imports/")
    page = officer_client.post("/admin/imports/preview/", content_type="multipart/form-data", data={
        "org": str(world.commune_a.pk), "kind": "roster", "csrf_token": token,
        "file": (io.BytesIO(book([row()])), "danh-sach.xlsx")})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="import-duplicates"' in html
    assert "Là Trịnh Văn Cũ — Chi bộ thôn 1 (cùng số điện thoại)" in html
    radio = re.search(r'name="(resolve:[^"]+)" value="' + str(same_phone.pk) + '"', html).group(1)
    pending = re.search(r'name="token" value="([^"]+)"', html).group(1)
    done = officer_client.post("/admin/imports/confirm/", data={"token": pending, "csrf_token": token,
                                                                radio: str(same_phone.pk)})
    assert done.status_code == 302 and Member.objects.count() == people
    assert Member.objects.get(pk=same_phone.pk).full_name == "Lê Văn Mới"  # the officer said: the same person


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice Calc (soffice) is needed to save the file")
def test_round_trip_with_legacy_invalid_members_is_unchanged_with_warnings(world, tmp_path):
    """Ensure that the roster export of legacy members (an invalid phone and e-mail, a missing
    position), saved again by LibreOffice, imports back with 0 created, updated, rejected,
    each invalid cell a warning on the person, and that an edited roster is still refused:
    another invalid phone, a change beside the invalid cell, someone new with one."""
    old = Member(full_name="Lê Văn Cũ", organisation=world.cell_a, position="Đảng viên", phone="12345",
                 email="cu@@x", date_of_birth=dt.datetime(1980, 1, 1))
    old.save_legacy()
    lacking = Member(full_name="Lê Văn Thiếu", organisation=world.cell_a)
    lacking.save_legacy()
    out = tmp_path / "roster.xlsx"
    exported = lists.export_list("roster", out, world.commune_a)
    before = _snapshot()
    data = saved_by_libreoffice(out.read_bytes())
    preview = roster.run(data, world.commune_a, dry_run=True)
    back = roster.run(data, world.commune_a, dry_run=False, expected=preview.fingerprint)
    assert (back.rows, back.created, back.updated, back.unchanged, back.rejected) == (exported, 0, 0, exported, 0)
    assert {(w["column"], w["member"]) for w in back.warnings} == {("(12)", str(old.pk)), ("(13)", str(old.pk)),
                                                                  ("(6)", str(lacking.pk))}
    assert "có (12) Số điện thoại sai định dạng (“12345”)" in next(w["message"] for w in back.warnings
                                                                   if w["column"] == "(12)")
    assert _snapshot() == before
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    by_name = {sheet.cell(row=r, column=2).value: r for r in range(1, sheet.max_row + 1)}
    sheet.cell(row=by_name["Lê Văn Cũ"], column=6).value = "Bí thư chi bộ"  # a change beside the invalid phone
    sheet.cell(row=by_name["Lê Văn Thiếu"], column=12).value = "777"
    copy = sheet.max_row + 1
    for column in range(1, 14):
        sheet.cell(row=copy, column=column).value = sheet.cell(row=by_name["Lê Văn Cũ"], column=column).value
    sheet.cell(row=copy, column=2).value = "Lê Văn Mới Cũ"
    edited = io.BytesIO()
    sheet.parent.save(edited)
    again = roster.run(saved_by_libreoffice(edited.getvalue()), world.commune_a, dry_run=False)
    assert sorted((e["row"], e["column"]) for e in again.errors) == [(by_name["Lê Văn Cũ"], "(12)"),
                                                                     (by_name["Lê Văn Thiếu"], "(12)"), (copy, "(12)")]
    assert again.created == again.updated == 0 and again.warnings == []
    assert _snapshot() == before


def test_unknown_cell_name_offers_the_target_cells_and_is_learnt(world):
    """Ensure that a roster naming a cell as the office types it ("Thôn 1") waits for a choice
    among the target's units (nearest first), as forms 1/2 do, that the choice imports the rows
    into that cell and is learnt as its alias, and that the next roster reads it alone."""
    from models import Organisation

    data = book([row(cell="Thôn 1"), row(name="Phạm Thị Hai", cell="Thôn 1", phone="")])
    preview = roster.run(data, world.commune_a, dry_run=True)
    (unknown,) = preview.unknown_cells
    assert (unknown["name"], unknown["rows"], unknown["options"][0]["id"]) == ("Thôn 1", 2, str(world.cell_a.pk))
    assert preview.created == 0 and preview.writes > 0 and all("Thôn 1" in e["message"] for e in preview.errors)
    done = roster.run(data, world.commune_a, dry_run=False, resolutions={"cell:Thôn 1": str(world.cell_a.pk)},
                      expected=preview.fingerprint)
    assert (done.created, done.errors) == (2, [])
    assert {m.organisation.pk for m in Member.objects(full_name__in=["Lê Văn Mới", "Phạm Thị Hai"])} == {world.cell_a.pk}
    assert Organisation.objects.get(pk=world.cell_a.pk).aliases == ["Thôn 1"]
    again = roster.run(book([row(name="Đặng Văn Ba", cell="Thôn 1", phone="")]), world.commune_a, dry_run=False)
    assert again.created == 1 and again.unknown_cells == [] and again.errors == []


def test_import_screen_offers_the_roster_a_cell_choice(officer_client, world, app, tmp_path):
    """Ensure that the roster's preview shows the unknown cell name with a select of the
    target's units and that the confirm carries the choice."""
    app.config["IMPORT_TMP_DIR"] = str(tmp_path)
    token = csrf_token(officer_client, "/admin/imports/")
    page = officer_client.post("/admin/imports/preview/", content_type="multipart/form-data", data={
        "org": str(world.commune_a.pk), "kind": "roster", "csrf_token": token,
        "file": (io.BytesIO(book([row(cell="CB thôn 1")])), "danh-sach.xlsx")})
    html = page.get_data(as_text=True)
    assert 'name="resolve:cell:CB thôn 1"' in html and f'value="{world.cell_a.pk}"' in html
    pending = re.search(r'name="token" value="([^"]+)"', html).group(1)
    done = officer_client.post("/admin/imports/confirm/", data={"token": pending, "csrf_token": token,
                                                                "resolve:cell:CB thôn 1": str(world.cell_a.pk)})
    assert done.status_code == 302
    assert Member.objects.get(full_name="Lê Văn Mới").organisation.pk == world.cell_a.pk
