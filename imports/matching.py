"""Columns (2) and (3): which cell of the target organisation, and which person in it.

Names are compared folded (accents, case) and, for cells, also without spaces and
punctuation. Only the target organisation's subtree is looked at (``scope`` equality),
so a row naming a sibling's cell is rejected, never matched.
"""

from __future__ import annotations

from dataclasses import dataclass

from bson import ObjectId

from models import Member, Organisation, normalize


def _cell_key(name: object) -> str:
    return normalize.fold(name).replace(" ", "")


@dataclass(frozen=True)
class NewPerson:
    """Someone the file names who is not yet in the register; created on confirm."""

    cell_id: ObjectId
    name: str
    position: str | None


class Matcher:
    def __init__(self, target: Organisation) -> None:
        self.target = target
        self.cells: dict[str, list[ObjectId]] = {}
        for org in Organisation.objects(scope=target.pk).only("id", "name").as_pymongo():
            self.cells.setdefault(_cell_key(org["name"]), []).append(org["_id"])
        self.people: dict[tuple[ObjectId, str], list[ObjectId]] = {}
        members = Member.objects(scope=target.pk, deleted_at=None).only("id", "full_name", "organisation")
        for m in members.as_pymongo():
            self.people.setdefault((m["organisation"], normalize.fold(m["full_name"])), []).append(m["_id"])
        self.new_people: dict[tuple[ObjectId, str], NewPerson] = {}
        self._folded: dict[str, str] = {}  # names repeat on every row of a person: fold once

    def _fold(self, name: str) -> str:
        folded = self._folded.get(name)
        if folded is None:
            folded = self._folded[name] = normalize.fold(name)
        return folded

    def cell(self, name: str) -> tuple[ObjectId | None, str | None]:
        """(cell id, error message)."""
        found = self.cells.get(self._fold(name).replace(" ", ""), [])
        if len(found) == 1:
            return found[0], None
        if found:
            return None, (f"(2) Chi bộ: có {len(found)} tổ chức cùng tên “{name}” trong "
                          f"{self.target.name}; hãy nhập từ cấp tổ chức trực tiếp quản lý chi bộ này.")
        return None, f"(2) Chi bộ: “{name}” không thuộc {self.target.name} hoặc các tổ chức trực thuộc."

    def person(self, cell_id: ObjectId, name: str, position: str | None) -> tuple[object, str | None]:
        """(member id or NewPerson, error message)."""
        key = (cell_id, self._fold(name))
        found = self.people.get(key, [])
        if len(found) == 1:
            return found[0], None
        if found:
            return None, (f"(3) Họ và tên: có {len(found)} người cùng tên “{name}” trong chi bộ; "
                          "không xác định được người nào, hãy nhập trên màn hình.")
        if key not in self.new_people:
            self.new_people[key] = NewPerson(cell_id, name, position)
        return self.new_people[key], None
