"""Stage 6, people: whose file it is, which cell of the target, which person in it.

Names are matched **exactly** on their canonical form (invisible characters removed,
look-alike letters folded, spaces collapsed, case ignored, every diacritic kept):
``Đặng Thu Hoa`` is not ``Đặng Thu Hòa``. Someone new whose name without diacritics, or
whose phone, matches an existing member is a *possible duplicate*: shown in the preview
for the officer to resolve (same person or a new one), never decided silently.

Only the target's subtree is loaded (``scope`` equality), and only the cells and people
the file names: a one-row file into a district costs one row's worth of queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bson import ObjectId

from models import Member, Organisation, normalize

from .errors import ImportFileError


def _cell_key(name: object) -> str:
    return normalize.fold(normalize.clean_text(name)).replace(" ", "")


#: the choice that makes a possible duplicate someone new (the other choice: a member's id)
NEW = "new"


#: why a possible duplicate's rows wait: where the choice is made
CHOOSE = "hãy chọn trong phần xem trước (trên dòng lệnh: --resolve)"


def valid_choice(value: object) -> bool:
    """A possible duplicate's choice as the preview and the command line take it: ``NEW``
    or a member's id (which must also be one of that duplicate's members to count)."""
    return value == NEW or (isinstance(value, str) and ObjectId.is_valid(value))


@dataclass(frozen=True)
class NewPerson:
    """Someone the file names who is not yet in the register; created on confirm."""

    cell_id: ObjectId
    name: str
    position: str | None


@dataclass
class Candidate:
    """A possible duplicate of a new person: an existing member with the same name
    without diacritics, or the same phone."""

    person: NewPerson
    members: list[dict] = field(default_factory=list)  # {"id", "name", "cell", "why"}
    rows: list[tuple[str, int]] = field(default_factory=list)
    born: str = ""  # the roster's people are also told apart by their birth date (ISO)

    @property
    def key(self) -> str:
        key = f"{self.person.cell_id}:{normalize.name_key(self.person.name)}"
        return f"{key}:{self.born}" if self.born else key


def check_owner(title: list[str], target: Organisation) -> None:
    """Refuse a file whose title block names another unit (not the target, not one of its
    units, not one of its superiors), before anything is written."""
    keys = {k for text in title[:12] for k in _org_keys(text)}
    if not keys:
        return
    found = list(Organisation.objects(name_key__in=sorted(keys)).only("id", "name", "scope"))
    if not found:
        return
    own = [o for o in found if target.pk in (o.scope or []) or o.pk in (target.scope or [])]
    foreign = [o for o in found if o not in own]
    if foreign and not any(target.pk in (o.scope or []) for o in own):
        names = ", ".join(sorted({o.name for o in foreign}))
        raise ImportFileError(f"Tệp này là của {names} (theo phần tiêu đề), không phải của {target.name}; "
                              "không nhập vào đơn vị khác.")


def check_cells(matcher: Matcher, cells: set[str], target: Organisation) -> None:
    """Refuse a file none of whose cells (2) is a unit of the target while they are units of
    another organisation: it is that organisation's file."""
    if not cells or any(matcher.cells.get(_cell_key(c)) for c in cells):
        return
    keys = sorted({normalize.fold(normalize.clean_text(c)) for c in cells})
    found = Organisation.objects(name_key__in=keys).only("id", "parent")
    owners = {o.parent.name for o in found if o.parent is not None}
    if owners:
        raise ImportFileError(f"Các chi bộ ở cột (2) của tệp thuộc {', '.join(sorted(owners))}, không thuộc "
                              f"{target.name}; không nhập vào đơn vị khác.")


_PREFIX = {"dang bo huyen ": ("huyen uy ",), "dang bo thanh pho ": ("thanh uy ",), "dang bo tinh ": ("tinh uy ",),
           "dang bo quan ": ("quan uy ",), "dang bo thi xa ": ("thi uy ",), "dang uy ": ("dang bo ",),
           "dang bo ": ("dang uy ",), "chi uy ": ("chi bo ",)}


def _org_keys(text: str) -> set[str]:
    folded = normalize.fold(normalize.clean_text(text))
    if not folded or len(folded) > 120 or not folded.startswith(("dang", "chi ", "huyen", "thanh", "tinh")):
        return set()
    out = {folded}
    for prefix, others in _PREFIX.items():
        if folded.startswith(prefix):
            out.update(o + folded[len(prefix):] for o in others)
    return out


class Matcher:
    def __init__(self, target: Organisation, cells: set[str], people: set[str]) -> None:
        self.target = target
        self.cells: dict[str, list[ObjectId]] = {}
        for org in Organisation.objects(scope=target.pk).only("id", "name").as_pymongo():
            self.cells.setdefault(_cell_key(org["name"]), []).append(org["_id"])
        self.people: dict[tuple[ObjectId, str], list[ObjectId]] = {}
        self.loose: dict[tuple[ObjectId, str], list[dict]] = {}
        self.phones: dict[str, list[dict]] = {}
        cell_ids = [i for k in {_cell_key(c) for c in cells} for i in self.cells.get(k, [])]
        if cell_ids:  # only the cells the file names: indexed ``organisation`` equality
            query = Member.objects(organisation__in=cell_ids, deleted_at=None)
            for m in query.only("id", "full_name", "organisation", "phone", "org_name").as_pymongo():
                self.people.setdefault((m["organisation"], normalize.name_key(m["full_name"])), []).append(m["_id"])
                brief = {"id": str(m["_id"]), "name": m["full_name"], "cell": m.get("org_name", ""),
                         "phone": m.get("phone")}
                self.loose.setdefault((m["organisation"], normalize.loose_name_key(m["full_name"])), []).append(brief)
                if m.get("phone"):
                    self.phones.setdefault(m["phone"], []).append(brief)
        self.new_people: dict[tuple[ObjectId, str], NewPerson] = {}
        self._cell_answers: dict[str, tuple[ObjectId | None, str | None]] = {}
        self.candidates: dict[NewPerson, Candidate] = {}

    def cell(self, name: str) -> tuple[ObjectId | None, str | None]:
        """(cell id, error message); a file names a few cells on many rows: each name once."""
        answer = self._cell_answers.get(name)
        if answer is None:
            answer = self._cell_answers[name] = self._cell(name)
        return answer

    def _cell(self, name: str) -> tuple[ObjectId | None, str | None]:
        found = self.cells.get(_cell_key(name), [])
        if len(found) == 1:
            return found[0], None
        if found:
            return None, (f"(2) Chi bộ: có {len(found)} tổ chức cùng tên “{name}” trong "
                          f"{self.target.name}; hãy nhập từ cấp tổ chức trực tiếp quản lý chi bộ này.")
        return None, f"(2) Chi bộ: “{name}” không thuộc {self.target.name} hoặc các tổ chức trực thuộc."

    def person(self, cell_id: ObjectId, name: str, position: str | None,
               phone: str | None = None) -> tuple[object, str | None]:
        """(member id or NewPerson, error message)."""
        key = (cell_id, normalize.name_key(name))
        found = self.people.get(key, [])
        if len(found) == 1:
            return found[0], None
        if found:
            return None, (f"(3) Họ và tên: có {len(found)} người cùng tên “{name}” trong chi bộ; "
                          "không xác định được người nào, hãy nhập trên màn hình.")
        if key not in self.new_people:
            person = self.new_people[key] = NewPerson(cell_id, name, position)
            similar = list(self.loose.get((cell_id, normalize.loose_name_key(name)), []))
            for brief in similar:
                brief.setdefault("why", "tên giống (chỉ khác dấu)")
            if phone:
                similar += [dict(b, why="cùng số điện thoại") for b in self.phones.get(phone, [])
                            if b["id"] not in {s["id"] for s in similar}]
            if similar:
                self.candidates[person] = Candidate(person, similar)
        return self.new_people[key], None
