"""Ensure that a transfer between committees waits for the receiver, who accepts (choosing
the cell) or returns it; both sides see it; the person's records follow on acceptance."""

import datetime as dt

import pytest
from mongoengine import ValidationError

from models import Member, SocialAccount, normalize
from models.transfer import TransferOrder
from services import lifecycle
from tests import factories
from tests.conftest import csrf_token


@pytest.fixture
def two_officers(world, login):
    factories.user("canbo_a", world.commune_a, "officer")
    factories.user("canbo_b", world.commune_b, "officer")
    return login("canbo_a"), login("canbo_b")


def _send(client, member, unit, **extra):
    data = {"to_unit": str(unit.pk), "on": "10/11/2026", "decision_number": "12-QĐ/ĐU",
            "csrf_token": csrf_token(client, "/admin/transfers/"), **extra}
    return client.post(f"/admin/member/transfer-out/?id={member.pk}", data=data)


def _decide(client, order, **data):
    token = csrf_token(client, "/admin/transfers/?side=incoming")
    return client.post("/admin/transfers/decide/", data={"id": str(order.pk), "csrf_token": token, **data})


def test_transfer_from_commune_a_to_b_through_the_screens(two_officers, world):
    a, b = two_officers
    SocialAccount.objects(pk=world.account_a.pk).update(set__updated_on=dt.datetime(2024, 1, 2))
    r = _send(a, world.member_a, world.commune_b)
    assert r.status_code == 302
    assert SocialAccount.objects.get(pk=world.account_a.pk).updated_on == dt.datetime(2024, 1, 2)  # nothing moved yet
    order = TransferOrder.objects.get()
    assert order.state == "pending" and Member.objects.get(pk=world.member_a.pk).in_transfer
    # before acceptance: still A's; B sees the incoming order only, not the person
    assert a.get(f"/admin/member/details/?id={world.member_a.pk}").status_code == 200
    assert b.get(f"/admin/member/details/?id={world.member_a.pk}").status_code == 404
    assert "Nguyễn Văn An" in b.get("/admin/transfers/?side=incoming").get_data(as_text=True)
    assert "Nguyễn Văn An" in a.get("/admin/transfers/?side=outgoing").get_data(as_text=True)
    assert "Nguyễn Văn An" not in a.get("/admin/transfers/?side=incoming").get_data(as_text=True)
    # A cannot accept its own outgoing order
    assert _decide(a, order, what="accept", cell=str(world.cell_b.pk)).status_code == 302
    assert TransferOrder.objects.get().state == "pending"
    # B accepts into its cell
    assert _decide(b, order, what="accept", cell=str(world.cell_b.pk)).status_code == 302
    m = Member.objects.get(pk=world.member_a.pk)
    assert (m.org_name, m.in_transfer, TransferOrder.objects.get().state) == ("Chi bộ thôn Đông", False, "accepted")
    assert m.transfers[-1].decision_number == "12-QĐ/ĐU"
    assert a.get(f"/admin/member/details/?id={m.pk}").status_code == 404
    assert b.get(f"/admin/member/details/?id={m.pk}").status_code == 200
    # accounts and sites follow the person
    acc = SocialAccount.objects.get(pk=world.account_a.pk)
    assert world.commune_b.pk in acc.scope and world.commune_a.pk not in acc.scope
    assert acc.org_name == "Chi bộ thôn Đông" and acc.updated_on.date() == normalize.today()  # column (2) changed
    assert "Nguyễn Văn An" in a.get("/admin/transfers/?side=outgoing").get_data(as_text=True)


def test_receiver_returns_with_reason(two_officers, world):
    a, b = two_officers
    _send(a, world.member_a, world.commune_b)
    order = TransferOrder.objects.get()
    _decide(b, order, what="return", reason="")
    assert TransferOrder.objects.get().state == "pending"  # a reason is required
    _decide(b, order, what="return", reason="Sai địa bàn cư trú")
    order.reload()
    assert (order.state, order.return_reason) == ("returned", "Sai địa bàn cư trú")
    m = Member.objects.get(pk=world.member_a.pk)
    assert (m.org_name, m.in_transfer) == ("Chi bộ thôn 1", False)


def test_receiver_must_choose_a_cell_of_its_own(two_officers, world):
    a, b = two_officers
    _send(a, world.member_a, world.commune_b)
    order = TransferOrder.objects.get()
    _decide(b, order, what="accept", cell=str(world.cell_a.pk))
    assert Member.objects.get(pk=world.member_a.pk).org_name == "Chi bộ thôn 1"


def test_sender_cannot_send_twice_nor_outside_its_scope(two_officers, world):
    a, _ = two_officers
    _send(a, world.member_a, world.commune_b)
    _send(a, world.member_a, world.commune_b)
    assert TransferOrder.objects.count() == 1
    assert _send(a, world.member_b, world.commune_a).status_code == 404


def test_strangers_cannot_decide(world, login):
    factories.user("canbo_a", world.commune_a, "officer")
    c = factories.org("XC", "Đảng bộ xã Cát", world.district, "committee")
    factories.user("canbo_c", c, "officer")
    admin = factories.user("quantri", world.district, "admin")
    order = lifecycle.send(world.member_a, world.commune_b, dt.date(2026, 11, 1), None, None, admin)
    r = _decide(login("canbo_c"), order, what="accept", cell=str(world.cell_b.pk))
    assert r.status_code == 404 and TransferOrder.objects.get().state == "pending"
    with pytest.raises(ValidationError):
        lifecycle.accept(order, world.cell_a, admin)  # not a cell of the destination


def test_transfers_counted_in_monthly_movement(world):
    from services import reports

    admin = factories.user("quantri", world.district, "admin")
    order = lifecycle.send(world.member_a, world.commune_b, normalize.today(), "7-QĐ/HU", None, admin)
    lifecycle.accept(order, world.cell_b, admin)
    today = normalize.today()
    [summary, detail] = reports.monthly_tables(world.district, admin, today.year, today.month)
    rows = {r[0]: r[7:9] for r in summary.rows}
    assert rows == {"Đảng bộ xã An Hòa": [0, 1], "Đảng bộ xã Bình Minh": [1, 0]}
    moves = [(r[2], r[4], r[5]) for r in detail.rows if r[4].startswith("Chuyển")]
    assert ("Nguyễn Văn An", "Chuyển đi", "Chi bộ thôn 1 (Đảng bộ xã An Hòa) → Chi bộ thôn Đông (Đảng bộ xã Bình Minh) (7-QĐ/HU)") in moves
    [summary_b, _] = reports.monthly_tables(world.commune_b, admin, today.year, today.month)
    assert summary_b.total[7:9] == [1, 0]
    # a pending or returned transfer is not a movement
    other = lifecycle.send(world.member_b, world.commune_a, today, None, None, admin)
    lifecycle.return_order(other, "Không đúng địa bàn", admin)
    [summary, _] = reports.monthly_tables(world.district, admin, today.year, today.month)
    assert summary.total[7:9] == [1, 1]
