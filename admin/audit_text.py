"""The audit trail read as Vietnamese sentences: who did what to which record, with the
screens' field labels, the choices' labels and the records' names instead of internals
(``account_name``, ``personal``, ObjectIds, JSON). The stored entry is unchanged."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from bson import ObjectId, json_util
from flask import current_app, g, has_request_context, url_for
from flask_login import current_user
from markupsafe import Markup

from models.audit import ACTIONS
from services import policy, scope

from .labels import record_label

#: collection or screen name -> (Vietnamese name, details endpoint or None)
SECTIONS = {
    "organisations": ("Tổ chức", "organisation"), "organisation": ("Tổ chức", "organisation"),
    "members": ("Cán bộ, đảng viên", "member"), "member": ("Cán bộ, đảng viên", "member"),
    "sites": ("Trang web, blog", "site"), "site": ("Trang web, blog", "site"),
    "social_accounts": ("Tài khoản mạng xã hội", "socialaccount"),
    "socialaccount": ("Tài khoản mạng xã hội", "socialaccount"), "social": ("Tài khoản mạng xã hội", None),
    "party_documents": ("Văn bản", "partydocument"), "partydocument": ("Văn bản", "partydocument"),
    "meetings": ("Sinh hoạt, hội họp", "meeting"), "meeting": ("Sinh hoạt, hội họp", "meeting"),
    "users": ("Tài khoản người dùng", None), "user": ("Tài khoản người dùng", None),
    "audit": ("Nhật ký", None), "reports": ("Báo cáo", None), "imports": ("Nhập từ Excel", None),
    "import_logs": ("Nhật ký nhập", None), "lookup": ("Tra cứu", None), "trash": ("Thùng rác", None),
    "admin": ("Trang chủ", None),
}
_VERBS = {"create": "đã thêm", "update": "đã sửa", "delete": "đã xóa (vào thùng rác)", "restore": "đã khôi phục",
          "purge": "đã xóa vĩnh viễn", "export": "đã xuất dữ liệu", "import": "đã nhập dữ liệu",
          "login": "đã đăng nhập", "login_failed": "đăng nhập sai", "login_throttled": "bị tạm chặn đăng nhập",
          "logout": "đã đăng xuất", "password_change": "đã đổi mật khẩu", "denied": "bị từ chối truy cập",
          "backup": "đã sao lưu dữ liệu", "lookup": "đã tra cứu"}
_IMPORT_KEYS = {"rows": "số dòng", "created": "thêm mới", "updated": "cập nhật", "unchanged": "không đổi",
                "rejected": "bị từ chối", "people_created": "người mới"}
_REF = re.compile(r"^(.*) \[([0-9a-f]{24})\]$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$")
ACTION_LABELS = dict(ACTIONS)


def section(name: str | None) -> str:
    return SECTIONS.get(name or "", (name or "", None))[0]


def _views() -> dict[str, Any]:
    """collection name -> the panel's model view of it (labels, choices)."""
    admin = current_app.extensions["panel_admin"]
    return {v.model._get_collection_name(): v for v in admin._views if getattr(v, "model", None) is not None}


def field_label(collection: str | None, field: str) -> str:
    view = _views().get(collection or "")
    if view is not None:
        label = (view.column_labels or {}).get(field)
        if label:
            return label
        rule = getattr(view.model, "RULES", {}).get(field)
        if rule:
            return re.sub(r"^\(\d+\) ", "", rule.label)
    return {"organisation": "Tổ chức", "member": "Người khai", "attendance": "Điểm danh"}.get(field, field)


def value_text(collection: str | None, field: str, value: str | None) -> str:
    """A stored value as the screens show it: choice labels, names, dd/mm/yyyy."""
    if value in (None, ""):
        return "(trống)"
    view = _views().get(collection or "")
    choices = dict((view.column_choices or {}).get(field, [])) if view is not None else {}
    if choices:
        return ", ".join(str(choices.get(part, part)) for part in value.split(", "))
    ref = _REF.match(value)
    if ref:
        return ref.group(1)
    if _ISO.match(value):
        moment = dt.datetime.fromisoformat(value)
        from models import normalize

        return normalize.format_date(moment) if moment.time() == dt.time() else normalize.format_moment(moment)
    if value in ("True", "False"):
        return "Có" if value == "True" else "Không"
    return value


def _names(entries: list[Any]) -> dict[str, tuple[str, str | None]]:
    """record id -> (name, link) for the entries of a page, one query per collection."""
    cache = g.setdefault("audit_names", {}) if has_request_context() else {}
    views = _views()
    wanted: dict[str, set[str]] = {}
    for e in entries:
        for rid in (e.record_ids or [])[:10]:
            if rid not in cache and e.collection in views and ObjectId.is_valid(rid):
                wanted.setdefault(e.collection, set()).add(rid)
    for coll, ids in wanted.items():
        model = views[coll].model
        for doc in model.objects(pk__in=[ObjectId(i) for i in ids]):
            visible = scope.can_see(current_user, doc) and not getattr(doc, "deleted_at", None)
            endpoint = SECTIONS.get(coll, ("", None))[1]
            link = url_for(f"{endpoint}.details_view", id=doc.pk) if visible and endpoint else None
            cache[str(doc.pk)] = (record_label(doc), link)
        for rid in ids:
            cache.setdefault(rid, ("(bản ghi đã xóa vĩnh viễn)", None))
    return cache


def _record_list(entry: Any, rows: list[Any] | None) -> Markup:
    names = _names([entry, *(rows if rows is not None else ())])  # no bool(): a QuerySet would query
    parts = []
    for rid in (entry.record_ids or [])[:10]:
        name, link = names.get(rid, (rid, None))  # an id of no known screen is shown as it is
        parts.append(Markup('“<a href="{0}">{1}</a>”').format(link, name) if link else Markup("“{0}”").format(name))
    more = len(entry.record_ids or []) - 10
    text = Markup(", ").join(parts)
    return text + (Markup(" và {0} bản ghi khác").format(more) if more > 0 else "")


def _detail(entry: Any) -> str:
    detail = entry.detail or ""
    if entry.action == "import" and ": {" in detail:
        filename, _, raw = detail.partition(": ")
        try:
            counts = json.loads(raw)
        except ValueError:
            return detail
        figures = ", ".join(f"{_IMPORT_KEYS.get(k, k)} {v}" for k, v in counts.items())
        return f"tệp {filename}: {figures}"
    return detail


def sentence(entry: Any, rows: list[Any] | None = None) -> Markup:
    """"canbo01 đã sửa Tài khoản mạng xã hội “Zalo: Đặng Thu Hoa”: Tên tài khoản “A” → “B”."."""
    who = entry.username or "(không rõ)"
    out = Markup("<b>{0}</b> {1}").format(who, _VERBS.get(entry.action, ACTION_LABELS.get(entry.action, entry.action)))
    if entry.collection:
        out += Markup(" {0}").format(section(entry.collection))
    records = _record_list(entry, rows) if entry.record_ids and entry.action != "import" else ""
    if records:
        out += Markup(" ") + records
    changes = [Markup("{0}: {1} → {2}").format(field_label(entry.collection, c.field),
                                              value_text(entry.collection, c.field, c.before),
                                              value_text(entry.collection, c.field, c.after))
               for c in entry.changes or []]
    if changes and entry.action == "update":
        out += Markup(": ") + Markup("; ").join(changes)
    detail = _detail(entry)
    if detail:
        out += Markup(" ({0})").format(detail)
    return out + "."


def list_column(view: Any, context: Any, model: Any, name: str) -> Markup:
    return sentence(model, context.get("data") if hasattr(context, "get") else None)


def changes_table(view: Any, context: Any, model: Any, name: str) -> Markup:
    rows = [Markup("<tr><th scope=\"row\">{0}</th><td>{1}</td><td>{2}</td></tr>").format(
        field_label(model.collection, c.field), value_text(model.collection, c.field, c.before),
        value_text(model.collection, c.field, c.after)) for c in model.changes or []]
    if not rows:
        return Markup("")
    return Markup('<table class="table table-sm mb-0"><thead><tr><th>Trường</th><th>Trước</th><th>Sau</th></tr></thead>'
                  "<tbody>{0}</tbody></table>").format(Markup("").join(rows))


def raw_json(view: Any, context: Any, model: Any, name: str) -> Markup:
    """The stored entry as it is, for administrators only, folded away."""
    if not policy.can(current_user, policy.ADMINISTER):
        return Markup("")
    return Markup('<details class="audit-raw"><summary>Dữ liệu gốc (JSON)</summary><pre>{0}</pre></details>').format(
        json_util.dumps(model.to_mongo(), json_options=json_util.RELAXED_JSON_OPTIONS, ensure_ascii=False, indent=2))
