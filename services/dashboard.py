"""Figures of the home dashboard, for the user's organisation and the units below it.

A fixed number of database round trips whatever the size of the register: one
aggregation per form, each ``$unwind``-ing the ``scope`` path so that a single
``$group`` yields the count of every organisation of the subtree at once. What comes
back is one row per unit shown (times platforms), never one per record: "no account yet"
is the ``declared`` count kept on the person at every write (``recount_declarations``),
not a list of ids sent back in a ``$nin``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from bson import ObjectId

from models import Member, Organisation, Site, SocialAccount, normalize
from models.accounts import PLATFORMS
from services import figures, scope

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
    #: "unit" (a unit below), "own" (attached to the root itself), "others" (units on other pages)
    kind_of_row: str = "unit"
    more: bool = False  # the root only: more units below than shown


@dataclass
class Dashboard:
    root: Unit
    units: list[Unit]
    platforms: list[tuple[str, int]]
    expiring: dict[int, int]
    expired: int
    deadlines: list[Any]  # services.submissions.Deadline
    today: dt.date
    below: list[Any] = field(default_factory=list)  # services.tracker.BelowStatus


def _flag(condition: dict) -> dict:
    return {"$cond": [condition, 1, 0]}


_HAS_ISSUES = _flag({"$gt": [{"$size": {"$ifNull": ["$quality_issues", []]}}, 0]})
_SILENT = _flag({"$and": [{"$eq": ["$status", "active"]}, {"$eq": ["$declared", 0]}]})
#: the dashboard's own flags, summed in the same ``$group`` as the counted figures
_EXTRA = {Member: {"issues": _HAS_ISSUES, "silent": _SILENT}, Site: {"issues": _HAS_ISSUES},
          SocialAccount: {"issues": _HAS_ISSUES}}
#: units directly below shown on the dashboard; the rest on the "see all" pages
UNITS_SHOWN = 20


def people_without_accounts(user: Any, org: ObjectId, today: dt.date | None = None) -> Any:
    """Active people under ``org`` with no declared site or account (the list behind a figure):
    the people the figure counts (``figures.counted``: in the register on the day), then an
    indexed match on the ``declared`` count kept on every write, no id list."""
    return figures.counted(Member, org, user, today or normalize.today()).filter(status="active", declared=0)


def _counts(fig: figures.Figures) -> dict[str, int]:
    x = fig.extra
    return {"people": fig.people, "no_account": x.get("members_silent", 0), "sites": fig.sites,
            "accounts": fig.accounts, "issues_members": x.get("members_issues", 0),
            "issues_sites": x.get("sites_issues", 0), "issues_accounts": x.get("social_accounts_issues", 0)}


def _root(user: Any, root: ObjectId) -> Organisation:
    top = scope.organisations(user).filter(pk=root).only("name", "kind", "scope", "parent", "closed_on",
                                                        "created_at", "depth").first()
    if top is None:
        raise LookupError("organisation outside the user's scope")
    return top


def unit_rows(user: Any, org: Organisation, today: dt.date, page: int = 1,
              per_page: int = UNITS_SHOWN) -> tuple[Unit, list[Unit], figures.Figures]:
    """The root's row, one page of the units directly below it (plus a row for the people and
    records attached to the root itself, and one for the units on other pages), from one
    ``$group`` per collection; and the root's total figures."""
    page = max(page, 1)
    below = figures.children(org, user, (page - 1) * per_page, per_page + 1)
    more, below = len(below) > per_page, below[:per_page]
    found = figures.tally(org, user, today, [c["_id"] for c in below], _EXTRA)
    level = len(org.scope)
    root = Unit(org.pk, org.name, org.kind, level=level, counts=_counts(found[figures.TOTAL]))
    units = [Unit(c["_id"], c["name"], c.get("kind", "cell"), counts=_counts(found[c["_id"]])) for c in below]
    own = found[figures.OWN]
    if below or page > 1:
        units.append(Unit(org.pk, f"Trực thuộc trực tiếp {org.name}", org.kind, kind_of_row="own",
                          counts=_counts(own)))
    if more or page > 1:
        units.append(Unit(org.pk, "Các đơn vị trực thuộc khác", org.kind, kind_of_row="others",
                          counts=_counts(found[figures.OTHERS])))
    root.more = more
    return root, units, found[figures.TOTAL]


def build(user: Any, today: dt.date | None = None) -> Dashboard:
    """Every figure of the dashboard for the user's own organisation."""
    root_id = scope.scope_root(user)
    if root_id is None:
        raise PermissionError("no scope")
    today = today or normalize.today()
    org = _root(user, root_id)
    root, units, total = unit_rows(user, org, today)
    known = [p for p in PLATFORMS if p != OTHER]
    counts = {p: total.platforms.get(p, 0) for p in known}
    counts[OTHER] = total.accounts - sum(counts.values())  # platforms typed outside the list
    platforms = sorted(((p, n) for p, n in counts.items() if n), key=lambda item: (-item[1], item[0]))
    expiring, expired = _expiry(scope.in_subtree(Site, root_id, user), today)
    from services import tracker

    return Dashboard(root, units, platforms, expiring, expired, deadlines(user, org, today), today,
                     tracker.below_status(org, user, today))


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


def deadlines(user: Any, org: Organisation, today: dt.date) -> list[Any]:
    """The reports the unit owes upward (missed ones stay, overdue, until sent); a unit at the
    top of the tree sends nothing upward and sees the current periods it receives."""
    from services import submissions

    if org.parent is not None:
        return submissions.unit_deadlines(org, today)
    return [submissions.Deadline(kind, p, submissions.due_date(kind, p), today)
            for kind in submissions.LOOKBACK for p in [submissions.current_period(kind, today)]]


__all__ = ["Dashboard", "Unit", "build", "deadlines", "people_without_accounts"]
