"""Who manages whom on the accounts screen, one's own password, and the row icons:
every answer comes from ``has_*_permission`` of the one secured view."""

from __future__ import annotations

from models import User
from tests import factories
from tests.conftest import csrf_token

NEW = "Mat-khau-moi-that-dai-2026"


def _edit(client, target, **changes):
    data = {"username": target.username, "full_name": target.full_name or "", "role": target.role,
            "organisation": str(target.organisation.pk), "active": "y", **changes}
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(f"/admin/user/edit/?id={target.pk}",
                       data={**data, "csrf_token": csrf_token(client, "/admin/user/")})


def test_officer_manages_below_and_own_viewers_never_peers_or_self(world, login):
    me = factories.user("canbo_a", world.commune_a, "officer")
    peer = factories.user("canbo_a2", world.commune_a, "officer")
    viewer = factories.user("xem_a", world.commune_a, "viewer")
    below = factories.user("canbo_a1", world.cell_a, "officer")
    client = login("canbo_a")
    for target in (peer, me):
        assert client.get(f"/admin/user/edit/?id={target.pk}").status_code == 403
        r = _edit(client, target, role="viewer", new_password=NEW)
        assert r.status_code == 403
        assert User.objects.get(pk=target.pk).role == "officer"
        assert User.objects.get(pk=target.pk).check_password(factories.PASSWORD)
    r = _edit(client, peer, organisation=str(world.cell_a.pk))  # "move down" a peer
    assert r.status_code == 403 and User.objects.get(pk=peer.pk).organisation.pk == world.commune_a.pk
    assert _edit(client, below, full_name="Cán bộ chi bộ").status_code == 302
    assert _edit(client, viewer, new_password=NEW).status_code == 302
    assert User.objects.get(pk=viewer.pk).check_password(NEW)
    r = _edit(client, viewer, role="officer")  # would make a peer
    assert r.status_code == 200 and User.objects.get(pk=viewer.pk).role == "viewer"
    r = client.post("/admin/user/new/", data={"username": "canbo_moi", "role": "officer",
                                              "organisation": str(world.commune_a.pk), "active": "y",
                                              "new_password": NEW, "csrf_token": csrf_token(client, "/admin/user/")})
    assert r.status_code == 200 and not User.objects(username="canbo_moi").count()


def test_list_rows_show_only_the_icons_the_user_may_use(world, login):
    factories.user("canbo_a", world.commune_a, "officer")
    peer = factories.user("canbo_a2", world.commune_a, "officer")
    below = factories.user("canbo_a1", world.cell_a, "officer")
    html = login("canbo_a").get("/admin/user/").get_data(as_text=True)
    assert f"/admin/user/edit/?id={below.pk}" in html
    assert f"/admin/user/edit/?id={peer.pk}" not in html and "canbo_a2" in html
    factories.user("xem_a", world.commune_a, "viewer")
    html = login("xem_a").get("/admin/member/").get_data(as_text=True)
    assert f"/admin/member/details/?id={world.member_a.pk}" in html
    assert f"/admin/member/edit/?id={world.member_a.pk}" not in html and "/admin/member/delete/" not in html


def test_own_password_on_the_user_screen_needs_the_current_one(world, login):
    me = factories.user("quantri", world.district, "admin")
    client = login("quantri")
    r = _edit(client, me, new_password=NEW)
    assert r.status_code == 200 and "Mật khẩu hiện tại không đúng" in r.get_data(as_text=True)
    assert User.objects.get(pk=me.pk).check_password(factories.PASSWORD)
    r = _edit(client, me, new_password=NEW, current_password="sai-mat-khau")
    assert r.status_code == 200 and User.objects.get(pk=me.pk).check_password(factories.PASSWORD)
    r = _edit(client, me, new_password=NEW, current_password=factories.PASSWORD)
    assert r.status_code == 302 and User.objects.get(pk=me.pk).check_password(NEW)


def test_only_admins_grant_officers_of_the_same_unit(world, login):
    factories.user("quantri", world.district, "admin")
    viewer = factories.user("xem_a", world.commune_a, "viewer")
    assert _edit(login("quantri"), viewer, role="officer").status_code == 302
    assert User.objects.get(pk=viewer.pk).role == "officer"
