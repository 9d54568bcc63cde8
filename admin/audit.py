"""Read-only "Nhật ký" screen over the audit trail, scoped like every other screen."""

from __future__ import annotations

from typing import Any

from flask_admin.contrib.mongoengine.filters import BaseMongoEngineFilter
from markupsafe import Markup
from mongoengine import QuerySet

from models import normalize
from models.audit import ACTIONS
from services import audit

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


def _changes(view: Any, context: Any, model: Any, name: str) -> Markup:
    rows = [Markup("<b>{0}</b>: {1} → {2}").format(c.field, c.before or "∅", c.after or "∅") for c in model.changes]
    return Markup("<br>").join(rows)


class AuditView(SecuredModelView):
    """Nobody writes here: entries come only from ``services.audit.record``."""

    read_roles = ("admin", "officer")
    can_view_details = True
    action_disallowed_list = ["delete"]
    column_list = ["at", "username", "org_name", "action", "collection", "record_ids", "ip"]
    column_details_list = ["at", "username", "org_name", "action", "collection", "record_ids", "changes",
                           "detail", "ip"]
    column_labels = {"at": "Thời điểm (UTC)", "username": "Người thực hiện", "org_name": "Tổ chức",
                     "action": "Hành động", "collection": "Danh mục", "record_ids": "Mã bản ghi",
                     "changes": "Thay đổi (trước → sau)", "detail": "Chi tiết", "ip": "Địa chỉ IP"}
    column_choices = {"action": ACTIONS, "collection": _COLLECTIONS}
    column_formatters = {"at": lambda v, c, m, n: f"{m.at:%d/%m/%Y %H:%M:%S}",
                         "collection": lambda v, c, m, n: dict(_COLLECTIONS).get(m.collection, m.collection or ""),
                         "record_ids": lambda v, c, m, n: ", ".join(m.record_ids[:5])
                         + (f" (+{len(m.record_ids) - 5})" if len(m.record_ids) > 5 else "")}
    column_formatters_detail = {"at": column_formatters["at"], "changes": _changes,
                                "collection": column_formatters["collection"],
                                "record_ids": lambda v, c, m, n: ", ".join(m.record_ids)}
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
