"""The Flask-Admin 2.2.1 internals the panel must reach, in one place.

Flask-Admin keeps the parsed list arguments, the filter objects, the sortable columns, the
registered actions and the change hook under private names; the panel's export, bulk
delete, sort and write path need them. Each is read here only, and
``tests/test_flask_admin_adapter.py`` checks every one (and every private method the panel
overrides, :data:`OVERRIDES`) against the installed Flask-Admin: an upgrade that renames
or changes one fails there, not on a page.
"""

from __future__ import annotations

from typing import Any

#: Flask-Admin's private methods the panel overrides (admin/base.py), each with its reason:
#: ``_handle_view`` runs before every exposed method (writes need more than reading);
#: ``_get_list_value`` maps choices before formatting (an unset choice would show "None");
#: ``_get_filter_groups`` builds the filter menu (choices are scoped per request).
OVERRIDES = ("_handle_view", "_get_list_value", "_get_filter_groups")


def list_args(view: Any) -> Any:
    """The list's page, sort, search and filters as Flask-Admin parsed them from the URL
    (``filters``: ``(index into the view's filters, name, value)`` triples)."""
    return view._get_list_extra_args()


def list_url(view: Any, args: Any) -> str:
    return view._get_list_url(args)


def filter_at(view: Any, index: int) -> Any:
    """The filter object of a parsed ``(index, name, value)`` triple."""
    return view._filters[index]


def filtered(view: Any, query: Any, search: str | None, filters: Any) -> Any:
    """``query`` with the list's filters and search applied, as ``get_list`` does it (without
    its count and paging: an export counts once, against the row cap)."""
    for idx, _name, value in filters or []:
        flt = filter_at(view, idx)
        query = flt.apply(query, flt.clean(value))
    return view._search(query, search) if search and view._search_supported else query


def sortable_field(view: Any, column: str) -> Any:
    """The model field (or key) a sortable list column sorts on, or None."""
    return view._sortable_columns.get(column)


def action_names(view: Any) -> Any:
    """The names of the bulk actions registered on the view (``@action``)."""
    return view._actions_data


def model_change(view: Any, form: Any, model: Any, created: bool) -> None:
    """Flask-Admin's change hook (``on_model_change`` behind its own wrapper), run before a write."""
    view._on_model_change(form, model, created)
