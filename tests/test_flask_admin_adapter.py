"""Flask-Admin's internals the panel relies on (admin/adapter.py): each checked against the
installed Flask-Admin, so an upgrade that changes one fails here first."""

from __future__ import annotations

import inspect

import pytest
from flask_admin import BaseView, expose
from flask_admin.contrib.mongoengine import ModelView

from admin import adapter
from admin.base import SecuredModelView


def _view(app, endpoint: str):
    return next(v for v in app.extensions["admin"][0]._views if getattr(v, "endpoint", None) == endpoint)


def test_every_private_name_the_panel_reaches_exists(app):
    """Ensure that the private methods overridden and the private state read exist on the
    installed Flask-Admin, under the same names (a rename would silently skip an override)."""
    for name in adapter.OVERRIDES:
        assert callable(getattr(ModelView, name, None)), name
        assert name in SecuredModelView.__dict__, name  # and the panel does override it
    for name in ("_get_list_extra_args", "_get_list_url", "_on_model_change", "_search"):
        assert callable(getattr(ModelView, name, None)), name
    view = _view(app, "socialaccount")
    for name in ("_filters", "_sortable_columns", "_actions_data", "_search_supported"):
        assert hasattr(view, name), name


@pytest.mark.parametrize("created", [False, True])
def test_flask_admin_writes_in_the_order_the_write_path_copies(monkeypatch, created):
    """Ensure that Flask-Admin's create_model/update_model still populate, run the change
    hook, save, then the after hook: SecuredModelView._write does the same with the write
    path's save in the middle, and must change if Flask-Admin's order does."""
    seen: list[str] = []

    class Form:
        def populate_obj(self, obj):
            seen.append("populate")

    class Model:
        def save(self):
            seen.append("save")

    view = ModelView.__new__(ModelView)
    view.model = Model
    monkeypatch.setattr(view, "_on_model_change", lambda f, m, c: seen.append(f"change:{c}"), raising=False)
    monkeypatch.setattr(view, "after_model_change", lambda f, m, c: seen.append(f"after:{c}"), raising=False)
    assert ModelView.create_model(view, Form()) if created else ModelView.update_model(view, Form(), Model())
    assert seen == ["populate", f"change:{created}", "save", f"after:{created}"], seen


def test_flask_admin_bulk_delete_still_ignores_the_query():
    """Ensure that the trap the panel's own ``action_delete`` avoids is still there: Flask-Admin
    loads the rows with ``in_bulk``, which drops the scoped query's filter. If this fails,
    Flask-Admin fixed it and the override in admin/base.py can go."""
    assert ".in_bulk(" in inspect.getsource(ModelView.action_delete)
    assert "self.get_query().filter(pk__in=" in inspect.getsource(SecuredModelView.action_delete)  # ours scopes


def test_handle_view_runs_before_every_exposed_method(app):
    """Ensure that Flask-Admin still asks ``_handle_view(name)`` before an exposed method and
    stops when it answers: the panel's write check (403 on a write view) lives there."""
    ran: list[str] = []

    class Probe(BaseView):
        def _handle_view(self, name, **kwargs):
            ran.append(name)
            return "stopped" if name == "guarded" else None

        @expose("/")
        def index(self):
            return "index"

        @expose("/guarded/")
        def guarded(self):
            ran.append("body")
            return "body"

    probe = Probe(name="probe", endpoint="probe_adapter")
    with app.test_request_context("/"):
        assert probe.guarded() == "stopped" and probe.index() == "index"
    assert ran == ["guarded", "index"]


def test_list_arguments_name_filters_by_index(app, world):
    """Ensure that ``_get_list_extra_args`` still parses ``flt<n>_<index>=value`` into
    ``(index, name, value)`` and that the index points into ``_filters``: the export applies
    the list's filters through them."""
    view = _view(app, "socialaccount")
    wanted = next(i for i, f in enumerate(view._filters) if f.column == "owner_status")
    with app.test_request_context(f"/admin/socialaccount/?flt0_{wanted}=left&search=an"):
        args = adapter.list_args(view)
        assert args.search == "an"
        assert [(idx, value) for idx, _name, value in args.filters] == [(wanted, "left")]
        assert adapter.filter_at(view, args.filters[0][0]).column == "owner_status"
        assert "flt0_" in adapter.list_url(view, args)
    assert adapter.sortable_field(view, "no-such-column") is None
    assert "delete" in adapter.action_names(view)
