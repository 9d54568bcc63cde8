"""Stateful property test of the ownership model (Hypothesis).

Random sequences of: create, move, rename, merge and dissolve units; add people;
transfer them with today's transfer function; send them to another unit (a transfer left
pending across later moves); assign tasks across units (a cell's task assigned by a unit
above, to a member or to the cell) and evaluate them; import form 2; bin and restore.
After every step the integrity check is clean, every officer sees exactly the records of
the subtree computed here from the parent links alone (never from ``scope``), and both
sides of every transfer order see it exactly where its units now stand.
Bounded (examples x steps) to stay well under two minutes in the normal run.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from mongoengine import ValidationError

import imports
from models import Member, Organisation, SocialAccount, Task, User
from models.party_tasks import Evaluation
from models.transfer import TransferOrder
from services import db, integrity, lifecycle, restructure, scope, soft_delete
from tests import factories, stores
from tests.fixtures.workbooks import workbook
from tests.test_import_reading import social_row


class TreeMachine(RuleBasedStateMachine):
    @initialize()
    def start(self) -> None:
        config = stores.current().config("prop")  # the run's store, a new database per example
        db.connect(config["MONGODB_URI"], client_class=config.get("MONGO_CLIENT_CLASS"))
        db.ensure_indexes()
        self.n = 0
        root = factories.org("HU", "Huyện ủy")
        self.admin = factories.user("quantri", root, "admin")
        self.officers: list[User] = []
        # a start that records of two units can go stale from: a person of a cell of K1 sent to K2
        # (pending) and a task K1 assigned to them; every later move of K1 or its cell tests both
        k1, k2 = factories.org("K1", "Đảng bộ 1", root, "committee"), factories.org("K2", "Đảng bộ 2", root, "committee")
        cell = factories.org("K1-1", "Chi bộ 1", k1)
        self.officers += [factories.user("cbk1", k1, "officer"), factories.user("cbk2", k2, "officer")]
        person = factories.member(cell, "Người đang chuyển")
        lifecycle.send(person, k2, dt.date(2026, 1, 1), None, None, self.admin)
        Task(title="Nhiệm vụ cấp trên giao", organisation=cell, assigned_by=k1, member=person,
             due_on=dt.datetime(2026, 12, 1)).save()

    # --- helpers ---
    def _open(self, kind: str | None = None) -> list[Organisation]:
        qs = Organisation.objects(closed_on=None)
        return list(qs.filter(kind=kind) if kind else qs)

    def _code(self) -> str:
        self.n += 1
        return f"U{self.n}"

    # --- steps ---
    @rule(data=st.data(), cell=st.booleans(), with_officer=st.booleans())
    def create_unit(self, data, cell: bool, with_officer: bool) -> None:
        parent = data.draw(st.sampled_from(self._open("committee")))
        org = factories.org(self._code(), f"Tổ chức {self.n}", parent, "cell" if cell else "committee")
        if with_officer:
            self.officers.append(factories.user(f"cb{self.n}", org, "officer"))

    @precondition(lambda self: Organisation.objects(parent__ne=None, closed_on=None).count())
    @rule(data=st.data(), through_service=st.booleans())
    def move_unit(self, data, through_service: bool) -> None:
        org = data.draw(st.sampled_from(list(Organisation.objects(parent__ne=None, closed_on=None))))
        targets = [t for t in self._open("committee") if org.pk not in t.scope]
        target = data.draw(st.sampled_from(targets))
        if through_service:
            restructure.execute(restructure.plan_move(org, target), username="test")
        else:
            org.parent = target
            org.save()

    @rule(data=st.data())
    def rename_unit(self, data) -> None:
        org = data.draw(st.sampled_from(self._open()))
        org.name = f"Tên mới {self._code()}"
        org.save()

    @precondition(lambda self: Organisation.objects(parent__ne=None, closed_on=None).count() >= 2)
    @rule(data=st.data())
    def merge_units(self, data) -> None:
        org = data.draw(st.sampled_from(list(Organisation.objects(parent__ne=None, closed_on=None))))
        into = [t for t in self._open(org.kind) if t.pk != org.pk and org.pk not in t.scope]
        if into:
            restructure.execute(restructure.plan_merge([org], data.draw(st.sampled_from(into))), username="test")

    @rule(data=st.data())
    def dissolve_unit(self, data) -> None:
        empty = [o for o in Organisation.objects(parent__ne=None)
                 if not Organisation.objects(parent=o).count() and not o.references()]
        if empty:
            data.draw(st.sampled_from(empty)).delete()

    @precondition(lambda self: Organisation.objects(kind="cell", closed_on=None).count())
    @rule(data=st.data())
    def add_person(self, data) -> None:
        cell = data.draw(st.sampled_from(self._open("cell")))
        person = factories.member(cell, f"Người {self._code()}")
        factories.account(person, f"https://www.facebook.com/nguoi{self.n}")

    @precondition(lambda self: Member.objects(deleted_at=None).count()
                  and Organisation.objects(kind="cell", closed_on=None).count() >= 2)
    @rule(data=st.data())
    def transfer_person(self, data) -> None:
        person = data.draw(st.sampled_from(list(Member.objects(deleted_at=None))))
        cells = [c for c in self._open("cell") if c.pk != person.organisation.pk]
        if cells:
            lifecycle.transfer(person, data.draw(st.sampled_from(cells)), dt.date(2026, 1, 1), None, self.admin)

    @precondition(lambda self: Member.objects(deleted_at=None, in_transfer__ne=True).count())
    @rule(data=st.data())
    def send_person(self, data) -> None:
        """A transfer the receiver has not decided yet: it stays pending across later steps."""
        person = data.draw(st.sampled_from(list(Member.objects(deleted_at=None, in_transfer__ne=True))))
        to_unit = data.draw(st.sampled_from(self._open()))
        try:
            lifecycle.send(person, to_unit, dt.date(2026, 1, 1), None, None, self.admin)
        except ValidationError:
            pass  # already there, or left: refused as on the screen

    @precondition(lambda self: Organisation.objects(kind="cell", closed_on=None).count())
    @rule(data=st.data(), to_member=st.booleans())
    def assign_task(self, data, to_member: bool) -> None:
        """A task of a cell assigned by a unit above it (or the cell itself), maybe to a member."""
        cell = data.draw(st.sampled_from(self._open("cell")))
        by = Organisation.objects.get(pk=data.draw(st.sampled_from(list(cell.scope))))
        people = list(Member.objects(organisation=cell.pk, deleted_at=None))
        member = data.draw(st.sampled_from(people)) if to_member and people else None
        Task(title=f"Nhiệm vụ {self._code()}", organisation=cell, assigned_by=by, member=member,
             due_on=dt.datetime(2026, 12, 1)).save()

    @precondition(lambda self: Task.objects.count())
    @rule(data=st.data())
    def evaluate_task(self, data) -> None:
        """Evaluating a task never fails, whatever moved since it was assigned."""
        task = data.draw(st.sampled_from(list(Task.objects)))
        cell = task.organisation.pk
        task.evaluations = [Evaluation(month=f"2026-{len(task.evaluations) % 12 + 1:02d}", note="Nhận xét")]
        task.save()
        assert Task.objects.get(pk=task.pk).organisation.pk == cell  # kept by its cell

    @precondition(lambda self: Organisation.objects(kind="cell", closed_on=None).count())
    @rule(data=st.data())
    def import_form_2(self, data) -> None:
        cell = data.draw(st.sampled_from(self._open("cell")))
        tag = self._code()
        book = workbook("social", [social_row(c2=cell.name, c3=f"Người nhập {tag}",
                                              c7=f"https://www.facebook.com/nhap{tag}")])
        summary = imports.run(book, "social", cell, dry_run=False)
        imports.record(summary, cell, book, f"{tag}.xlsx", source="cli")

    @precondition(lambda self: Member.objects.count())
    @rule(data=st.data())
    def bin_or_restore(self, data) -> None:
        person = data.draw(st.sampled_from(list(Member.objects)))
        if person.deleted_at is None:
            soft_delete.soft_delete(person)
        else:
            soft_delete.restore(person)

    # --- what must hold after every step ---
    @invariant()
    def integrity_is_clean(self) -> None:
        report = integrity.check()
        assert report.clean, report.lines()

    @invariant()
    def officers_see_exactly_their_subtree(self) -> None:
        parent = {o["_id"]: o.get("parent") for o in Organisation.objects.only("parent").as_pymongo()}

        def under(org_id, root) -> bool:
            while org_id is not None:
                if org_id == root:
                    return True
                org_id = parent.get(org_id)
            return False

        for officer in self.officers:
            officer = User.objects(pk=officer.pk).first()
            if officer is None:
                continue
            root = officer.organisation.pk
            for model in (Member, SocialAccount):
                expected = {d.pk for d in model.objects(deleted_at=None) if under(d.organisation.pk, root)}
                assert {d.pk for d in scope.visible(model, officer)} == expected, (officer.username, model)


    @invariant()
    def transfer_orders_follow_both_units(self) -> None:
        """Each side of an order lists it where its unit stands now; the previous parents do not."""
        paths = {o["_id"]: o["scope"] for o in Organisation.objects.only("scope").as_pymongo()}
        for order in TransferOrder.objects.as_pymongo():
            for ref, path in (("from_org", "scope"), ("to_unit", "to_scope")):
                if order.get(ref) is not None:
                    assert order[path] == paths[order[ref]], (ref, order)
        for officer in self.officers:
            officer = User.objects(pk=officer.pk).first()
            if officer is None:
                continue
            root = officer.organisation.pk
            expected = {o["_id"] for o in TransferOrder.objects.as_pymongo()
                        if o.get("from_org") is not None and root in paths[o["from_org"]]}
            got = {o.pk for o in lifecycle.orders(officer, "outgoing") if o.from_org is not None}
            assert got == expected, officer.username


TreeMachine.TestCase.settings = settings(max_examples=8, stateful_step_count=10, deadline=None,
                                         suppress_health_check=list(HealthCheck), database=None)
TestTreeProperties = TreeMachine.TestCase
