"""Restructuring the organisation tree: move a unit, merge units, remove a level.

Every operation is first planned (:func:`plan_move`, :func:`plan_merge`,
:func:`plan_lift`): the plan says which units move, how many records and which user
accounts change scope, which units close; the screen and ``flask orgs`` show it before
anything is written. :func:`execute` then runs it as one audited operation made of
idempotent steps (re-parent each unit, move each owned model's records with one
``update_many``, close the sources), so an interrupted run is finished by running it
again: no transaction is needed (MongoDB transactions need a replica set, and the
in-process store has none).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import models.transfer  # noqa: F401  (declares its unit paths)
from models import AuditEntry, Member, Organisation, User, normalize
from models.base import OWNED, UNIT_PATHS
from models.member import Transfer
from models.organisation import refresh_subtree
from services import audit

OPERATIONS = {"move": "Chuyển tổ chức", "merge": "Sáp nhập tổ chức", "lift": "Bỏ một cấp tổ chức"}


class RestructureError(ValueError):
    """The operation is not possible; the message is Vietnamese and says why."""


@dataclass
class Plan:
    operation: str
    target: Organisation  # the new parent (move) or the unit that receives (merge, lift)
    sources: list[Organisation]  # the moved unit (move) or the units that close (merge, lift)
    units: list[Organisation] = field(default_factory=list)  # re-parented units
    subtree_units: int = 0  # units whose path changes (re-parented ones and everything below)
    records: dict[str, int] = field(default_factory=dict)  # label -> records whose scope changes
    users: list[User] = field(default_factory=list)  # accounts whose scope changes
    staying: list[User] = field(default_factory=list)  # accounts left on a removed level

    @property
    def closing(self) -> list[Organisation]:
        return [] if self.operation == "move" else self.sources

    def lines(self) -> list[str]:
        """The preview, in Vietnamese, one line each."""
        names = ", ".join(f"{o.name} ({o.code})" for o in self.sources)
        head = {"move": f"Chuyển {names} về trực thuộc {self.target.name} ({self.target.code}).",
                "merge": f"Sáp nhập {names} vào {self.target.name} ({self.target.code}).",
                "lift": f"Bỏ cấp {names}: các tổ chức trực thuộc chuyển lên {self.target.name} ({self.target.code})."}
        out = [head[self.operation]]
        if self.units:
            out.append(f"Tổ chức chuyển cấp trên: {', '.join(o.code for o in self.units)} "
                       f"({self.subtree_units} tổ chức kể cả cấp dưới).")
        for label, n in self.records.items():
            out.append(f"{label}: {n} bản ghi đổi phạm vi.")
        if self.users:
            out.append(f"Tài khoản đổi phạm vi: {', '.join(u.username for u in self.users)}.")
        if self.staying:
            out.append(f"Tài khoản ở lại tổ chức bị đóng (không còn thấy dữ liệu, cần chuyển tay): "
                       f"{', '.join(u.username for u in self.staying)}.")
        if self.closing:
            out.append(f"Đóng (giữ lại lịch sử): {', '.join(o.code for o in self.closing)}.")
        return out


def _check_open(org: Organisation, target: Organisation | None = None) -> None:
    if org.closed_on is not None and (target is None or _pk(org.merged_into) != target.pk):
        raise RestructureError(f"“{org.name}” đã đóng ngày {normalize.format_date(org.closed_on)}.")


def _pk(ref: Any) -> Any:
    return getattr(ref, "pk", None) or getattr(ref, "id", None) or ref


def _count(plan: Plan, moved_roots: list[Organisation], direct: list[Organisation]) -> Plan:
    """Fill the counts: everything under ``moved_roots`` and what ``direct`` holds itself."""
    plan.subtree_units = sum(Organisation.objects(scope=o.pk).count() for o in moved_roots)
    seen: set = set()
    for model in OWNED:
        n = sum(model.objects(scope=o.pk).count() for o in moved_roots)
        if not (model is User and plan.operation == "lift"):
            n += sum(model.objects(organisation=o.pk).count() for o in direct)
        if n:
            plan.records[model.VERBOSE_NAME] = n
    stay = plan.operation == "lift"  # a removed level's accounts are not widened to the level above
    for user in [*(u for o in moved_roots for u in User.objects(scope=o.pk)),
                 *(u for o in ([] if stay else direct) for u in User.objects(organisation=o.pk))]:
        if user.pk not in seen:
            seen.add(user.pk)
            plan.users.append(user)
    return plan


def plan_move(org: Organisation, parent: Organisation) -> Plan:
    _check_open(org)
    _check_open(parent)
    if org.pk in (parent.scope or []):
        raise RestructureError("Tổ chức cấp trên không được là chính nó hoặc tổ chức cấp dưới của nó.")
    if parent.kind == "cell":
        raise RestructureError("Chi bộ không thể có tổ chức trực thuộc.")
    return _count(Plan("move", parent, [org], units=[org]), [org], [])


def plan_merge(sources: list[Organisation], target: Organisation) -> Plan:
    if not sources:
        raise RestructureError("Hãy chọn ít nhất một tổ chức để sáp nhập.")
    _check_open(target)
    if len({o.pk for o in sources}) != len(sources):
        raise RestructureError("Một tổ chức được chọn hai lần.")
    for org in sources:
        _check_open(org, target)
        if org.pk == target.pk:
            raise RestructureError(f"Không thể sáp nhập “{org.name}” vào chính nó.")
        if org.pk in (target.scope or []):
            raise RestructureError(f"“{target.name}” thuộc “{org.name}”: không thể sáp nhập vào tổ chức cấp dưới.")
        if org.kind != target.kind:
            raise RestructureError(f"“{org.name}” và “{target.name}” khác loại (đảng bộ/chi bộ): không sáp nhập được.")
    units = [c for org in sources for c in Organisation.objects(parent=org.pk).order_by("tree_key")]
    return _count(Plan("merge", target, list(sources), units=units), units, list(sources))


def plan_lift(org: Organisation) -> Plan:
    """Remove ``org``'s level: its units move up to its parent, what it holds itself goes
    to the parent, except its user accounts, which stay on the closed unit (moving them
    up would widen what they see); an administrator re-assigns them."""
    parent = org.parent
    if parent is None:
        raise RestructureError(f"“{org.name}” là cấp cao nhất: không có cấp trên để chuyển lên.")
    if org.kind != parent.kind:
        raise RestructureError(f"“{org.name}” và “{parent.name}” khác loại: không bỏ cấp được.")
    plan_merge([org], parent)  # the same checks
    units = list(Organisation.objects(parent=org.pk).order_by("tree_key"))
    plan = _count(Plan("lift", parent, [org], units=units), units, [org])
    plan.staying = list(User.objects(organisation=org.pk))
    return plan


def execute(plan: Plan, *, user: Any = None, on: dt.date | None = None, username: str | None = None) -> dict[str, int]:
    """Run the plan (each step idempotent) and write one audit entry; returns counts."""
    target = plan.target
    when = normalize.to_datetime(on or normalize.today())
    moved = 0
    for unit in plan.units:  # re-parent: the unit and everything below follow the tree
        unit.reload()
        if _pk(unit.parent) != target.pk:
            unit.parent = target
            unit.save()
        else:  # already moved by an interrupted run: finish what follows it
            refresh_subtree(unit)
        moved += 1
    records = 0
    for org in plan.closing:  # what the closing unit holds itself goes to the target
        Member.objects(organisation=org.pk).update(
            push__transfers=Transfer(from_org=org, from_name=org.name, to_org=target, to_name=target.name,
                                     on=when, note=f"{OPERATIONS[plan.operation]}: {org.name} → {target.name}"))
        for model in OWNED:
            if model is User and plan.operation == "lift":
                continue  # stays on the closed unit (sees nothing more): never widened upward
            values = {f"set__{k}": v for k, v in model.org_values(target).items()}
            records += model.objects(organisation=org.pk).update(set__organisation=target, **values) or 0
        for model, ref, path in UNIT_PATHS:  # a transfer of the closing unit is now the target's
            records += model.objects(**{ref: org.pk}).update(**{f"set__{ref}": target, f"set__{path}": list(target.scope)}) or 0
        AuditEntry.objects(scope=org.pk, classified__ne=True).update(add_to_set__scope=list(target.scope))
        AuditEntry.objects(scope=org.pk, classified=True).update(add_to_set__scope=target.pk)
        Organisation.objects(pk=org.pk).update_one(set__closed_on=when, set__merged_into=target.pk)
    names = ", ".join(o.code for o in plan.sources)
    audit.record("restructure", user=user, username=username, collection="organisations",
                 records=[*plan.sources, target],
                 detail=f"{OPERATIONS[plan.operation]}: {names} → {target.code}; "
                        f"{moved} tổ chức chuyển cấp trên, {records} bản ghi chuyển trực tiếp; "
                        + " ".join(plan.lines()))
    return {"units": moved, "records": records, "closed": len(plan.closing)}
