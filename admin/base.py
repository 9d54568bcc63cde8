"""The one secured base view: scope, permissions, CSRF, soft delete, audit, search, defaults.

Flask-Admin's MongoEngine view scopes only ``get_query``; ``get_one`` of ajax loaders,
the built-in bulk delete (it starts from ``get_query()`` but calls ``in_bulk``, which in
MongoEngine 0.29 drops the query's filter), the editable list (``ajax_update``),
reference choices, the GridFS file endpoint and search do not follow it. Each of those is routed
through :mod:`services.scope` here, once, for every view; every write and every refusal
is written to the audit trail through :mod:`services.audit`.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import gridfs
from bson import ObjectId
from flask import abort, flash, g, request, send_file, url_for
from flask_admin import expose
from flask_admin.actions import action
from flask_admin.babel import gettext
from flask_admin.contrib.mongoengine import ModelView
from flask_admin.contrib.mongoengine.ajax import QueryAjaxModelLoader
from flask_admin.contrib.mongoengine.helpers import format_error
from flask_admin.contrib.mongoengine.typefmt import DEFAULT_FORMATTERS
from flask_admin.model import template
from flask_admin.model.ajax import DEFAULT_PAGE_SIZE
from flask_login import current_user
from markupsafe import Markup
from mongoengine import DateTimeField, FileField, ListField, ReferenceField, ValidationError, get_db
from mongoengine.errors import NotUniqueError, SaveConditionError
from wtforms import HiddenField

from models import normalize, search
from models.base import ScopedDocument
from services import audit, db, policy, records, scope

from . import adapter, labels
from .access import PanelAccess, clean_request_line, deny, not_found
from .filters import OrgSubtreeFilter
from .forms import PanelForm, VNDateField, label_args, merge_form_args, rule_form_args
from .screens import ListScreenMixin

log = logging.getLogger(__name__)

FORMATTERS = {**DEFAULT_FORMATTERS, dt.datetime: labels.type_date, dt.date: labels.type_date,
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
        tokens = search.query_tokens(query or "")
        if tokens:
            qs = qs.filter(search.search_condition(tokens))
        # from the query string: pymongo refuses a negative skip (a 500 on real MongoDB)
        return qs.skip(max(offset or 0, 0)).limit(max(1, min(limit or 10, 50)))

    def format(self, model: Any) -> Any:
        """Pickers name every unit with its place (five communes have a "Chi bộ thôn 1")."""
        found = super().format(model)
        return (found[0], labels.record_label(model)) if found and hasattr(model, "pk") else found


class SecuredModelView(PanelAccess, ListScreenMixin, ModelView):
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
    #: policy actions that open the screen and that change its records (``services.policy``)
    read_action = policy.VIEW
    write_action = policy.CHANGE
    #: view methods that change data -> the permission each needs; refused with 403 and audited
    write_views = {"create_view": "can_create", "edit_view": "can_edit", "delete_view": "can_delete",
                   "ajax_update": "can_edit"}

    def __init__(self, model: Any, *args: Any, **kwargs: Any) -> None:
        fields = list(self.form_columns) if self.form_columns else None
        self.form_args = merge_form_args(label_args(self.column_labels or {}, fields),
                                         rule_form_args(model, fields), self.form_args)
        self.form_overrides = {**self._date_overrides(model, fields), **(self.form_overrides or {})}
        self.column_choices = {**self._model_choices(model), **(self.column_choices or {})}
        own = {"org_name": labels.org_column} if "org_name" in model._fields else {}
        detail = self.column_formatters_detail
        self.column_formatters = {**own, **(self.column_formatters or {})}
        self.column_formatters_detail = {**own, **(detail if detail is not None else self.column_formatters)}
        for name in self.column_editable_list or ():
            # an editable reference column would offer every organisation's records as choices
            if isinstance(model._fields.get(name), ReferenceField | ListField):
                raise TypeError(f"{type(self).__name__}: column_editable_list cannot hold reference {name!r}")
        super().__init__(model, *args, **kwargs)

    @staticmethod
    def _model_choices(model: Any) -> dict[str, list]:
        """Lists and details show a choice's Vietnamese label (``regular`` -> ``Sinh hoạt thường kỳ``),
        taken from the model field's ``choices``: one place for each label."""
        out = {}
        for name, f in model._fields.items():
            choices = f.choices or getattr(getattr(f, "field", None), "choices", None)
            if choices and all(isinstance(c, tuple | list) and len(c) == 2 for c in choices):
                out[name] = list(choices)
        return out

    def _get_list_value(self, *args: Any, **kwargs: Any) -> Any:
        """An unset choice shows empty, not "None" (Flask-Admin maps choices before formatting)."""
        value = super()._get_list_value(*args, **kwargs)
        return "" if value is None else value

    @staticmethod
    def _date_overrides(model: Any, fields: list[str] | None) -> dict:
        return {name: VNDateField for name, f in model._fields.items()
                if isinstance(f, DateTimeField) and (fields is None or name in fields)}

    # --- permissions, the Django way: one method per action, of the user and the object.
    # ``obj=None`` asks about the screen; with a record, about that record (before a
    # change: the stored one; after: the new state). Screens override these, nothing else.
    # ``has_view_permission`` comes from ``PanelAccess`` (read roles, record in scope).
    def has_change_permission(self, user: Any, obj: Any = None) -> bool:
        if scope.scope_root(user) is None or not policy.can(user, self.write_action):
            return False
        return obj is None or scope.can_see(user, obj)

    def has_add_permission(self, user: Any, obj: Any = None) -> bool:
        return self.has_change_permission(user, obj)

    def has_delete_permission(self, user: Any, obj: Any = None) -> bool:
        return self.has_change_permission(user, obj)

    def get_list_row_actions(self) -> list[Any]:
        """Each row shows only the icons its record allows (asked of the same methods)."""
        out = []
        for row_action in super().get_list_row_actions():
            permission = _ROW_PERMISSIONS.get(type(row_action))
            out.append(_PermittedRowAction(row_action, permission) if permission else row_action)
        return out

    def _handle_view(self, name: str, **kwargs: Any) -> Any:
        """Runs before every view method: reading needs ``is_accessible``, writing more."""
        response = super()._handle_view(name, **kwargs)
        if response is not None:
            return response
        if name in self.write_views and not getattr(self, self.write_views[name]):
            deny(self.endpoint, name)
        if name == "action_view":
            chosen = request.form.get("action", "")
            if chosen not in adapter.action_names(self) or not self.is_action_allowed(chosen):
                deny(self.endpoint, f"action {chosen}")
        return None

    @property
    def can_create(self) -> bool:  # type: ignore[override]
        return self.has_add_permission(current_user)

    @property
    def can_edit(self) -> bool:  # type: ignore[override]
        return self.has_change_permission(current_user)

    @property
    def can_delete(self) -> bool:  # type: ignore[override]
        return self.has_delete_permission(current_user)

    # --- scope ---
    def get_query(self) -> Any:
        return scope.visible(self.model, current_user)

    def get_one(self, id: Any) -> Any:
        """The record if it is in scope; otherwise 404 (a foreign one is also audited)."""
        try:
            found = self.get_query().filter(pk=id).first()
        except Exception:  # malformed id: same answer as a foreign one
            found = None
        if found is None:  # missing or foreign: the same answer, page and audit entry
            not_found(self.model._get_collection_name(), [id], self.model)
        return found

    def create_form(self, obj: Any = None) -> Any:
        return _scope_choices(super().create_form(obj))

    def get_edit_form(self) -> Any:
        """The edit form carries the record's version as it was opened (``seen_version``):
        a save over someone else's later change is stopped, never silently lost."""
        form = super().get_edit_form()
        return type(form.__name__, (form,), {"seen_version": HiddenField()})

    def edit_form(self, obj: Any = None) -> Any:
        if obj is not None and not self.has_change_permission(current_user, obj):
            deny(self.endpoint, "edit")  # a record the user can see (so no oracle) but not change
        form = _scope_choices(super().edit_form(obj))
        if obj is not None and not form.seen_version.data:  # opened now (a POST carries its own)
            form.seen_version.data = _version(obj)
        return form

    def _create_ajax_loader(self, name: str, opts: Any) -> ScopedAjaxLoader:
        field = getattr(self.model, name)
        remote = getattr(field, "field", field).document_type
        return ScopedAjaxLoader(name, remote, **opts)

    def on_model_change(self, form: Any, model: Any, is_created: bool) -> None:
        g.pending_record = model  # names the existing record if the save hits a unique key
        allowed = self.has_add_permission if is_created else self.has_change_permission
        if not allowed(current_user):
            raise ValidationError("Bạn không có quyền thay đổi dữ liệu.")
        if isinstance(model, ScopedDocument):
            model.refresh_derived()
        if not scope.can_see(current_user, model):
            raise ValidationError("Tổ chức được chọn nằm ngoài phạm vi quản lý của bạn.")
        if not allowed(current_user, model):  # the new state must be allowed too
            raise ValidationError("Bạn không có quyền lưu bản ghi với nội dung này.")
        _warn_legacy_text(form)

    # --- every write of a screen goes through the write path (services.records), audited there ---
    def save_record(self, form: Any, model: Any, *, before: dict | None, expected_version: Any) -> None:
        """Write the record: screens with follow-up work (people) override this."""
        records.save(model, by=current_user, before=before, expected_version=expected_version,
                     detail=self.audit_detail(form, model))

    def audit_detail(self, form: Any, model: Any) -> str | None:
        """What the audit entry says besides the changed fields (a new password: that it changed)."""
        return None

    def _write(self, form: Any, model: Any, created: bool, expected_version: Any = None) -> bool:
        """Flask-Admin 2.2.1's create_model/update_model, with the write of ``save_record``."""
        before = None if created else audit.snapshot(model)
        try:
            form.populate_obj(model)
            adapter.model_change(self, form, model, created)
            self.save_record(form, model, before=before, expected_version=expected_version)
        except Exception as ex:
            if not self.handle_view_exception(ex):
                message = "Failed to create record. %(error)s" if created else "Failed to update record. %(error)s"
                flash(gettext(message, error=format_error(ex)), "error")
                log.exception("Failed to save record.")
            return False
        self.after_model_change(form, model, created)
        return True

    def create_model(self, form: Any) -> Any:
        model = self.model()
        return model if self._write(form, model, True) else False

    def update_model(self, form: Any, model: Any) -> bool:
        if not self.has_change_permission(current_user, model):  # still the stored record here
            deny(self.endpoint, "update")
        seen = getattr(form, "seen_version", None)
        if seen is not None and seen.data and seen.data != _version(model):
            # saved by someone else since this form was opened: their change is not overwritten
            # unknowingly; saving again (the form now carries the current version) overwrites it
            flash(f"Bản ghi này đã được sửa lúc {normalize.format_moment(model.modified_at)}, sau khi bạn mở trang: "
                  "thay đổi của bạn chưa được lưu. Hãy mở lại bản ghi để xem nội dung hiện tại, hoặc bấm Lưu "
                  "lần nữa để ghi đè.", "error")
            seen.data = _version(model)
            return False
        # the write itself is conditional on the version checked
        expected = model.modified_at if seen is not None and isinstance(
            getattr(model, "modified_at", None), dt.datetime) else None
        return self._write(form, model, False, expected)

    def handle_view_exception(self, exc: Exception) -> bool:
        if isinstance(exc, ValidationError):
            details = "; ".join(str(v) for v in (exc.to_dict() or {}).values()) if exc.errors else exc.message
            flash(f"Không lưu được: {details}", "error")
            return True
        if isinstance(exc, SaveConditionError):  # saved by someone else between the check and the write
            flash("Bản ghi này vừa được người khác sửa trong lúc lưu: thay đổi của bạn chưa được lưu. "
                  "Hãy mở lại bản ghi để xem nội dung hiện tại.", "error")
            return True
        if isinstance(exc, NotUniqueError):
            flash(labels.duplicate_message(self, g.get("pending_record")), "error")
            return True
        if db.write_timed_out(exc):
            raise exc  # the app's 503 page: the write may or may not have happened
        return super().handle_view_exception(exc)

    # --- soft delete ---
    def delete_model(self, model: Any) -> bool:
        if not self.has_delete_permission(current_user, model):
            flash("Bạn không có quyền xóa bản ghi này.", "error")
            return False
        if isinstance(model, ScopedDocument):
            self.on_model_delete(model)
            records.bin(model, by=current_user)
            self.after_model_delete(model)
            return True
        try:
            self.on_model_delete(model)
            records.delete(model, by=current_user)
        except Exception as ex:
            if not self.handle_view_exception(ex):
                flash(gettext("Failed to delete record. %(error)s", error=format_error(ex)), "error")
            return False
        self.after_model_delete(model)
        return True

    @action("delete", "Xóa", "Bạn có chắc muốn xóa các bản ghi đã chọn?")
    def action_delete(self, ids: list[str]) -> None:
        """Bulk delete through the scoped query: Flask-Admin 2.2.1's own action calls
        ``get_query().in_bulk(ids)``, and ``in_bulk`` ignores the query's filter."""
        wanted = [i for i in ids if _is_oid(i)]
        count, seen = 0, set()
        for obj in self.get_query().filter(pk__in=wanted):
            seen.add(str(obj.pk))
            count += bool(self.delete_model(obj))
        missing = [i for i in ids if i not in seen]
        if missing:  # missing and foreign ids alike: one entry in the actor's own trail
            audit.record("denied", collection=self.model._get_collection_name(), ids=missing[:1000],
                         detail=clean_request_line())
            foreign = list(self.model.objects(pk__in=[i for i in missing if _is_oid(i)]).only("scope"))
            if foreign:  # their owners see the attempt; the actor's trail is the same either way
                audit.record("denied", records=foreign, detail=clean_request_line(), records_only=True)
        flash(f"Đã xóa {count} bản ghi.", "success")

    # --- GridFS files: served only when a record in scope holds them ---
    @expose("/api/file/")
    def api_file_view(self) -> Any:
        raw, coll = request.args.get("id", ""), request.args.get("coll", "")
        field = self._file_fields().get(coll)
        if field is None or not _is_oid(raw) or not self.get_query().filter(**{field: ObjectId(raw)}).count():
            not_found(self.model._get_collection_name(), [raw], self.model, field)
        try:
            data = gridfs.GridFS(get_db(), coll).get(ObjectId(raw))
        except gridfs.errors.NoFile:
            abort(404)
        return send_file(data, mimetype=(data.metadata or {}).get("content_type") or "application/octet-stream",
                         download_name=data.filename or raw, as_attachment=True)

    def _file_fields(self) -> dict[str, str]:
        """GridFS collection -> field name, for the model's file fields."""
        out = {}
        for name, f in self.model._fields.items():
            inner = f.field if isinstance(f, ListField) else f
            if isinstance(inner, FileField):
                out[inner.collection_name] = name
        return out

    def get_list(self, page: Any, sort_column: Any, sort_desc: Any, search: Any, filters: Any,
                 execute: bool = True, page_size: Any = None) -> Any:
        """Sort only on an offered column, through its sort key (Flask-Admin's MongoEngine
        view would sort on any list column by its raw name); anything else is ignored.
        Every sort ends with ``_id`` (:func:`services.scope.stable`)."""
        target = adapter.sortable_field(self, sort_column) if sort_column else None
        if target is not None and not isinstance(target, str):
            target = sort_column
        page = max(page, 0) if isinstance(page, int) else page  # ?page=-5: pymongo refuses a negative skip
        count, query = super().get_list(page, target, sort_desc, search, filters, execute=False,
                                         page_size=page_size)
        query = scope.stable(query)  # ties broken by _id: pages never repeat or skip rows
        return count, (query.all() if execute else query)

    # --- search on precomputed, indexed keys ---
    def _get_filter_groups(self) -> Any:
        """Flask-Admin computes filter options once, at start-up (choice labels stay cached
        per process); the organisation filter is a picker loading units on demand, so the
        page carries only the labels of the units chosen in this request."""
        groups = super()._get_filter_groups()
        for items in (groups or {}).values():
            for item in items:
                flt = adapter.filter_at(self, item["index"])
                if isinstance(flt, OrgSubtreeFilter):
                    chosen = [v for k, v in request.args.items() if k.startswith("flt") and k.endswith(f"_{item['arg']}")]
                    item["labels"] = OrgSubtreeFilter.labels_of(current_user, chosen)
                    item["url"] = url_for("admin.org_options")
        return groups

    #: what the search box says; every screen searches its precomputed keys
    search_hint = "Tên, SĐT, email, đường dẫn…"

    def search_placeholder(self) -> str:
        return self.search_hint

    def init_search(self) -> bool:
        return "search_keys" in self.model._fields

    def _search(self, query: Any, search_term: str) -> Any:
        tokens = search.query_tokens(search_term)
        return query.filter(search.search_condition(tokens)) if tokens else query


def _version(record: Any) -> str:
    """A record's version for the edit form: when it was last saved (``modified_at``, set by
    every save of a scoped record); "" for documents that keep none (no check)."""
    stamp = getattr(record, "modified_at", None)
    return stamp.isoformat() if isinstance(stamp, dt.datetime) else ""


def _is_oid(value: str) -> bool:
    return ObjectId.is_valid(value)


#: list-row icon -> the permission method it needs for that row
_ROW_PERMISSIONS = {template.EditRowAction: "has_change_permission",
                    template.EditPopupRowAction: "has_change_permission",
                    template.DeleteRowAction: "has_delete_permission",
                    template.ViewRowAction: "has_view_permission",
                    template.ViewPopupRowAction: "has_view_permission"}


class _PermittedRowAction(template.BaseListRowAction):
    """A row icon drawn only when the view's permission method allows it for that row."""

    def __init__(self, inner: template.BaseListRowAction, permission: str) -> None:
        super().__init__(title=inner.title)
        self.inner, self.permission = inner, permission

    def render(self, context: Any, row_id: str, row: Any) -> Any:
        view = context.get("admin_view")
        if view is None or not getattr(view, self.permission)(current_user, row):
            return ""
        return self.inner.render(context, row_id, row)



def _scope_choices(form: Any) -> Any:
    """Limit every non-ajax reference dropdown to the user's scope, then re-read the
    submitted value against it: a foreign id becomes "not a valid choice"."""
    for field in form:
        qs = getattr(field, "queryset", None)
        if qs is not None and hasattr(qs, "_document"):
            field.queryset = scope.visible(qs._document, current_user)
            if field.raw_data:
                field.process_formdata(field.raw_data)
    return form


def escape_link(url: str | None, text: str | None = None) -> Markup:
    """A safe outbound link (http/https only, escaped, no referrer)."""
    if not url or not url.lower().startswith(("http://", "https://")):
        return Markup.escape(text or url or "")
    return Markup('<a href="{0}" target="_blank" rel="noopener noreferrer nofollow">{1}</a>').format(
        url, text or url)


__all__ = ["SecuredModelView", "ScopedAjaxLoader", "deny", "escape_link", "gettext"]


def _warn_legacy_text(form: Any) -> None:
    """Text pasted from a list typed in .VnTime/VNI-Times (``Vò §×nh An``): say so, with the
    Unicode reading, so that the officer corrects it (the import converts it by itself)."""
    from models import vn_legacy

    for field in form or ():
        value = getattr(field, "data", None)
        encoding = vn_legacy.detect(value) if isinstance(value, str) else None
        if encoding:
            flash(f"Ô “{field.label.text}” có vẻ được gõ bằng phông cũ {vn_legacy.NAMES[encoding]}: "
                  f"“{value}” có lẽ là “{vn_legacy.decode(value, encoding)}”. Hãy kiểm tra và sửa lại.", "warning")
