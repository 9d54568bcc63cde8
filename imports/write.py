"""Carry out a plan: create the new people, then upsert records on their natural keys.

Every created or changed record is validated by the model itself (``clean`` runs the
same ``RULES`` strictly, copies the owner's fields and computes the keys). New records
are written with ``$setOnInsert`` upserts filtered on the uniquely indexed natural key,
so a record that appeared meanwhile is left alone instead of duplicated.
"""

from __future__ import annotations

from collections.abc import Iterable

from mongoengine import ValidationError
from pymongo import UpdateOne
from pymongo.errors import BulkWriteError

from models import Member, Organisation
from models.accounts import recount_declarations

from .matching import NewPerson
from .plan import _OWNER_FIELDS, Action, Plan

BATCH = 1000


def execute(plan: Plan, numbers: dict[str, int]) -> dict[str, int]:
    """Write the plan; rows the model refuses move to ``plan.errors``. Returns the counts."""
    people = _create_people(plan, numbers)
    counts = {"created": 0, "updated": 0, "unchanged": plan.count("unchanged"), "people_created": len(people)}
    members = _members(plan, people)
    creates = [a for a in plan.actions if a.kind == "create" and a.person in members]
    for start in range(0, len(creates), BATCH):
        inserted, existed = _insert(plan, creates[start:start + BATCH], members, numbers)
        counts["created"] += inserted
        counts["unchanged"] += existed
    for action in (a for a in plan.actions if a.kind == "update"):
        counts["updated"] += _update(plan, action, numbers)
    recount_declarations(m.pk for m in members.values())  # bulk inserts skip the model's save()
    return counts


def _create_people(plan: Plan, numbers: dict[str, int]) -> dict[NewPerson, Member]:
    created = {}
    for person, rows in plan.new_people.items():
        cell = Organisation.objects(pk=person.cell_id).first()
        member = Member(full_name=person.name, organisation=cell, position=person.position)
        try:
            member.save()
        except ValidationError as exc:
            for row in rows:
                plan.reject(row, _messages(exc, numbers))
            continue
        created[person] = member
    return created


def _members(plan: Plan, people: dict[NewPerson, Member]) -> dict[object, Member]:
    """The people rows refer to, loaded once (one query on the indexed ``scope``)."""
    ids = {a.person for a in plan.actions if a.kind != "unchanged" and not isinstance(a.person, NewPerson)}
    found: dict[object, Member] = dict(people)
    if ids:
        for member in Member.objects(scope=plan.target.pk, deleted_at=None):
            if member.pk in ids:
                found[member.pk] = member
    return found


def _insert(plan: Plan, actions: list[Action], members: dict, numbers: dict[str, int]) -> tuple[int, int]:
    model = plan.form.model
    ops = []
    for action in actions:
        doc = model(member=members[action.person], **_record_values(action.values))
        try:
            doc.validate()
        except ValidationError as exc:
            plan.reject(action.excel_row, _messages(exc, numbers))
            continue
        son = doc.to_mongo().to_dict()
        key = {k: son.get(k) for k in _key_fields(plan)}
        ops.append(UpdateOne(key, {"$setOnInsert": son}, upsert=True))
    if not ops:
        return 0, 0
    inserted = _bulk(model, ops)
    return inserted, len(ops) - inserted


def _bulk(model: type, ops: list[UpdateOne]) -> int:
    collection = model._get_collection()
    if type(collection).__module__.startswith("mongomock"):
        # mongomock 4.3 cannot take pymongo 4.20's UpdateOne in bulk_write: same upserts, one by one.
        return sum(collection.update_one(op._filter, op._doc, upsert=True).upserted_id is not None for op in ops)
    try:
        return collection.bulk_write(ops, ordered=False).upserted_count
    except BulkWriteError as exc:
        # Two upserts racing on one key: the loser hits the unique index; retried, it
        # matches the winner's record and inserts nothing.
        failed = [ops[e["index"]] for e in exc.details.get("writeErrors", []) if e.get("code") == 11000]
        if len(failed) != len(exc.details.get("writeErrors", [])):
            raise
        done = exc.details.get("nUpserted", 0)
        return done + (collection.bulk_write(failed, ordered=False).upserted_count if failed else 0)


def _update(plan: Plan, action: Action, numbers: dict[str, int]) -> int:
    doc = plan.form.model.objects(pk=action.existing).first()
    if doc is None:  # removed meanwhile: nothing to update, nothing lost
        plan.reject(action.excel_row, [(0, "Bản ghi đã bị xóa trong lúc nhập; hãy nhập lại tệp.")])
        return 0
    for name, value in _record_values(action.values).items():
        if value not in (None, ""):
            setattr(doc, name, value)
    doc.deleted_at = None
    try:
        doc.save()
    except ValidationError as exc:
        plan.reject(action.excel_row, _messages(exc, numbers))
        return 0
    return 1


def _record_values(values: dict) -> dict:
    return {k: v for k, v in values.items() if k not in _OWNER_FIELDS}


def _key_fields(plan: Plan) -> Iterable[str]:
    return ("member", "domain_key") if plan.form.kind == "sites" else ("member", "platform", "url_key")


def _messages(exc: ValidationError, numbers: dict[str, int]) -> list[tuple[int, str]]:
    """Flatten MongoEngine's nested errors (``clean`` errors sit under ``__all__``)."""
    out: list[tuple[int, str]] = []
    for name, err in (exc.errors or {}).items():
        if isinstance(err, ValidationError) and err.errors:
            out.extend(_messages(err, numbers))
        else:
            out.append((numbers.get(name, 0), str(getattr(err, "message", None) or err)))
    return out or [(0, str(exc.message))]
