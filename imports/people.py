"""Stage 6, people: whose file it is, which cell of the target, which person in it.

Names are matched **exactly** on their canonical form (invisible characters removed,
look-alike letters folded, spaces collapsed, case ignored, every diacritic kept):
``Đặng Thu Hoa`` is not ``Đặng Thu Hòa``. Someone new whose name without diacritics, or
whose phone, matches an existing member is a *possible duplicate*: shown in the preview
for the officer to resolve (same person or a new one), never decided silently; so is
someone new whose name abbreviates an existing one's (``Đặng T. Hoa``, ``Đ. T. Hoa``), whose
three-word name differs from one in the same cell by one word other than the given name
(``Nguyễn Thị Hoa`` / ``Nguyễn Thu Hoa``), or whose row (or URL: ``zalo.me/<phone>``)
carries a phone or e-mail registered to someone else of the target.

Only the target's subtree is loaded (``scope`` equality), and only the cells and people
the file names: a one-row file into a district costs one row's worth of queries.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from bson import ObjectId
from mongoengine.queryset.visitor import Q

from models import Member, Organisation, normalize
from models.layouts import FORM1

from .errors import ImportFileError

_CELL_LABEL = FORM1.label("org_name")  # "(2) Chi bộ": columns (2)–(4) are alike on forms 1 and 2


def _cell_key(name: object) -> str:
    return normalize.fold(normalize.clean_text(name)).replace(" ", "")


#: the choice that makes a possible duplicate someone new (the other choice: a member's id)
NEW = "new"


#: why a possible duplicate's rows wait: where the choice is made
CHOOSE = "hãy chọn người đúng trong bảng “Có thể trùng người đã có” ở trên"
#: why an unknown cell's rows wait: where the choice is made
CHOOSE_CELL = "hãy chọn chi bộ đúng trong bảng “Chi bộ chưa nhận ra” ở trên"
#: the same two, as the command line says them (it has no tables above)
ON_COMMAND_LINE = {CHOOSE: "chạy lại với --resolve KHÓA=LỰA_CHỌN (các lựa chọn in bên dưới)",
                   CHOOSE_CELL: "chạy lại với --resolve cell:TÊN=MÃ_CHI_BỘ"}
#: how many existing people the preview shows beside each new person
NEAREST = 3
_ZALO_PHONE = re.compile(r"(?:^|//|\.)zalo\.me/(\+?\d[\d.\-]{7,16})(?:[/?#]|$)", re.I)


def words(name: object) -> list[str]:
    """A name's folded words, an initial keeping its dot (``Đ. T. Hoa`` -> ``d.``, ``t.``, ``hoa``)."""
    return re.findall(r"[^\s.]+\.?", normalize.fold(normalize.clean_text(name)))


def _initial(word: str) -> bool:
    return word.endswith(".") or len(word) == 1


def similar_names(new: list[str], old: list[str]) -> str | None:
    """Why two names (``words``) of one cell may be one person, or None. Both have the same
    number of words and the same given name (the last word, never abbreviated)."""
    if len(new) != len(old) or len(new) < 2 or new[-1] != old[-1].rstrip(".") or _initial(new[-1]):
        return None
    pairs = list(zip(new[:-1], old[:-1], strict=True))
    if any(_initial(a) or _initial(b) for a, b in pairs) and all(
            a.rstrip(".")[:1] == b.rstrip(".")[:1] if _initial(a) or _initial(b) else a == b for a, b in pairs):
        return "tên viết tắt"
    if len(new) == 3 and sum(a != b for a, b in pairs) == 1:
        return "khác một chữ trong tên"
    return None


def url_phone(url: object) -> str | None:
    """The phone a Zalo link carries (``zalo.me/0912345678``)."""
    match = _ZALO_PHONE.search(str(url or ""))
    if not match:
        return None
    try:
        return normalize.phone(match[1])
    except normalize.NormalizeError:
        return None


#: the choice that applies a conflict's file values (the default keeps the stored ones)
FILE = "file"


def valid_choice(value: object) -> bool:
    """A choice as the preview and the command line take it: ``NEW`` or a member's id for a
    possible duplicate (which must also be one of that duplicate's members to count), a
    unit's id for an unknown cell, ``FILE`` for a conflict."""
    return value in (NEW, FILE) or (isinstance(value, str) and ObjectId.is_valid(value))


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
    def __init__(self, target: Organisation, cells: set[str], people: set[str],
                 chosen: dict[str, str] | None = None) -> None:
        """``chosen``: the officer's answers for unknown cell names (name -> unit id): their
        people are loaded with those of the cells the file names."""
        self.target = target
        self.cells: dict[str, list[ObjectId]] = {}
        self.cell_names: dict[ObjectId, str] = {}
        for org in Organisation.objects(scope=target.pk).only("id", "name", "aliases").as_pymongo():
            self.cell_names[org["_id"]] = org["name"]
            for name in {org["name"], *(org.get("aliases") or [])}:
                ids = self.cells.setdefault(_cell_key(name), [])
                if org["_id"] not in ids:
                    ids.append(org["_id"])
        self.people: dict[tuple[ObjectId, str], list[ObjectId]] = {}
        self.briefs: dict[ObjectId, dict] = {}
        self.loose: dict[tuple[ObjectId, str], list[dict]] = {}
        self.shapes: dict[tuple[ObjectId, int, str], list[tuple[list[str], dict]]] = {}
        self.in_cell: dict[ObjectId, list[tuple[str, dict]]] = {}
        cell_ids = [i for k in {_cell_key(c) for c in cells} for i in self.cells.get(k, [])]
        cell_ids += [ObjectId(v) for v in (chosen or {}).values() if ObjectId.is_valid(v)
                     and ObjectId(v) in self.cell_names and ObjectId(v) not in cell_ids]
        if cell_ids:  # only the cells the file names: indexed ``organisation`` equality
            query = Member.objects(organisation__in=cell_ids, deleted_at=None)
            for m in query.only("id", "full_name", "organisation", "phone", "email", "org_name",
                                "date_of_birth").as_pymongo():
                self.people.setdefault((m["organisation"], normalize.name_key(m["full_name"])), []).append(m["_id"])
                brief = self._brief(m)
                self.loose.setdefault((m["organisation"], normalize.loose_name_key(m["full_name"])), []).append(brief)
                split = words(m["full_name"])
                if split:
                    self.shapes.setdefault((m["organisation"], len(split), split[-1].rstrip(".")), []).append(
                        (split, brief))
                self.in_cell.setdefault(m["organisation"], []).append((" ".join(split), brief))
        self.new_people: dict[tuple[ObjectId, str], NewPerson] = {}
        self._cell_answers: dict[str, tuple[ObjectId | None, str | None]] = {}
        self.candidates: dict[NewPerson, Candidate] = {}
        self.homonyms: set[NewPerson] = set()
        self.contacts: dict[NewPerson, set[tuple[str, str]]] = {}
        self.nearest: dict[NewPerson, list[dict]] = {}
        self.unknown_cells: dict[str, list[dict]] = {}  # a cell name the target does not know -> its cells, nearest first

    def _brief(self, m: dict) -> dict:
        """What the officer is shown of an existing person: name, cell, birth year, phone."""
        brief = self.briefs.get(m["_id"])
        if brief is None:
            born = m.get("date_of_birth")
            brief = self.briefs[m["_id"]] = {"id": str(m["_id"]), "name": m["full_name"], "cell": m.get("org_name", ""),
                                             "phone": m.get("phone"), "born": born.year if born else None}
        return brief

    def cell(self, name: str) -> tuple[ObjectId | None, str | None]:
        """(cell id, error message); a file names a few cells on many rows: each name once."""
        answer = self._cell_answers.get(name)
        if answer is None:
            answer = self._cell_answers[name] = self._cell(name)
        return answer

    def choose_cell(self, name: str, cell_id: ObjectId) -> None:
        """The officer's answer for an unknown cell name (one of the target's units)."""
        if cell_id in self.cell_names:
            self._cell_answers[name] = (cell_id, None)

    def _cell(self, name: str) -> tuple[ObjectId | None, str | None]:
        found = self.cells.get(_cell_key(name), [])
        if len(found) == 1:
            return found[0], None
        if found:
            return None, (f"{_CELL_LABEL}: có {len(found)} tổ chức cùng tên “{name}” trong "
                          f"{self.target.name}; hãy nhập từ cấp tổ chức trực tiếp quản lý chi bộ này.")
        self.unknown_cells[name] = self.nearest_cells(name)
        return None, (f"{_CELL_LABEL}: chưa có tổ chức nào tên “{name}” trong {self.target.name}; "
                      f"{CHOOSE_CELL}.")

    def nearest_cells(self, name: str) -> list[dict]:
        """The target's units, nearest to ``name`` first (folded, prefixes like "Chi bộ" ignored)."""
        key = _bare(name)
        scored = sorted(((-_ratio(key, _bare(n)), normalize.vn_sort_key(n), i, n) for i, n in self.cell_names.items()
                         if i != self.target.pk), key=lambda t: t[:2])
        return [{"id": str(i), "name": n} for _, _, i, n in scored]

    def person(self, cell_id: ObjectId, name: str, position: str | None,
               phone: str | None = None, email: str | None = None, url: str | None = None) -> tuple[object, str | None]:
        """(member id or NewPerson, error message). Homonyms in the cell make a NewPerson
        in ``homonyms``: a possible duplicate of each of them, for the officer to settle."""
        key = (cell_id, normalize.name_key(name))
        found = self.people.get(key, [])
        if len(found) == 1:
            return found[0], None
        person = self.new_people.get(key)
        if person is None:
            person = self.new_people[key] = NewPerson(cell_id, name, position)
            if found:
                self.homonyms.add(person)
                self.candidates[person] = Candidate(person, [dict(self.briefs[i], why="cùng họ tên") for i in found])
            else:
                self._similar(person)
        contacts = self.contacts.setdefault(person, set())
        for value in (phone, url_phone(url)):
            if value:
                contacts.add(("phone", value))
        if email:
            contacts.add(("email", email.lower()))
        return person, None

    def _similar(self, person: NewPerson) -> None:
        cell_id, name = person.cell_id, person.name
        similar = [dict(b, why="tên giống (chỉ khác dấu)") for b in self.loose.get((cell_id, normalize.loose_name_key(name)), [])]
        split = words(name)
        if split:
            for old, brief in self.shapes.get((cell_id, len(split), split[-1].rstrip(".")), []):
                why = similar_names(split, old)
                if why and brief["id"] not in {s["id"] for s in similar}:
                    similar.append(dict(brief, why=why))
        if similar:
            self.candidates[person] = Candidate(person, similar)

    def finish(self) -> None:
        """Once every row is read: phones and e-mails of the new people registered to someone
        already in the target (members' own, and their sites' and accounts'), a constant
        number of indexed queries; and each new person's nearest existing people."""
        phones = sorted({v for c in self.contacts.values() for k, v in c if k == "phone"})
        emails = sorted({v for c in self.contacts.values() for k, v in c if k == "email"})
        owners: dict[tuple[str, str], set[ObjectId]] = {}
        if phones or emails:
            fields = ("id", "full_name", "org_name", "phone", "email", "date_of_birth")
            wanted = Member.objects(scope=self.target.pk, deleted_at=None).filter(
                Q(phone__in=phones) | Q(email__in=emails)).only(*fields).as_pymongo()
            for m in wanted:
                self._brief(m)
                for k, v in (("phone", m.get("phone")), ("email", (m.get("email") or "").lower())):
                    if v:
                        owners.setdefault((k, v), set()).add(m["_id"])
            from models.accounts import Site, SocialAccount

            others: set[ObjectId] = set()
            for model in (SocialAccount, Site):
                query = {"scope": self.target.pk, "deleted_at": None,
                         "$or": [{"registration_phone": {"$in": phones}}, {"registration_email": {"$in": emails}}]}
                for doc in model._get_collection().find(query, {"member": 1, "registration_phone": 1,
                                                                "registration_email": 1}):
                    for k, v in (("phone", doc.get("registration_phone")), ("email", doc.get("registration_email"))):
                        if v:
                            owners.setdefault((k, v.lower() if k == "email" else v), set()).add(doc["member"])
                    if doc["member"] not in self.briefs:
                        others.add(doc["member"])
            if others:
                for m in Member.objects(id__in=sorted(others), deleted_at=None).only(*fields).as_pymongo():
                    self._brief(m)
        for person, contacts in self.contacts.items():
            if person in self.homonyms:
                continue
            hits = [(k, v, i) for k, v in sorted(contacts) for i in sorted(owners.get((k, v), ())) if i in self.briefs]
            if not hits:
                continue
            candidate = self.candidates.setdefault(person, Candidate(person))
            known = {m["id"] for m in candidate.members}
            for k, v, i in hits:
                if str(i) not in known:
                    known.add(str(i))
                    why = f"cùng số điện thoại {v}" if k == "phone" else f"cùng email {v}"
                    candidate.members.append(dict(self.briefs[i], why=why))
        for person in list(self.new_people.values())[:NEAREST_FOR]:
            if person in self.candidates:
                continue
            key = " ".join(words(person.name))
            scored = sorted(((-_ratio(key, k), b["name"], b["id"], b) for k, b in self.in_cell.get(person.cell_id, [])),
                            key=lambda t: t[:3])
            self.nearest[person] = [b for _, _, _, b in scored[:NEAREST]]


#: new people whose nearest existing people are looked for (the preview lists that many)
NEAREST_FOR = 500
_UNIT_WORDS = re.compile(r"^(?:chi bo|chi uy|cb|dang bo bo phan|dang bo|to dang)\s+")


def _bare(name: str) -> str:
    """A unit's name without its kind ("Chi bộ", "CB"), folded: what is compared."""
    return _UNIT_WORDS.sub("", normalize.fold(normalize.clean_text(name)))


def _ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()
