"""Ensure that an officer of commune XA cannot read, change or delete anything of the
sibling commune XB through any path (SECURITY.md cases 1, 2, 3, 5, 6, 8 and the
GridFS file endpoint). Each attack is paired with the same request on an own record,
which must work: the test fails if the scope check is removed, not because the path
is broken."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import mongomock.gridfs
import pytest
from mongoengine.fields import GridFSProxy

from admin.members import MemberView
from admin.party_work import MeetingView
from models import AuditEntry, Meeting, Member, Organisation, PartyDocument, Site, SocialAccount, User
from tests import factories
from tests.conftest import csrf_token

mongomock.gridfs.enable_gridfs_integration()


def post(client, path, data, token=True):
    body = dict(data)
    if token:
        body["csrf_token"] = csrf_token(client, "/admin/")
    return client.post(path, data=body)


def state(doc):
    return type(doc).objects.get(pk=doc.pk).to_mongo().to_dict()


@pytest.fixture
def records(world):
    """(own, foreign) pairs per screen: XA's record and XB's record."""
    docs = {}
    for org, key in ((world.cell_a, "a"), (world.cell_b, "b")):
        docs[f"partydocument_{key}"] = PartyDocument(number=f"1-NQ/{key.upper()}", title="Nghị quyết",
                                                     issued_on=dt.datetime(2024, 1, 2), organisation=org)
        docs[f"meeting_{key}"] = Meeting(organisation=org, held_on=dt.datetime(2024, 2, 3), topic="Sinh hoạt")
        for d in (docs[f"partydocument_{key}"], docs[f"meeting_{key}"]):
            d.save()
    return {
        "member": (world.member_a, world.member_b),
        "site": (world.site_a, world.site_b),
        "socialaccount": (world.account_a, world.account_b),
        "organisation": (world.cell_a, world.cell_b),
        "partydocument": (docs["partydocument_a"], docs["partydocument_b"]),
        "meeting": (docs["meeting_a"], docs["meeting_b"]),
        "user": (factories.user("nguoi_a", world.cell_a, "viewer"), factories.user("nguoi_b", world.cell_b, "viewer")),
    }


SCREENS = ["member", "site", "socialaccount", "organisation", "partydocument", "meeting", "user"]


@pytest.mark.parametrize("endpoint", [s for s in SCREENS if s != "user"])
def test_details_of_foreign_record_is_404(officer_client, records, endpoint):
    own, foreign = records[endpoint]
    assert officer_client.get(f"/admin/{endpoint}/details/?id={own.pk}").status_code == 200
    r = officer_client.get(f"/admin/{endpoint}/details/?id={foreign.pk}")
    assert r.status_code == 404
    assert str(foreign) not in r.get_data(as_text=True)


@pytest.mark.parametrize("endpoint", SCREENS)
def test_edit_form_of_foreign_record_is_404(officer_client, records, endpoint):
    own, foreign = records[endpoint]
    assert officer_client.get(f"/admin/{endpoint}/edit/?id={own.pk}").status_code == 200
    assert officer_client.get(f"/admin/{endpoint}/edit/?id={foreign.pk}").status_code == 404


EDITS = {
    "member": {"full_name": "Kẻ tấn công", "position": "Đảng viên", "status": "active"},
    "organisation": {"code": "XB-1", "name": "Đã bị sửa", "kind": "cell"},
    "partydocument": {"number": "9-NQ/X", "title": "Đã bị sửa", "issued_on": "01/01/2024", "direction": "issued"},
    "meeting": {"held_on": "01/01/2024", "kind": "regular", "topic": "Đã bị sửa"},
    "user": {"username": "nguoi_b", "role": "officer", "active": "y"},
}


@pytest.mark.parametrize("endpoint", sorted(EDITS))
def test_post_edit_of_foreign_record_changes_nothing(officer_client, records, endpoint):
    foreign = records[endpoint][1]
    before = state(foreign)
    r = post(officer_client, f"/admin/{endpoint}/edit/?id={foreign.pk}", EDITS[endpoint])
    assert r.status_code == 404
    assert state(foreign) == before


@pytest.mark.parametrize("endpoint", ["member", "site", "socialaccount", "partydocument", "meeting"])
def test_delete_of_foreign_record_changes_nothing(officer_client, records, endpoint):
    own, foreign = records[endpoint]
    r = post(officer_client, f"/admin/{endpoint}/delete/", {"id": str(foreign.pk)})
    assert r.status_code == 404
    assert state(foreign)["deleted_at"] is None
    post(officer_client, f"/admin/{endpoint}/delete/", {"id": str(own.pk)})
    assert state(own)["deleted_at"] is not None


@pytest.mark.parametrize("endpoint", ["member", "site", "socialaccount", "partydocument", "meeting"])
def test_bulk_delete_action_skips_foreign_rowid(officer_client, records, endpoint):
    """Flask-Admin's own action loads rows with ``in_bulk``, which ignores the scope."""
    own, foreign = records[endpoint]
    r = officer_client.post(f"/admin/{endpoint}/action/", data={
        "action": "delete", "rowid": [str(foreign.pk), str(own.pk)],
        "csrf_token": csrf_token(officer_client, "/admin/")})
    assert r.status_code == 302
    assert state(foreign)["deleted_at"] is None
    assert state(own)["deleted_at"] is not None
    # one entry in the actor's trail (as for a missing id), one in the owner's trail only
    assert AuditEntry.objects(action="denied", record_ids=str(foreign.pk), scope=foreign.scope[1]).count() == 1
    assert AuditEntry.objects(action="denied", record_ids=str(foreign.pk), org_path=own.scope[1]).count() == 2


def test_organisation_of_sibling_cannot_be_dissolved(officer_client, world):
    empty = factories.org("XB-2", "Chi bộ trống", world.commune_b)
    r = post(officer_client, "/admin/organisation/delete/", {"id": str(empty.pk)})
    assert r.status_code == 404
    assert Organisation.objects(pk=empty.pk).count() == 1
    officer_client.post("/admin/organisation/action/", data={
        "action": "delete", "rowid": [str(empty.pk)], "csrf_token": csrf_token(officer_client, "/admin/")})
    assert Organisation.objects(pk=empty.pk).count() == 1


class EditableMemberView(MemberView):
    column_editable_list = ["position", "phone"]


@pytest.fixture
def editable(app):
    """Members with an editable list (case 3), registered before the first request."""
    app.extensions["panel_admin"].add_view(
        EditableMemberView(Member, name="Sửa nhanh", endpoint="member_quick", url="/admin/member-quick"))
    return "/admin/member-quick/ajax/update/"


def test_ajax_update_with_foreign_pk_is_refused(editable, officer_client, world):
    before = state(world.member_b)
    r = post(officer_client, editable, {"list_form_pk": str(world.member_b.pk), "position": "Bị sửa"})
    assert r.status_code == 404
    assert state(world.member_b) == before
    r = post(officer_client, editable, {"list_form_pk": str(world.member_a.pk), "position": "Bí thư chi bộ"})
    assert r.status_code == 200
    assert Member.objects.get(pk=world.member_a.pk).position == "Bí thư chi bộ"


def test_ajax_update_refused_to_viewer(editable, world, login):
    factories.user("xem_a", world.commune_a, "viewer")
    viewer = login("xem_a")
    r = post(viewer, editable, {"list_form_pk": str(world.member_a.pk), "position": "Bị sửa"})
    assert r.status_code == 403
    assert Member.objects.get(pk=world.member_a.pk).position == "Đảng viên"


def test_editable_reference_column_is_refused_at_start():
    class Bad(MemberView):
        column_editable_list = ["organisation"]

    with pytest.raises(TypeError, match="organisation"):
        Bad(Member, endpoint="bad")


def test_edit_own_member_into_foreign_cell_is_a_validation_error(officer_client, world):
    before = state(world.member_a)
    r = post(officer_client, f"/admin/member/edit/?id={world.member_a.pk}", {
        "full_name": "Nguyễn Văn An", "organisation": str(world.cell_b.pk), "position": "Đảng viên",
        "status": "active"})
    assert r.status_code == 200  # the form comes back with the error
    assert state(world.member_a) == before
    assert Member.objects(organisation=world.cell_b).count() == 1


def test_create_member_in_foreign_cell_is_refused(officer_client, world):
    post(officer_client, "/admin/member/new/", {"full_name": "Người mới", "organisation": str(world.cell_b.pk),
                                                 "position": "Đảng viên", "status": "active"})
    assert Member.objects(full_name="Người mới").count() == 0
    post(officer_client, "/admin/member/new/", {"full_name": "Người mới", "organisation": str(world.cell_a.pk),
                                                 "position": "Đảng viên", "status": "active"})
    assert Member.objects(full_name="Người mới").count() == 1


def test_account_for_foreign_member_is_refused(officer_client, world):
    data = {"platform": "Facebook", "account_name": "Giả mạo", "url": "https://www.facebook.com/giamao",
            "link_type": "personal", "purpose": "Tuyên truyền", "updated_on": "01/01/2026"}
    post(officer_client, "/admin/socialaccount/new/", {**data, "member": str(world.member_b.pk)})
    assert SocialAccount.objects(account_name="Giả mạo").count() == 0
    post(officer_client, "/admin/socialaccount/new/", {**data, "member": str(world.member_a.pk)})
    assert SocialAccount.objects(account_name="Giả mạo").count() == 1


def test_user_moved_to_foreign_organisation_is_refused(officer_client, records, world):
    own = records["user"][0]
    post(officer_client, f"/admin/user/edit/?id={own.pk}", {
        "username": "nguoi_a", "organisation": str(world.cell_b.pk), "role": "viewer", "active": "y"})
    assert User.objects.get(pk=own.pk).organisation == world.cell_a


@pytest.mark.parametrize("endpoint, name", [("member", "organisation"), ("site", "member"),
                                            ("socialaccount", "member"), ("meeting", "organisation"),
                                            ("partydocument", "organisation"), ("organisation", "parent"),
                                            ("user", "organisation")])
def test_ajax_lookup_offers_nothing_outside_subtree(officer_client, world, endpoint, name):
    r = officer_client.get(f"/admin/{endpoint}/ajax/lookup/?name={name}&query=")
    assert r.status_code == 200
    ids = {row[0] for row in json.loads(r.data)}
    foreign = {str(o.pk) for o in (world.district, world.commune_b, world.cell_b, world.member_b)}
    assert ids and not ids & foreign
    by_name = officer_client.get(f"/admin/{endpoint}/ajax/lookup/?name={name}&query=B%C3%ACnh")
    assert not {row[0] for row in json.loads(by_name.data)} & foreign


@pytest.mark.parametrize("query", ["sort=3", "sort=4&desc=1", "sort=99", "sort=-1", "sort=abc", "sort=$where",
                                   "flt0_999=x", "flt0_abc=1", "flt0_0=not-an-id", "flt0_0=%7B%22%24ne%22%3A1%7D",
                                   "flt0_1=%7B%22%24ne%22%3A%22%22%7D", "page=-5", "page_size=100000",
                                   "page=abc", "desc=abc"])
def test_unoffered_sort_and_filter_are_ignored(officer_client, world, query):
    r = officer_client.get(f"/admin/member/?{query}")
    assert r.status_code in (200, 400)
    html = r.get_data(as_text=True)
    assert "Trần Thị Bình" not in html


def test_sort_uses_only_offered_columns(admin_client, world):
    """Column 3 (phone) is listed but not offered for sorting: the default order stays."""
    factories.member(world.cell_a, "Vũ Văn Ba", phone="0900000001")
    default = admin_client.get("/admin/member/").get_data(as_text=True)
    by_phone = admin_client.get("/admin/member/?sort=3").get_data(as_text=True)
    names = ["Nguyễn Văn An", "Vũ Văn Ba", "Trần Thị Bình"]
    order = sorted(names, key=default.index)
    assert sorted(names, key=by_phone.index) == order
    assert order != sorted(names, key=lambda n: {"Nguyễn Văn An": 2, "Vũ Văn Ba": 1, "Trần Thị Bình": 3}[n])


def test_foreign_filter_value_shows_nothing(officer_client, world):
    html = officer_client.get(f"/admin/member/?flt0_0={world.commune_b.pk}").get_data(as_text=True)
    assert "Trần Thị Bình" not in html and "Nguyễn Văn An" not in html


def _attachment(doc):
    proxy = GridFSProxy(collection_name="attachments")
    proxy.put(io.BytesIO(b"%PDF-1.4 noi dung"), filename="nghi-quyet.pdf", content_type="application/pdf")
    doc.attachments = [proxy]
    doc.save()
    return str(proxy.grid_id)


def test_gridfs_file_of_foreign_document_is_404(officer_client, records):
    own, foreign = records["partydocument"]
    own_file, foreign_file = _attachment(own), _attachment(foreign)
    r = officer_client.get(f"/admin/partydocument/api/file/?id={own_file}&coll=attachments")
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    r = officer_client.get(f"/admin/partydocument/api/file/?id={foreign_file}&coll=attachments")
    assert r.status_code == 404
    for path in (f"/admin/member/api/file/?id={foreign_file}&coll=attachments",
                 f"/admin/partydocument/api/file/?id={foreign_file}&coll=attachments&db=other",
                 f"/admin/partydocument/api/file/?id={foreign_file}&coll=attachments.files"):
        assert officer_client.get(path).status_code == 404
    assert AuditEntry.objects(action="denied", record_ids=str(foreign.pk)).count() >= 1


def test_foreign_probe_is_audited(officer_client, world):
    officer_client.get(f"/admin/socialaccount/details/?id={world.account_b.pk}")
    entry = AuditEntry.objects.get(action="denied", scope=world.commune_a.pk)
    assert entry.username == "canbo_a" and entry.record_ids == [str(world.account_b.pk)]
    assert entry.collection == "social_accounts"
    assert Site.objects.count() == 2  # nothing else touched


@pytest.mark.parametrize("endpoint", ["member", "socialaccount", "site", "partydocument", "meeting", "user"])
def test_refusal_of_a_foreign_id_looks_like_a_missing_one(app, world, login, endpoint):
    """Status, page and the actor's own audit entries are the same whether or not the id
    exists in another organisation: no existence oracle."""
    from bson import ObjectId

    from models import User

    factories.user("canbo_b", world.commune_b, "viewer")
    officer = factories.user("canbo_a", world.commune_a, "officer")
    client = login("canbo_a")
    foreign = {"member": world.member_b, "socialaccount": world.account_b, "site": world.site_b,
               "partydocument": None, "meeting": None, "user": User.objects.get(username="canbo_b")}[endpoint]
    real = str(foreign.pk) if foreign is not None else str(world.member_b.pk)
    fake = str(ObjectId())
    answers = []
    for raw in (real, fake):
        for view in ("details", "edit"):
            r = client.get(f"/admin/{endpoint}/{view}/?id={raw}")
            answers.append((view, r.status_code, r.get_data(as_text=True).replace(raw, "ID")))
    assert answers[:2] == answers[2:] and answers[1][1] == 404
    mine = [(e.action, e.collection, e.detail.replace(real, "ID").replace(fake, "ID"), e.record_ids == [real])
            for e in AuditEntry.objects(scope=world.commune_a.pk, action="denied").order_by("at")]
    half = len(mine) // 2
    assert len(mine) == 2 * half and half >= 1  # the user screen has no details page
    assert [m[:3] for m in mine[:half]] == [m[:3] for m in mine[half:]]
    assert officer.pk  # the actor's trail holds no entry about the foreign organisation
    assert not AuditEntry.objects(scope=world.commune_a.pk, org_path__ne=officer.scope).count()


def test_odd_list_parameters_never_fail_on_any_screen(app, admin_client, world):
    lists = [re.sub(r"/+", "/", r.rule) for r in app.url_map.iter_rules()
             if r.endpoint.endswith(".index_view") and r.rule.startswith("/admin/")]
    assert len(lists) >= 7
    for path in lists:
        for query in ("sort=99&desc=1", "sort=-3", "flt0_99=x&flt1_zz=y", "flt0_0=%7B%22%24ne%22%3A1%7D",
                      "search=%7B%22%24where%22%3A%221%22%7D", "page=999999", "page_size=-1"):
            r = admin_client.get(f"{path}?{query}")
            assert r.status_code in (200, 400), (path, query, r.status_code)


class PlainSelectMeetingView(MeetingView):
    form_ajax_refs: dict = {}  # organisation becomes a plain dropdown


@pytest.fixture
def plain_select(app):
    app.extensions["panel_admin"].add_view(
        PlainSelectMeetingView(Meeting, name="Họp", endpoint="meeting_plain", url="/admin/meeting-plain"))
    return "/admin/meeting-plain/new/"


def test_plain_reference_dropdown_is_scoped(plain_select, officer_client, world):
    html = officer_client.get(plain_select).get_data(as_text=True)
    assert str(world.cell_a.pk) in html
    assert str(world.cell_b.pk) not in html and "Bình Minh" not in html
    data = {"held_on": "05/01/2026", "kind": "regular", "topic": "Họp chen ngang"}
    post(officer_client, plain_select, {**data, "organisation": str(world.cell_b.pk)})
    assert Meeting.objects(topic="Họp chen ngang").count() == 0
    post(officer_client, plain_select, {**data, "organisation": str(world.cell_a.pk)})
    assert Meeting.objects(topic="Họp chen ngang").count() == 1
