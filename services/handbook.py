"""The monthly list of handbook-account proposals (Điều 6 khoản 2 điểm b, c, đ; Điều 12
khoản 2 điểm b): what a committee sends upward between the 27th and the 29th, who sent it,
and what the superior level has done. The automatic rules are in :mod:`models.handbook`.
"""

from __future__ import annotations

import datetime as dt
from typing import IO, Any

from mongoengine import ValidationError

from exports.handbook import write_proposals
from models import Member, Organisation, normalize
from models.base import utcnow
from models.handbook import EVENTS, KINDS, STATES, HandbookProposal, ProposalList, month_key
from models.handbook import mark_done as _mark_done
from models.handbook import propose as _propose
from models.handbook import withdraw as _withdraw
from services import audit, scope

DEADLINE_DAYS = (27, 29)


def parse_month(raw: str | None, today: dt.date | None = None) -> str:
    """``2026-11`` or ``11/2026``; empty means the current month."""
    raw = (raw or "").strip()
    if not raw:
        return month_key(today or normalize.today())
    for fmt in ("%Y-%m", "%m/%Y"):
        try:
            return month_key(dt.datetime.strptime(raw, fmt))
        except ValueError:
            continue
    raise ValidationError("Tháng không hợp lệ: nhập theo dạng mm/yyyy.")


def proposals(org: Organisation, month: str, user: Any) -> Any:
    return scope.in_subtree(HandbookProposal, org, user).filter(month=month)


def sent_list(org: Organisation, month: str) -> ProposalList | None:
    return ProposalList.objects(organisation=org, month=month, sent_at__ne=None).first()


def send(org: Organisation, month: str, user: Any) -> ProposalList:
    """Mark the unit's list sent: it is frozen; later proposals go to next month's list."""
    if not scope.can_write(user) or not scope.can_see(user, org):
        raise ValidationError("Bạn không có quyền gửi danh sách của đơn vị này.")
    found = ProposalList.objects(organisation=org, month=month).first() or \
        ProposalList(organisation=org, scope=list(org.scope), month=month)
    if found.sent_at:
        raise ValidationError("Danh sách tháng này đã được gửi.")
    found.sent_at, found.sent_by = utcnow(), getattr(user, "username", "")
    found.save()
    audit.record("update", user=user, collection="handbook_lists", detail=f"Gửi danh sách đề nghị {month}; tổ chức {org.code}")
    return found


def is_superior(user: Any, p: HandbookProposal) -> bool:
    """The level above a unit whose list carrying ``p`` has been sent."""
    sent = [lst["organisation"] for lst in ProposalList.objects(organisation__in=list(p.scope), month=p.month,
                                                                 sent_at__ne=None).only("organisation").as_pymongo()]
    return _above_a_sent_list(user, list(p.scope), sent)


def _above_a_sent_list(user: Any, path: list, sent_units: list) -> bool:
    """Whether the user's unit lies above a unit of ``path`` whose list was sent. The path is
    the proposal's, i.e. the units' current place in the tree (a list's stored path may
    predate a move), so no unit is read."""
    if not scope.can_write(user) or scope.scope_root(user) is None:
        return False
    root, everything = scope.scope_root(user), scope.sees_everything(user)
    return any(u in sent_units and (everything or root in path[:i]) for i, u in enumerate(path))


SHOWN = ("scope", "org_name", "member_name", "kind", "reason", "withdrawn_reason", "event", "event_on", "state")


def page_of(org: Organisation, month: str, user: Any, page: int, size: int) -> list[dict]:
    """A page of the month's proposals under ``org`` (``size + 1`` rows: whether another page
    follows) in one aggregation, each row with ``sent_units``, the units of its path whose
    list of the month has been sent, and ``superior``: whether the user may mark it done."""
    found = scope.stable(proposals(org, month, user).order_by("org_key", "member_sort_key"))
    sent = {"$filter": {"input": "$lists", "as": "x", "cond": {
        "$and": [{"$eq": ["$$x.month", month]}, {"$ne": [{"$ifNull": ["$$x.sent_at", None]}, None]}]}}}
    rows = list(found.skip((page - 1) * size).limit(size + 1).aggregate([
        {"$lookup": {"from": ProposalList._get_collection_name(), "localField": "scope", "foreignField": "organisation",
                     "as": "lists"}},
        {"$project": {**dict.fromkeys(SHOWN, 1), "sent_units": {"$map": {"input": sent, "as": "x", "in": "$$x.organisation"}}}}]))
    for row in rows:
        row["superior"] = _above_a_sent_list(user, row.get("scope") or [], row["sent_units"])
    return rows


def mark_done(p: HandbookProposal, user: Any) -> None:
    if p.state != "proposed" or not is_superior(user, p):
        raise ValidationError("Chỉ cấp trên đánh dấu đã thực hiện, sau khi danh sách đã được gửi.")
    _mark_done(p, getattr(user, "username", ""))
    audit.record("update", user=user, records=[p.member], detail=f"Đã thực hiện: {dict(KINDS)[p.kind]}")


def add(member: Member, kind: str, reason: str | None, user: Any) -> HandbookProposal:
    """An officer's own proposal, with a reason (e.g. a member who never had an account)."""
    if not scope.can_write(user) or not scope.can_see(user, member):
        raise ValidationError("Bạn không có quyền đề nghị cho người này.")
    if kind not in dict(KINDS) or not normalize.text(reason):
        raise ValidationError("Hãy chọn loại đề nghị và ghi lý do.")
    if HandbookProposal.objects(member=member, kind=kind, state="proposed", deleted_at=None).count():
        raise ValidationError("Người này đã có đề nghị cùng loại đang chờ.")
    p = _propose(member, kind, "manual", normalize.text(reason))
    audit.record("create", user=user, records=[p])
    return p


def withdraw(p: HandbookProposal, reason: str | None, user: Any) -> None:
    if not scope.can_write(user) or not scope.can_see(user, p):
        raise ValidationError("Bạn không có quyền rút đề nghị này.")
    if p.state != "proposed" or p.frozen:
        raise ValidationError("Danh sách chứa đề nghị này đã được gửi: không rút được.")
    if not normalize.text(reason):
        raise ValidationError("Lý do rút đề nghị: bắt buộc.")
    _withdraw(p, normalize.text(reason))
    audit.record("update", user=user, records=[p], detail="Rút đề nghị")


def units_not_sent(user: Any, month: str, limit: int | None = None) -> list[dict]:
    """The committees directly under the user's unit that have not sent this month's list
    (``pk``, ``name``), in tree order; ``limit``: the first few (see :func:`not_sent`)."""
    return not_sent(user, month, limit)[0]


def not_sent(user: Any, month: str, limit: int | None = None) -> tuple[list[dict], int]:
    """(the first ``limit`` committees below that have not sent, how many have not): one
    aggregation over the units directly below, each joined to its own lists."""
    root = scope.scope_root(user)
    if root is None:
        return [], 0
    below = scope.organisations(user).filter(parent=root, kind="committee")
    sent = {"$filter": {"input": "$lists", "as": "x", "cond": {
        "$and": [{"$eq": ["$$x.month", month]}, {"$ne": [{"$ifNull": ["$$x.sent_at", None]}, None]}]}}}
    first: list[dict] = [{"$sort": {"tree_key": 1, "_id": 1}}, *([{"$limit": limit}] if limit else []),
                         {"$project": {"name": 1}}]
    found = next(below.aggregate([
        {"$lookup": {"from": ProposalList._get_collection_name(), "localField": "_id", "foreignField": "organisation",
                     "as": "lists"}},
        {"$project": {"name": 1, "tree_key": 1, "sent": {"$size": sent}}}, {"$match": {"sent": 0}},
        {"$facet": {"first": first, "count": [{"$count": "n"}]}}]))
    units = [{"pk": o["_id"], "name": o["name"]} for o in found["first"]]
    return units, (found["count"][0]["n"] if found["count"] else 0)


def deadline(today: dt.date) -> dict[str, Any]:
    """Where the month stands against the 27th–29th window."""
    first, last = DEADLINE_DAYS
    return {"month": month_key(today), "open": first <= today.day <= last, "late": today.day > last,
            "window": f"{first:02d}–{last:02d}/{today.month:02d}/{today.year}"}


def rows(qs: Any) -> list[dict[str, Any]]:
    kinds, events, states = dict(KINDS), dict(EVENTS), dict(STATES)
    return [{"org_name": p.org_name, "member_name": p.member_name, "party_card_number": p.party_card_number or "",
             "kind": kinds[p.kind], "reason": p.reason or "", "event": events[p.event],
             "event_on": normalize.format_date(p.event_on), "state": states[p.state]}
            for p in qs.filter(state__ne="withdrawn").order_by("org_key", "member_sort_key")]


def export(out: str | IO[bytes], org: Organisation, month: str, user: Any, today: dt.date | None = None) -> int:
    from services.reports import acting_as, title_block

    principal = acting_as(org, user)
    today = today or normalize.today()
    data = rows(proposals(org, month, principal))
    write_proposals(out, title_block(org, today, today), month, data)
    audit.record("export", user=user, collection="handbook_proposals", detail=f"Danh sách đề nghị {month}; tổ chức {org.code}")
    return len(data)


def dashboard_status(user: Any, unit: Any, month: str) -> dict[str, Any]:
    """What the dashboard shows beside the 27th–29th deadline of ``month`` (the period the
    deadline is for: after the 29th, next month's): that list sent or not, and the committees
    below that have not sent theirs."""
    org = scope.organisations(user).filter(pk=unit).first()
    if org is None:
        return {"sent": None, "not_sent": []}
    return {"sent": sent_list(org, month), "not_sent": units_not_sent(user, month), "month": month}
