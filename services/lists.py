"""Exports of the member roster, party documents and meetings: the list screen's own scoped
query (or a whole subtree), rows with their Vietnamese labels, the printable layout."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import IO, Any

from exports import write_form
from exports.lists import LISTS, PARTY_LABELS
from models import Meeting, Member, Organisation, PartyDocument, normalize
from models.member import GENDERS, STATUSES
from models.party_work import DIRECTIONS, MEETING_KINDS
from services import scope
from services.reports import ReportError, _audit, acting_as, title_block

MODELS = {"roster": Member, "documents": PartyDocument, "meetings": Meeting}
_LABELS = {"gender": dict(GENDERS), "status": dict(STATUSES), "direction": dict(DIRECTIONS), "kind": dict(MEETING_KINDS)}


def _rows(key: str, qs: Any) -> Iterator[dict]:
    fields = [c.field for c in LISTS[key].columns if c.field and c.field not in ("party", "presence")]
    extra = {"roster": ["is_party_member"], "meetings": ["attendance"]}.get(key, [])
    order = {"roster": ("org_key", "sort_key"), "documents": ("-issued_on",), "meetings": ("org_key", "-held_on")}[key]
    for doc in qs.only(*fields, *extra).order_by(*order).as_pymongo():
        for name, labels in _LABELS.items():
            if name in doc and name in fields:
                doc[name] = labels.get(doc[name], doc[name])
        if key == "roster":
            unknown = doc.get("status") in (Member.UNKNOWN_STATUS, dict(STATUSES)[Member.UNKNOWN_STATUS])
            doc["party"] = "Chưa rõ" if unknown else PARTY_LABELS[doc.get("is_party_member", True)]
        if key == "meetings":
            rows = doc.get("attendance") or []
            doc["presence"] = f"{sum(1 for a in rows if a.get('present', True))}/{len(rows)}" if rows else ""
        yield doc


def export_list(key: str, out: str | IO[bytes], org: Organisation, user: Any = None, *, base: Any = None,
                cap: int | None = None, today: dt.date | None = None, criteria: str = "") -> int:
    """Write the ``roster``, ``documents`` or ``meetings`` list of ``org``'s subtree (or the list
    screen's query ``base``); return the row count."""
    principal = acting_as(org, user)
    qs = base if base is not None else scope.in_subtree(MODELS[key], org, principal)
    if cap is not None and (count := qs.count()) > cap:
        raise ReportError(f"Danh sách có {count} bản ghi, vượt giới hạn xuất {cap} bản ghi mỗi lần. "
                          "Hãy lọc theo tổ chức hoặc điều kiện khác rồi xuất lại.")
    today = today or normalize.today()
    count = write_form(out, LISTS[key], title_block(org, today, today), _rows(key, qs))
    _audit(user, MODELS[key]._get_collection_name(), f"{LISTS[key].title}: {count} dòng", org, criteria)
    return count
