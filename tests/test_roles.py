"""Ensure that roles decide what each user may do: ``admin`` everything, ``officer``
data work and officer/viewer accounts within their subtree, ``viewer`` only reading."""

from __future__ import annotations

import pytest

from models import AuditEntry, Member, User
from services import passwords
from tests import factories
from tests.conftest import csrf_token


def post(client, path, data):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/admin/")})


@pytest.fixture
def viewer(world, login):
    factories.user("xem_a", world.commune_a, "viewer")
    return login("xem_a")


MEMBER = {"full_name": "Người mới", "position": "Đảng viên", "status": "active"}


def test_viewer_reads_but_never_writes(viewer, world):
    assert viewer.get("/admin/member/").status_code == 200
    assert viewer.get(f"/admin/member/details/?id={world.member_a.pk}").status_code == 200
    before = Member.objects.get(pk=world.member_a.pk).to_mongo().to_dict()
    for path, data in [("/admin/member/new/", {**MEMBER, "organisation": str(world.cell_a.pk)}),
                       (f"/admin/member/edit/?id={world.member_a.pk}", {**MEMBER, "organisation": str(world.cell_a.pk)}),
                       ("/admin/member/delete/", {"id": str(world.member_a.pk)}),
                       ("/admin/member/action/", {"action": "delete", "rowid": str(world.member_a.pk)})]:
        assert post(viewer, path, data).status_code == 403, path
    assert viewer.get("/admin/member/new/").status_code == 403
    assert viewer.get(f"/admin/member/edit/?id={world.member_a.pk}").status_code == 403
    assert Member.objects.get(pk=world.member_a.pk).to_mongo().to_dict() == before
    assert Member.objects.count() == 2
    html = viewer.get("/admin/member/").get_data(as_text=True)
    assert "/admin/member/new/" not in html and "/admin/member/edit/" not in html


def test_viewer_has_no_user_or_audit_screens(viewer):
    assert viewer.get("/admin/user/").status_code == 403
    assert viewer.get("/admin/audit/").status_code == 403


def test_officer_sees_users_of_own_subtree_only(officer_client, world):
    factories.user("nguoi_b", world.commune_b, "viewer")
    factories.user("nguoi_a", world.cell_a, "viewer")
    html = officer_client.get("/admin/user/").get_data(as_text=True)
    assert "nguoi_a" in html and "nguoi_b" not in html


def _new_user(client, world, **over):
    data = {"username": "moi_a", "organisation": str(world.cell_a.pk), "role": "viewer", "active": "y",
            "new_password": "Mot-mat-khau-dai-2026", **over}
    return post(client, "/admin/user/new/", data)


@pytest.mark.parametrize("role", ["officer", "viewer"])
def test_officer_creates_officer_or_viewer_in_subtree(officer_client, world, role):
    assert _new_user(officer_client, world, role=role).status_code == 302
    assert User.objects.get(username="moi_a").role == role


def test_officer_cannot_create_admin(officer_client, world):
    r = _new_user(officer_client, world, role="admin")
    assert r.status_code == 200 and "Cán bộ quản trị chỉ được cấp vai trò" in r.get_data(as_text=True)
    assert User.objects(username="moi_a").count() == 0


def test_officer_cannot_create_user_outside_subtree(officer_client, world):
    for org in (world.commune_b, world.district):
        _new_user(officer_client, world, organisation=str(org.pk))
    assert User.objects(username="moi_a").count() == 0


def test_officer_cannot_touch_an_admin_inside_subtree(officer_client, world):
    boss = factories.user("sep_a", world.cell_a, "admin")
    assert officer_client.get(f"/admin/user/edit/?id={boss.pk}").status_code == 403
    r = post(officer_client, f"/admin/user/edit/?id={boss.pk}", {
        "username": "sep_a", "organisation": str(world.cell_a.pk), "role": "viewer", "active": "y",
        "new_password": "Chiem-quyen-quan-tri-1"})
    assert r.status_code == 403
    boss.reload()
    assert boss.role == "admin" and boss.check_password(factories.PASSWORD)


def test_officer_cannot_raise_own_role(officer_client, world):
    me = User.objects.get(username="canbo_a")
    post(officer_client, f"/admin/user/edit/?id={me.pk}", {
        "username": "canbo_a", "organisation": str(world.commune_a.pk), "role": "admin", "active": "y"})
    assert User.objects.get(pk=me.pk).role == "officer"


def test_only_admin_deactivates(officer_client, admin_client, world, login):
    target = factories.user("nguoi_a", world.cell_a, "viewer")
    post(officer_client, f"/admin/user/edit/?id={target.pk}", {
        "username": "nguoi_a", "organisation": str(world.cell_a.pk), "role": "viewer"})
    assert User.objects.get(pk=target.pk).active is True
    session = login("nguoi_a")
    r = post(admin_client, f"/admin/user/edit/?id={target.pk}", {
        "username": "nguoi_a", "organisation": str(world.cell_a.pk), "role": "viewer"})
    assert r.status_code == 302 and User.objects.get(pk=target.pk).active is False
    assert session.get("/admin/").status_code == 302  # its sessions are over
    token = csrf_token(session, "/login/")
    r = session.post("/login/", data={"username": "nguoi_a", "password": factories.PASSWORD, "csrf_token": token})
    assert r.status_code == 200  # and it cannot log in again
    assert AuditEntry.objects.get(action="login_failed").detail == "tài khoản đã bị khóa"


def test_admin_cannot_lock_themselves_out(admin_client, world):
    me = User.objects.get(username="quantri")
    post(admin_client, f"/admin/user/edit/?id={me.pk}", {
        "username": "quantri", "organisation": str(world.district.pk), "role": "admin"})
    assert User.objects.get(pk=me.pk).active is True


def test_users_are_never_deleted(admin_client, world):
    target = factories.user("nguoi_a", world.cell_a, "viewer")
    assert post(admin_client, "/admin/user/delete/", {"id": str(target.pk)}).status_code == 403
    assert post(admin_client, "/admin/user/action/", {"action": "delete", "rowid": str(target.pk)}).status_code == 403
    assert User.objects(pk=target.pk).count() == 1


def test_admin_manages_everything(admin_client, world):
    for endpoint in ("organisation", "member", "user", "audit", "trash"):
        assert admin_client.get(f"/admin/{endpoint}/").status_code == 200
    html = admin_client.get("/admin/member/").get_data(as_text=True)
    assert "Nguyễn Văn An" in html and "Trần Thị Bình" in html


@pytest.mark.parametrize("password, problem", [
    ("ngan", "ít nhất"), ("canbo_a-2026-mat-khau", "tên đăng nhập"), ("1234567890", "phổ biến"),
    ("aaaaaaaaaaaa", "phổ biến"), ("Mat-Khau-Hop-Le-2026", None)])
def test_password_policy(password, problem):
    result = passwords.problem(password, "canbo_a")
    assert (result is None) if problem is None else (problem in result)


def test_own_password_change_checks_current_and_policy(officer_client):
    me = User.objects.get(username="canbo_a")
    for data in ({"current": "sai-hoan-toan-1", "new": "Mat-khau-moi-dai-1", "confirm": "Mat-khau-moi-dai-1"},
                 {"current": factories.PASSWORD, "new": "ngan", "confirm": "ngan"},
                 {"current": factories.PASSWORD, "new": "Mat-khau-moi-dai-1", "confirm": "khac-han-1234"}):
        r = officer_client.post("/password/", data={**data, "csrf_token": csrf_token(officer_client, "/password/")})
        assert r.status_code == 200
    assert User.objects.get(pk=me.pk).password_hash == me.password_hash
