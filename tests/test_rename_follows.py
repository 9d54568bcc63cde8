"""Names copied outside a unit's own records follow a rename: the recipient lines of the
documents sent to it, the tasks it assigned; a person's new name reaches their tasks."""

from __future__ import annotations

import datetime as dt

from models import Member, Organisation, PartyDocument
from models.party_tasks import Task
from models.party_work import Recipient
from services import members
from tests import factories


def test_a_renamed_unit_is_named_anew_on_documents_sent_to_it_and_tasks_it_assigned(world):
    doc = PartyDocument(number="05-NQ/HU", title="Nghị quyết", issued_on=dt.datetime(2026, 11, 2),
                        organisation=world.district,
                        recipients=[Recipient(organisation=world.commune_a), Recipient(organisation=world.commune_b)])
    doc.save()
    task = Task(member=world.member_a, organisation=world.cell_a, assigned_by=world.commune_a, title="Rà soát",
                due_on=dt.datetime(2026, 12, 1))
    task.save()
    assert task.assigned_by_name == world.commune_a.name
    unit = Organisation.objects.get(pk=world.commune_a.pk)
    unit.name = "Đảng bộ xã An Hòa mới"
    unit.save()
    stored = PartyDocument._get_collection().find_one({"_id": doc.pk})
    assert [r["org_name"] for r in stored["recipients"]] == ["Đảng bộ xã An Hòa mới", world.commune_b.name]
    assert Task.objects.get(pk=task.pk).assigned_by_name == "Đảng bộ xã An Hòa mới"


def test_a_renamed_person_is_named_and_found_anew_on_their_tasks(world):
    task = Task(member=world.member_a, organisation=world.cell_a, title="Viết bài", due_on=dt.datetime(2026, 12, 1))
    task.save()
    person = Member.objects.get(pk=world.member_a.pk)
    person.full_name = "Nguyễn Văn Bình"
    members.save(person, audited=False)
    stored = Task.objects.get(pk=task.pk)
    assert stored.member_name == "Nguyễn Văn Bình" and "binh" in stored.search_keys
    other = factories.member(world.cell_a, "Lê Văn Cường")
    other.position = "Phó Bí thư"  # a change that is not the name leaves the tasks alone
    members.save(other, audited=False)
    assert Task.objects.get(pk=task.pk).member_name == "Nguyễn Văn Bình"
