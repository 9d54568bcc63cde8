"""The plan's records as plain values: the model's own rules, on dicts.

A form-1/form-2 record is validated here exactly as ``Document.validate()`` validates it
(``clean()`` then every field's validator), with the same pieces the model's ``clean()``
is made of (:meth:`~models.accounts._Owned.check_before`, ``owner_values``, ``rules_on``,
``keys_of``, ``stamp``, ``check_after`` and the MongoEngine field objects), but on a plain
dict instead of a document: building and validating a document costs far more than the
checks themselves (attribute descriptors, change tracking) and the import does it for
every created or changed row. The stored form (``son``) is what ``to_mongo()`` would give.
``tests/test_import_records.py`` proves the two paths agree, values and messages, on
generated rows; the preview and the confirm both use this one path, so the preview never
promises what the write refuses.
"""

from __future__ import annotations

import datetime as dt

from bson import ObjectId
from mongoengine import Document, ListField, ValidationError
from mongoengine.base import BaseField

from models import Member, normalize
from models.base import utcnow

NON_FIELD_ERRORS = "__all__"  # where Document.validate() files the errors of clean()
_MISSING = object()
_PLAIN = (str, bool, int, float, dt.datetime, ObjectId)
#: values whose validity is remembered per field (with their class: ``True == 1``)
_MEMO_TYPES = frozenset({str, bool, int, float, dt.datetime, ObjectId})
#: entries per memo: a file's repeated values (cells, positions, platforms, dates, a scope)
#: come early and stay; past the cap, new values are checked but not remembered (a memo of
#: every unique address would only cost memory)
_MEMO_SIZE = 20_000


class Records:
    """Builds and validates the records of one model for one import (memoised checks)."""

    def __init__(self, model: type) -> None:
        self.model = model
        self.fields: dict[str, BaseField] = model._fields
        self.order: list[tuple[str, BaseField]] = [(n, model._fields[n]) for n in model._fields_ordered]
        self.dates = [n for n in ("established_on", "updated_on", "expires_on") if n in self.fields]
        self.defaults = [(n, f.default) for n, f in self.order if f.default is not None]
        self._memo = normalize.Memo(_MEMO_SIZE)  # the rules' normalisers are pure
        self._valid: set[tuple[str, type, object]] = set()  # (field, class, value) its validator accepted
        self._owners: dict[object, dict] = {}  # member id -> what its records copy of it

    # -- the record ---------------------------------------------------------------------

    def build(self, stored: dict | None, values: dict[str, object], member: Member,
              skip: frozenset[str] = frozenset()) -> tuple[dict, ValidationError | None]:
        """(the record's ``son``, the validation error or None) for ``values`` (field ->
        value, from the file) set on ``stored`` (the stored ``son``) or on a new record.
        A stored record keeps its value where the file's cell is empty; ``skip``: fields
        that come from the owner, never from the file."""
        data = self._new() if stored is None else self._from_son(stored)
        before_updated = data.get("updated_on")
        explicit = False
        data["member"] = member.pk
        for name, value in values.items():
            if name in skip or (stored is not None and value in (None, "")):
                continue
            if name == "updated_on" and value != before_updated:
                explicit = True
            data[name] = value
        data["deleted_at"] = None
        clean_error = self._clean(data, member, explicit)
        errors = self._validate(data)
        if clean_error is not None:
            errors = {NON_FIELD_ERRORS: clean_error, **errors}
        if errors:
            return {}, ValidationError(f"ValidationError ({self.model.__name__}:{data.get('id')}) ", errors=errors)
        return self._son(data), None

    def _clean(self, data: dict, member: Member, explicit_update: bool) -> ValidationError | None:
        """``clean()`` of the form models, step by step (see models.accounts._Owned.clean)."""
        model = self.model
        for name in self.dates:
            data[name] = normalize.to_datetime(data.get(name))
        before = model.check_before(data) or {}  # reported with the later problems, as the model does
        owner = self._owners.get(member.pk)
        if owner is None:
            owner = self._owners[member.pk] = model.owner_values(member)
        data.update(owner)  # copy_owner
        changed, errors, issues = model.rules_on(data, self._memo)
        data.update(changed)
        data["quality_issues"] = issues
        if errors:
            return ValidationError("Dữ liệu không hợp lệ", errors={**before, **errors} if before else errors)
        data["modified_at"] = utcnow()
        data.update(model.keys_of(data))
        data.update(model.stamp(data, member.pk, explicit_update))
        errors = {**before, **(model.check_after(data) or {})}
        return ValidationError(errors=errors) if errors else None

    def _validate(self, data: dict) -> dict[str, object]:
        """Every field's own validator, as ``Document.validate()`` runs them."""
        errors: dict[str, object] = {}
        valid = self._valid
        for name, field in self.order:
            value = data.get(name)
            if value is None:
                if field.required and not getattr(field, "_auto_gen", False):
                    errors[name] = ValidationError("Field is required", field_name=name)
                continue
            cls = value.__class__
            memo = cls in _MEMO_TYPES
            if memo and (name, cls, value) in valid:
                continue
            if value.__class__ is list and self._list_valid(name, field, value):
                continue
            try:
                field._validate(value)
            except ValidationError as error:
                errors[name] = error.errors or error
                continue
            except (ValueError, AttributeError, AssertionError) as error:
                errors[name] = error
                continue
            if memo and len(valid) < _MEMO_SIZE:
                valid.add((name, cls, value))
        return errors

    def _list_valid(self, name: str, field: BaseField, value: list) -> bool:
        """A list whose every item its item field has already accepted (search keys repeat
        from row to row; a scope's ids are valid ids); anything else goes to the field's
        own validator, for its exact message."""
        if not isinstance(field, ListField) or field.field is None or field.required or field.choices \
                or field.validation is not None or (field.max_length is not None and len(value) > field.max_length):
            return False
        valid, inner = self._valid, field.field
        for item in value:
            key = (name, item.__class__, item)
            if key in valid:
                continue
            if item.__class__ not in (str, ObjectId):
                return False
            try:
                inner._validate(item)
            except (ValidationError, ValueError, AttributeError, AssertionError):
                return False
            if len(valid) < _MEMO_SIZE:
                valid.add(key)
        return True

    # -- plain values ---------------------------------------------------------------------

    def _new(self) -> dict:
        """A new record's values: the fields' defaults (as ``Document()`` sets them)."""
        return {name: (default() if callable(default) else default) for name, default in self.defaults}

    def _from_son(self, son: dict) -> dict:
        data = self._new()
        for name, field in self.order:
            value = son.get(field.db_field, _MISSING)
            if value is not _MISSING:
                data[name] = value
        return data

    def _son(self, data: dict) -> dict:
        """``to_mongo()``: database names; ``None`` left out unless the field is nullable."""
        son = {}
        for name, field in self.order:
            value = data.get(name)
            if value is None:
                if field.null:
                    son[field.db_field] = None
                continue
            if isinstance(value, Document):
                value = value.pk
            elif value.__class__ is list and all(isinstance(v, _PLAIN) for v in value):
                value = list(value)
            elif not isinstance(value, _PLAIN):
                value = field.to_mongo(value)
            son[field.db_field] = value
        return son

