"""Ensure that every filter and sort a screen offers is backed by an index whose first
key is that field (real MongoDB would otherwise scan the collection)."""

from __future__ import annotations

from flask_admin.contrib.mongoengine import ModelView


def _leading_keys(model) -> set[str]:
    keys = {"_id", "id"}
    for spec in model._meta.get("index_specs", []):
        keys.add(spec["fields"][0][0])
    return keys


def _views(app):
    return [v for v in app.extensions["panel_admin"]._views if isinstance(v, ModelView)]


def test_every_filter_is_indexed(app):
    missing = []
    for view in _views(app):
        leading = _leading_keys(view.model)
        for flt in view._filters or []:
            column = str(flt.column)
            if column not in leading:
                missing.append(f"{view.endpoint}: {column}")
    assert not missing, missing


def test_every_sort_is_indexed(app):
    missing = []
    for view in _views(app):
        leading = _leading_keys(view.model)
        for _name, column in (view._sortable_columns or {}).items():
            field = column if isinstance(column, str) else getattr(column, "name", str(column))
            if field not in leading:
                missing.append(f"{view.endpoint}: {field}")
    assert not missing, missing


def test_list_count_and_default_sort_share_one_index(app):
    """Ensure that a list's count and first page under a scope (``scope``, ``deleted_at``, then
    the default order) are served by one compound index, and the top administrator's (no scope)
    by another, for every screen of soft-deleted records."""
    missing = []
    for view in _views(app):
        model = view.model
        if "deleted_at" not in model._fields or "scope" not in model._fields:
            continue
        order = [(f.lstrip("-+"), -1 if f.startswith("-") else 1) for f in model._meta.get("ordering", [])]
        specs = [spec["fields"] for spec in model._meta.get("index_specs", [])]
        for wanted in ([("scope", 1), ("deleted_at", 1), *order], [("deleted_at", 1), *order]):
            if wanted not in specs:
                missing.append(f"{view.endpoint}: {wanted}")
    assert not missing, missing
