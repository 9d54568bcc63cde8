"""Figures of the home dashboard, for the user's organisation and the units below it.

A fixed number of database round trips whatever the size of the register: one
aggregation per form, each ``$unwind``-ing the ``scope`` path so that a single
``$group`` yields the count of every organisation of the subtree at once. What comes
back is one row per unit shown (times platforms), never one per record: "no account yet"
is the ``declared`` count kept on the person at every write (``recount_declarations``),
not a list of ids sent back in a ``$nin``.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from bson import ObjectId

from models import Member, Site, SocialAccount, normalize
from models.accounts import PLATFORMS
from services import scope

HORIZONS = (30, 60, 90)
OTHER = "Khác"  # the last of PLATFORMS: anything else typed
FIGURES = ("people", "no_account", "sites", "accounts", "issues_members", "issues_sites", "issues_accounts")


@dataclass
class Unit:
    """One row of the per-unit table (the user's organisation, or one unit below it)."""

    id: ObjectId
    name: str
    kind: str = "committee"
    #: index of the units directly below this one in a record's ``scope`` path
    level: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIGURES, 0))


@dataclass
class Deadline:
    key: str
    title: str
    due: dt.date
    days_left: int


@dataclass
class Dashboard:
    root: Unit
    units: list[Unit]
    platforms: list[tuple[str, int]]
    expiring: dict[int, int]
    expired: int
    deadlines: list[Deadline]
    today: dt.date


def _flag(condition: dict) -> dict:
    return {"$cond": [condition, 1, 0]}


_HAS_ISSUES = _flag({"$gt": [{"$size": {"$ifNull": ["$quality_issues", []]}}, 0]})


def _tally(qs: Any, root: ObjectId, level: int, flags: dict[str, Any]) -> dict[ObjectId, dict[str, int]]:
    """One aggregation: per unit directly below ``root`` (the ``level``-th id of the scope
    path; records of the root itself have none), the number of records and the sum of each
    0/1 flag; the root's row is the sum of all rows. The answer has one row per unit."""
    sums = {"n": {"$sum": 1}, **{name: {"$sum": expr} for name, expr in flags.items()}}
    out: dict = {}
    for row in qs.aggregate([{"$group": {"_id": {"$arrayElemAt": ["$scope", level]}, **sums}}]):
        for unit in {row["_id"] or root, root}:
            into = out.setdefault(unit, dict.fromkeys(sums, 0))
            for name in sums:
                into[name] += row[name]
    return out


def people_without_accounts(user: Any, org: ObjectId) -> Any:
    """Active people under ``org`` with no declared site or account (the list behind a figure):
    an indexed match on the ``declared`` count kept on every write, no id list."""
    return scope.in_subtree(Member, org, user).filter(status="active", declared=0)


def _units(user: Any, root: ObjectId) -> tuple[Unit, list[Unit]]:
    orgs = scope.organisations(user).filter(pk__in=[root]).only("name", "kind", "scope").as_pymongo()
    top = next(iter(orgs), None)
    if top is None:
        raise LookupError("organisation outside the user's scope")
    children = scope.organisations(user).filter(parent=root).only("name", "kind").order_by("tree_key")
    return (Unit(root, top["name"], top.get("kind", "committee"), level=len(top.get("scope") or [root])),
            [Unit(c["_id"], c["name"], c.get("kind", "cell")) for c in children.as_pymongo()])


def build(user: Any, today: dt.date | None = None) -> Dashboard:
    """Every figure of the dashboard for the user's own organisation."""
    root_id = scope.scope_root(user)
    if root_id is None:
        raise PermissionError("no scope")
    today = today or normalize.today()
    root, units = _units(user, root_id)
    rows = [root, *units]
    members, accounts, sites = (scope.in_subtree(m, root_id, user) for m in (Member, SocialAccount, Site))
    active = {"$eq": ["$status", "active"]}
    level = root.level
    people = _tally(members, root_id, level, {"active": _flag(active), "issues": _HAS_ISSUES,
                                              "silent": _flag({"$and": [active, {"$eq": ["$declared", 0]}]})})
    known = [p for p in PLATFORMS if p != OTHER]
    per_platform = {f"p{i}": _flag({"$eq": ["$platform", p]}) for i, p in enumerate(known)}
    social = _tally(accounts, root_id, level, {"issues": _HAS_ISSUES, **per_platform})
    site_rows = _tally(sites, root_id, level, {"issues": _HAS_ISSUES})
    for row in rows:
        mine, webs, accs = people.get(row.id, {}), site_rows.get(row.id, {}), social.get(row.id, {})
        row.counts = {"people": mine.get("active", 0), "no_account": mine.get("silent", 0),
                      "sites": webs.get("n", 0), "accounts": accs.get("n", 0),
                      "issues_members": mine.get("issues", 0), "issues_sites": webs.get("issues", 0),
                      "issues_accounts": accs.get("issues", 0)}
    mine = social.get(root_id, {})
    counts = {p: mine.get(f"p{i}", 0) for i, p in enumerate(known)}
    counts[OTHER] = mine.get("n", 0) - sum(counts.values())  # platforms typed outside the list
    platforms = sorted(((p, n) for p, n in counts.items() if n), key=lambda item: (-item[1], item[0]))
    expiring, expired = _expiry(sites, today)
    return Dashboard(root, units, platforms, expiring, expired, deadlines(today), today)


def _expiry(sites: Any, today: dt.date) -> tuple[dict[int, int], int]:
    """Domains expiring within 30/60/90 days (cumulative) and those already expired: one
    aggregation over the ``expires_on`` index, one document back."""
    start = dt.datetime(today.year, today.month, today.day)
    horizon = start + dt.timedelta(days=max(HORIZONS) + 1)
    sums = {f"d{h}": {"$sum": _flag({"$and": [{"$gte": ["$expires_on", start]},
                                               {"$lt": ["$expires_on", start + dt.timedelta(days=h + 1)]}]})}
            for h in HORIZONS}
    pipeline = [{"$group": {"_id": None, "expired": {"$sum": _flag({"$lt": ["$expires_on", start]})}, **sums}}]
    row = next(iter(sites.filter(expires_on__lt=horizon).aggregate(pipeline)), {})
    return {h: row.get(f"d{h}", 0) for h in HORIZONS}, row.get("expired", 0)


def deadlines(today: dt.date) -> list[Deadline]:
    """The reporting dates of directive 1150-CV/HU and the regulation, nearest first."""
    year = today.year if today < dt.date(today.year, 12, 1) else today.year + 1
    annual = dt.date(year, 12, 1) - dt.timedelta(days=1)
    month_end = today.replace(day=calendar.monthrange(today.year, today.month)[1])
    proposals = today.replace(day=min(29, month_end.day))
    if today > proposals:  # this month's window is over: next month's
        nxt = month_end + dt.timedelta(days=1)
        proposals = nxt.replace(day=min(29, calendar.monthrange(nxt.year, nxt.month)[1]))
    items = [
        ("annual", f"Báo cáo tổng số trang web, tài khoản MXH năm {year} (trước ngày 01/12)", annual),
        ("monthly", f"Báo cáo tăng, giảm tài khoản tháng {today.month:02d}/{today.year} (cuối tháng)", month_end),
        ("proposals", f"Danh sách đề nghị tạo, xóa tài khoản (ngày 27–29 tháng {proposals.month:02d})", proposals),
        ("meetings", f"Báo cáo kết quả sinh hoạt chi bộ tháng {today.month:02d}/{today.year}", month_end),
    ]
    return sorted((Deadline(k, t, d, (d - today).days) for k, t, d in items), key=lambda x: (x.due, x.key))


__all__ = ["Dashboard", "Deadline", "Unit", "build", "deadlines", "people_without_accounts"]
