"""Classify each parsed row: create, update, unchanged or rejected (nothing is written here).

A record is identified by its natural key, the same one the unique index enforces:
person + normalised domain (form 1), person + platform + normalised URL (form 2).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bson import ObjectId

from models import Organisation, normalize

from .layouts import Form
from .matching import Matcher, NewPerson
from .parse import Row

#: fields that come from the person, not the record (copied from ``Member`` on save)
_OWNER_FIELDS = {"position"}


@dataclass
class Action:
    excel_row: int
    kind: str  # create | update | unchanged
    person: ObjectId | NewPerson
    values: dict[str, object]
    existing: ObjectId | None = None


@dataclass
class Plan:
    form: Form
    target: Organisation
    rows: int = 0
    actions: list[Action] = field(default_factory=list)
    errors: list[tuple[int, int, str]] = field(default_factory=list)  # (Excel row, column, message)
    new_people: dict[NewPerson, list[int]] = field(default_factory=dict)

    def count(self, kind: str) -> int:
        return sum(1 for a in self.actions if a.kind == kind)

    @property
    def rejected(self) -> int:
        return len({row for row, _, _ in self.errors})

    def reject(self, excel_row: int, errors: list[tuple[int, str]]) -> None:
        self.errors.extend((excel_row, col, msg) for col, msg in errors)


def natural_key(form: Form, person: object, values: dict) -> tuple:
    if form.kind == "sites":
        return person, _key(values.get("domain"))
    return person, values.get("platform"), _key(values.get("url"))


def _key(value: object) -> str | None:
    try:
        return normalize.url_key(value)
    except normalize.NormalizeError:
        return normalize.fold(value)


class Planner:
    def __init__(self, form: Form, target: Organisation) -> None:
        self.plan = Plan(form, target)
        self.matcher = Matcher(target)
        self.existing = self._load_existing(form, target)
        self.seen: dict[tuple, int] = {}

    @staticmethod
    def _load_existing(form: Form, target: Organisation) -> dict[tuple, dict]:
        extra = ["domain_key"] if form.kind == "sites" else ["url_key", "link_type", "admin_role"]
        fields = [c.field for c in form.columns if c.field] + ["member", "deleted_at", *extra]
        found = {}
        for doc in form.model.objects(scope=target.pk).only(*fields).as_pymongo():
            key = (doc["member"], doc.get("domain_key")) if form.kind == "sites" else (
                doc["member"], doc.get("platform"), doc.get("url_key"))
            found[key] = doc
        return found

    def add(self, row: Row) -> None:
        plan = self.plan
        plan.rows += 1
        errors = list(row.errors)
        person = None
        if row.cell:
            cell_id, error = self.matcher.cell(row.cell)
            if error is None and row.person:
                person, error = self.matcher.person(cell_id, row.person, row.values.get("position"))
            if error:
                errors.append((2 if cell_id is None else 3, error))
        if errors:
            return plan.reject(row.excel_row, sorted(errors))
        key = natural_key(plan.form, person, row.values)
        if key in self.seen:
            column = plan.form.key_column
            return plan.reject(row.excel_row, [(column, f"({column}) Trùng với dòng {self.seen[key]} trong tệp.")])
        self.seen[key] = row.excel_row
        if isinstance(person, NewPerson):
            plan.new_people.setdefault(person, []).append(row.excel_row)
        stored = self.existing.get(key)
        plan.actions.append(Action(row.excel_row, _classify(stored, row.values), person, row.values,
                                   stored["_id"] if stored else None))


def _classify(stored: dict | None, values: dict) -> str:
    if stored is None:
        return "create"
    if stored.get("deleted_at") is not None:
        return "update"  # restored: the file says the record exists
    for name, value in values.items():
        if name not in _OWNER_FIELDS and value not in (None, "") and stored.get(name) != value:
            return "update"
    return "unchanged"
