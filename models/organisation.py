"""The party organisation tree (regulation, Điều 11)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import mongoengine as me
from bson import ObjectId

from . import normalize, search
from .audit import AuditEntry
from .base import OWNED, RENAME_FOLLOWERS, utcnow

KINDS = [("committee", "Đảng bộ"), ("cell", "Chi bộ")]
LEVELS = [
    ("city", "Đảng bộ thành phố/huyện"),
    ("commune", "Đảng bộ xã/phường/thị trấn"),
    ("grassroots", "Đảng bộ/Chi bộ cơ sở"),
    ("partial", "Đảng bộ bộ phận"),
    ("cell", "Chi bộ trực thuộc"),
]


_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_.-]{0,39}$")


_PARTY_PREFIXES = ("Đảng bộ ", "Đảng ủy ", "Chi bộ ")
_COMMITTEES = {"Tỉnh ủy ": "tỉnh ", "Thành ủy ": "thành phố ", "Huyện ủy ": "huyện ", "Quận ủy ": "quận ",
               "Thị ủy ": "thị xã "}
_PLACE_WORDS = ("Xã ", "Phường ", "Thị trấn ", "Thị xã ", "Huyện ", "Quận ", "Thành phố ", "Tỉnh ")


def place_of(name: str) -> str:
    """"Đảng bộ Xã Tân Hưng" -> "xã Tân Hưng": the place a unit's name stands for."""
    for committee, place in _COMMITTEES.items():  # "Huyện ủy Vĩnh Bảo" -> "huyện Vĩnh Bảo"
        if name.startswith(committee):
            return place + name[len(committee):]
    for prefix in _PARTY_PREFIXES:
        if name.startswith(prefix) and len(name) > len(prefix):
            name = name[len(prefix):]
            break
    if name.startswith(_PLACE_WORDS):
        name = name[0].lower() + name[1:]
    return name


def unit_label(path_names: list[str] | tuple[str, ...]) -> str:
    """The one label of a unit wherever it is shown: its name and the place above it
    ("Chi bộ thôn 1 — xã Tân Hưng"), because five communes each have a "Chi bộ thôn 1"."""
    names = [n for n in path_names or [] if n]
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    return f"{names[-1]} — {place_of(names[-2])}"


def path_label(path_names: list[str] | tuple[str, ...]) -> str:
    """The full path, root first: what a filter box shows."""
    return " › ".join(n for n in path_names or [] if n)


class OrganisationNotEmpty(Exception):
    """Raised when dissolving an organisation that still has units, people or records."""


class Organisation(me.Document):
    meta = {
        "collection": "organisations",
        # ("scope", "kind", "tree_key"): the committees of a subtree in tree order (the
        # pickers of the reports made per committee)
        "indexes": ["scope", "tree_key", "parent", "kind", "level", "name_key", "search_keys",
                    ("scope", "kind", "tree_key")],
        "ordering": ["tree_key"],
    }

    code = me.StringField(required=True, unique=True, max_length=40)
    name = me.StringField(required=True, max_length=200)
    kind = me.StringField(required=True, choices=KINDS, default="cell")
    level = me.StringField(choices=LEVELS)
    parent = me.ReferenceField("self", reverse_delete_rule=me.DENY)
    place = me.StringField(max_length=100)  # printed before the date: "<place>, ngày …"
    #: ancestors root-first, then the organisation itself
    scope = me.ListField(me.ObjectIdField())
    path_names = me.ListField(me.StringField())
    tree_key = me.StringField()  # codes root-first: sorts the list as a tree
    depth = me.IntField(default=0)
    name_key = me.StringField()
    search_keys = me.ListField(me.StringField())
    created_at = me.DateTimeField(default=utcnow)
    #: closed by a merge or by removing a level: kept (with its history) but holds nothing
    closed_on = me.DateTimeField()
    merged_into = me.ReferenceField("self")

    def __str__(self) -> str:
        return self.name or self.code

    @property
    def path(self) -> str:
        return path_label(self.path_names)

    @property
    def label(self) -> str:
        return unit_label(self.path_names) or self.name or self.code

    def clean(self) -> None:
        self.code = (normalize.text(self.code) or "").upper().replace(" ", "_")
        if not _CODE.match(self.code):
            raise me.ValidationError(errors={"code": "Mã tổ chức chỉ gồm chữ không dấu, số, dấu - _ . (ví dụ XA-AN-HOA)."})
        self.name = normalize.text(self.name)
        self.place = normalize.text(self.place)
        if self.pk is None:
            self.pk = ObjectId()
        parent = self.parent
        if parent is not None:
            if self.pk in (parent.scope or []):
                raise me.ValidationError(errors={"parent": "Tổ chức cấp trên không được là chính nó hoặc tổ chức cấp dưới của nó."})
            if parent.kind == "cell":
                raise me.ValidationError(errors={"parent": "Chi bộ không thể có tổ chức trực thuộc."})
        self._refresh_path()

    def _refresh_path(self) -> None:
        self._parent_path(self.parent)
        self.name_key = normalize.fold(self.name)
        self.search_keys = self.path_keys()

    def path_keys(self) -> list[str]:
        """Search keys from every name of the path and the code: the unit pickers find a cell
        by its commune's or district's name too."""
        return search.search_tokens(*self.path_names, self.code)

    def _parent_path(self, parent: Organisation | None) -> None:
        """Scope, names, tree key and depth from the parent's (already right) path."""
        self.scope = [*(parent.scope if parent else []), self.pk]
        self.path_names = [*(parent.path_names if parent else []), self.name or ""]
        self.tree_key = ((parent.tree_key + "/") if parent else "") + (self.code or "")
        self.depth = len(self.scope) - 1

    def save(self, *args, **kwargs):  # type: ignore[override]
        changed = set(getattr(self, "_changed_fields", None) or [])
        before = None
        if self.pk is not None and changed & {"parent", "name", "code"}:
            before = Organisation.objects(pk=self.pk).only("scope", "name").first()
        result = super().save(*args, **kwargs)
        if before is not None:
            refresh_subtree(self, old_scope=list(before.scope or []), renamed=before.name != self.name)
        return result

    def subtree(self) -> me.QuerySet:
        return Organisation.objects(scope=self.pk)

    def holdings(self) -> dict[type, int]:
        """Owned records of every kind that still belong to this organisation itself."""
        counts = {model: model.objects(organisation=self.pk).count() for model in OWNED}
        return {model: n for model, n in counts.items() if n}

    def delete(self, *args, **kwargs):  # type: ignore[override]
        if Organisation.objects(parent=self).count():
            raise OrganisationNotEmpty(f"Không thể giải thể “{self.name}”: còn tổ chức trực thuộc.")
        for model in self.holdings():
            raise OrganisationNotEmpty(
                f"Không thể giải thể “{self.name}”: còn {model.VERBOSE_NAME.lower()} thuộc tổ chức này. "
                "Hãy chuyển sang tổ chức khác hoặc sáp nhập tổ chức (giữ lại lịch sử) thay vì giải thể."
            )
        return super().delete(*args, **kwargs)


@dataclass
class Refreshed:
    """What :func:`refresh_subtree` rewrote: organisations and owned records (matched)."""

    organisations: int = 0
    records: dict[str, int] = field(default_factory=dict)
    updates: int = 0  # update_many/bulk calls sent


def refresh_subtree(root: Organisation, old_scope: list[ObjectId] | None = None,
                    renamed: bool = False) -> Refreshed:
    """Make ``root``'s subtree agree with the tree, at any depth, after a move or rename.

    Paths (scope, names, tree key, depth) of every descendant are recomputed in memory
    from ``root`` down; then one ``update_one`` per organisation and one ``update_many``
    per organisation and owned model copy the organisation onto its records (soft-deleted
    ones too). Audit entries about the subtree follow its new ancestors. Recomputed
    from the tree each time, so running it again (an interrupted move, ``flask check
    --repair``) is safe. No transaction is needed: each step is idempotent."""
    out = Refreshed()
    nodes = {root.pk: root}
    children: dict[ObjectId, list[Organisation]] = {}
    for org in Organisation.objects(scope=root.pk, pk__ne=root.pk).no_dereference():
        children.setdefault(getattr(org.parent, "id", org.parent), []).append(org)
    queue = [root]
    while queue:  # parents before children, whatever their stored depth says
        parent = queue.pop(0)
        for org in children.get(parent.pk, []):
            org._parent_path(parent)
            Organisation.objects(pk=org.pk).update_one(
                set__scope=org.scope, set__path_names=org.path_names, set__tree_key=org.tree_key,
                set__depth=org.depth, set__search_keys=org.path_keys())
            out.updates += 1
            nodes[org.pk] = org
            queue.append(org)
    out.organisations = len(nodes)
    for org in nodes.values():
        for model in OWNED:
            values = model.org_values(org)
            n = model.objects(organisation=org.pk).update(**{f"set__{k}": v for k, v in values.items()})
            out.updates += 1
            out.records[model.__name__] = out.records.get(model.__name__, 0) + (n or 0)
    if renamed:
        for model in OWNED:
            if model.NAME_IN_SEARCH_KEYS:
                out.updates += rekey(model, model.objects(organisation=root.pk))
        for follow in RENAME_FOLLOWERS:
            out.updates += follow(root) or 0
    if old_scope is not None and old_scope != list(root.scope):
        gone = [a for a in old_scope if a not in root.scope]
        if gone:  # entries by an actor up the old branch (outside the subtree) stay theirs
            AuditEntry.objects(scope=root.pk, org_path__nin=gone).update(pull_all__scope=gone)
            AuditEntry.objects(scope=root.pk, org__in=list(nodes)).update(pull_all__scope=gone)
        AuditEntry.objects(scope=root.pk).update(add_to_set__scope=list(root.scope))
        out.updates += 3
    return out


def rekey(model: type, docs: me.QuerySet) -> int:
    """Recompute the search keys of ``docs`` with bulk writes (1000 per round trip)."""
    from pymongo import UpdateOne

    ops, sent = [], 0
    for doc in docs:
        doc.compute_keys()
        ops.append(UpdateOne({"_id": doc.pk}, {"$set": {"search_keys": doc.search_keys}}))
        if len(ops) == 1000:
            model._get_collection().bulk_write(ops, ordered=False)
            ops, sent = [], sent + 1
    if ops:
        model._get_collection().bulk_write(ops, ordered=False)
        sent += 1
    return sent
