"""Shared pieces of every document that belongs to an organisation.

``scope`` holds the ids of the record's organisation and of all its ancestors. The
subtree of organisation X is then the equality match ``scope == X`` on an indexed
multikey array: one index look-up on real MongoDB, no recursive walk, no regex.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import mongoengine as me

from . import normalize


@dataclass(frozen=True)
class Rule:
    """How one field is normalised and checked; used by model, form, import and export."""

    label: str
    normalizer: Callable[[object], object] | None = None
    required: bool = False  # mandatory under the directive (our reading of DOMAIN.md)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


#: every document class owned by an organisation, in registration order; each class
#: registers itself with :func:`owned` beside its definition (never a list elsewhere)
OWNED: list[type] = []


#: functions ``f(org)`` that refresh the copies of an organisation's *name* held outside the
#: records it owns (a document's recipient lines, a task's assigning unit); each model
#: registers its own with :func:`follows_renames`, run by ``refresh_subtree`` on a rename
RENAME_FOLLOWERS: list = []


def follows_renames(fn):
    if fn not in RENAME_FOLLOWERS:
        RENAME_FOLLOWERS.append(fn)
    return fn


def owned(cls: type) -> type:
    """Class decorator: records of ``cls`` belong to their ``organisation`` and carry
    copies of it (``scope`` and, where the class has them, ``org_name``/``org_key``).

    :func:`models.organisation.refresh_subtree` keeps those copies true with one
    ``update_many`` per organisation; dissolving an organisation is refused while any
    record of ``cls`` still belongs to it; ``flask check`` verifies the copies."""
    assert "organisation" in cls._fields and "scope" in cls._fields, cls
    if cls not in OWNED:
        OWNED.append(cls)
    return cls


class FollowsOrganisation:
    """How an owned document copies its organisation: field on the record -> attribute
    of the organisation. Only the fields the class has are used."""

    ORG_COPIES = {"scope": "scope", "org_name": "name", "org_key": "tree_key"}
    #: the search keys include the organisation's name: recomputed when it is renamed
    NAME_IN_SEARCH_KEYS = False

    @classmethod
    def org_values(cls, org: me.Document) -> dict[str, object]:
        """The values every record of ``org`` must hold (``$set`` of one ``update_many``)."""
        fields = getattr(cls, "_fields", {})
        return {name: (list(getattr(org, attr) or []) if name == "scope" else getattr(org, attr))
                for name, attr in cls.ORG_COPIES.items() if name in fields}


class ScopedDocument(FollowsOrganisation, me.Document):
    """A record owned by an organisation; carries its scope path and soft-delete mark."""

    meta = {"abstract": True}

    scope = me.ListField(me.ObjectIdField())
    #: the organisation's ``tree_key``: sorts and groups records in tree order (two cells
    #: of different communes may share a name, so ``org_name`` alone cannot group them)
    org_key = me.StringField()
    org_name = me.StringField()  # denormalised: lists and exports need no look-up per row
    search_keys = me.ListField(me.StringField())
    quality_issues = me.ListField(me.StringField())
    created_at = me.DateTimeField(default=utcnow)
    modified_at = me.DateTimeField(default=utcnow)
    deleted_at = me.DateTimeField(null=True)

    #: field name -> Rule; subclasses fill it in.
    RULES: dict[str, Rule] = {}

    def apply_rules(self, strict: bool = True) -> dict[str, str]:
        """Normalise every ruled field in place; return {field: Vietnamese message}.

        With ``strict`` a failure raises ``ValidationError`` (screens, imports); without,
        the raw value is kept and the failure is recorded in ``quality_issues`` (legacy
        data loaded as it was found, so that the data-quality filters can find it)."""
        values, errors, issues = self.rules_on(self._data)
        for name, value in values.items():
            setattr(self, name, value)
        self.quality_issues = issues
        if errors and strict:
            raise me.ValidationError("Dữ liệu không hợp lệ", errors=errors)
        return errors

    @classmethod
    def rules_on(cls, data: dict, normalise: Callable | None = None) -> tuple[dict, dict[str, str], list[str]]:
        """The ``RULES`` applied to plain field values: (normalised values that changed,
        {field: Vietnamese message}, sorted quality issues). The one implementation of the
        rules, for documents (:meth:`apply_rules`) and for the import's plain records
        (``normalise(normalizer, raw)`` lets the import memoise the pure normalisers)."""
        values: dict[str, object] = {}
        errors: dict[str, str] = {}
        issues: list[str] = []  # "kind:field", kind = missing | invalid: data, not words of a message
        for name, rule in cls.RULES.items():
            raw = data.get(name)
            value = raw
            if rule.normalizer is not None and raw not in (None, "", []):
                try:
                    value = normalise(rule.normalizer, raw) if normalise else rule.normalizer(raw)
                except normalize.NormalizeError as exc:
                    errors[name] = f"{rule.label}: {exc}"
                    issues.append(f"invalid:{name}")
                    continue
                if value is not raw:
                    values[name] = value
            if rule.required and value in (None, "", []):
                errors[name] = f"{rule.label}: bắt buộc phải nhập."
                issues.append(f"missing:{name}")
        return values, errors, sorted(issues)

    def clean(self) -> None:
        self.copy_owner()  # the rules check some owner fields (position)
        self.apply_rules(strict=getattr(self, "_strict", True))
        self.modified_at = utcnow()
        self.compute_keys()  # from the normalised values

    def refresh_derived(self) -> None:
        """Recompute scope, search keys and other denormalised fields."""
        self.copy_owner()
        self.compute_keys()

    def copy_owner(self) -> None:
        """Copy what the record shows of its owner (organisation, person)."""

    def compute_keys(self) -> None:
        """Compute search, sort and comparison keys."""

    def follow_organisation(self, org: me.Document | None) -> None:
        """Copy the owning organisation's place in the tree (scope, name, tree key)."""
        if org is not None:
            for name, value in self.org_values(org).items():
                setattr(self, name, value)

    def save_legacy(self, **kwargs) -> ScopedDocument:
        """Save data as it was found (demo seed, legacy rows): normalise what can be
        normalised, keep the rest and mark it in ``quality_issues``."""
        self._strict = False  # read by ``clean``, which ``save`` runs; reset at once
        try:
            return self.save(**kwargs)
        finally:
            self._strict = True


def label_of(model: type[ScopedDocument], field: str) -> str:
    rule = model.RULES.get(field)
    return rule.label if rule else field
