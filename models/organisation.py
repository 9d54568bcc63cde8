"""The party organisation tree (regulation, Điều 11)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import mongoengine as me
from bson import ObjectId

from . import normalize, search
from .audit import AuditEntry
from .base import OWNED, RENAME_FOLLOWERS, UNIT_PATHS, utcnow

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


#: the title and signature blocks' texts of a unit (party document-format rules): stored on the
#: unit, editable, filled with the defaults of its kind when left empty
TITLE_FIELDS = ("party_name", "issuer_name", "place", "signer_for", "signer_title", "signer_name")
_SIGNER_FOR = {"committee": "T/M BAN THƯỜNG VỤ", "cell": "T/M CHI BỘ"}


def title_defaults(kind: str | None, name: str, parent_place: str | None = None) -> dict[str, str]:
    """What a new unit prints until an officer says otherwise: a committee ("Đảng bộ xã Tân
    Hưng") issues as its Đảng ủy ("ĐẢNG ỦY XÃ TÂN HƯNG") and is named as the party body
    ("ĐẢNG BỘ XÃ TÂN HƯNG") on its units' documents; a cell is both ("CHI BỘ THÔN 1") and dates
    its documents with its committee's place."""
    where = place_of(name or "")
    if kind == "cell":
        return {"party_name": (name or "").upper(), "issuer_name": (name or "").upper(), "place": parent_place or "",
                "signer_for": _SIGNER_FOR["cell"], "signer_title": "BÍ THƯ", "signer_name": ""}
    bare = where.split(" ", 1)[1] if where.startswith(tuple(w.lower() for w in _PLACE_WORDS)) and " " in where else where
    for word in ("thành phố ", "thị xã ", "thị trấn "):  # two-word place words
        if where.startswith(word):
            bare = where[len(word):]
    issuer = name if (name or "").startswith(tuple(_COMMITTEES)) else f"Đảng ủy {where}"  # "Huyện ủy Vĩnh Bảo"
    return {"party_name": f"ĐẢNG BỘ {where}".upper(), "issuer_name": issuer.upper(), "place": bare,
            "signer_for": _SIGNER_FOR["committee"], "signer_title": "BÍ THƯ", "signer_name": ""}


class OrganisationNotEmpty(Exception):
    """Raised when dissolving an organisation that still has units, people or records."""


class Organisation(me.Document):
    #: the field an edit's ``expected_version`` is checked against (``services.records``)
    VERSION_FIELD = "titles_modified_at"
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
    place = me.StringField(max_length=100)  # the unit's own place, printed before the date: "<place>, ngày …"
    #: named so on the documents of the units below: "ĐẢNG BỘ XÃ TÂN HƯNG"
    party_name = me.StringField(max_length=200)
    #: the issuing committee, under the superior's party name: "ĐẢNG ỦY XÃ TÂN HƯNG"
    issuer_name = me.StringField(max_length=200)
    signer_for = me.StringField(max_length=100)  # "T/M BAN THƯỜNG VỤ", "T/M CHI BỘ"
    signer_title = me.StringField(max_length=100)  # "BÍ THƯ", "PHÓ BÍ THƯ"
    signer_name = me.StringField(max_length=100)
    #: when the printed names last changed: the version the names' own form checks
    titles_modified_at = me.DateTimeField()
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
    #: other names offices type for this unit in column (2) of an import ("Thôn 1",
    #: "CB thôn Đông 2"), learnt on the import preview and editable on the unit's page
    aliases = me.ListField(me.StringField(max_length=200))

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
        for name in TITLE_FIELDS:
            setattr(self, name, normalize.text(getattr(self, name)))
        self.aliases = sorted({normalize.text(a) for a in self.aliases or [] if normalize.text(a)})
        if self.pk is None or set(getattr(self, "_changed_fields", None) or []) & set(TITLE_FIELDS):
            self.titles_modified_at = utcnow()
        if self.pk is None:
            parent_place = getattr(self.parent, "place", None) if self.parent is not None else None
            for name, value in title_defaults(self.kind, self.name, parent_place).items():
                if not getattr(self, name) and value:
                    setattr(self, name, value)
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

    def title_names(self) -> dict[str, str]:
        """The texts this unit prints: what is stored, else its kind's default (units created
        before these fields existed)."""
        defaults = title_defaults(self.kind, self.name)
        return {name: getattr(self, name) or defaults[name] for name in TITLE_FIELDS}

    def subtree(self) -> me.QuerySet:
        return Organisation.objects(scope=self.pk)

    def holdings(self) -> dict[type, int]:
        """Owned records of every kind that still belong to this organisation itself."""
        counts = {model: model.objects(organisation=self.pk).count() for model in OWNED}
        return {model: n for model, n in counts.items() if n}

    def references(self) -> dict[type, int]:
        """Records of every kind that name this organisation in a field that forbids its
        deletion (``reverse_delete_rule=DENY``): its own records (:meth:`holdings`) and the
        others, e.g. tasks it assigned, reports it sent. Units below are :meth:`subtree`'s."""
        counts: dict[type, int] = {}
        for (model, ref), rule in (self._meta.get("delete_rules") or {}).items():
            if rule == me.DENY and model is not Organisation and not model._meta.get("abstract"):
                if n := model.objects(**{ref: self.pk}).count():
                    counts[model] = counts.get(model, 0) + n
        return counts

    def delete(self, *args, **kwargs):  # type: ignore[override]
        if Organisation.objects(parent=self).count():
            raise OrganisationNotEmpty(f"Không thể giải thể “{self.name}”: còn tổ chức trực thuộc.")
        for model in self.references():  # a refusal in Vietnamese, never MongoEngine's OperationError
            what = getattr(model, "VERBOSE_NAME", "bản ghi").lower()
            raise OrganisationNotEmpty(
                f"Không thể giải thể “{self.name}”: còn {what} thuộc hoặc do tổ chức này lập. "
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
        for model, ref, path in UNIT_PATHS:  # records of two units follow either of them
            model.objects(**{ref: org.pk}).update(**{f"set__{path}": list(org.scope)})
            out.updates += 1
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
        # entries about classified documents name exact units: nothing above them is added
        AuditEntry.objects(scope=root.pk, classified__ne=True).update(add_to_set__scope=list(root.scope))
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
