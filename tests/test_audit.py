"""Ensure that every kind of action leaves an audit entry (who, organisation, UTC time,
action, collection, ids, changed fields) without passwords, that CR/LF cannot forge
entries or log lines, and that the "Nhật ký" screen is read-only and scoped."""

from __future__ import annotations

import datetime as dt
import json
import logging

from models import AuditEntry, Member
from services import audit
from tests import factories, stores
from tests.budget import bulk_load
from tests.conftest import csrf_token, seen_version


def post(client, path, data):
    seen = {"seen_version": seen_version(client, path)} if "/edit/" in path else {}
    return client.post(path, data={**seen, **data, "csrf_token": csrf_token(client, "/admin/")})


def test_create_update_delete_are_audited_with_changes(officer_client, world):
    r = post(officer_client, "/admin/member/new/", {"full_name": "Lê Văn Cường", "organisation": str(world.cell_a.pk),
                                                    "position": "Đảng viên", "status": "active"})
    assert r.status_code == 302
    m = Member.objects.get(full_name="Lê Văn Cường")
    created = AuditEntry.objects.get(action="create")
    assert created.username == "canbo_a" and created.org_name == "Đảng bộ xã An Hòa"
    assert created.org_path == [world.district.pk, world.commune_a.pk]
    assert created.collection == "members" and created.record_ids == [str(m.pk)]
    assert abs(created.at - dt.datetime.now(dt.UTC).replace(tzinfo=None)) < dt.timedelta(minutes=1)
    post(officer_client, f"/admin/member/edit/?id={m.pk}", {"full_name": "Lê Văn Cường", "position": "Bí thư",
                                                            "organisation": str(world.cell_a.pk), "status": "active"})
    updated = AuditEntry.objects.get(action="update")
    assert [(c.field, c.before, c.after) for c in updated.changes] == [("position", "Đảng viên", "Bí thư")]
    post(officer_client, "/admin/member/delete/", {"id": str(m.pk)})
    deleted = AuditEntry.objects.get(action="delete")
    assert deleted.record_ids == [str(m.pk)] and deleted.collection == "members"


def test_member_delete_lists_binned_accounts(officer_client, world):
    post(officer_client, "/admin/member/delete/", {"id": str(world.member_a.pk)})
    entry = AuditEntry.objects.get(action="delete")
    assert set(entry.record_ids) == {str(world.member_a.pk), str(world.account_a.pk), str(world.site_a.pk)}


def test_login_success_failure_and_logout_are_audited(client, world):
    factories.user("canbo", world.commune_a)
    client.post("/login/", data={"username": "canbo", "password": "Sai-mat-khau-1", "csrf_token": csrf_token(client)},
                environ_base={"REMOTE_ADDR": "10.1.2.3"})
    client.post("/login/", data={"username": "ai-do", "password": "Sai-mat-khau-2", "csrf_token": csrf_token(client)})
    client.post("/login/", data={"username": "canbo", "password": factories.PASSWORD, "csrf_token": csrf_token(client)})
    client.post("/logout/", data={"csrf_token": csrf_token(client, "/admin/")})
    failed = AuditEntry.objects(action="login_failed").order_by("at")
    assert [(e.username, e.detail) for e in failed] == [("canbo", "sai mật khẩu"), ("ai-do", "không có tài khoản")]
    assert failed[0].ip == "10.1.2.3" and failed[0].org_name == "Đảng bộ xã An Hòa"
    assert failed[1].scope == []  # an unknown name belongs to nobody: only administrators see it
    assert AuditEntry.objects(action="login", username="canbo").count() == 1
    assert AuditEntry.objects(action="logout", username="canbo").count() == 1


def test_denied_access_is_audited(world, login):
    factories.user("xem_a", world.commune_a, "viewer")
    viewer = login("xem_a")
    assert viewer.get("/admin/member/new/").status_code == 403
    assert viewer.get("/admin/audit/").status_code == 403
    entries = AuditEntry.objects(action="denied", username="xem_a")
    assert entries.count() == 2
    assert any("/admin/member/new/" in e.detail for e in entries)


def test_password_never_reaches_the_trail(admin_client, world, caplog):
    new_password = "Mot-mat-khau-rat-bi-mat-9"
    with caplog.at_level(logging.INFO, logger="audit"):
        post(admin_client, "/admin/user/new/", {"username": "moi", "organisation": str(world.commune_a.pk),
                                                "role": "viewer", "active": "y", "new_password": new_password})
        user = factories.User.objects.get(username="moi")
        post(admin_client, f"/admin/user/edit/?id={user.pk}", {
            "username": "moi", "organisation": str(world.commune_a.pk), "role": "officer", "active": "y",
            "new_password": new_password + "x"})
        admin_client.post("/password/", data={"current": factories.PASSWORD, "new": new_password + "y",
                                              "confirm": new_password + "y",
                                              "csrf_token": csrf_token(admin_client, "/password/")})
    assert AuditEntry.objects(action="create", collection="users").count() == 1
    update = AuditEntry.objects.get(action="update", collection="users")
    assert [c.field for c in update.changes] == ["role"] and update.detail == "đặt mật khẩu mới"
    assert AuditEntry.objects(action="password_change").count() == 1
    stored = json.dumps([e.to_mongo().to_dict() for e in AuditEntry.objects], default=str)
    hashes = [u.password_hash for u in factories.User.objects]
    for secret in [new_password, new_password + "x", new_password + "y", factories.PASSWORD, *hashes]:
        assert secret not in stored and secret not in caplog.text
    assert "password_hash" not in stored and "session_token" not in stored


def test_crlf_cannot_forge_entries_or_log_lines(client, world, caplog):
    forged = "canbo\r\n2026-01-01 00:00:00 quantri login\nadmin"
    with caplog.at_level(logging.INFO, logger="audit"):
        client.post("/login/", data={"username": forged, "password": "x" * 12, "csrf_token": csrf_token(client)})
    entry = AuditEntry.objects.get(action="login_failed")
    assert "\n" not in entry.username and "\r" not in entry.username
    assert entry.username.startswith("canbo\\r\\n2026")
    lines = [r.getMessage() for r in caplog.records if r.name == "audit"]
    assert len(lines) == 1 and "\n" not in lines[0] and "\r" not in lines[0]
    assert AuditEntry.objects.count() == 1


def test_clean_escapes_every_line_breaking_character():
    assert audit.clean("a\nb\rc\x00d\u2028e\x85f") == "a\\nb\\rc\\x00d\\u2028e\\x85f"
    assert len(audit.clean("x" * 5000)) == audit.MAX_VALUE


def test_record_api_for_exports_and_imports(app, world):
    """Exports and imports call ``record`` with documents or bare ids."""
    with app.test_request_context("/admin/export/", environ_base={"REMOTE_ADDR": "10.0.0.9"}):
        user = factories.user("xuat", world.commune_a)
        e = audit.record("export", user=user, records=[world.account_a], detail="Biểu mẫu 2")
        i = audit.record("import", user=user, collection="members", ids=["r1", "r2"], detail="3 dòng")
    assert e.collection == "social_accounts" and e.record_ids == [str(world.account_a.pk)] and e.ip == "10.0.0.9"
    assert world.cell_a.pk in e.scope and world.commune_a.pk in e.scope
    assert i.record_ids == ["r1", "r2"] and i.username == "xuat"


def test_audit_screen_is_scoped(world, login):
    factories.user("canbo_a", world.commune_a)
    factories.user("canbo_b", world.commune_b)
    a, b = login("canbo_a"), login("canbo_b")
    a.get(f"/admin/member/details/?id={world.member_b.pk}")  # a denial by canbo_a
    html_b = b.get("/admin/audit/").get_data(as_text=True)
    html_a = a.get("/admin/audit/").get_data(as_text=True)
    assert {e.username for e in AuditEntry.objects(scope=world.commune_a.pk)} == {"canbo_a"}
    assert "canbo_b" not in html_a and "canbo_a" in html_a
    # XB sees its own people, and the attempt on its record, but not XA's other entries
    assert "canbo_b" in html_b and html_b.count("<td class=\"col-action\">") == 2
    assert "Truy cập bị từ chối </td>" in " ".join(html_b.split()) and "canbo_a" in html_b


def test_audit_screen_filters_and_is_read_only(officer_client, world):
    post(officer_client, "/admin/member/delete/", {"id": str(world.member_a.pk)})
    everything = " ".join(officer_client.get("/admin/audit/").get_data(as_text=True).split())
    assert "> Đăng nhập </td>" in everything
    html = " ".join(officer_client.get("/admin/audit/?flt0_0=delete").get_data(as_text=True).split())
    assert "> Xóa (vào thùng rác) </td>" in html and "> Đăng nhập </td>" not in html
    html = officer_client.get("/admin/audit/?flt0_2=CANBO_A").get_data(as_text=True)
    assert html.count("canbo_a") >= 2
    entry = AuditEntry.objects.first()
    before = AuditEntry.objects.count()
    assert officer_client.get("/admin/audit/new/").status_code == 403
    assert officer_client.get(f"/admin/audit/edit/?id={entry.pk}").status_code == 403
    r = officer_client.post("/admin/audit/action/", data={"action": "delete", "rowid": str(entry.pk),
                                                          "csrf_token": csrf_token(officer_client, "/admin/")})
    assert r.status_code == 403
    r = officer_client.post("/admin/audit/delete/", data={"id": str(entry.pk),
                                                          "csrf_token": csrf_token(officer_client, "/admin/")})
    assert r.status_code == 403
    assert AuditEntry.objects(pk=entry.pk).count() == 1
    assert AuditEntry.objects.count() == before + 4  # the four refusals, nothing removed


def test_audit_details_show_changes_and_search_finds_user(officer_client, world):
    post(officer_client, f"/admin/member/edit/?id={world.member_a.pk}", {
        "full_name": "Nguyễn Văn An", "position": "Phó Bí thư <b>", "organisation": str(world.cell_a.pk),
        "status": "active"})
    entry = AuditEntry.objects.get(action="update")
    html = officer_client.get(f"/admin/audit/details/?id={entry.pk}").get_data(as_text=True)
    # a Vietnamese sentence with the screen's field label and the person's name, the value escaped
    assert "<b>canbo_a</b> đã sửa Cán bộ, đảng viên" in html and ">Nguyễn Văn An (Chi bộ thôn 1 — xã An Hòa)</a>”" in html
    assert "Cấp bậc, chức vụ: Đảng viên → Phó Bí thư &lt;b&gt;" in html
    assert "position" not in html.split("<table")[1] and str(entry.pk) not in html.split("Dữ liệu gốc")[0].split("<body")[1]
    found = officer_client.get("/admin/audit/?search=canbo_a").get_data(as_text=True)
    assert found.count("<td class=\"col-summary\">") >= 2
    none = officer_client.get("/admin/audit/?search=khong_ai_ca").get_data(as_text=True)
    assert "<td class=\"col-summary\">" not in none


def test_reference_change_names_both_organisations(officer_client, world):
    cell2 = factories.org("XA-2", "Chi bộ thôn 2", world.commune_a)
    post(officer_client, f"/admin/member/edit/?id={world.member_a.pk}", {
        "full_name": "Nguyễn Văn An", "position": "Đảng viên", "organisation": str(cell2.pk), "status": "active",
        "is_party_member": "y"})
    change = {c.field: c for c in AuditEntry.objects.get(action="update").changes}
    assert set(change) == {"organisation"}
    assert change["organisation"].before == f"Chi bộ thôn 1 [{world.cell_a.pk}]"
    assert change["organisation"].after == f"Chi bộ thôn 2 [{cell2.pk}]"


# --- growth: the list's cost, the index, retention ---
def _fill(n, scope, days_ago=0):
    """``n`` entries straight into the store (bulk), newest ``days_ago`` days back."""
    from bson import ObjectId

    newest = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0) - dt.timedelta(days=days_ago)
    return bulk_load(AuditEntry._get_collection(), [
        {"_id": ObjectId(), "at": newest - dt.timedelta(seconds=i), "action": "update", "username": "canbo_a",
         "org_name": "Đảng bộ xã An Hòa", "org_path": scope, "scope": scope, "collection": "members",
         "record_ids": [f"r{i}"], "changes": [], "search_keys": []} for i in range(n)])


#: entries added for the large trail: 200,000 in all on the in-process store; on the wire store
#: 20,000 (SecantusDB, a Python server, stores a few hundred entries a second on a shared machine,
#: and what is compared, the commands a page sends, does not depend on the size past one page)
BIG_TRAIL = 19_800 if stores.is_wire() else 199_800


def test_audit_list_cost_does_not_grow_with_the_trail(officer_client, world):
    """200 entries or 200,000: the list page sends the same queries, and never counts the trail."""
    from tests.budget import Budget

    scope = [world.district.pk, world.commune_a.pk]
    _fill(200, scope)
    officer_client.get("/admin/audit/")  # warm: filter options and the like
    with Budget() as budget:
        small = officer_client.get("/admin/audit/")
        at_200 = list(budget.commands)
        _fill(BIG_TRAIL, scope, days_ago=1)
        budget.reset()
        big = officer_client.get("/admin/audit/")
    assert small.status_code == big.status_code == 200
    assert budget.commands == at_200 and ("audit", "find") in budget.commands
    assert ("audit", "count") not in budget.commands
    assert big.get_data(as_text=True).count("r0") >= 1  # the newest entry is on the first page


def test_audit_list_has_its_compound_index(app):
    keys = [tuple(v["key"]) for v in AuditEntry._get_collection().index_information().values()]
    assert (("scope", 1), ("at", -1)) in keys and (("action", 1), ("at", -1)) in keys


def _prune(runner, *args):
    return runner.invoke(args=["audit", "prune", *args])


def test_prune_archives_to_xlsx_then_deletes(app, runner, world, tmp_path):
    import openpyxl

    scope = [world.district.pk, world.commune_a.pk]
    _fill(30, scope, days_ago=400)
    _fill(5, scope)
    archive = tmp_path / "nhat-ky-cu.xlsx"
    result = _prune(runner, "--days", "365", "-o", str(archive))
    assert result.exit_code == 0, result.output
    assert "Đã lưu 30 mục" in result.output and "xóa 30 mục" in result.output
    rows = list(openpyxl.load_workbook(archive).active.iter_rows(values_only=True))
    assert rows[0][0] == "Thời điểm (UTC)" and len(rows) == 31
    assert {r[5] for r in rows[1:]} == {f"r{i}" for i in range(30)} and rows[1][3] == "Sửa"
    left = AuditEntry.objects(action="update")
    assert left.count() == 5
    assert AuditEntry.objects.get(action="audit_prune").detail.endswith("xóa 30 mục")


def test_prune_archives_to_json_exactly(app, runner, world, tmp_path, monkeypatch):
    from bson import json_util

    from services import audit_retention

    _fill(10, [world.district.pk], days_ago=40)
    stored = list(AuditEntry._get_collection().find({}).sort("_id", 1))
    monkeypatch.setenv("AUDIT_KEEP_DAYS", "30")
    app.config["AUDIT_KEEP_DAYS"] = 30
    archive = tmp_path / "nhat-ky.jsonl"
    assert _prune(runner, "-o", str(archive)).exit_code == 0
    lines = [json_util.loads(x, json_options=audit_retention.JSON_OPTIONS) for x in archive.read_text().splitlines()]
    assert sorted(lines, key=lambda d: d["_id"]) == [d for d in stored if d["action"] == "update"]
    assert AuditEntry.objects(action="update").count() == 0


def test_prune_refuses_without_retention_or_archive(app, runner, world, tmp_path):
    _fill(10, [world.district.pk], days_ago=400)
    result = _prune(runner, "-o", str(tmp_path / "a.xlsx"))  # AUDIT_KEEP_DAYS = 0: keep all
    assert result.exit_code != 0 and "giữ toàn bộ" in result.output
    result = _prune(runner, "--days", "30", "-o", str(tmp_path / "khong-co" / "a.jsonl"))
    assert result.exit_code != 0 and "Không xóa mục nào" in result.output
    result = _prune(runner, "--days", "30", "-o", str(tmp_path / "khong-co" / "a.xlsx"))
    assert result.exit_code != 0 and "Không xóa mục nào" in result.output
    (tmp_path / "co-roi.xlsx").write_bytes(b"x")
    result = _prune(runner, "--days", "30", "-o", str(tmp_path / "co-roi.xlsx"))
    assert result.exit_code != 0 and "đã có" in result.output
    assert AuditEntry.objects(action="update").count() == 10
