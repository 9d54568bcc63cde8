"""Lifecycle of people in the register (regulation, Điều 6.2): transfer between cells
with history kept, and leaving the register (death, transfer out, removal) with the
reason and date, the record itself kept."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mongoengine import ValidationError

from models import Member, Organisation, normalize
from models.base import utcnow
from models.member import LEFT_STATUSES, Transfer
from models.transfer import TransferOrder
from services import audit, members, scope


def transfer(member: Member, to_org: Organisation, on: dt.date, note: str | None, user: Any) -> Member:
    """Move ``member`` to the cell ``to_org``; both must lie in the user's scope."""
    if not scope.can_write(user) or not scope.can_see(user, member):
        raise ValidationError("Bạn không có quyền chuyển sinh hoạt người này.")
    if to_org is None or not scope.can_see(user, to_org):
        raise ValidationError("Chi bộ chuyển đến nằm ngoài phạm vi quản lý của bạn.")
    if to_org.kind != "cell":
        raise ValidationError("Chỉ chuyển sinh hoạt đến một chi bộ.")
    if to_org.pk == member.organisation.pk:
        raise ValidationError("Người này đã sinh hoạt tại chi bộ đó.")
    member.transfers.append(Transfer(from_org=member.organisation, from_name=member.org_name, to_org=to_org,
                                     to_name=to_org.name, on=normalize.to_datetime(on),
                                     note=normalize.text(note)))
    # the same record as a transfer between committees, already accepted: one history, one count
    order = TransferOrder(member=member, member_name=member.full_name, from_org=member.organisation,
                          from_name=member.org_name, scope=list(member.scope), to_unit=to_org, to_name=to_org.name,
                          to_scope=list(to_org.scope), to_cell=to_org, to_cell_scope=list(to_org.scope),
                          on=normalize.to_datetime(on), note=normalize.text(note), state="accepted",
                          created_by=_name(user), decided_at=utcnow(), decided_by=_name(user))
    before = member.org_name
    member.organisation = to_org
    members.save(member, by=user, detail="Chuyển sinh hoạt",
                 changes=[{"field": "organisation", "before": before, "after": to_org.name}])
    order.save()
    return member


def leave(member: Member, status: str, on: dt.date, reason: str | None, user: Any,
          platform_elsewhere: bool = False) -> Member:
    """Mark ``member`` as having left the register (the record is kept). Leaving proposes
    deleting the handbook account, unless the person moves to a place that uses the
    platform too (``platform_elsewhere``: the account follows them)."""
    if not scope.can_write(user) or not scope.can_see(user, member):
        raise ValidationError("Bạn không có quyền cập nhật người này.")
    if status not in LEFT_STATUSES:
        raise ValidationError("Trạng thái rời danh sách không hợp lệ.")
    if not normalize.text(reason):
        raise ValidationError("Lý do: bắt buộc khi rời danh sách.")
    member.status, member.left_on, member.left_reason = status, normalize.to_datetime(on), normalize.text(reason)
    members.save(member, by=user, keeps_handbook=platform_elsewhere and status == "transferred")
    return member


# --- transfers between committees (Điều 6 khoản 2 điểm d) ----------------------------------

def _name(user: Any) -> str:
    return getattr(user, "username", None) or getattr(getattr(user, "organisation", None), "code", "") or ""


def _where(org: Organisation) -> str:
    """A cell named with its committee: two communes may both have a "Chi bộ thôn 1"."""
    names = list(org.path_names or [org.name])
    return f"{names[-1]} ({names[-2]})" if len(names) > 1 else names[-1]


def send(member: Member, to_unit: Organisation | None, on: dt.date, decision_number: str | None, note: str | None,
         user: Any) -> TransferOrder:
    """The sender's half: the member stays here, marked "đang chuyển", until the receiver decides."""
    if not scope.can_write(user) or not scope.can_see(user, member):
        raise ValidationError("Bạn không có quyền chuyển sinh hoạt người này.")
    if to_unit is None:
        raise ValidationError("Hãy chọn đơn vị chuyển đến.")
    if member.status in LEFT_STATUSES:
        raise ValidationError("Người này đã rời danh sách.")
    if member.in_transfer or TransferOrder.objects(member=member, state="pending").count():
        raise ValidationError("Người này đang chờ đơn vị khác tiếp nhận.")
    if to_unit.pk in member.scope:
        raise ValidationError("Người này đã sinh hoạt trong đơn vị đó.")
    order = TransferOrder(member=member, member_name=member.full_name, from_org=member.organisation,
                          from_name=_where(member.organisation), scope=list(member.scope), to_unit=to_unit,
                          to_name=to_unit.name, to_scope=list(to_unit.scope), on=normalize.to_datetime(on),
                          decision_number=normalize.text(decision_number), note=normalize.text(note),
                          created_by=_name(user))
    order.save()
    Member.objects(pk=member.pk).update(set__in_transfer=True)
    member.in_transfer = True
    audit.record("update", user=user, records=[member], detail=f"Chuyển sinh hoạt đến {order.to_name} (chờ tiếp nhận)")
    return order


def receivable(user: Any, order: TransferOrder) -> bool:
    """Whether the user is the receiving side's officer (the destination lies in their scope)."""
    return scope.can_write(user) and (scope.sees_everything(user) or scope.scope_root(user) in order.to_scope)


def accept(order: TransferOrder, cell: Organisation | None, user: Any) -> Member:
    """The receiver's half: the person joins the chosen cell; sites and accounts follow them."""
    if order.state != "pending" or not receivable(user, order):
        raise ValidationError("Bạn không có quyền tiếp nhận chuyển sinh hoạt này.")
    if order.to_unit is None:
        raise ValidationError("Đơn vị nhận đã giải thể; bên chuyển hãy hủy và chuyển lại.")
    if cell is None or cell.kind != "cell" or order.to_unit.pk not in cell.scope or not scope.can_see(user, cell):
        raise ValidationError("Hãy chọn một chi bộ thuộc đơn vị tiếp nhận.")
    member = order.member
    member.transfers.append(Transfer(from_org=member.organisation, from_name=member.org_name, to_org=cell,
                                     to_name=cell.name, on=order.on, note=order.note,
                                     decision_number=order.decision_number))
    for grant in member.role_grants:  # a role in the old unit ends with the move
        if grant.end is None and grant.start <= order.on:
            grant.end = order.on
    before = order.from_name
    member.organisation, member.in_transfer = cell, False
    members.save(member, by=user, detail="Tiếp nhận chuyển sinh hoạt",
                 changes=[{"field": "organisation", "before": before, "after": cell.name}])
    order.state, order.to_cell, order.to_cell_scope = "accepted", cell, list(cell.scope)
    order.to_name = _where(cell)
    order.decided_at, order.decided_by = utcnow(), _name(user)
    order.save()
    return member


def return_order(order: TransferOrder, reason: str | None, user: Any) -> None:
    """The receiver refuses; the person stays with the sender, no longer "đang chuyển"."""
    if order.state != "pending" or not receivable(user, order):
        raise ValidationError("Bạn không có quyền trả lại chuyển sinh hoạt này.")
    if not normalize.text(reason):
        raise ValidationError("Lý do trả lại: bắt buộc.")
    order.state, order.return_reason = "returned", normalize.text(reason)
    order.decided_at, order.decided_by = utcnow(), _name(user)
    order.save()
    Member.objects(pk=order.member.pk).update(set__in_transfer=False)
    audit.record("update", user=user, records=[order.member], detail="Trả lại chuyển sinh hoạt")


def cancel_order(order: TransferOrder, user: Any) -> None:
    if order.state != "pending" or not scope.can_write(user) or not (
            scope.sees_everything(user) or scope.scope_root(user) in order.scope):
        raise ValidationError("Bạn không có quyền hủy chuyển sinh hoạt này.")
    order.state, order.decided_at, order.decided_by = "cancelled", utcnow(), _name(user)
    order.save()
    Member.objects(pk=order.member.pk).update(set__in_transfer=False)
    audit.record("update", user=user, records=[order.member], detail="Hủy chuyển sinh hoạt")


def orders(user: Any, side: str) -> Any:
    """``incoming`` or ``outgoing`` orders of the user's subtree."""
    root = scope.scope_root(user)
    if root is None:
        return TransferOrder.objects(pk__in=[])
    if scope.sees_everything(user):
        return TransferOrder.objects
    return TransferOrder.objects(**{"to_scope" if side == "incoming" else "scope": root})
