"""Ensure that deleting moves records to the recycle bin ("Thùng rác"), hidden from
lists and counts, restorable by officers within their scope, purgeable only by
administrators, and that no organisation holding records (even binned) is dissolved."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from models import AuditEntry, Meeting, Member, Organisation, Site, SocialAccount
from services import scope
from tests import factories
from tests.conftest import csrf_token


def post(client, path, data):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/admin/")})


def officer(world):
    return factories.User.objects.get(username="canbo_a")


def test_deleted_member_leaves_lists_and_counts_with_its_accounts(officer_client, world):
    post(officer_client, "/admin/member/delete/", {"id": str(world.member_a.pk)})
    assert "Nguyễn Văn An" not in officer_client.get("/admin/member/").get_data(as_text=True)
    assert "nguyenvanan" not in officer_client.get("/admin/socialaccount/").get_data(as_text=True)
    assert "nguyenvanan" not in officer_client.get("/admin/site/").get_data(as_text=True)
    user = officer(world)
    for model in (Member, SocialAccount, Site):
        assert scope.visible(model, user).count() == 0
        assert scope.in_subtree(model, world.commune_a).count() == 0
        assert model.objects(deleted_at__ne=None).count() == 1  # kept, only marked
    assert officer_client.get(f"/admin/member/details/?id={world.member_a.pk}").status_code == 404


def test_bin_lists_own_deleted_records_only(officer_client, world, login):
    post(officer_client, "/admin/member/delete/", {"id": str(world.member_a.pk)})
    html = officer_client.get("/admin/trash/?c=member").get_data(as_text=True)
    assert "Nguyễn Văn An" in html and "Khôi phục" in html and "Xóa vĩnh viễn" not in html
    assert str(world.account_a) in officer_client.get("/admin/trash/?c=socialaccount").get_data(as_text=True)
    factories.user("canbo_b", world.commune_b)
    other = login("canbo_b")
    assert "Nguyễn Văn An" not in other.get("/admin/trash/?c=member").get_data(as_text=True)
    assert other.get("/admin/trash/?c=users").status_code == 404


def test_restore_brings_back_member_with_its_accounts(officer_client, world):
    post(officer_client, "/admin/member/delete/", {"id": str(world.member_a.pk)})
    r = post(officer_client, "/admin/trash/restore/", {"c": "member", "id": str(world.member_a.pk)})
    assert r.status_code == 302
    for doc in (world.member_a, world.account_a, world.site_a):
        assert type(doc).objects.get(pk=doc.pk).deleted_at is None
    assert "Nguyễn Văn An" in officer_client.get("/admin/member/").get_data(as_text=True)
    entry = AuditEntry.objects.get(action="restore")
    assert set(entry.record_ids) == {str(world.member_a.pk), str(world.account_a.pk), str(world.site_a.pk)}


def test_account_deleted_on_its_own_stays_binned_when_owner_returns(officer_client, world):
    post(officer_client, "/admin/socialaccount/delete/", {"id": str(world.account_a.pk)})
    post(officer_client, "/admin/member/delete/", {"id": str(world.member_a.pk)})
    post(officer_client, "/admin/trash/restore/", {"c": "member", "id": str(world.member_a.pk)})
    assert SocialAccount.objects.get(pk=world.account_a.pk).deleted_at is not None
    assert Site.objects.get(pk=world.site_a.pk).deleted_at is None


def test_account_of_binned_owner_cannot_be_restored_alone(officer_client, world):
    post(officer_client, "/admin/member/delete/", {"id": str(world.member_a.pk)})
    post(officer_client, "/admin/trash/restore/", {"c": "socialaccount", "id": str(world.account_a.pk)})
    assert SocialAccount.objects.get(pk=world.account_a.pk).deleted_at is not None
    assert "Hãy khôi phục" in officer_client.get("/admin/trash/?c=socialaccount").get_data(as_text=True)


def test_sibling_cannot_restore_or_purge(officer_client, world, login):
    factories.user("canbo_b", world.commune_b)
    other = login("canbo_b")
    post(other, "/admin/member/delete/", {"id": str(world.member_b.pk)})
    r = post(officer_client, "/admin/trash/restore/", {"c": "member", "id": str(world.member_b.pk)})
    assert r.status_code == 404
    assert Member.objects.get(pk=world.member_b.pk).deleted_at is not None
    assert AuditEntry.objects(action="denied", username="canbo_a").count() == 1


def test_officer_cannot_purge(officer_client, world):
    post(officer_client, "/admin/member/delete/", {"id": str(world.member_a.pk)})
    r = post(officer_client, "/admin/trash/purge/", {"c": "member", "id": str(world.member_a.pk)})
    assert r.status_code == 403
    assert Member.objects(pk=world.member_a.pk).count() == 1


def test_viewer_has_no_bin(world, login):
    factories.user("xem_a", world.commune_a, "viewer")
    viewer = login("xem_a")
    assert viewer.get("/admin/trash/").status_code == 403
    post(viewer, "/admin/member/delete/", {"id": str(world.member_a.pk)})
    assert Member.objects.get(pk=world.member_a.pk).deleted_at is None


def test_admin_purges_member_with_its_binned_accounts(admin_client, world):
    post(admin_client, "/admin/member/delete/", {"id": str(world.member_a.pk)})
    r = post(admin_client, "/admin/trash/purge/", {"c": "member", "id": str(world.member_a.pk)})
    assert r.status_code == 302
    for doc in (world.member_a, world.account_a, world.site_a):
        assert type(doc).objects(pk=doc.pk).count() == 0
    assert AuditEntry.objects(action="purge").count() == 1


def test_purge_needs_the_record_in_the_bin(admin_client, world):
    r = post(admin_client, "/admin/trash/purge/", {"c": "member", "id": str(world.member_a.pk)})
    assert r.status_code == 404
    assert Member.objects(pk=world.member_a.pk).count() == 1


@pytest.mark.parametrize("kind", ["nope", "users", "organisation", ""])
def test_unknown_bin_is_404(officer_client, kind):
    assert officer_client.get(f"/admin/trash/?c={kind}").status_code == 404


def test_organisation_with_binned_records_is_not_dissolved(admin_client, world):
    post(admin_client, "/admin/member/delete/", {"id": str(world.member_a.pk)})
    post(admin_client, "/admin/organisation/delete/", {"id": str(world.cell_a.pk)})
    admin_client.post("/admin/organisation/action/", data={
        "action": "delete", "rowid": str(world.cell_a.pk), "csrf_token": csrf_token(admin_client, "/admin/")})
    assert Organisation.objects(pk=world.cell_a.pk).count() == 1
    empty = factories.org("XA-9", "Chi bộ trống", world.commune_a)
    post(admin_client, "/admin/organisation/delete/", {"id": str(empty.pk)})
    assert Organisation.objects(pk=empty.pk).count() == 0  # the same path does dissolve an empty one


def test_meeting_bin_round_trip(officer_client, world):
    m = Meeting(organisation=world.cell_a, held_on=dt.datetime(2026, 1, 5), topic="Sinh hoạt tháng 1")
    m.save()
    post(officer_client, "/admin/meeting/delete/", {"id": str(m.pk)})
    assert scope.visible(Meeting, officer(world)).count() == 0
    assert "Sinh hoạt tháng 1" in officer_client.get("/admin/trash/?c=meeting").get_data(as_text=True)
    post(officer_client, "/admin/trash/restore/", {"c": "meeting", "id": str(m.pk)})
    assert scope.visible(Meeting, officer(world)).count() == 1


def test_binned_records_are_absent_from_exports(officer_client, world):
    from openpyxl import load_workbook

    def exported() -> str:
        r = officer_client.get("/admin/socialaccount/export-xlsx/")
        assert r.status_code == 200
        data = r.data
        r.close()  # the export streams from a temporary file
        sheet = load_workbook(io.BytesIO(data)).active
        return " ".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row if c)

    assert "Nguyễn Văn An" in exported()
    post(officer_client, "/admin/member/delete/", {"id": str(world.member_a.pk)})
    assert "Nguyễn Văn An" not in exported()
