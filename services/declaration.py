"""Declaration rounds and personal links (issue 26).

A link's token is ``HMAC-SHA256(SECRET_KEY, seed)`` cut to 130 bits, where ``seed`` is 128
random bits kept on the link; the database stores the seed and the token's SHA-256, never
the token. A copy of the database alone therefore opens no link, and the officer can print
the same sheet again (the token is derived, not kept). Re-issuing a link draws a new seed:
the old token stops working.
"""

from __future__ import annotations

import base64
import hmac
import secrets
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from bson import ObjectId
from flask import current_app

from models import Member, Organisation, normalize
from models.base import utcnow
from models.declaration import LINK_STATES, Declaration, DeclarationLink, DeclarationRound, token_hash

from . import audit, records, scope

TOKEN_BYTES = 17  # 136 bits before the cut; the token keeps 26 base32 letters = 130 bits
CODE_LENGTH = 26
#: letters people confuse when typing a printed code, read as the base32 letter meant
_TYPED = str.maketrans({"0": "O", "1": "I", "8": "B"})


def new_seed() -> str:
    return secrets.token_hex(16)


def token_of(link: DeclarationLink) -> str:
    """The link's token (lower-case base32, 26 letters), derived from its seed."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    mac = hmac.new(key, f"khai-bao:{link.seed}".encode(), "sha256").digest()[:TOKEN_BYTES]
    return base64.b32encode(mac).decode("ascii")[:CODE_LENGTH].lower()


def code_of(token: str) -> str:
    """The token as printed for typing: groups of four or five letters."""
    t = token.upper()
    return "-".join([t[i:i + 5] for i in range(0, 25, 5)]) + t[25:]


def clean_code(typed: str | None) -> str:
    """What a person typed (spaces, dashes, ``0`` for ``O``) as a token, or ''."""
    s = "".join(ch for ch in (typed or "").upper().translate(_TYPED) if ch.isalnum())
    return s.lower() if len(s) == CODE_LENGTH and all(c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" for c in s) else ""


def find_link(token: str | None) -> DeclarationLink | None:
    """The live link of this token: not revoked, its round open. None for anything else."""
    token = clean_code(token)
    if not token:
        return None
    link = DeclarationLink.objects(token_hash=token_hash(token), deleted_at=None, revoked_at=None).first()
    if link is None or not hmac.compare_digest(token_of(link), token):  # a seed re-drawn since
        return None
    return link if link.round.is_open else None


def answer_matches(member: Member, answer: str | None) -> bool:
    """The one thing the person knows and the link does not carry: birth date, or the
    last four digits of their registered phone."""
    s = (answer or "").strip()
    digits = "".join(ch for ch in s if ch.isdigit())
    if len(digits) == 4 and len(s) <= 6 and member.phone:
        return hmac.compare_digest(member.phone[-4:], digits)
    try:
        day = normalize.date(s)
    except normalize.NormalizeError:
        return False
    return bool(day and member.date_of_birth and member.date_of_birth.date() == day)


def can_answer(member: Member) -> bool:
    return bool(member.date_of_birth or member.phone)


def candidates(user: Any, unit: Organisation) -> Any:
    """The people a round for ``unit`` offers: active and in the user's scope."""
    return scope.in_subtree(Member, unit, user).filter(status="active")


def open_round(user: Any, unit: Organisation, title: str, closes_on: Any,
               member_ids: list[str] | None = None) -> DeclarationRound:
    """Open a round for ``unit`` with a link per chosen person (default: every active person)."""
    day = normalize.date(closes_on)
    if day is None or day < normalize.today():
        raise ValueError("Hạn khai báo phải từ hôm nay trở đi (dd/mm/yyyy).")
    people = candidates(user, unit)
    if member_ids is not None:
        people = people.filter(pk__in=[ObjectId(i) for i in member_ids if ObjectId.is_valid(i)])
    people = list(people.only("full_name", "sort_key", "organisation", "scope", "org_key", "org_name"))
    if not people:
        raise ValueError("Không có cán bộ, đảng viên nào đang sinh hoạt để khai báo.")
    rnd = DeclarationRound(organisation=unit, title=title or f"Khai báo trang web, tài khoản {normalize.today():%m/%Y}",
                           closes_on=day, opened_by=getattr(user, "username", None), people=len(people))
    records.write(rnd)
    DeclarationLink.objects.insert([_new_link(rnd, m) for m in people], load_bulk=False)
    audit.record("create", user=user, records=[rnd], changes=audit.diff({}, audit.snapshot(rnd)),
                 detail=f"Mở đợt khai báo “{rnd.title}” cho {len(people)} người")  # one entry for the round and its links
    return rnd


def _new_link(rnd: DeclarationRound, member: Member) -> DeclarationLink:
    """A link built without a query per person (the round's people were read in one)."""
    link = DeclarationLink(round=rnd, member=member, organisation=member.organisation, seed=new_seed(),
                           member_name=member.full_name, member_sort_key=member.sort_key,
                           scope=list(member.scope), org_key=member.org_key, org_name=member.org_name)
    link.token_hash = token_hash(token_of(link))
    return link


def reissue(link: DeclarationLink, user: Any) -> None:
    """A new token for the same person (the old one stops working); also lifts a revocation."""
    link.seed = new_seed()
    link.token_hash = token_hash(token_of(link))
    link.revoked_at = None
    records.save(link, by=user, detail=f"Cấp lại liên kết khai báo cho {link.member_name}")


def revoke(link: DeclarationLink, user: Any) -> None:
    link.update(set__revoked_at=utcnow())
    audit.record("update", user=user, records=[link], detail=f"Thu hồi liên kết khai báo của {link.member_name}")


def close(rnd: DeclarationRound, user: Any) -> None:
    rnd.update(set__closed_at=utcnow())
    audit.record("update", user=user, records=[rnd], detail=f"Kết thúc đợt khai báo “{rnd.title}”")


@dataclass
class Progress:
    """Counts per link state, for one unit (a cell, or the whole round)."""

    name: str
    unit: ObjectId | None
    counts: Counter = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def not_declared(self) -> int:
        return self.counts["not_opened"] + self.counts["opened"]


STATE_LABELS = dict(LINK_STATES)


def progress(rnd: DeclarationRound, user: Any) -> tuple[Progress, list[Progress]]:
    """The round's totals and one row per cell, within the user's scope: one aggregation."""
    match: dict[str, Any] = {"round": rnd.pk, "deleted_at": None, "revoked_at": None}
    root = scope.scope_root(user)
    if root is None:
        return Progress("", None), []
    if not scope.sees_everything(user):
        match["scope"] = root
    rows = DeclarationLink._get_collection().aggregate([
        {"$match": match},
        {"$group": {"_id": {"o": "$organisation", "s": "$state"}, "n": {"$sum": 1},
                    "name": {"$first": "$org_name"}, "key": {"$first": "$org_key"}}}])
    cells: dict[Any, Progress] = {}
    keys: dict[Any, str] = {}
    total = Progress("Tổng cộng", None)
    for row in rows:
        org = row["_id"]["o"]
        cells.setdefault(org, Progress(row.get("name") or "", org)).counts[row["_id"]["s"]] += row["n"]
        keys[org] = row.get("key") or ""
        total.counts[row["_id"]["s"]] += row["n"]
    return total, sorted(cells.values(), key=lambda p: (keys[p.unit], str(p.unit)))


def open_rounds_summary(user: Any, limit: int = 5) -> list[tuple[DeclarationRound, Progress]]:
    """The dashboard's card: open rounds of the user's scope with their totals (two queries)."""
    today = normalize.today_stored()
    rounds = list(scope.stable(scope.visible(DeclarationRound, user).filter(closed_at=None, closes_on__gte=today)
                               .order_by("-created_at")).limit(limit))
    if not rounds:
        return []
    match: dict[str, Any] = {"round": {"$in": [r.pk for r in rounds]}, "deleted_at": None, "revoked_at": None}
    if not scope.sees_everything(user):
        match["scope"] = scope.scope_root(user)
    by_round: dict[Any, Progress] = defaultdict(lambda: Progress("", None))
    for row in DeclarationLink._get_collection().aggregate([
            {"$match": match}, {"$group": {"_id": {"r": "$round", "s": "$state"}, "n": {"$sum": 1}}}]):
        by_round[row["_id"]["r"]].counts[row["_id"]["s"]] += row["n"]
    return [(r, by_round[r.pk]) for r in rounds]


def last_submission(link: DeclarationLink) -> Declaration | None:
    return Declaration.objects(link=link).order_by("-number").first()
