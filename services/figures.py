"""One definition per figure: who and what is counted as people, accounts and sites.

The dashboard, its per-unit rows, the annual report, a submission's snapshot and the
district's consolidation all count through :func:`tally` (and list rows through
:func:`counted`), so one commune on one day shows one number everywhere.

- **people**: the unit's register on the date: entered (``joined_on``) on or before it and
  not left (``left_on`` empty or after it), party members and non-party people alike (the
  directive counts both), people attached directly to a committee included;
- **sites** and **accounts**: records of forms 1 and 2 whose owner is still in the register
  (``owner_status`` current), added by the end of the date in Vietnam;
- soft-deleted records (the bin) never count.

A unit's row is one ``$group`` per collection, keyed by the unit directly below the root on
the record's ``scope`` path: the units asked for get their own row, the others fall into
``OTHERS``, and records attached to the root itself into ``OWN``. The answer has at most
``len(units) + 2`` rows per collection, whatever the size of the register.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from bson import ObjectId
from mongoengine import Q

from models import Member, Organisation, Site, SocialAccount, normalize
from models.accounts import PLATFORMS
from services import scope

OWN = "own"  # records attached to the root unit itself
OTHERS = "others"  # records of units below the root that were not asked for
TOTAL = "total"
OTHER_PLATFORM = PLATFORMS[-1]


@dataclass
class Figures:
    """The counted figures of one unit (or of the root's own records, or the total)."""

    people: int = 0
    party_people: int = 0
    sites: int = 0
    party_sites: int = 0
    accounts: int = 0
    party_accounts: int = 0
    platforms: dict[str, int] = field(default_factory=dict)
    extra: dict[str, int] = field(default_factory=dict)  # the caller's own flags (dashboard)

    def add(self, other: Figures) -> None:
        for name in ("people", "party_people", "sites", "party_sites", "accounts", "party_accounts"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for p, n in other.platforms.items():
            self.platforms[p] = self.platforms.get(p, 0) + n
        for k, n in other.extra.items():
            self.extra[k] = self.extra.get(k, 0) + n

    def as_dict(self) -> dict[str, Any]:
        return {"people": self.people, "party_people": self.party_people, "sites": self.sites,
                "party_sites": self.party_sites, "accounts": self.accounts, "party_accounts": self.party_accounts,
                "platforms": {p: n for p, n in self.platforms.items() if n}}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Figures:
        out = cls(**{k: int(data.get(k, 0)) for k in ("people", "party_people", "sites", "party_sites",
                                                       "accounts", "party_accounts")})
        out.platforms = dict(data.get("platforms") or {})
        return out


def _ends(as_of: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """End of ``as_of`` for calendar dates (naive midnight) and for UTC timestamps (Vietnam's day)."""
    end = dt.datetime(as_of.year, as_of.month, as_of.day) + dt.timedelta(days=1)
    return end, normalize.day_start(end)


def counted_q(model: type, as_of: dt.date) -> Q:
    """The rule itself: which records of ``model`` count on ``as_of`` (lists filter by it too)."""
    end, added_by = _ends(as_of)
    if model is Member:
        return (Q(left_on=None) | Q(left_on__gte=end)) & Q(joined_on__lt=end)
    return Q(owner_status="current", created_at__lt=added_by)


def counted(model: type, org: Organisation | ObjectId, principal: Any, as_of: dt.date) -> Any:
    """The records of ``model`` under ``org`` that the figures count on ``as_of`` (scoped)."""
    return scope.in_subtree(model, org, principal).filter(counted_q(model, as_of))


def _flag(condition: dict) -> dict:
    return {"$cond": [condition, 1, 0]}


_PARTY = {"$ne": ["$is_party_member", False]}
_OWNER_PARTY = {"$ne": ["$owner_party", False]}


def _group(qs: Any, level: int, units: list[ObjectId], flags: dict[str, Any]) -> dict[Any, dict[str, int]]:
    child = {"$arrayElemAt": ["$scope", level]}
    key = {"$cond": [{"$in": [child, units]}, child,
                     {"$cond": [{"$gt": [{"$size": "$scope"}, level]}, OTHERS, OWN]}]}
    sums = {"n": {"$sum": 1}, **{name: {"$sum": expr} for name, expr in flags.items()}}
    return {row["_id"]: row for row in qs.aggregate([{"$group": {"_id": key, **sums}}])}


def tally(org: Organisation, principal: Any, as_of: dt.date, units: list[ObjectId] | None = None,
          extra: dict[type, dict[str, Any]] | None = None) -> dict[Any, Figures]:
    """Figures per unit: the ``units`` asked for (directly below ``org``), ``OWN``, ``OTHERS``
    and ``TOTAL``. ``extra`` adds the caller's 0/1 flags per collection (summed into
    ``Figures.extra`` as ``<collection>_<name>``): three aggregations whatever it asks."""
    level, units, extra = len(org.scope), list(units or []), extra or {}
    out: dict[Any, Figures] = {key: Figures() for key in (*units, OWN, OTHERS)}
    platforms = {f"p{i}": _flag({"$eq": ["$platform", p]}) for i, p in enumerate(PLATFORMS[:-1])}
    plans = [(Member, {"party": _flag(_PARTY)}), (Site, {"party": _flag(_OWNER_PARTY)}),
             (SocialAccount, {"party": _flag(_OWNER_PARTY), **platforms})]
    for model, flags in plans:
        own_flags = {f"x_{k}": v for k, v in extra.get(model, {}).items()}
        rows = _group(counted(model, org, principal, as_of), level, units, {**flags, **own_flags})
        name = model._get_collection_name()
        for key, row in rows.items():
            fig = out.setdefault(key, Figures())
            fig.extra.update({f"{name}_{k[2:]}": row[k] for k in own_flags})
            if model is Member:
                fig.people, fig.party_people = row["n"], row["party"]
            elif model is Site:
                fig.sites, fig.party_sites = row["n"], row["party"]
            else:
                fig.accounts, fig.party_accounts = row["n"], row["party"]
                known = {p: row[f"p{i}"] for i, p in enumerate(PLATFORMS[:-1])}
                known[OTHER_PLATFORM] = row["n"] - sum(known.values())
                fig.platforms = {p: n for p, n in known.items() if n}
    total = Figures()
    for fig in out.values():
        total.add(fig)
    out[TOTAL] = total
    return out


def children(org: Organisation, principal: Any, skip: int = 0, limit: int | None = None) -> list[dict]:
    """Units directly below ``org`` in the user's scope, in tree order (a page of them)."""
    qs = scope.organisations(principal).filter(parent=org.pk).only("name", "kind", "closed_on", "merged_into")
    qs = scope.stable(qs.order_by("tree_key")).skip(skip)
    return list((qs.limit(limit) if limit else qs).as_pymongo())


__all__ = ["OTHERS", "OWN", "TOTAL", "Figures", "children", "counted", "counted_q", "tally"]
