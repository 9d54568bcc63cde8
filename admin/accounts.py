"""Form 1 (websites/blogs) and form 2 (social accounts) screens, in the official
column names and order, each with an "Xuất Excel" button that exports exactly what the
list shows (same filters, same search) in the official layout."""

from __future__ import annotations

import tempfile
from typing import Any

from flask import current_app, flash, redirect, request, send_file
from flask_admin import expose
from flask_login import current_user

from exports import XLSX_MIMETYPE, ExportError
from exports.forms import invalid_note
from models import Organisation, Site, SocialAccount, normalize
from models.accounts import ADMIN_ROLES, LINK_TYPES, PLATFORMS, PURPOSES
from models.layouts import FORMS
from models.member import OWNER_STATUSES
from services import reports, scope

from . import adapter
from .base import SecuredModelView, escape_link
from .filters import BoolFilter, ChoiceFilter, CountedFilter, EmptyFilter, OrgSubtreeFilter, QualityFilter, date_range
from .labels import checked_column, domain_text, issue_reasons, marked

_H1, _H2 = FORMS["sites"].headers(), FORMS["social"].headers()  # the official texts, for the filters
_OWNER_LABELS = {"member": "Họ và tên (người khai)", "quality_issues": "Lỗi dữ liệu", "modified_at": "Sửa lần cuối"}
def _owner_filters() -> tuple:
    return (ChoiceFilter("owner_status", "Chủ tài khoản", OWNER_STATUSES),
            BoolFilter("owner_party", "Chủ tài khoản là đảng viên"))


_AJAX_MEMBER = {"member": {"fields": ["search_keys"], "placeholder": "Gõ họ tên hoặc số điện thoại"}}


_CHECKED = ("registration_phone", "registration_email", "server_location")


def _flagged(model: Any, field: str, shown: Any) -> Any:
    reason = issue_reasons(model).get(field)
    return marked(shown, reason) if reason else shown


def _domain(model: Any) -> Any:
    """"Tên miền" as written on form 1 (no scheme); the link still opens the site."""
    raw = model.domain or ""
    target = raw if "://" in raw else f"https://{raw}"
    return _flagged(model, "domain", escape_link(target, domain_text(raw)) if raw else "")


def _suggest(values: list[str]) -> dict:
    return {"description": "Ví dụ: " + ", ".join(values[:4])}


class FormExportMixin:
    """``/export-xlsx/``: the list's own query (scope, filters, search) written as the official form."""

    export_kind = ""
    list_template = "reports/list_export.html"
    #: labels of the screen's own columns; the form's columns are labelled by their official
    #: header (:mod:`models.layouts`), read when the view is made
    extra_labels: dict[str, str] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if self.export_kind in FORMS:
            self.column_labels = {**FORMS[self.export_kind].headers(), **self.extra_labels}
        super().__init__(*args, **kwargs)

    def render(self, template: str, **kwargs: Any) -> Any:
        if template == self.list_template:
            args = {k: v for k, v in request.args.items() if k not in ("page", "page_size")}
            kwargs["export_xlsx_url"] = self.get_url(".export_xlsx", **args)
            kwargs["export_base_template"] = SecuredModelView.list_template  # whatever the base view uses
        return super().render(template, **kwargs)  # type: ignore[misc]

    @expose("/export-xlsx/")
    def export_xlsx(self) -> Any:
        view_args = adapter.list_args(self)
        query = self._filtered_query(view_args.search, view_args.filters)
        org = self._export_org(view_args.filters)
        out = tempfile.TemporaryFile()
        try:
            self._write_export(out, org, query, view_args.filters)
        except (ExportError, reports.ReportError) as exc:
            out.close()
            flash(str(exc), "error")
            return redirect(adapter.list_url(self, view_args))
        out.seek(0)
        return send_file(out, mimetype=XLSX_MIMETYPE, as_attachment=True,
                         download_name=f"{self._export_name()}-{org.code}-{normalize.today():%Y%m%d}.xlsx")

    def _write_export(self, out: Any, org: Organisation, query: Any, filters: Any) -> None:
        invalid = reports.InvalidCounter()
        reports.export_form(self.export_kind, out, org, current_user, base=query,
                            cap=current_app.config["EXPORT_ROW_CAP"],
                            include_departed=self._owner_filtered(filters),
                            criteria=request.query_string.decode("utf-8", "replace"), invalid=invalid)
        if invalid.count:
            flash(invalid_note(invalid.count), "warning")

    def _export_name(self) -> str:
        return f"bieu-mau-{1 if self.export_kind == 'sites' else 2}"

    def _owner_filtered(self, filters: Any) -> bool:
        """A list filtered on the owner's status exports what it shows (departed owners included
        when asked for); otherwise the form lists only owners still in the register."""
        return any(adapter.filter_at(self, idx).column == "owner_status" for idx, _, _ in filters or [])

    def _filtered_query(self, search: str | None, filters: Any) -> Any:
        """The list's query with its filters and search, as Flask-Admin's ``get_list`` builds
        it but without its count: the export counts once, against the row cap."""
        return adapter.filtered(self, self.get_query(), search, filters)  # type: ignore[attr-defined]

    def _export_org(self, filters: Any) -> Organisation:
        """The organisation printed in the title block: the deepest organisation filter in scope,
        else the user's own organisation."""
        chosen = [value for idx, _, value in filters or []
                  if isinstance(adapter.filter_at(self, idx), OrgSubtreeFilter)]
        orgs = scope.organisations(current_user).filter(pk__in=chosen).order_by("-depth") if chosen else []
        return next(iter(orgs), None) or current_user.organisation


class ListExportMixin(FormExportMixin):
    """The same "Xuất Excel" for the roster, documents and meetings lists (:mod:`services.lists`)."""

    def _write_export(self, out: Any, org: Organisation, query: Any, filters: Any) -> None:
        from services import lists

        lists.export_list(self.export_kind, out, org, current_user, base=query,
                          cap=current_app.config["EXPORT_ROW_CAP"],
                          criteria=request.query_string.decode("utf-8", "replace"))

    def _export_name(self) -> str:
        return {"roster": "danh-sach-dang-vien", "documents": "van-ban", "meetings": "sinh-hoat"}[self.export_kind]


class SiteView(FormExportMixin, SecuredModelView):
    export_kind = "sites"
    column_list = ["org_name", "member_name", "position", "site_name", "domain", "server_location",
                   "registration_phone", "registration_email", "established_on", "expires_on",
                   "updated_on", "purpose"]
    column_details_list = [*column_list, "quality_issues", "modified_at"]
    extra_labels = _OWNER_LABELS
    column_formatters = {"domain": lambda v, c, m, n: _domain(m), **{f: checked_column for f in _CHECKED}}
    column_sortable_list = [("org_name", "org_key"), ("member_name", "member_sort_key"), "established_on", "expires_on", "updated_on"]
    column_default_sort = [("org_key", False), ("member_sort_key", False)]
    column_filters = [
        OrgSubtreeFilter(),
        ChoiceFilter("purpose", _H1["purpose"], [(p, p) for p in PURPOSES]),
        QualityFilter(Site),
        CountedFilter(Site),
        *_owner_filters(),
        *date_range("established_on", _H1["established_on"]),
        *date_range("expires_on", _H1["expires_on"]),
        *date_range("updated_on", "Thời gian cập nhật"),
        EmptyFilter("registration_phone", _H1["registration_phone"]),
    ]
    form_columns = ["member", "site_name", "domain", "server_location", "registration_phone",
                    "registration_email", "established_on", "expires_on", "updated_on", "purpose"]
    form_ajax_refs = _AJAX_MEMBER
    form_args = {"domain": {"description": "abc.com hoặc https://tenblog.blogspot.com"},
                 "server_location": {"description": "IP/quốc gia, ví dụ 123.124.125.124/Việt Nam"},
                 "purpose": _suggest(PURPOSES)}


class SocialAccountView(FormExportMixin, SecuredModelView):
    export_kind = "social"
    column_list = ["org_name", "member_name", "position", "platform", "account_name", "url", "admin_role",
                   "registration_phone", "registration_email", "established_on", "updated_on", "purpose"]
    column_details_list = [*column_list, "link_type", "quality_issues", "modified_at"]
    extra_labels = {**_OWNER_LABELS, "link_type": "Loại đường dẫn", "admin_role": "Vai trò (Trang/Hội nhóm)"}
    column_formatters = {"url": lambda v, c, m, n: _flagged(m, "url", escape_link(m.url, domain_text(m.link_text))),
                         **{f: checked_column for f in _CHECKED}}
    column_sortable_list = [("org_name", "org_key"), ("member_name", "member_sort_key"), "platform", "established_on", "updated_on"]
    column_default_sort = [("org_key", False), ("member_sort_key", False)]
    column_filters = [
        OrgSubtreeFilter(),
        ChoiceFilter("platform", _H2["platform"], [(p, p) for p in PLATFORMS]),
        ChoiceFilter("link_type", "Loại đường dẫn", LINK_TYPES),
        ChoiceFilter("admin_role", "Vai trò (Trang/Hội nhóm)", [(r, r) for r in ADMIN_ROLES]),
        ChoiceFilter("purpose", _H2["purpose"], [(p, p) for p in PURPOSES]),
        QualityFilter(SocialAccount),
        CountedFilter(SocialAccount),
        *_owner_filters(),
        *date_range("established_on", _H2["established_on"]),
        *date_range("updated_on", "Thời gian cập nhật"),
        EmptyFilter("registration_phone", _H2["registration_phone"]),
    ]
    form_columns = ["member", "platform", "account_name", "url", "link_type", "admin_role",
                    "registration_phone", "registration_email", "established_on", "updated_on", "purpose"]
    form_ajax_refs = _AJAX_MEMBER
    form_choices = {"link_type": LINK_TYPES}
    #: required only for some values of another field: marked (and required) as the form changes
    form_widget_args = {"admin_role": {"data-required-when": "link_type=page,group"}}
    form_args = {"url": {"description": "Ví dụ: https://www.facebook.com/nguyenvana"},
                 "admin_role": {"description": "Bắt buộc với Trang/Hội nhóm: " + ", ".join(ADMIN_ROLES[:3])},
                 "platform": _suggest(PLATFORMS), "purpose": _suggest(PURPOSES)}
