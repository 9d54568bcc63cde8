"""Stage 8, write: create the new people, then bulk-write the validated records.

The plan has validated every document already (the preview ran the same checks). New
records are ``$setOnInsert`` upserts filtered on the uniquely indexed natural key, so a
record that appeared meanwhile is left alone instead of duplicated; changed records are
replaced by their validated version. Writes go in batches of ``BATCH`` (a constant
number of round trips per thousand rows). A write the server does not acknowledge
(write-concern error) fails the import: it is never counted as done.
"""

from __future__ import annotations

from mongoengine import ValidationError
from pymongo import ReplaceOne, UpdateOne
from pymongo.errors import BulkWriteError

from models import Member
from models.accounts import recount_declarations
from services import members

from .errors import ImportFileError
from .people import NewPerson
from .plan import Plan, messages

BATCH = 1000


def execute(plan: Plan) -> dict[str, int]:
    """Write the plan; returns the counts."""
    people = _create_people(plan)
    counts = {"created": 0, "updated": 0, "unchanged": plan.count("unchanged"), "people_created": len(people)}
    creates = [a for a in plan.actions if a.kind == "create" and _owner_saved(a, people)]
    updates = [a for a in plan.actions if a.kind == "update"]
    for start in range(0, len(creates), BATCH):
        inserted, existed = _insert(plan, creates[start:start + BATCH])
        counts["created"] += inserted
        counts["unchanged"] += existed
    for start in range(0, len(updates), BATCH):
        counts["updated"] += _replace(plan, updates[start:start + BATCH])
    # bulk writes skip the model's save(): the owners' declared counts are set here
    recount_declarations(_owner_id(a, people) for a in creates + updates)
    return counts


def _owner_id(action, people: dict[NewPerson, Member]) -> object:
    return people[action.person].pk if isinstance(action.person, NewPerson) else action.person


def _owner_saved(action, people: dict[NewPerson, Member]) -> bool:
    return not isinstance(action.person, NewPerson) or action.person in people


def _create_people(plan: Plan) -> dict[NewPerson, Member]:
    created = {}
    for person, rows in plan.new_people.items():
        member = plan.people[person]
        try:
            members.save(member, audited=False)  # the import's own entry names the run
        except ValidationError as exc:  # changed since the plan was made
            for sheet, at in rows:
                plan.reject(sheet, at, messages(exc, Member, {"position": 4, "full_name": 3}))
            continue
        created[person] = member
    return created


def _insert(plan: Plan, actions: list) -> tuple[int, int]:
    keys = ("member", "domain_key") if plan.form.kind == "sites" else ("member", "platform", "url_key")
    ops = []
    for action in actions:
        son = action.record()  # the owner's id was chosen when the plan was made
        ops.append(UpdateOne({k: son.get(k) for k in keys}, {"$setOnInsert": son}, upsert=True))
    inserted = _bulk(plan.form.model, ops, "upserted_count")
    return inserted, len(ops) - inserted


def _replace(plan: Plan, actions: list) -> int:
    ops = [ReplaceOne({"_id": a.existing}, a.record()) for a in actions]
    done = _bulk(plan.form.model, ops, "matched_count")
    if done < len(ops):  # removed meanwhile: nothing to update, nothing lost
        still = {d["_id"] for d in plan.form.model._get_collection().find(
            {"_id": {"$in": [a.existing for a in actions]}}, {"_id": 1})}
        for action in actions:
            if action.existing not in still:
                plan.reject(action.sheet, action.excel_row, [(0, "Bản ghi đã bị xóa trong lúc nhập; hãy nhập lại tệp.")])
    return done


def _bulk(model: type, ops: list, counter: str) -> int:
    if not ops:
        return 0
    collection = model._get_collection()
    try:
        return getattr(collection.bulk_write(ops, ordered=False), counter)
    except BulkWriteError as exc:
        details = exc.details or {}
        if details.get("writeConcernErrors"):
            raise ImportFileError("Cơ sở dữ liệu không xác nhận việc ghi (write concern); không coi là đã nhập. "
                                  "Hãy kiểm tra rồi nhập lại tệp (nhập lại không tạo bản trùng).") from None
        errors = details.get("writeErrors", [])
        if any(e.get("code") != 11000 for e in errors):
            raise
        # Two upserts racing on one key: the loser hits the unique index; retried, it
        # matches the winner's record and inserts nothing.
        done = details.get("nUpserted" if counter == "upserted_count" else "nMatched", 0)
        retry = [ops[e["index"]] for e in errors]
        return done + getattr(collection.bulk_write(retry, ordered=False), counter)
