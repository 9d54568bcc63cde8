"""One write path: every CLI write command and every screen's save leaves exactly one audit entry."""

from __future__ import annotations

import pytest

from models import AuditEntry, Member, Organisation, PartyDocument, User
from tests import factories
from tests.conftest import csrf_token, seen_version
from tests.fixtures.workbooks import workbook
from tests.test_import_reading import social_row
from tests.test_roster_import import book, row


def _new_entries(before: int) -> list[tuple[str, str | None]]:
    return [(e.action, e.detail) for e in AuditEntry.objects.order_by("id")[before:]]


def _exactly_one(run, action: str | None = None) -> None:
    before = AuditEntry.objects.count()
    result = run()
    assert getattr(result, "exit_code", 0) == 0, getattr(result, "output", result)
    entries = _new_entries(before)
    assert len(entries) == 1, entries
    if action:
        assert entries[0][0] == action, entries


def _cli_cases(tmp_path) -> list[tuple[str, list[str], str]]:
    forms = tmp_path / "bm2.xlsx"
    forms.write_bytes(workbook("social", [social_row(c7="facebook.com/mot.tai.khoan.moi")]))
    roster = tmp_path / "ds.xlsx"
    roster.write_bytes(book([row()]))
    return [
        ("orgs create", ["orgs", "create", "XA-9", "Chi bộ thôn 9", "--parent", "XA"], "create"),
        ("users create", ["users", "create", "canbo9", "--org", "XA", "--role", "officer",
                          "--password", "Mot-mat-khau-dai-2026"], "create"),
        ("orgs move", ["orgs", "move", "XA-9", "--parent", "XB", "--yes"], "restructure"),
        ("orgs merge", ["orgs", "merge", "XA-9", "--into", "XB-1", "--yes"], "restructure"),
        ("orgs lift", ["orgs", "lift", "XB", "--yes"], "restructure"),
        ("forms import", ["forms", "import", "social", str(forms), "--org", "XA"], "import"),
        ("members import", ["members", "import", str(roster), "--org", "XA"], "import"),
        ("forms migrate-platforms", ["forms", "migrate-platforms"], "update"),
        ("recount-declarations", ["recount-declarations"], "update"),
        ("party-work migrate", ["party-work", "migrate"], "update"),
    ]


def test_every_cli_write_command_leaves_exactly_one_entry(world, runner, tmp_path):
    """Ensure that each command that writes, run once, leaves one audit entry (forms import left none)."""
    for name, args, action in _cli_cases(tmp_path):
        _exactly_one(lambda a=args: runner.invoke(args=a), action)
        assert name  # the case's name shows in the failure's locals
    # a repair is a write too: one entry for the run
    Member.objects(pk=world.member_a.pk).update(set__scope=[world.district.pk], set__org_name="Sai")
    _exactly_one(lambda: runner.invoke(args=["check", "--repair"]), "repair")
    _exactly_one(lambda: runner.invoke(args=["audit", "prune", "--days", "1", "-o", str(tmp_path / "a.jsonl")]),
                 "audit_prune")


def test_seed_demo_leaves_one_entry(app, runner):
    _exactly_one(lambda: runner.invoke(args=["seed-demo", "--people", "30"]), "create")


def _post(client, path, data):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, path)})


@pytest.mark.parametrize("endpoint", ["member", "socialaccount", "site", "organisation", "partydocument", "meeting",
                                      "user"])
def test_every_screen_save_leaves_exactly_one_entry(admin_client, world, endpoint):
    """Ensure that creating, then editing, a record on each screen leaves one entry each."""
    new = {
        "member": {"full_name": "Lê Văn Mới", "organisation": str(world.cell_a.pk), "position": "Đảng viên",
                   "is_party_member": "y", "status": "active"},
        "socialaccount": {"member": str(world.member_a.pk), "platform": "Zalo", "account_name": "Nguyễn Văn An",
                          "url": "https://zalo.me/0912345678", "link_type": "personal", "purpose": "Tuyên truyền"},
        "site": {"member": str(world.member_a.pk), "site_name": "Trang mới", "domain": "trangmoi.vn",
                 "purpose": "Tuyên truyền"},
        "organisation": {"code": "XA-2", "name": "Chi bộ thôn 2", "kind": "cell", "level": "cell",
                         "parent": str(world.commune_a.pk)},
        "partydocument": {"number": "12-cv/hu", "title": "Về việc rà soát", "doc_type": "Công văn",
                          "issuer": "Huyện ủy", "issued_on": "02/10/2023", "direction": "received",
                          "organisation": str(world.commune_a.pk)},
        "meeting": {"organisation": str(world.cell_a.pk), "held_on": "05/10/2023", "kind": "regular",
                    "topic": "Sinh hoạt tháng 10"},
        "user": {"username": "canbo_moi", "organisation": str(world.commune_a.pk), "role": "officer", "active": "y",
                 "new_password": "Mot-mat-khau-dai-2026"},
    }[endpoint]
    before = AuditEntry.objects.count()
    r = _post(admin_client, f"/admin/{endpoint}/new/", new)
    assert r.status_code == 302, r.get_data(as_text=True)[-1500:]
    entries = _new_entries(before)
    assert [a for a, _ in entries] == ["create"], entries
    model = {"member": Member, "organisation": Organisation, "partydocument": PartyDocument, "user": User}.get(endpoint)
    record_id = AuditEntry.objects.order_by("-id").first().record_ids[0]
    edit = f"/admin/{endpoint}/edit/?id={record_id}"
    changed = {**new, "new_password": ""} if endpoint == "user" else dict(new)
    field = {"member": "position", "socialaccount": "purpose", "site": "purpose", "organisation": "name",
             "partydocument": "title", "meeting": "topic", "user": "full_name"}[endpoint]
    changed[field] = "Nội dung đã sửa"
    if endpoint != "user":  # every record's edit form carries the version it was opened at
        changed["seen_version"] = seen_version(admin_client, edit)
    before = AuditEntry.objects.count()
    r = _post(admin_client, edit, changed)
    assert r.status_code == 302, r.get_data(as_text=True)[-1500:]
    entries = _new_entries(before)
    assert [a for a, _ in entries] == ["update"], entries
    if model is not None:
        assert getattr(model.objects.get(pk=record_id), field) == "Nội dung đã sửa"


def test_a_screen_delete_leaves_exactly_one_entry(admin_client, world):
    before = AuditEntry.objects.count()
    _post(admin_client, "/admin/member/delete/", {"id": str(world.member_b.pk), "url": "/admin/member/"})
    entries = _new_entries(before)
    assert [a for a, _ in entries] == ["delete"], entries
    assert Member.objects.get(pk=world.member_b.pk).deleted_at is not None


def test_a_refused_save_is_audited_by_the_view(officer_client, world):
    """The one audit a view writes itself: the refusal (a foreign record)."""
    factories.user("canbo_b", world.commune_b, "officer")
    before = AuditEntry.objects.count()
    r = officer_client.get(f"/admin/member/edit/?id={world.member_b.pk}")
    assert r.status_code == 404
    assert [a for a, _ in _new_entries(before)][:1] == ["denied"]
