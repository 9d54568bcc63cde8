"""Moving and renaming a unit with sub-units, through the screens: at depth 3 and 4
every record of the moved subtree follows it (people, accounts, sites, documents,
meetings, users, import logs, audit entries), the old parent's officer loses all of it
and the new parent's officer gains all of it; the integrity check stays clean."""

from __future__ import annotations

import datetime as dt

import pytest

from models import AuditEntry, ImportLog, Meeting, Member, Organisation, PartyDocument, Site, SocialAccount, User
from services import audit, integrity, scope
from tests import factories
from tests.conftest import csrf_token


def _post(client, path, data):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/admin/member/new/")})


def _branch(world, depth: int):
    """Under commune XA: committee XA-X, down to a cell at ``depth`` holding one of everything."""
    top = factories.org("XA-X", "Đảng bộ bộ phận Xóm Mới", world.commune_a, "committee")
    parent = top
    for level in range(3, depth):
        parent = factories.org(f"{parent.code}-Y{level}", f"Đảng bộ bộ phận cấp {level}", parent, "committee")
    cell = factories.org(f"{parent.code}-1", "Chi bộ Xóm Mới Một", parent, "cell")
    person = factories.member(cell, "Phạm Thị Xuyến", phone="0911222333")
    acc = factories.account(person, "https://www.facebook.com/phamthixuyen")
    site = factories.site(person, "phamthixuyen.vn")
    doc = PartyDocument(organisation=cell, number="12-NQ/CB", title="Nghị quyết chi bộ Xóm Mới",
                        issued_on=dt.datetime(2026, 1, 5))
    doc.save()
    meeting = Meeting(organisation=cell, held_on=dt.datetime(2026, 2, 1), topic="Sinh hoạt Xóm Mới tháng Hai")
    meeting.save()
    officer = factories.user("canbo_xomoi", cell, "officer")
    log = ImportLog(organisation=cell, kind="social", filename="xom-moi.xlsx", username="canbo_xomoi")
    log.save()
    entry = audit.record("update", user=officer, records=[person], detail="sửa thử")
    return top, cell, [person, acc, site, doc, meeting, officer, log, entry]


LISTS = {Member: "/admin/member/", SocialAccount: "/admin/socialaccount/", Site: "/admin/site/",
         PartyDocument: "/admin/partydocument/", Meeting: "/admin/meeting/", User: "/admin/user/"}
SHOWN = {Member: "Phạm Thị Xuyến", SocialAccount: "phamthixuyen", Site: "phamthixuyen.vn",
         PartyDocument: "12-NQ/CB", Meeting: "Sinh hoạt Xóm Mới", User: "canbo_xomoi"}


@pytest.mark.parametrize("depth", [3, 4])
def test_moving_a_branch_through_the_screen_moves_everything_below(app, world, admin_client, login, depth):
    top, cell, records = _branch(world, depth)
    factories.user("canbo_a", world.commune_a, "officer")
    factories.user("canbo_b", world.commune_b, "officer")
    r = _post(admin_client, f"/admin/organisation/edit/?id={top.pk}", {
        "code": top.code, "name": top.name, "kind": "committee", "parent": str(world.commune_b.pk)})
    assert r.status_code == 302, r.get_data(as_text=True)[-1500:]

    cell.reload()
    assert cell.scope[:2] == [world.district.pk, world.commune_b.pk] and len(cell.scope) == depth + 1
    for doc in records:
        doc.reload()
        assert world.commune_b.pk in doc.scope and world.commune_a.pk not in doc.scope, type(doc).__name__
    old, new = login("canbo_a"), login("canbo_b")
    for model, path in LISTS.items():
        assert SHOWN[model] not in old.get(path).get_data(as_text=True), path
        assert SHOWN[model] in new.get(path).get_data(as_text=True), path
    assert "xom-moi.xlsx" not in old.get("/admin/imports/").get_data(as_text=True)
    assert "xom-moi.xlsx" in new.get("/admin/imports/").get_data(as_text=True)
    entry = records[-1]
    assert not scope.visible(AuditEntry, User.objects.get(username="canbo_a")).filter(pk=entry.pk).count()
    assert scope.visible(AuditEntry, User.objects.get(username="canbo_b")).filter(pk=entry.pk).count()

    person, officer = records[0], records[5]
    assert old.get(f"/admin/member/details/?id={person.pk}").status_code == 404
    assert old.get(f"/admin/member/edit/?id={person.pk}").status_code == 404
    _post(old, "/admin/member/delete/", {"id": str(person.pk), "url": "/admin/member/"})
    assert Member.objects.get(pk=person.pk).deleted_at is None
    r = _post(old, f"/admin/user/edit/?id={officer.pk}", {
        "username": "canbo_xomoi", "organisation": str(world.commune_a.pk), "role": "officer", "active": "y",
        "new_password": "Mat-khau-chiem-quyen-2026"})
    assert r.status_code == 404
    assert User.objects.get(pk=officer.pk).check_password(factories.PASSWORD)
    assert new.get(f"/admin/member/details/?id={person.pk}").status_code == 200
    assert integrity.check().clean, integrity.check().lines()


def test_rename_and_code_change_reach_every_record_and_search(app, world, admin_client):
    top, cell, records = _branch(world, 4)
    r = _post(admin_client, f"/admin/organisation/edit/?id={cell.pk}", {
        "code": cell.code, "name": "Chi bộ Đồng Tâm", "kind": "cell", "parent": str(cell.parent.pk)})
    assert r.status_code == 302, r.get_data(as_text=True)[-1500:]
    for doc in records[:-1]:  # the audit entry keeps the name it was written with
        doc.reload()
        assert doc.org_name == "Chi bộ Đồng Tâm", type(doc).__name__
    acc = SocialAccount.objects.get(pk=records[1].pk)
    assert "tam" in acc.search_keys and "mot" not in acc.search_keys  # "Xóm Mới Một" is gone
    assert Meeting.objects(search_keys="tam").count() == 1
    r = _post(admin_client, f"/admin/organisation/edit/?id={top.pk}", {
        "code": "XA-Z", "name": top.name, "kind": "committee", "parent": str(world.commune_a.pk)})
    assert r.status_code == 302
    cell.reload()
    assert cell.tree_key.startswith("HU/XA/XA-Z/")
    assert Member.objects.get(pk=records[0].pk).org_key == cell.tree_key
    assert integrity.check().clean, integrity.check().lines()


def test_move_is_bounded_bulk_and_idempotent(app, world):
    from models.organisation import refresh_subtree

    top, cell, records = _branch(world, 4)
    for i in range(30):
        factories.member(cell, f"Người thứ {i}")
    top.parent = world.commune_b
    top.save()
    again = refresh_subtree(top)
    orgs = Organisation.objects(scope=top.pk).count()
    from models.base import OWNED, UNIT_PATHS

    assert again.organisations == orgs
    # per organisation and owned model (and unit path of records of two units), not per record
    assert again.updates == (orgs - 1) + orgs * (len(OWNED) + len(UNIT_PATHS))
    assert again.records["Member"] == 31
    assert integrity.check().clean


def test_dissolving_a_cell_with_an_import_log_is_refused_in_vietnamese(app, world, admin_client):
    cell = factories.org("XA-9", "Chi bộ thôn 9", world.commune_a, "cell")
    ImportLog(organisation=cell, kind="sites", filename="cu.xlsx").save()
    r = _post(admin_client, "/admin/organisation/delete/", {"id": str(cell.pk), "url": "/admin/organisation/"})
    assert r.status_code == 302
    assert Organisation.objects(pk=cell.pk).count() == 1
    assert "Không thể giải thể" in admin_client.get("/admin/organisation/").get_data(as_text=True)
