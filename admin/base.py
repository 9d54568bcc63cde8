"""The one secured base view: scope, permissions, CSRF, soft delete, search, defaults.

Flask-Admin's MongoEngine view scopes only ``get_query``; ``get_one`` of ajax loaders,
the built-in bulk delete (``in_bulk``), reference choices and search do not follow it.
Each of those is routed through :mod:`services.scope` here, once, for every view.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_admin.actions import action
from flask_admin.babel import gettext
from flask_admin.contrib.mongoengine import ModelView
from flask_admin.contrib.mongoengine.ajax import QueryAjaxModelLoader
from flask_admin.contrib.mongoengine.typefmt import DEFAULT_FORMATTERS
from flask_admin.model.ajax import DEFAULT_PAGE_SIZE
from flask_login import current_user
from markupsafe import Markup
from mongoengine import DateTimeField, ValidationError
from mongoengine.errors import NotUniqueError

from models import normalize
from models.base import ScopedDocument, utcnow
from services import scope

from .forms import PanelForm, VNDateField, label_args, merge_form_args, rule_form_args


def _fmt_date(view: Any, value: Any, *args: Any) -> str:
    return normalize.format_date(value)


FORMATTERS = {**DEFAULT_FORMATTERS, dt.datetime: _fmt_date, dt.date: _fmt_date,
              bool: lambda view, value, *a: "Có" if value else "Không"}


class ScopedAjaxLoader(QueryAjaxModelLoader):
    """Ajax choices limited to the user's scope and searched on precomputed keys."""

    def __init__(self, name: str, model: Any, **options: Any) -> None:
        self.extra_filter = options.pop("filter", None) or {}
        options.setdefault("fields", ["search_keys"])
        super().__init__(name, model, **options)

    def _query(self) -> Any:
        return scope.visible(self.model, current_user).filter(**self.extra_filter)

    def get_one(self, pk: Any) -> Any:
        try:
            return self._query().filter(pk=pk).first()
        except (ValidationError, Exception):
            return None

    def get_list(self, query: str, offset: int = 0, limit: int = DEFAULT_PAGE_SIZE) -> Any:
        qs = self._query()
        tokens = normalize.query_tokens(query or "")
        if tokens:
            qs = qs.filter(search_keys__all=tokens)
        return qs.skip(offset).limit(min(limit, 50))


class SecuredModelView(ModelView):
    """Every screen inherits this: nothing here is repeated per view."""

    form_base_class = PanelForm  # CSRF comes from Flask-WTF's CSRFProtect on every POST
    column_type_formatters = FORMATTERS
    column_type_formatters_detail = FORMATTERS
    form_overrides: dict = {}
    page_size = 50
    can_set_page_size = True
    can_view_details = True
    details_modal = False
    edit_modal = False
    create_modal = False
    #: roles that may open the screen at all; write roles are decided in ``can_*``
    read_roles = ("admin", "officer", "viewer")
    write_roles = ("admin", "officer")

    def __init__(self, model: Any, *args: Any, **kwargs: Any) -> None:
        fields = list(self.form_columns) if self.form_columns else None
        self.form_args = merge_form_args(label_args(self.column_labels or {}, fields),
                                         rule_form_args(model, fields), self.form_args)
        self.form_overrides = {**self._date_overrides(model, fields), **(self.form_overrides or {})}
        super().__init__(model, *args, **kwargs)

    @staticmethod
    def _date_overrides(model: Any, fields: list[str] | None) -> dict:
        return {name: VNDateField for name, f in model._fields.items()
                if isinstance(f, DateTimeField) and (fields is None or name in fields)}

    # --- permissions (the Django way: methods of the user and the object) ---
    def has_view_permission(self, user: Any) -> bool:
        return scope.scope_root(user) is not None and user.role in self.read_roles

    def has_change_permission(self, user: Any, obj: Any = None) -> bool:
        if scope.scope_root(user) is None or user.role not in self.write_roles:
            return False
        return obj is None or scope.can_see(user, obj)

    def is_accessible(self) -> bool:
        return self.has_view_permission(current_user)

    def inaccessible_callback(self, name: str, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path))
        abort(403)

    @property
    def can_create(self) -> bool:  # type: ignore[override]
        return self.has_change_permission(current_user)

    @property
    def can_edit(self) -> bool:  # type: ignore[override]
        return self.has_change_permission(current_user)

    @property
    def can_delete(self) -> bool:  # type: ignore[override]
        return self.has_change_permission(current_user)

    # --- scope ---
    def get_query(self) -> Any:
        return scope.visible(self.model, current_user)

    def get_one(self, id: Any) -> Any:
        try:
            return self.get_query().filter(pk=id).first()
        except Exception:  # malformed id: same answer as a foreign one
            return None

    def _create_ajax_loader(self, name: str, opts: Any) -> ScopedAjaxLoader:
        field = getattr(self.model, name)
        remote = getattr(field, "field", field).document_type
        return ScopedAjaxLoader(name, remote, **opts)

    def on_model_change(self, form: Any, model: Any, is_created: bool) -> None:
        if not self.has_change_permission(current_user):
            raise ValidationError("Bạn không có quyền thay đổi dữ liệu.")
        if isinstance(model, ScopedDocument):
            model.refresh_derived()
        if not scope.can_see(current_user, model):
            raise ValidationError("Tổ chức được chọn nằm ngoài phạm vi quản lý của bạn.")

    def handle_view_exception(self, exc: Exception) -> bool:
        if isinstance(exc, ValidationError):
            details = "; ".join(str(v) for v in (exc.to_dict() or {}).values()) if exc.errors else exc.message
            flash(f"Không lưu được: {details}", "error")
            return True
        if isinstance(exc, NotUniqueError):
            flash("Không lưu được: bản ghi này đã có trong danh sách (trùng khóa).", "error")
            return True
        return super().handle_view_exception(exc)

    # --- soft delete ---
    def delete_model(self, model: Any) -> bool:
        if not self.has_change_permission(current_user, model):
            flash("Bạn không có quyền xóa bản ghi này.", "error")
            return False
        if isinstance(model, ScopedDocument):
            self.on_model_delete(model)
            model.deleted_at = utcnow()
            model.save(validate=False)
            self.after_model_delete(model)
            return True
        return super().delete_model(model)

    @action("delete", "Xóa", "Bạn có chắc muốn xóa các bản ghi đã chọn?")
    def action_delete(self, ids: list[str]) -> None:
        count = 0
        for obj in self.get_query().filter(pk__in=[i for i in ids if _is_oid(i)]):
            count += bool(self.delete_model(obj))
        flash(f"Đã xóa {count} bản ghi.", "success")

    # --- search on precomputed, indexed keys ---
    def init_search(self) -> bool:
        return "search_keys" in self.model._fields

    def _search(self, query: Any, search_term: str) -> Any:
        tokens = normalize.query_tokens(search_term)
        return query.filter(search_keys__all=tokens) if tokens else query


def _is_oid(value: str) -> bool:
    from bson import ObjectId

    return ObjectId.is_valid(value)


def escape_link(url: str | None, text: str | None = None) -> Markup:
    """A safe outbound link (http/https only, escaped, no referrer)."""
    if not url or not url.lower().startswith(("http://", "https://")):
        return Markup.escape(text or url or "")
    return Markup('<a href="{0}" target="_blank" rel="noopener noreferrer nofollow">{1}</a>').format(
        url, text or url)


__all__ = ["SecuredModelView", "ScopedAjaxLoader", "escape_link", "gettext"]
