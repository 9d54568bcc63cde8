"""Ensure that records belonging to two units (transfer orders: the sending cell and the
destination; tasks: the member's cell and the assigning unit) follow every move of either
unit, that ``flask check`` reports and repairs stale ones, and that acting on them after a
move or a transfer never answers 500 — through the web, as the officers concerned."""

from __future__ import annotations

import datetime as dt

import pytest

from models import Organisation, Task, User
from models.organisation import refresh_subtree
from models.transfer import TransferOrder
from services import integrity, lifecycle
from tests import factories
from tests.conftest import csrf_token


@pytest.fixture
def moved(world, login):
    """Commune A sends its member to commune B (pending); then cell A moves to commune C."""
    commune_c = factories.org("XC", "Đảng bộ xã Cao Minh", world.district, "committee")
    for username, unit in (("canbo_a", world.commune_a), ("canbo_b", world.commune_b), ("canbo_c", commune_c),
                           ("canbo_cb", world.cell_a)):
        factories.user(username, unit, "officer")
    sender = User.objects.get(username="canbo_a")
    order = lifecycle.send(world.member_a, world.commune_b, dt.date(2026, 11, 10), "12-QĐ/ĐU", None, sender)
    cell = Organisation.objects.get(pk=world.cell_a.pk)
    cell.parent = commune_c
    cell.save()
    refresh_subtree(cell)
    return order, commune_c


def _decide(client, order, what):
    token = csrf_token(client, "/admin/transfers/?side=outgoing")
    return client.post("/admin/transfers/decide/", data={"id": str(order.pk), "csrf_token": token, "what": what})


def test_pending_transfer_follows_the_sending_cell_to_its_new_commune(moved, world, login):
    order, commune_c = moved
    old, new = login("canbo_a"), login("canbo_c")
    assert "Nguyễn Văn An" not in old.get("/admin/transfers/?side=outgoing").get_data(as_text=True)
    assert "Nguyễn Văn An" in new.get("/admin/transfers/?side=outgoing").get_data(as_text=True)
    assert _decide(old, order, "cancel").status_code == 404  # the old commune can no longer cancel it
    assert TransferOrder.objects.get(pk=order.pk).state == "pending"
    assert _decide(new, order, "cancel").status_code == 302
    assert TransferOrder.objects.get(pk=order.pk).state == "cancelled"
    assert integrity.check().clean


def test_flask_check_reports_and_repairs_a_stale_transfer(moved, world):
    order, _ = moved
    TransferOrder.objects(pk=order.pk).update(set__scope=[world.district.pk, world.commune_a.pk, world.cell_a.pk])
    report = integrity.check()
    assert any("Chuyển sinh hoạt" in p and "scope" in p for p in report.problems), report.problems
    assert integrity.check(repair=True).repaired
    assert integrity.check().clean
    assert TransferOrder.objects.get(pk=order.pk).scope == Organisation.objects.get(pk=world.cell_a.pk).scope


def _evaluate(client, task):
    token = csrf_token(client, f"/admin/task/details/?id={task.pk}")
    return client.post("/admin/task/evaluate/", data={"id": str(task.pk), "month": "2026-11", "note": "Đang làm",
                                                      "csrf_token": token})


def _task(world, **kw):
    task = Task(title="Tuyên truyền nghị quyết", due_on=dt.datetime(2026, 12, 20), **kw)
    task.save()
    return task


def test_task_of_a_moved_cell_assigned_by_its_old_commune_is_evaluated(world, login):
    """The commune assigned a task to the cell, then the cell moved: the task follows the cell,
    its new commune and the cell evaluate it (no 500); the old commune no longer reaches it."""
    task = _task(world, organisation=world.cell_a, assigned_by=world.commune_a)
    commune_c = factories.org("XC", "Đảng bộ xã Cao Minh", world.district, "committee")
    factories.user("canbo_c", commune_c, "officer")
    factories.user("canbo_a", world.commune_a, "officer")
    factories.user("canbo_cb", world.cell_a, "officer")
    cell = Organisation.objects.get(pk=world.cell_a.pk)
    cell.parent = commune_c
    cell.save()
    refresh_subtree(cell)
    assert _evaluate(login("canbo_c"), task).status_code == 302
    assert _evaluate(login("canbo_cb"), task).status_code == 302
    assert _evaluate(login("canbo_a"), task).status_code == 404
    stored = Task.objects.get(pk=task.pk)
    assert stored.organisation.pk == world.cell_a.pk and [e.note for e in stored.evaluations] == ["Đang làm"]


def test_task_of_a_person_who_transferred_stays_with_the_cell_that_assigned_it(world, login):
    """The cell assigned a task to its member, who then moved to commune B: the old cell's
    officer evaluates it (no 500), the task stays with the old cell, commune B reads nothing."""
    task = _task(world, organisation=world.cell_a, member=world.member_a)
    factories.user("canbo_cb", world.cell_a, "officer")
    factories.user("canbo_b", world.commune_b, "officer")
    admin = factories.user("quantri", world.district, "admin")
    lifecycle.transfer(world.member_a, world.cell_b, dt.date(2026, 11, 10), None, admin)
    assert _evaluate(login("canbo_cb"), task).status_code == 302
    stored = Task.objects.get(pk=task.pk)
    assert stored.organisation.pk == world.cell_a.pk and stored.evaluations[0].note == "Đang làm"
    assert "Tuyên truyền nghị quyết" not in login("canbo_b").get("/admin/task/").get_data(as_text=True)


def test_flask_check_removes_an_old_copy_of_a_classified_label(world):
    """A campaign saved before this rule kept "number — title" of its classified document."""
    from models import PartyDocument, StudyCampaign

    doc = PartyDocument(number="05-NQ/ĐU", title="Nội dung mật", classification="mat", organisation=world.commune_a,
                        issued_on=dt.datetime(2026, 10, 1))
    doc.save()
    campaign = StudyCampaign(organisation=world.commune_a, document=doc, title="Đợt cũ", starts_on=dt.datetime(2026, 10, 2),
                             ends_on=dt.datetime(2026, 11, 2))
    campaign.save()
    StudyCampaign.objects(pk=campaign.pk).update(set__document_label="05-NQ/ĐU — Nội dung mật",
                                                 push__search_keys="noi")
    assert not integrity.check().clean
    assert integrity.check(repair=True).repaired and integrity.check().clean
    stored = StudyCampaign.objects.get(pk=campaign.pk)
    assert stored.document_label is None and "noi" not in stored.search_keys
