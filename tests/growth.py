"""Grow the tree, not only the register: copies of the other communes under the district.

``tests/budget.py``'s ``replicate`` multiplies the people of the same units. A province
grows by units too: since the 2025 reorganisation a committee holds hundreds of communes.
``grow_communes`` copies every commune but one (with its cells, people, records, meetings,
tasks, transfers and proposals) ``factor - 1`` times under the same parent, so that a
page can be measured as the units around it multiply while the kept commune's own subtree,
and everything that mentions it, stays exactly as it was.
"""

from __future__ import annotations

from typing import Any

from bson import ObjectId

from tests.budget import bulk_load

#: collections whose documents belong to a unit (their ``scope``), copied with it
OWNED = ("members", "social_accounts", "sites", "meetings", "tasks", "transfer_orders", "handbook_proposals",
         "handbook_lists", "study_records", "party_documents", "study_campaigns")
_UNIQUE_TEXT = {"code": "{}-{}", "tree_key": "{}-{}", "url_key": "{}/c{}", "domain_key": "{}/c{}", "url": "{}/c{}",
                "domain": "{}/c{}"}


def _ids(value: Any) -> set[ObjectId]:
    if isinstance(value, ObjectId):
        return {value}
    if isinstance(value, dict):
        return set().union(*map(_ids, value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*map(_ids, value)) if value else set()
    return set()


def _remap(value: Any, ids: dict[ObjectId, ObjectId]) -> Any:
    if isinstance(value, ObjectId):
        return ids.get(value, value)
    if isinstance(value, dict):
        return {k: _remap(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_remap(v, ids) for v in value]
    return value


def _copy(doc: dict, ids: dict[ObjectId, ObjectId], k: int) -> dict:
    out = _remap(doc, ids)
    for key, shape in _UNIQUE_TEXT.items():
        if isinstance(out.get(key), str):
            out[key] = shape.format(out[key], k)
    if out.get("party_card_number"):
        out["party_card_number"] = f"c{k:02d}{out['party_card_number']}"
    return out


def grow_communes(factor: int, keep: str = "X01") -> dict[str, int]:
    """Copy the units beside ``keep`` (its siblings and their subtrees) ``factor - 1`` times.

    A document is copied when it belongs to a copied unit and mentions nothing of ``keep``'s
    subtree (a transfer from a sibling to ``keep`` is not copied: ``keep``'s incoming list
    must not change)."""
    from mongoengine import get_db

    db = get_db()
    kept = db.organisations.find_one({"code": keep})
    siblings = [o["_id"] for o in db.organisations.find({"parent": kept["parent"], "_id": {"$ne": kept["_id"]}})]
    units = list(db.organisations.find({"scope": {"$in": siblings}}))
    protected = {o["_id"] for o in db.organisations.find({"scope": kept["_id"]})}
    owned = {name: [d for d in db[name].find({"scope": {"$in": siblings}}) if not _ids(d) & protected]
             for name in OWNED}
    out: dict[str, list[dict]] = {"organisations": [], **{name: [] for name in OWNED}}
    for k in range(1, factor):
        ids = {d["_id"]: ObjectId() for docs in (units, *owned.values()) for d in docs}
        out["organisations"] += [_copy(o, ids, k) for o in units]
        for name, docs in owned.items():
            out[name] += [_copy(d, ids, k) for d in docs]
    for name, docs in out.items():
        bulk_load(db[name], docs)
    return {name: db[name].count_documents({}) for name in out}
