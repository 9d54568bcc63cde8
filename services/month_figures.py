"""The figures of the month-end reports, one definition each: for one unit (what its snapshot
holds) and for the units directly below a unit (what the tracker compares with the snapshots).

- ``meetings``: the unit's cells, those that held their regular meeting in the month
  (:func:`services.party_reports.meeting_report`), and per resolution-study campaign of the
  month the unit takes part in (launched by it or above) how many of its members must study
  and how many have (:func:`services.party_reports.study_progress`);
- ``proposals``: the month's handbook proposals (withdrawn ones left out), to create and to
  delete an account.

Both sides count through the same functions, so a report sent and not changed since shows no
difference. The cost is fixed whatever the number of units on the page: one meeting report and
one study progress per campaign of the page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bson import ObjectId

from models import Organisation
from models.handbook import KINDS as PROPOSAL_KINDS
from services import party_reports


def _month(period: str) -> tuple[int, int]:
    return int(period[:4]), int(period[5:7])


def _study(campaign: Any, expected: int, studied: int) -> dict[str, Any]:
    return {"id": str(campaign.pk), "title": campaign.title, "expected": expected, "studied": studied}


def meetings(org: Organisation, user: Any, period: str, today: dt.date) -> tuple[Any, list[Any], dict[str, Any]]:
    """The unit's meeting report, its study progress per campaign, and the figures of both."""
    year, month = _month(period)
    report = party_reports.meeting_report(org, user, year, month, today)
    study = party_reports.month_study(org, user, year, month)
    figures = {"cells": len(report.cells), "held": sum(1 for c in report.cells if c.held),
               "study": [_study(p.campaign, p.expected, p.studied) for p in study]}
    return report, study, figures


def meetings_below(org: Organisation, user: Any, period: str, today: dt.date,
                   ids: list[ObjectId]) -> dict[ObjectId, dict[str, Any]]:
    """:func:`meetings`' figures for each unit of ``ids`` (units directly below ``org``)."""
    year, month = _month(period)
    out: dict[ObjectId, dict[str, Any]] = {pk: {"cells": 0, "held": 0, "study": []} for pk in ids}
    if not ids:
        return out
    for c in party_reports.meeting_report(org, user, year, month, today).cells:
        unit = out.get(c.unit_id or c.cell_id)  # a cell directly below is its own unit
        if unit is not None:
            unit["cells"] += 1
            unit["held"] += c.held
    for campaign in party_reports.month_campaigns(list(org.scope), year, month):  # shared by every unit below
        progress = party_reports.study_progress(campaign, user, org.pk)
        rows = {r.org_id: r for r in [*progress.cells, *progress.units] if r.org_id in out}
        for pk, unit in out.items():
            row = rows.get(pk)
            unit["study"].append(_study(campaign, row.expected if row else 0, row.studied if row else 0))
    for campaign in party_reports.month_campaigns(ids, year, month):  # launched by a unit below itself
        ref = campaign._data.get("organisation")
        pk = getattr(ref, "id", ref)
        progress = party_reports.study_progress(campaign, user, pk)
        out[pk]["study"].append(_study(campaign, progress.expected, progress.studied))
    return out


def _proposal_counts(org: Organisation, user: Any, period: str, level: int,
                     ids: list[ObjectId]) -> dict[ObjectId, dict[str, int]]:
    """Proposals of the month per unit (the unit at ``scope[level]``) and kind: one ``$group``."""
    from services import handbook

    out = {pk: {"proposals": 0, **{k: 0 for k, _ in PROPOSAL_KINDS}} for pk in ids}
    qs = handbook.proposals(org, period, user).filter(state__ne="withdrawn", scope__in=ids)
    for g in qs.aggregate([{"$group": {"_id": {"u": {"$arrayElemAt": ["$scope", level]}, "k": "$kind"},
                                       "n": {"$sum": 1}}}]):
        unit = out.get(g["_id"]["u"])
        if unit is not None and g["_id"]["k"] in unit:
            unit[g["_id"]["k"]] += g["n"]
            unit["proposals"] += g["n"]
    return out


def proposals(org: Organisation, user: Any, period: str) -> dict[str, int]:
    """The unit's proposal list's figures: how many, to create, to delete."""
    return _proposal_counts(org, user, period, len(org.scope) - 1, [org.pk])[org.pk]


def proposals_below(org: Organisation, user: Any, period: str, ids: list[ObjectId]) -> dict[ObjectId, dict[str, int]]:
    return _proposal_counts(org, user, period, len(org.scope), ids) if ids else {}


def below(kind: str, org: Organisation, user: Any, period: str, today: dt.date,
          ids: list[ObjectId]) -> dict[ObjectId, dict[str, Any]]:
    """The live figures of a month-end report for each unit of ``ids`` (the tracker's page)."""
    if kind == "meetings":
        return meetings_below(org, user, period, today, ids)
    if kind == "proposals":
        return proposals_below(org, user, period, ids)
    raise ValueError(kind)


#: kind -> (figure, label) compared between a snapshot and live data
LABELS = {"annual": (("people", "người"), ("sites", "trang web"), ("accounts", "tài khoản")),
          "meetings": (("cells", "chi bộ"), ("held", "chi bộ đã sinh hoạt thường kỳ")),
          "proposals": (("proposals", "đề nghị"), ("create", "đề nghị tạo tài khoản"),
                        ("delete", "đề nghị xóa tài khoản"))}
_STUDY = (("expected", "phải học tập"), ("studied", "đã học tập"))


def differences(kind: str, sent: dict[str, Any], live: dict[str, Any] | None) -> list[str]:
    """``tài khoản: 12 → 13`` for each figure the snapshot holds that live data says otherwise
    (a snapshot sent before a figure existed is not said to differ on it)."""
    if live is None:
        return []
    out = [f"{label}: {sent.get(key, 0)} → {live.get(key, 0)}" for key, label in LABELS[kind]
           if key in sent and sent.get(key, 0) != live.get(key, 0)]
    if "study" in sent:
        then = {s["id"]: s for s in sent.get("study") or []}
        now = {s["id"]: s for s in live.get("study") or []}
        for pk in [*then, *(k for k in now if k not in then)]:
            a, b = then.get(pk, {}), now.get(pk, {})
            title = (b or a).get("title", "")
            out += [f"{label} «{title}»: {a.get(key, 0)} → {b.get(key, 0)}" for key, label in _STUDY
                    if a.get(key, 0) != b.get(key, 0)]
    return out


__all__ = ["LABELS", "below", "differences", "meetings", "meetings_below", "proposals", "proposals_below"]
