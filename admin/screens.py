"""What a list screen offers each officer beyond Flask-Admin: the columns they chose,
their saved filters ("Bộ lọc đã lưu"), and row icons only for what they may do.

Mixed into :class:`admin.base.SecuredModelView`, so every list has it. Preferences are
not register data: any user who may read the screen may keep them (viewers too).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

import flask_admin.model.base as fa_model_base
from flask import abort, flash, redirect, request
from flask_admin import expose
from flask_admin.helpers import is_safe_url
from flask_login import current_user
from mongoengine.queryset.visitor import Q

from models import normalize
from models.preferences import COLUMNS, FILTER, ScreenPreference

#: row icons Flask-Admin renders -> the permission each needs (see ``row_permission``)
_ROW_ACTION_KINDS = {"row_actions.edit_row": "edit", "row_actions.edit_row_popup": "edit",
                     "row_actions.delete_row": "delete"}
#: list arguments a saved filter keeps (filters ``flt…``, search, sort, page size)
_KEPT_ARGS = ("search", "sort", "desc", "page_size")


def return_target(param_name: str = "url") -> str | None:
    """Flask-Admin's return page, read from the query string only. Its own helper reads
    ``request.values``, so a model field named ``url`` (social accounts) posted by a form
    became the page to return to. Only the row delete and bulk action forms post it."""
    target = request.args.get(param_name)
    if target is None and (request.endpoint or "").endswith((".delete_view", ".action_view")):
        target = request.form.get(param_name)
    return target if target and is_safe_url(target) else None


fa_model_base.get_redirect_target = return_target  # used by create/edit/details/delete views


def _clean_query(raw: str) -> str:
    """Only list arguments survive (``flt*``, search, sort); everything else is dropped."""
    pairs = [(k, v) for k, v in parse_qsl(raw.lstrip("?"), keep_blank_values=False)
             if k.startswith("flt") or k in _KEPT_ARGS]
    return urlencode(pairs)[:2000]


class ListScreenMixin:
    """Column chooser, saved filters and permission-aware row icons for every list."""

    list_template = "panel/list.html"
    details_template = "panel/details.html"

    # --- row icons: the one hook deciding which icons a row shows ---
    def row_permission(self, kind: str, row: Any) -> bool:
        """``kind`` is "view", "edit" or "delete": asked of the view's ``has_*_permission`` methods."""
        method = {"view": "has_view_permission", "edit": "has_change_permission",
                  "delete": "has_delete_permission"}[kind]
        return bool(getattr(self, method)(current_user, row))

    def row_action_allowed(self, action: Any, row: Any) -> bool:
        if hasattr(action, "permission"):  # already drawn only when its permission allows (base view)
            return True
        return self.row_permission(_ROW_ACTION_KINDS.get(getattr(action, "template_name", ""), "view"), row)

    def details_sections(self, model: Any) -> list[dict]:
        """Related records shown under a details page (see ``admin.details``)."""
        return []

    # --- what the user keeps of this screen: hidden columns and saved filters, one round trip ---
    def preferences(self) -> tuple[list[str], list[ScreenPreference]]:
        """(hidden columns, saved filters offered); each branch of the $or has its own index."""
        found = ScreenPreference.objects(Q(owner=current_user.pk) | Q(kind=FILTER, shared=True,
                                                                      org__in=list(current_user.scope or [])),
                                         endpoint=self.endpoint)  # type: ignore[attr-defined]
        hidden, filters = [], []
        for pref in found:
            if pref.kind == COLUMNS and pref.owner == current_user.pk:
                hidden = list(pref.hidden_columns)
            elif pref.kind == FILTER:
                filters.append(pref)
        return hidden, sorted(filters, key=lambda f: (f.owner != current_user.pk, f.name or ""))

    def render(self, template: str, **kwargs: Any) -> Any:
        if "list_columns" in kwargs and current_user.is_authenticated:
            hidden, saved = self.preferences()
            kwargs["all_list_columns"] = kwargs["list_columns"]
            kwargs["hidden_columns"] = set(hidden)
            kept = [(c, n) for c, n in kwargs["list_columns"] if c not in kwargs["hidden_columns"]]
            kwargs["list_columns"] = kept or kwargs["list_columns"][:1]
            kwargs["saved_filters"] = saved
            kwargs["current_query"] = _clean_query(request.query_string.decode("utf-8", "replace"))
        return super().render(template, **kwargs)  # type: ignore[misc]

    def get_list(self, *args: Any, execute: bool = True, **kwargs: Any) -> Any:
        """The page's rows as a list: column formatters look at the whole page (one query for
        the units of all rows) without running the list query again."""
        count, data = super().get_list(*args, execute=execute, **kwargs)  # type: ignore[misc]
        return count, (list(data) if execute and data is not None else data)

    @expose("/columns/", methods=("POST",))
    def columns_view(self) -> Any:
        offered = {c for c, _ in self._list_columns}  # type: ignore[attr-defined]
        shown = set(request.form.getlist("show"))
        hidden = sorted(offered - shown)
        if len(hidden) == len(offered):
            flash("Cần giữ lại ít nhất một cột.", "error")
        else:
            ScreenPreference.objects(owner=current_user.pk, endpoint=self.endpoint, kind=COLUMNS).update_one(  # type: ignore[attr-defined]
                set__hidden_columns=hidden, set__org=current_user.organisation.pk, upsert=True)
            flash("Đã lưu các cột hiển thị.", "success")
        return redirect(self._back())

    def saved_filter_url(self, saved: ScreenPreference) -> str:
        base = self.get_url(".index_view")  # type: ignore[attr-defined]
        return f"{base}?{saved.query}" if saved.query else base

    @expose("/saved-filters/", methods=("POST",))
    def save_filter_view(self) -> Any:
        name = normalize.text(request.form.get("name")) or ""
        query = _clean_query(request.form.get("query", ""))
        if not name or len(name) > 100:
            flash("Hãy đặt tên cho bộ lọc (tối đa 100 ký tự).", "error")
        elif not query:
            flash("Danh sách chưa có bộ lọc hay từ khóa tìm kiếm nào để lưu.", "error")
        else:
            ScreenPreference(kind=FILTER, owner=current_user.pk, owner_name=current_user.username,
                        org=current_user.organisation.pk, endpoint=self.endpoint,  # type: ignore[attr-defined]
                        name=name, query=query, shared=request.form.get("shared") == "1").save()
            flash(f"Đã lưu bộ lọc “{name}”.", "success")
        return redirect(self._back())

    @expose("/saved-filters/delete/", methods=("POST",))
    def delete_filter_view(self) -> Any:
        raw = request.form.get("id", "")
        saved = ScreenPreference.objects(pk=raw, owner=current_user.pk, kind=FILTER).first() if _oid(raw) else None
        if saved is None:
            abort(404)
        saved.delete()
        flash(f"Đã xóa bộ lọc “{saved.name}”.", "success")
        return redirect(self._back())

    def _back(self) -> str:
        target = return_target()
        return target or self.get_url(".index_view")  # type: ignore[attr-defined]


def _oid(value: str) -> bool:
    from bson import ObjectId

    return ObjectId.is_valid(value)
