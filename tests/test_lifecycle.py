"""Ensure that transfers keep their history, stay in scope, and leaving keeps the record."""

import datetime as dt

import pytest
from mongoengine import ValidationError

from models import Member, normalize
from services import lifecycle
from tests import factories
from tests.conftest import csrf_token


def test_transfer_through_screen_keeps_history(admin_client, world):
    cell_a2 = factories.org("XA-2", "Chi bộ thôn 2", world.commune_a)
    path = f"/admin/member/transfer/?id={world.member_a.pk}"
    page = admin_client.get(path).get_data(as_text=True)
    assert "Chuyển sinh hoạt: Nguyễn Văn An" in page and 'data-url="/admin/don-vi/?kind=cell"' in page
    assert "Chi bộ thôn 2" not in page  # the cells are asked for as the officer types, not listed
    offered = dict(admin_client.get("/admin/don-vi/?kind=cell&query=thon 2").get_json())
    assert offered[str(cell_a2.pk)].endswith("Chi bộ thôn 2")
    r = admin_client.post(path, data={"to_org": str(cell_a2.pk), "on": "15/11/2026", "note": "Chuyển nơi cư trú",
                                      "csrf_token": csrf_token(admin_client, path)})
    assert r.status_code == 302
    m = Member.objects.get(pk=world.member_a.pk)
    assert m.org_name == "Chi bộ thôn 2" and len(m.transfers) == 1
    t = m.transfers[0]
    assert (t.from_name, t.to_name, t.on, t.note) == ("Chi bộ thôn 1", "Chi bộ thôn 2", dt.datetime(2026, 11, 15),
                                                      "Chuyển nơi cư trú")
    world.account_a.reload()
    assert world.account_a.org_name == "Chi bộ thôn 2"
    detail = admin_client.get(f"/admin/member/details/?id={m.pk}").get_data(as_text=True)
    assert "15/11/2026: Chi bộ thôn 1 → Chi bộ thôn 2" in detail


def test_transfer_bad_date_shows_error(admin_client, world):
    path = f"/admin/member/transfer/?id={world.member_a.pk}"
    r = admin_client.post(path, data={"to_org": str(world.cell_b.pk), "on": "32/13/2026",
                                      "csrf_token": csrf_token(admin_client, path)})
    assert r.status_code == 200 and "Ngày không hợp lệ" in r.get_data(as_text=True)
    assert Member.objects.get(pk=world.member_a.pk).org_name == "Chi bộ thôn 1"


def test_officer_cannot_transfer_outside_scope(officer_client, world):
    path = f"/admin/member/transfer/?id={world.member_a.pk}"
    page = officer_client.get(path).get_data(as_text=True)
    assert 'data-url="/admin/don-vi/?kind=cell"' in page and 'data-url="/admin/don-vi/?tree=1"' in page
    direct = [label for _id, label in officer_client.get("/admin/don-vi/?kind=cell").get_json()]
    assert direct and "Chi bộ thôn Đông" not in " ".join(direct)  # the sibling's cell: not for a direct move
    outside = [label for _id, label in officer_client.get("/admin/don-vi/?tree=1&query=dong").get_json()]
    assert any(label.endswith("Chi bộ thôn Đông") for label in outside)  # only as a transfer the receiver accepts
    r = officer_client.post(path, data={"to_org": str(world.cell_b.pk), "on": "01/11/2026",
                                        "csrf_token": csrf_token(officer_client, path)})
    assert r.status_code == 200 and "ngoài phạm vi" in r.get_data(as_text=True)
    assert Member.objects.get(pk=world.member_a.pk).org_name == "Chi bộ thôn 1"
    assert officer_client.get(f"/admin/member/transfer/?id={world.member_b.pk}").status_code == 404


def test_transfer_requires_a_cell(world):
    admin = factories.user("quantri", world.district, "admin")
    with pytest.raises(ValidationError, match="chi bộ"):
        lifecycle.transfer(world.member_a, world.commune_b, normalize.today(), None, admin)


def test_leave_keeps_record(world):
    admin = factories.user("quantri", world.district, "admin")
    with pytest.raises(ValidationError, match="Lý do"):
        lifecycle.leave(world.member_a, "deceased", dt.date(2026, 11, 1), "", admin)
    lifecycle.leave(world.member_a, "deceased", dt.date(2026, 11, 1), "Từ trần", admin)
    m = Member.objects.get(pk=world.member_a.pk)
    assert (m.status, m.left_on, m.left_reason) == ("deceased", dt.datetime(2026, 11, 1), "Từ trần")


def test_transfer_is_audited(admin_client, world):
    from models import AuditEntry

    path = f"/admin/member/transfer/?id={world.member_a.pk}"
    admin_client.post(path, data={"to_org": str(world.cell_b.pk), "on": "01/11/2026",
                                  "csrf_token": csrf_token(admin_client, path)})
    entry = AuditEntry.objects(action="update", record_ids=str(world.member_a.pk)).first()
    assert entry is not None and entry.detail == "Chuyển sinh hoạt"
    assert [(c.field, c.before, c.after) for c in entry.changes] == [("organisation", "Chi bộ thôn 1", "Chi bộ thôn Đông")]
