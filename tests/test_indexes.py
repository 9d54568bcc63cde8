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
        order.append(("_id", 1))  # every list sort ends with _id (ties)
        specs = [spec["fields"] for spec in model._meta.get("index_specs", [])]
        for wanted in ([("scope", 1), ("deleted_at", 1), *order], [("deleted_at", 1), *order]):
            if wanted not in specs:
                missing.append(f"{view.endpoint}: {wanted}")
    assert not missing, missing


def test_every_list_sort_ends_with_id(app, world):
    """MongoDB returns ties in any order from page to page; ``_id`` breaks every tie."""
    from models import User
    from tests import factories

    factories.user("quantri", world.district, "admin")
    with app.test_request_context("/admin/"):
        from flask_login import login_user

        login_user(User.objects.get(username="quantri"))
        for view in _views(app):
            for sort in [None, *range(len(view._sortable_columns or {}))]:
                column = None if sort is None else view._get_column_by_idx(sort)
                _count, query = view.get_list(0, column and column[0], True, None, [], execute=False)
                assert query._ordering and query._ordering[-1] == ("_id", 1), (view.endpoint, column)


def test_export_cursor_ends_with_id(app, world):
    from models import SocialAccount
    from services import reports

    cursor = reports.form_cursor("social", SocialAccount.objects)
    assert cursor._ordering[-1] == ("_id", 1)


def test_index_conflict_is_logged_shown_and_does_not_stop_the_others(app, world, caplog, login):
    """An index whose options changed since the last deployment: the others are still built."""
    from models import Member, Site
    from services import db, integrity
    from tests import factories

    Member._get_collection().drop_index("status_1")
    Member._get_collection().create_index([("status", 1)], name="status_1", sparse=True)  # old options
    Site._get_collection().drop_index("purpose_1")
    with caplog.at_level("ERROR", logger="database"), app.app_context():  # the conflicts are the app's
        problems = db.ensure_indexes()
        assert "Chỉ mục members.status_1" in "\n".join(integrity.check().problems)
    assert [(c, i) for c, i, _ in problems] == [("members", "status_1")]
    assert "INDEX CONFLICT" in caplog.text
    assert "purpose_1" in Site._get_collection().index_information()  # the loop went on
    factories.user("quantri", world.district, "admin")
    factories.user("canbo_a", world.commune_a, "officer")
    assert login("quantri").get("/healthz").get_json()["index_conflicts"][0]["index"] == "status_1"
    assert "index_conflicts" not in login("canbo_a").get("/healthz").get_json()
    Member._get_collection().drop_index("status_1")
    with app.app_context():
        assert db.ensure_indexes() == [] and integrity.check().clean
