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


# --- issue 27: units chosen on demand, the list a page at a time --------------------------------

def test_destination_picker_offers_any_unit_outside_the_officers_subtree_by_path(two_officers, world, login):
    """Ensure that the transfer destination is searched in the whole tree (by any name of its
    path) outside the officer's own subtree, and that a viewer is offered nothing."""
    a, _ = two_officers
    offered = dict(a.get("/admin/don-vi/?tree=1").get_json())
    assert str(world.commune_b.pk) in offered and str(world.cell_b.pk) in offered
    assert str(world.commune_a.pk) not in offered and str(world.cell_a.pk) not in offered
    by_path = dict(a.get("/admin/don-vi/?tree=1&query=binh minh").get_json())  # the commune's name finds its cells
    assert str(world.cell_b.pk) in by_path and by_path[str(world.cell_b.pk)].endswith("Chi bộ thôn Đông")
    factories.user("xem_a", world.commune_a, "viewer")
    assert login("xem_a").get("/admin/don-vi/?tree=1").get_json() == []
    page = a.get(f"/admin/member/transfer/?id={world.member_a.pk}").get_data(as_text=True)
    assert "Chi bộ thôn Đông" not in page and "<select" not in page  # no unit is listed in the page


def test_acceptance_picker_offers_only_the_destinations_cells(two_officers, world):
    """Ensure that the receiver chooses the cell with a picker limited to the destination's
    cells, and that a destination outside the receiver's scope offers nothing."""
    a, b = two_officers
    _send(a, world.member_a, world.commune_b)
    page = b.get("/admin/transfers/?side=incoming").get_data(as_text=True)
    assert f"/admin/don-vi/?under={world.commune_b.pk}&amp;kind=cell" in page
    assert [i for i, _ in b.get(f"/admin/don-vi/?kind=cell&under={world.commune_b.pk}").get_json()] == [str(world.cell_b.pk)]
    assert b.get(f"/admin/don-vi/?kind=cell&under={world.commune_a.pk}").get_json() == []


def test_transfers_list_is_paged(two_officers, world, monkeypatch):
    """Ensure that the list shows a page of orders with a link to the next one, and that the
    next page holds the rest."""
    from admin import transfers

    monkeypatch.setattr(transfers, "PAGE", 2)
    a, _ = two_officers
    admin = factories.user("quantri", world.district, "admin")
    for n in range(3):
        m = factories.member(world.cell_a, f"Người Chuyển {n}")
        lifecycle.send(m, world.commune_b, dt.date(2026, 11, 1 + n), None, None, admin)
    first = a.get("/admin/transfers/?side=outgoing").get_data(as_text=True)
    second = a.get("/admin/transfers/?side=outgoing&page=2").get_data(as_text=True)
    assert first.count("data-order=") == 2 and "Trang sau" in first
    assert second.count("data-order=") == 1 and "Trang sau" not in second and "Trang trước" in second
    names = {f"Người Chuyển {n}" for n in range(3)}
    assert {n for n in names if n in first} | {n for n in names if n in second} == names
