"""Read-only "Nhật ký" screen over the audit trail, scoped like every other screen."""

from __future__ import annotations

from typing import Any

from flask_admin.contrib.mongoengine.filters import BaseMongoEngineFilter
from flask_login import current_user
from mongoengine import QuerySet

from models import normalize
from models.audit import ACTIONS
from services import audit, policy

from . import audit_text
from .base import SecuredModelView
from .filters import ChoiceFilter, OrgSubtreeFilter, date_range

_COLLECTIONS = [("organisations", "Tổ chức"), ("members", "Cán bộ, đảng viên"), ("sites", "Trang web, blog"),
                ("social_accounts", "Tài khoản mạng xã hội"), ("party_documents", "Văn bản"),
                ("meetings", "Sinh hoạt, hội họp"), ("users", "Tài khoản người dùng")]


class UsernameFilter(BaseMongoEngineFilter):
    """Exact user name (an equality match on an indexed field, never a regex)."""

    def __init__(self) -> None:
        super().__init__("username", "Người thực hiện")

    def clean(self, value: str) -> str:
        return audit.clean((normalize.text(value) or "").lower(), 200) or ""

    def apply(self, query: QuerySet, value: Any) -> QuerySet:
        return query.filter(username=value)

    def operation(self) -> str:
        return "là"


class AuditView(SecuredModelView):
    """Nobody writes here: entries come only from ``services.audit.record``."""

    read_action = policy.WORK
    can_view_details = True
    action_disallowed_list = ["delete"]
    column_list = ["at", "summary", "org_name", "action", "ip"]
    column_details_list = ["at", "summary", "username", "org_name", "action", "collection", "changes", "detail", "ip",
                           "raw"]
    column_labels = {"at": "Thời điểm", "summary": "Nội dung", "username": "Người thực hiện", "org_name": "Đơn vị",
                     "action": "Hành động", "collection": "Danh mục", "record_ids": "Bản ghi",
                     "changes": "Thay đổi", "detail": "Chi tiết", "ip": "Địa chỉ IP", "raw": "Dữ liệu gốc"}
    column_choices = {"action": ACTIONS, "collection": _COLLECTIONS}
    column_formatters = {"at": lambda v, c, m, n: normalize.format_moment(m.at),
                         "summary": audit_text.list_column,
                         "collection": lambda v, c, m, n: audit_text.section(m.collection)}
    column_formatters_detail = {**column_formatters, "summary": lambda v, c, m, n: audit_text.sentence(m),
                                "changes": audit_text.changes_table, "raw": audit_text.raw_json}
    column_sortable_list = ["at"]
    column_default_sort = ("at", True)
    # the trail only grows: no count of every matching entry on each page (previous/next
    # pages instead); the list is the (scope, -at) index walked from the newest entry
    simple_list_pager = True
    column_filters = [ChoiceFilter("action", "Hành động", ACTIONS),
                      ChoiceFilter("collection", "Danh mục", _COLLECTIONS),
                      UsernameFilter(), OrgSubtreeFilter(), *date_range("at", "Thời điểm")]

    def has_change_permission(self, user: Any, obj: Any = None) -> bool:
        return False

    def render(self, template: str, **kwargs: Any) -> Any:
        if "details_columns" in kwargs and not policy.can(current_user, policy.ADMINISTER):  # the raw entry: administrators only
            kwargs["details_columns"] = [(c, n) for c, n in kwargs["details_columns"] if c != "raw"]
        return super().render(template, **kwargs)
