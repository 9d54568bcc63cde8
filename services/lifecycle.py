"""Lifecycle of people in the register (regulation, Điều 6.2): transfer between cells
with history kept, and leaving the register (death, transfer out, removal) with the
reason and date, the record itself kept."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mongoengine import ValidationError

from models import Member, Organisation, normalize
from models.member import LEFT_STATUSES, Transfer
from services import scope


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
    member.organisation = to_org
    member.save()
    return member


def leave(member: Member, status: str, on: dt.date, reason: str | None, user: Any) -> Member:
    """Mark ``member`` as having left the register (the record is kept)."""
    if not scope.can_write(user) or not scope.can_see(user, member):
        raise ValidationError("Bạn không có quyền cập nhật người này.")
    if status not in LEFT_STATUSES:
        raise ValidationError("Trạng thái rời danh sách không hợp lệ.")
    if not normalize.text(reason):
        raise ValidationError("Lý do: bắt buộc khi rời danh sách.")
    member.status, member.left_on, member.left_reason = status, normalize.to_datetime(on), normalize.text(reason)
    member.save()
    return member
