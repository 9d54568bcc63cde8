"""The party organisation tree (regulation, Điều 11)."""

from __future__ import annotations

import re

import mongoengine as me
from bson import ObjectId

from . import normalize
from .base import utcnow

KINDS = [("committee", "Đảng bộ"), ("cell", "Chi bộ")]
LEVELS = [
    ("city", "Đảng bộ thành phố/huyện"),
    ("commune", "Đảng bộ xã/phường/thị trấn"),
    ("grassroots", "Đảng bộ/Chi bộ cơ sở"),
    ("partial", "Đảng bộ bộ phận"),
    ("cell", "Chi bộ trực thuộc"),
]


_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_.-]{0,39}$")


class OrganisationNotEmpty(Exception):
    """Raised when dissolving an organisation that still has units, people or records."""


class Organisation(me.Document):
    meta = {
        "collection": "organisations",
        "indexes": ["scope", "tree_key", "parent", "kind", "level", "name_key", "search_keys"],
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

    def __str__(self) -> str:
        return self.name or self.code

    @property
    def path(self) -> str:
        return " › ".join(self.path_names)

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
        parent = self.parent
        self.scope = [*(parent.scope if parent else []), self.pk]
        self.path_names = [*(parent.path_names if parent else []), self.name or ""]
        self.tree_key = ((parent.tree_key + "/") if parent else "") + (self.code or "")
        self.depth = len(self.scope) - 1
        self.name_key = normalize.fold(self.name)
        self.search_keys = normalize.search_tokens(*self.path_names, self.code)  # any part of the path

    def save(self, *args, **kwargs):  # type: ignore[override]
        old_scope = None
        if self.pk is not None and "parent" in getattr(self, "_changed_fields", []):
            old = Organisation.objects(pk=self.pk).only("scope").first()
            old_scope = old.scope if old else None
        renamed = any(f in getattr(self, "_changed_fields", []) for f in ("name", "parent", "code"))
        result = super().save(*args, **kwargs)
        if (old_scope is not None and old_scope != self.scope) or renamed:
            self._cascade()
        return result

    def _cascade(self) -> None:
        """The organisation moved or was renamed: refresh descendants and their records."""
        from . import registry

        for child in Organisation.objects(parent=self):
            child._refresh_path()
            child.save()
        for model in registry.following_models():
            for doc in model.objects(organisation=self):
                doc.save_legacy() if getattr(doc, "quality_issues", None) else doc.save()

    def subtree(self) -> me.QuerySet:
        return Organisation.objects(scope=self.pk)

    def delete(self, *args, **kwargs):  # type: ignore[override]
        from . import registry

        if Organisation.objects(parent=self).count():
            raise OrganisationNotEmpty(f"Không thể giải thể “{self.name}”: còn tổ chức trực thuộc.")
        for model in registry.owned_models():
            if model.objects(organisation=self).count():
                raise OrganisationNotEmpty(
                    f"Không thể giải thể “{self.name}”: còn {model.VERBOSE_NAME.lower()} thuộc tổ chức này. "
                    "Hãy chuyển sang tổ chức khác trước."
                )
        return super().delete(*args, **kwargs)
