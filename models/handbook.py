"""Handbook-platform accounts ("Sổ tay đảng viên điện tử", Điều 6 khoản 2 điểm b, c, đ):
proposals to create and delete a member's login, and the monthly list that carries them
upward between the 27th and the 29th.

The automatic rules live here, beside the documents, and run from ``Member.save`` so that
screens, imports and transfers all follow them:

- a party member entering the register (admission or arrival) without an account -> create;
- death, removal or leaving for a place outside the platform -> delete (or, if the
  creation was still only proposed and not yet sent, the creation is withdrawn).

A proposal belongs to the month of its event; once the list of a unit for that month has
been marked *sent*, it is frozen and later proposals go to the next month's list.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import mongoengine as me

from . import normalize
from .base import ScopedDocument, owned, utcnow
from .member import Member
from .organisation import Organisation

KINDS = [("create", "Đề nghị tạo tài khoản"), ("delete", "Đề nghị xóa tài khoản")]
EVENTS = [("admission", "Kết nạp đảng viên mới"), ("arrival", "Chuyển đến, chưa có tài khoản"),
          ("death", "Từ trần"), ("transfer_out", "Chuyển đi nơi không dùng nền tảng"),
          ("removal", "Ra khỏi Đảng"), ("manual", "Cán bộ quản trị đề nghị")]
STATES = [("proposed", "Đã đề nghị"), ("withdrawn", "Đã rút đề nghị"), ("done", "Cấp trên đã thực hiện")]
_LEAVE_EVENTS = {"deceased": "death", "removed": "removal", "transferred": "transfer_out"}
#: a member who entered the register this long ago or less is "new" (older rosters propose nothing)
NEW_WINDOW = dt.timedelta(days=92)


def month_key(day: dt.date | dt.datetime) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def next_month(key: str) -> str:
    year, month = int(key[:4]), int(key[5:7])
    return f"{year + month // 12:04d}-{month % 12 + 1:02d}"


class ProposalList(me.Document):
    """The monthly list of one unit; ``sent_at`` set = frozen. Not re-pointed when units merge
    (each unit keeps its own sent lists; the merged unit starts its own), removed with its unit."""

    VERBOSE_NAME = "Danh sách đề nghị tài khoản"

    meta = {"collection": "handbook_lists",
            "indexes": ["scope", "month", {"fields": ["organisation", "month"], "unique": True}]}

    organisation = me.ReferenceField(Organisation, required=True, reverse_delete_rule=me.CASCADE)
    scope = me.ListField(me.ObjectIdField())
    month = me.StringField(required=True, regex=r"^\d{4}-\d{2}$")
    sent_at = me.DateTimeField()
    sent_by = me.StringField()

    @classmethod
    def frozen(cls, scope: list[Any], month: str) -> bool:
        """Whether the list of this unit or of a unit above it has been sent for ``month``."""
        return bool(cls.objects(organisation__in=list(scope), month=month, sent_at__ne=None).count())


@owned
class HandbookProposal(ScopedDocument):
    """One proposal to create or delete a member's handbook account."""

    VERBOSE_NAME = "Đề nghị tài khoản Sổ tay đảng viên"
    meta = {"collection": "handbook_proposals",
            "indexes": ["scope", "deleted_at", "member", "state", ("month", "org_key", "member_sort_key")],
            "ordering": ["month", "org_key", "member_sort_key"]}

    member = me.ReferenceField(Member, required=True, reverse_delete_rule=me.CASCADE)  # purged with the person
    organisation = me.ReferenceField(Organisation, reverse_delete_rule=me.DENY)
    member_name = me.StringField()
    member_sort_key = me.StringField()
    party_card_number = me.StringField()
    month = me.StringField(required=True, regex=r"^\d{4}-\d{2}$")
    kind = me.StringField(choices=KINDS, required=True)
    event = me.StringField(choices=EVENTS, required=True)
    event_on = me.DateTimeField()
    reason = me.StringField(max_length=500)
    state = me.StringField(choices=STATES, default="proposed")
    withdrawn_reason = me.StringField(max_length=500)
    done_on = me.DateTimeField()
    done_by = me.StringField()

    def copy_owner(self) -> None:
        m = self.member
        if m is not None and self.organisation is None:  # filed with the person's unit at that time
            self.organisation = m.organisation
            self.member_name, self.member_sort_key, self.party_card_number = m.full_name, m.sort_key, m.party_card_number
        self.follow_organisation(self.organisation)  # and follows that unit when the tree changes

    @property
    def frozen(self) -> bool:
        return ProposalList.frozen(self.scope, self.month)


def propose(member: Member, kind: str, event: str, reason: str, on: dt.date | dt.datetime | None = None) -> HandbookProposal:
    """File a proposal in the first month, from the event's, whose list is not yet sent."""
    on = on or normalize.today()  # the month of Vietnam's calendar (20:33 UTC on 30/11 is December)
    month = month_key(on)
    while ProposalList.frozen(member.scope, month):
        month = next_month(month)
    p = HandbookProposal(member=member, kind=kind, event=event, reason=reason, month=month,
                         event_on=dt.datetime(on.year, on.month, on.day))
    p.save()
    _set_state(member, "proposed_create" if kind == "create" else "proposed_delete")
    return p


def withdraw(p: HandbookProposal, reason: str) -> None:
    p.state, p.withdrawn_reason = "withdrawn", reason
    p.save()
    member = p.member
    if member.handbook_state in ("proposed_create", "proposed_delete"):
        _set_state(member, "none" if p.kind == "create" else "created")


def mark_done(p: HandbookProposal, by: str) -> None:
    p.state, p.done_on, p.done_by = "done", normalize.today_stored(), by
    p.save()
    _set_state(p.member, "created" if p.kind == "create" else "deleted")


def _set_state(member: Member, state: str) -> None:
    """Written straight to the record: a state change of the account is not an edit of the person."""
    now = normalize.today_stored()  # a date (shown as one), Vietnam's
    Member.objects(pk=member.pk).update(set__handbook_state=state, set__handbook_changed_on=now)
    member.handbook_state, member.handbook_changed_on = state, now
    member._clear_changed_fields()


def open_proposal(member: Member, kind: str) -> HandbookProposal | None:
    return HandbookProposal.objects(member=member, kind=kind, state="proposed", deleted_at=None).first()


def after_member_saved(member: Member, created: bool, before_status: str | None, *,
                       keeps_handbook: bool = False) -> None:
    """The automatic rules of Điều 6 khoản 2 điểm b, c (see the module docstring); called by
    ``services.members.save`` (``keeps_handbook``: a transfer keeps the platform account)."""
    if not member.is_party_member:
        return
    today = utcnow()
    if created and member.status == "active" and member.handbook_state == "none":
        joined = member.joined_on or member.created_at
        if joined and joined >= today - NEW_WINDOW:
            admitted = member.admission_date and abs((joined - member.admission_date).days) <= 31
            event = "admission" if admitted else "arrival"
            when = normalize.format_date(member.admission_date if admitted else joined)
            reason = f"Kết nạp vào Đảng ngày {when}" if admitted else f"Vào danh sách ngày {when}, chưa có tài khoản"
            propose(member, "create", event, reason, joined)
        return
    event = _LEAVE_EVENTS.get(member.status)
    if created or event is None or before_status in _LEAVE_EVENTS or keeps_handbook:
        return
    reason = member.left_reason or dict(EVENTS)[event]
    pending = open_proposal(member, "create")
    if pending is not None and not pending.frozen:
        withdraw(pending, f"Rút đề nghị tạo: {reason}")
    elif member.handbook_state in ("created", "proposed_create"):
        propose(member, "delete", event, reason, member.left_on)
