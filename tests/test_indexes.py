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
