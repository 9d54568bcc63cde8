"""Stateful property test of the ownership model (Hypothesis).

Random sequences of: create, move, rename, merge and dissolve units; add people;
transfer them with today's transfer function; import form 2; bin and restore. After
every step the integrity check is clean and every officer sees exactly the records of
the subtree computed here from the parent links alone (never from ``scope``).
Bounded (examples x steps) to stay well under two minutes in the normal run.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

import imports
from models import Member, Organisation, SocialAccount, User
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
                 if not Organisation.objects(parent=o).count() and not o.holdings()]
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


TreeMachine.TestCase.settings = settings(max_examples=8, stateful_step_count=10, deadline=None,
                                         suppress_health_check=list(HealthCheck), database=None)
TestTreeProperties = TreeMachine.TestCase
