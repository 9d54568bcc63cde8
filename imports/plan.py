"""Stage 7, plan: each row becomes create, update (with its changes), unchanged or rejected.

A record is identified by its natural key, the one the unique index enforces: person +
normalised domain (form 1), person + platform + normalised URL (form 2). Every create
and update is validated here with the model's own rules and field validators
(:mod:`imports.records`: what ``Document.validate()`` runs, on plain values), and the
write stores exactly the record validated here: the preview and the confirm run the same
checks, so the preview never promises a row that the confirm rejects. Nothing is
written here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field

import bson
from bson import ObjectId
from mongoengine import ValidationError

from models import Member, Organisation, normalize
from models.base import label_of

from .layouts import Form
from .people import CHOOSE, FILE, NEW, Candidate, Matcher, NewPerson
from .people import _cell_key as people_cell_key
from .records import Records
from .values import FORMULA_MESSAGE, Row

#: fields that come from the person, not the record (copied from ``Member`` on save)
OWNER_FIELDS = {"position"}
#: what a kept action still shows of its row (the record's address; see admin.imports)
_SHOWN = ("url", "domain")
#: the register's own time (column (11)/(12)): set when the printed row changes, never read
#: from a file; the file's cell only tells how old the file's row is
TIME_FIELD = "updated_on"
_AS_OF = re.compile(r"c[aậ]p nh[aậ]t đ[eế]n ng[aà]y\s*(\d{1,2})\s*(?:/|th[aá]ng)\s*(\d{1,2})\s*(?:/|n[aă]m)\s*(\d{4})", re.I)
_MESSAGES = {"String value is too long": "quá dài (tối đa {} ký tự)", "Field is required": "bắt buộc phải nhập"}


@dataclass(slots=True)
class Action:
    sheet: str
    excel_row: int
    kind: str  # create | update | unchanged
    person: ObjectId | NewPerson
    values: dict[str, object]
    existing: ObjectId | None = None
    changes: dict[str, tuple[object, object]] = field(default_factory=dict)  # field -> (before, after)
    son: bytes | None = None  # the validated record as stored (create/update), BSON-encoded
    name: str = ""  # the person as the file names them
    #: the file is older than the stored record, which changed since: the stored values stay
    #: unless the officer chose the file's (then ``kind`` is update)
    conflict: bool = False
    file_date: dt.date | None = None
    stored_date: dt.date | None = None
    #: an unchanged row that prints the stored record's own invalid data (legacy records):
    #: (column, field, Vietnamese message); the record is to be fixed, the row writes nothing
    warnings: list[tuple[int, str, str]] = field(default_factory=list)

    def record(self) -> dict:
        """The validated record, as it is written."""
        return bson.decode(self.son)


@dataclass
class Plan:
    form: Form
    target: Organisation
    rows: int = 0
    actions: list[Action] = field(default_factory=list)
    errors: list[tuple[str, int, int, str]] = field(default_factory=list)  # (sheet, row, column, message)
    new_people: dict[NewPerson, list[tuple[str, int]]] = field(default_factory=dict)
    candidates: list[Candidate] = field(default_factory=list)
    people: dict[object, Member] = field(default_factory=dict)  # member id / NewPerson -> Member
    records: Records | None = None
    keep: bool = True  # keep the validated records (confirm), or only validate them (preview)
    #: cell names the target does not know -> its units, nearest first (the officer picks one)
    unknown_cells: dict[str, list[dict]] = field(default_factory=dict)
    cell_rows: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    chosen_cells: dict[str, ObjectId] = field(default_factory=dict)  # the officer's picks (learnt on confirm)
    nearest: dict[NewPerson, list[dict]] = field(default_factory=dict)  # new person -> nearest existing
    who: dict[tuple[str, int], tuple[str, str]] = field(default_factory=dict)  # rejected row -> (name, URL)

    def count(self, kind: str) -> int:
        return sum(1 for a in self.actions if a.kind == kind)

    def reject(self, sheet: str, excel_row: int, errors: list[tuple[int, str]], row: Row | None = None,
               name: str = "", key: str = "") -> None:
        self.errors.extend((sheet, excel_row, col, msg) for col, msg in errors)
        if row is not None:
            name = row.person or ""
            key = str(row.values.get("url") or row.values.get("domain") or "")
        if name or key:
            self.who[(sheet, excel_row)] = (name, key)

    def cell_name(self, cell_id: ObjectId) -> str:
        member = next((m for p, m in self.people.items() if isinstance(p, NewPerson) and p.cell_id == cell_id), None)
        return getattr(getattr(member, "organisation", None), "name", "") or ""

    @property
    def conflicts(self) -> list[Action]:
        return [a for a in self.actions if a.conflict]


def fingerprint(actions: list[Action], errors: list[tuple[str, int, int, str]], candidates: list[Candidate],
                cells: dict[str, list[tuple[str, int]]] | None = None,
                options: dict[str, list[dict]] | None = None) -> str:
    """What the officer is shown of a plan, as one digest: every row's outcome (create,
    update with each change before -> after, unchanged, rejected with its message), whose
    it is, and the possible duplicates. The confirm plans again against the current
    register and writes only if this is still what the preview showed (preview = result).
    Rows waiting on a choice are left out (a possible duplicate, an unknown cell: the choice
    changes them), and a conflict counts as a conflict whichever value the officer chose."""
    waiting = {at for rows in (cells or {}).values() for at in rows}
    shown = [c for c in candidates if not any(at in waiting for at in c.rows)]
    chosen = waiting | {(sheet, row) for c in candidates for sheet, row in c.rows}
    lines = [repr(("row", a.sheet, a.excel_row, "conflict" if a.conflict else a.kind, repr(a.person),
                   str(a.existing or ""), sorted((name, repr(change)) for name, change in a.changes.items())))
             for a in actions if (a.sheet, a.excel_row) not in chosen]
    lines += [repr(("error", *e)) for e in errors if (e[0], e[1]) not in chosen]
    lines += [repr(("warning", a.sheet, a.excel_row, *w)) for a in actions if a.warnings
              and (a.sheet, a.excel_row) not in chosen for w in a.warnings]
    lines += [repr(("maybe", c.key, sorted(m["id"] for m in c.members))) for c in shown]
    lines += [repr(("cell", name, [o["id"] for o in found])) for name, found in (options or {}).items()]
    return hashlib.sha256("\n".join(sorted(lines)).encode()).hexdigest()


def natural_key(form: Form, person: object, values: dict) -> tuple:
    if form.kind == "sites":
        return person, normalize.address_key(values.get("domain"))
    return person, values.get("platform"), normalize.address_key(values.get("url"))


def file_date(title: list[str]) -> dt.date | None:
    """The file's own "Cập nhật đến ngày …" (title block), if it says one."""
    for text in title[:80]:
        match = _AS_OF.search(text or "")
        if match:
            try:
                return dt.date(int(match[3]), int(match[2]), int(match[1]))
            except ValueError:
                return None
    return None


def build(form: Form, target: Organisation, rows: list[Row], matcher: Matcher,
          resolutions: dict[str, str] | None = None, *, keep: bool = True,
          as_of: dict[str, dt.date | None] | None = None) -> Plan:
    """Match, classify and validate every row (bulk look-ups: a constant number of queries).
    ``keep``: keep the validated records for the write (the preview validates the same way
    and drops them: it needs only what they change). With ``keep`` the rows are consumed:
    each row's values are dropped once its record is built (see ``_add``). ``as_of``: sheet
    -> the file's "Cập nhật đến ngày" (a row without its own date is that old)."""
    plan = Plan(form, target, records=Records(form.model), keep=keep)
    resolutions = resolutions or {}
    plan.chosen_cells = choose_cells(matcher, target, resolutions)
    matched: list[tuple[Row, object]] = []
    #: rows whose only errors are their values, of a member already known: they may print a
    #: stored record's own invalid data (decided once the stored records are loaded)
    as_stored: dict[tuple[str, int], list[tuple[int, str]]] = {}
    identities = _identities(form, target, rows)
    for row in rows:
        plan.rows += 1
        errors = list(row.errors)
        person = None
        if row.cell:
            cell_id, error = matcher.cell(row.cell)
            if row.cell in matcher.unknown_cells:
                plan.cell_rows.setdefault(row.cell, []).append((row.sheet, row.excel_row))
            if error is None and row.person:
                values = row.values
                person, error = matcher.person(cell_id, row.person, values.get("position"),
                                               values.get("registration_phone"), values.get("registration_email"),
                                               values.get("url"))
            if error or person in matcher.homonyms:
                found = _identified(identities.get(row.record_id), row)
                person, error = (found, None) if found is not None else (person, error)
            if error:
                errors.append((2 if cell_id is None else 3, error))
        if errors and isinstance(person, ObjectId) and len(errors) == len(row.errors) \
                and all(col not in (2, 3) and FORMULA_MESSAGE not in msg for col, msg in errors):
            as_stored[(row.sheet, row.excel_row)] = sorted(errors)
            matched.append((row, person))
        elif errors:
            plan.reject(row.sheet, row.excel_row, sorted(errors), row)
        else:
            matched.append((row, person))
    matcher.finish()
    plan.unknown_cells = dict(matcher.unknown_cells)
    _resolve(plan, matcher, matched, resolutions)
    waiting = {p for _, p in matched if isinstance(p, NewPerson)}
    plan.nearest = {p: n for p, n in matcher.nearest.items() if p in waiting}
    _load_people(plan, matched)
    existing = _load_existing(form, {p for _, p in matched if isinstance(p, ObjectId)})
    seen: dict[tuple, tuple[str, int]] = {}
    for row, person in matched:
        if isinstance(person, NewPerson) and person not in plan.people:
            continue  # rejected with its new person
        key = natural_key(form, person, row.values)
        pending = as_stored.get((row.sheet, row.excel_row))
        if key in seen:
            column = form.key_column
            sheet, at = seen[key]
            plan.reject(row.sheet, row.excel_row, [(column, f"({column}) Trùng với dòng {at} (trang “{sheet}”) trong tệp."),
                                                   *(pending or [])], row)
            continue
        seen[key] = (row.sheet, row.excel_row)
        if pending is not None:
            _add_as_stored(plan, row, person, existing.get(key), pending)
            continue
        _add(plan, row, person, existing.get(key), (as_of or {}).get(row.sheet), resolutions)
    return plan


def choose_cells(matcher: Matcher, target: Organisation, resolutions: dict[str, str]) -> dict[str, ObjectId]:
    """``cell:<name as the file types it>`` = a unit id of the target: the officer's answer
    for a cell name the target does not know (kept as that unit's alias on confirm, see
    :func:`imports.service.learn_aliases`). Returns the answers taken (forms 1/2, roster)."""
    chosen: dict[str, ObjectId] = {}
    for key, value in resolutions.items():
        if key.startswith("cell:") and ObjectId.is_valid(value):
            name = key[5:]
            if not matcher.cells.get(people_cell_key(name)):
                matcher.unknown_cells[name] = matcher.nearest_cells(name)
                if ObjectId(value) in matcher.cell_names and ObjectId(value) != target.pk:
                    matcher.choose_cell(name, ObjectId(value))
                    chosen[name] = ObjectId(value)
    return chosen


def _identities(form: Form, target: Organisation, rows: list[Row]) -> dict[str, dict]:
    """Records named by the export's identity column, within the target's subtree (one query)."""
    ids = {ObjectId(r.record_id) for r in rows if r.record_id and ObjectId.is_valid(r.record_id)}
    if not ids:
        return {}
    query = {"_id": {"$in": list(ids)}, "scope": target.pk}
    fields = {"member": 1, "member_name": 1, "org_name": 1}
    return {str(d["_id"]): d for d in form.model._get_collection().find(query, fields)}


def _identified(stored: dict | None, row: Row) -> ObjectId | None:
    """The record's owner, when the row still names the same person in the same cell (an
    edited name or cell is matched by name, as any other row)."""
    if stored is None or not row.person or not row.cell:
        return None
    same = (normalize.name_key(stored.get("member_name")) == normalize.name_key(row.person)
            and normalize.fold(stored.get("org_name")).replace(" ", "") == normalize.fold(row.cell).replace(" ", ""))
    return stored["member"] if same else None


def _resolve(plan: Plan, matcher: Matcher, matched: list, resolutions: dict[str, str]) -> None:
    """Possible duplicates: the officer's choice (an existing member's id, or "new");
    without a choice the rows wait (rejected with the reason) instead of guessing."""
    where = _rows_of(matched)  # each new person's rows, in one pass (not one pass per person)
    choices: dict[NewPerson, object] = {}
    for person, candidate in matcher.candidates.items():
        choice = resolutions.get(candidate.key)
        rows = where.get(person, [])
        if not rows:  # every row of it was identified otherwise (the export's identity column)
            continue
        candidate.rows = rows
        plan.candidates.append(candidate)
        if choice == NEW:
            continue
        ids = {m["id"] for m in candidate.members}
        choices[person] = ObjectId(choice) if choice in ids else candidate
    if not choices:
        return
    for index, (row, p) in enumerate(matched):
        chosen = choices.get(p) if isinstance(p, NewPerson) else None
        if chosen is None:
            continue
        if isinstance(chosen, ObjectId):
            matched[index] = (row, chosen)
        else:
            names = "; ".join(f"{m['name']} ({m['why']})" for m in chosen.members)
            plan.reject(row.sheet, row.excel_row, [(3, f"{plan.form.label('member_name')}: “{p.name}” có thể trùng với "
                                                      f"{names}; {CHOOSE}.")], row)
            matched[index] = (row, None)
    matched[:] = [(r, p) for r, p in matched if p is not None]


def _rows_of(matched: list) -> dict[NewPerson, list[tuple[str, int]]]:
    out: dict[NewPerson, list[tuple[str, int]]] = {}
    for r, p in matched:
        if isinstance(p, NewPerson):
            out.setdefault(p, []).append((r.sheet, r.excel_row))
    return out


def _load_people(plan: Plan, matched: list) -> None:
    ids = {p for _, p in matched if isinstance(p, ObjectId)}
    sons = list(Member._get_collection().find({"_id": {"$in": list(ids)}, "deleted_at": None})) if ids else []
    new = {p for _, p in matched if isinstance(p, NewPerson)}
    wanted = {p.cell_id for p in new} | {son.get("organisation") for son in sons}
    cells = {o.pk: o for o in Organisation.objects(id__in=list(wanted))} if wanted else {}
    for son in sons:  # their cells from the one query above, not one query each
        owner = Owner.of(son, cells.get(son.get("organisation")))
        plan.people[owner.pk] = owner
    where = _rows_of(matched)
    for person in new:
        # its id is chosen now, so that its records validate before it is written (on confirm)
        # what a form 1/2 row does not say stays to be completed: status and party membership
        # "chưa rõ" (Member.UNKNOWN_STATUS, never counted as a party member), no gender
        member = Member(id=ObjectId(), full_name=person.name, organisation=cells.get(person.cell_id),
                        position=person.position, status=Member.UNKNOWN_STATUS, is_party_member=False)
        rows = where.get(person, [])
        try:
            member.validate()
        except ValidationError as exc:
            for sheet, at in rows:
                plan.reject(sheet, at, messages(exc, Member, {"position": 4, "full_name": 3}), name=person.name)
            continue
        plan.people[person] = member
        plan.new_people[person] = rows


@dataclass(frozen=True)
class Owner:
    """What a stored member's records copy of them (``owner_values``), read from the stored
    document without building a ``Member`` per person; defaults as the model's."""

    pk: ObjectId
    organisation: Organisation | None
    scope: list
    org_name: str | None
    org_key: str | None
    full_name: str | None
    sort_key: str | None
    position: str | None
    owner_status: str
    is_party_member: bool

    @classmethod
    def of(cls, son: dict, organisation: Organisation | None) -> Owner:
        defaults = Member._fields
        return cls(son["_id"], organisation, list(son.get("scope") or []), son.get("org_name"), son.get("org_key"),
                   son.get("full_name"), son.get("sort_key"), son.get("position"),
                   Member.owner_status_of(son.get("status", defaults["status"].default)),
                   son.get("is_party_member", defaults["is_party_member"].default))


def _load_existing(form: Form, members: set) -> dict[tuple, dict]:
    """The stored records of the people the file names (indexed ``member`` look-up)."""
    found = {}
    if not members:
        return found
    for doc in form.model._get_collection().find({"member": {"$in": list(members)}}):
        key = (doc["member"], doc.get("domain_key")) if form.kind == "sites" else (
            doc["member"], doc.get("platform"), doc.get("url_key"))
        found[key] = doc
    return found


def _add(plan: Plan, row: Row, person: object, stored: dict | None, as_of: dt.date | None,
         resolutions: dict[str, str]) -> None:
    form, values = plan.form, row.values
    own = values.pop(TIME_FIELD, None)  # the register's time is never read from the file
    if stored and stored.get("link_type") in ("page", "group") and values.get("link_type") in ("page", "group"):
        values["link_type"] = stored["link_type"]  # a page/group: how the officer filed it stays
    changes = {} if stored is None else _changes(stored, values)
    kind = "create" if stored is None else ("update" if changes or stored.get("deleted_at") else "unchanged")
    action = Action(row.sheet, row.excel_row, kind, person, values, stored["_id"] if stored else None, changes,
                    name=row.person or "")
    if kind == "update" and changes:
        dated = own.date() if isinstance(own, dt.datetime) else (own if isinstance(own, dt.date) else as_of)
        last = stored.get(TIME_FIELD)
        if dated is not None and isinstance(last, dt.datetime) and dated < last.date():
            action.conflict, action.file_date, action.stored_date = True, dated, last.date()
            if resolutions.get(f"conflict:{stored['_id']}") != FILE:
                action.kind = kind = "unchanged"  # the newer stored data stays unless the officer chose the file's
    if kind != "unchanged":
        son, error = plan.records.build(stored, values, plan.people[person], OWNER_FIELDS)
        if error is not None:
            plan.reject(row.sheet, row.excel_row, messages(error, form.model, _numbers(form)), row)
            return
        # kept as the BSON the server receives: a third of the memory of the dict (a confirm
        # holds every record of the file until the write), and the same values (datetimes
        # in milliseconds, as MongoDB stores them)
        action.son = bson.encode(son) if plan.keep else None
    if plan.keep and not action.conflict:  # the confirm writes the record and reports counts: the row's values can go
        row.values = action.values = {k: values[k] for k in _SHOWN if k in values}
    plan.actions.append(action)


def _add_as_stored(plan: Plan, row: Row, person: ObjectId, stored: dict | None,
                   errors: list[tuple[int, str]]) -> None:
    """A row refused by the rules is **unchanged** when it prints exactly the stored record,
    whose own data is invalid (legacy records kept with ``quality_issues``): every refused
    cell is one the record itself flags, and every cell equals the record's. It writes
    nothing and is shown with a warning naming the record's invalid cells (to be fixed on
    the record). Anything else (a new record, a change, another refused cell) is rejected
    with the row's errors, as any invalid row."""
    form, values = plan.form, row.values
    flagged = {name: kind for kind, _, name in (c.partition(":") for c in (stored or {}).get("quality_issues") or [])}
    numbers = _numbers(form)
    columns = {numbers.get(name) for name in flagged}
    values.pop(TIME_FIELD, None)  # the register's time is never read from the file
    values.pop("_link", None)
    if stored and stored.get("link_type") in ("page", "group") and values.get("link_type") in ("page", "group"):
        values["link_type"] = stored["link_type"]
    same = stored is not None and not stored.get("deleted_at") and all(col in columns for col, _ in errors) \
        and not _changes(stored, {k: v for k, v in values.items() if k not in flagged}) \
        and all(same_text(values.get(name), stored.get(name)) for name in flagged)
    if not same:
        plan.reject(row.sheet, row.excel_row, errors, row)
        return
    warnings = sorted((numbers.get(name, 0), name, stored_problem(label_of(form.model, name), kind, stored.get(name),
                                                                  name in OWNER_FIELDS))
                      for name, kind in flagged.items())
    action = Action(row.sheet, row.excel_row, "unchanged", person, values, stored["_id"], name=row.person or "",
                    warnings=warnings)
    if plan.keep:
        row.values = action.values = {k: values[k] for k in _SHOWN if k in values}
    plan.actions.append(action)


def same_text(value: object, stored: object) -> bool:
    """A cell as the file holds it and the stored (unnormalised) value it printed."""
    if value in (None, "", []) or stored in (None, "", []):
        return value in (None, "", []) and stored in (None, "", [])
    return normalize.text(str(value)) == normalize.text(str(stored))


def stored_problem(label: str, kind: str, value: object, person: bool = False) -> str:
    """The warning of an unchanged row that prints the stored record's invalid cell ``label``
    (``kind``: missing | invalid; ``person``: the cell belongs to the person's own record)."""
    what = f"thiếu {label}" if kind == "missing" else f"có {label} sai định dạng (“{normalize.text(str(value))}”)"
    where = "hồ sơ người này (cán bộ, đảng viên)" if person else "bản ghi đang lưu"
    return (f"Không đổi, nhưng {where} {what}: dòng giống hệt dữ liệu đã lưu nên không ghi gì; "
            f"hãy sửa trên {'hồ sơ người này' if person else 'bản ghi'}.")


def _changes(stored: dict, values: dict) -> dict[str, tuple[object, object]]:
    return {name: (stored.get(name), value) for name, value in values.items()
            if name not in OWNER_FIELDS and value not in (None, "") and stored.get(name) != value}


def _numbers(form: Form) -> dict[str, int]:
    return form.numbers()


def messages(exc: ValidationError, model: type, numbers: dict[str, int]) -> list[tuple[int, str]]:
    """MongoEngine's nested errors as (column, Vietnamese message)."""
    out: list[tuple[int, str]] = []
    for name, err in (exc.errors or {}).items():
        if isinstance(err, ValidationError) and err.errors:
            out.extend(messages(err, model, numbers))
            continue
        text = str(getattr(err, "message", None) or err)
        for english, vietnamese in _MESSAGES.items():
            if text.startswith(english):
                limit = getattr(model._fields.get(name), "max_length", None)
                rule = getattr(model, "RULES", {}).get(name)
                label = rule.label if rule else f"({numbers.get(name, '')}) {name}"
                text = f"{label}: {vietnamese.format(limit)}."
        out.append((numbers.get(name, 0), text))
    return out or [(0, str(exc.message))]
