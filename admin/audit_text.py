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

from models import Organisation
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
    "admin": ("Trang chủ", None), "submissions": ("Báo cáo lên cấp trên", None),
    "declaration_rounds": ("Đợt khai báo", None), "declaration_links": ("Liên kết khai báo", None),
    "declarations": ("Bản khai", None),
}
_VERBS = {"create": "đã thêm", "update": "đã sửa", "delete": "đã xóa (vào thùng rác)", "restore": "đã khôi phục",
          "purge": "đã xóa vĩnh viễn", "export": "đã xuất dữ liệu", "import": "đã nhập dữ liệu",
          "login": "đã đăng nhập", "login_failed": "đăng nhập sai", "login_throttled": "bị tạm chặn đăng nhập",
          "logout": "đã đăng xuất", "password_change": "đã đổi mật khẩu", "denied": "bị từ chối truy cập",
          "backup": "đã sao lưu dữ liệu", "lookup": "đã tra cứu", "submit": "đã gửi báo cáo lên cấp trên",
          "reopen": "đã mở lại báo cáo đã gửi",
          "declare_open": "đã mở liên kết khai báo", "declare_failed": "mở liên kết khai báo không thành công",
          "declare_throttled": "bị tạm chặn mở liên kết khai báo", "declare_submit": "đã gửi bản khai",
          "declare_review": "đã duyệt bản khai"}
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


#: how the trail names a record its reader may not see, and one that no longer exists:
#: the same words, so that the trail never tells a foreign record from a missing one
HIDDEN = "(bản ghi không xem được: không còn hoặc ngoài phạm vi của bạn)"
_REFS = re.compile(r"(.*?) \[([0-9a-f]{24})\](?:, |$)")


def value_text(collection: str | None, field: str, value: str | None) -> str:
    """A stored value as the screens show it: choice labels, names, dd/mm/yyyy. A record
    named in a change is named again now, through the reader's visibility rule."""
    if value in (None, ""):
        return "(trống)"
    view = _views().get(collection or "")
    choices = dict((view.column_choices or {}).get(field, [])) if view is not None else {}
    if choices:
        return ", ".join(str(choices.get(part, part)) for part in value.split(", "))
    if _REF.match(value):
        model = _ref_model(collection, field)
        found = _REFS.findall(value)
        if model is None or "".join(f"{n} [{i}], " for n, i in found)[:-2] != value:
            return HIDDEN  # a copied name of a record we cannot resolve is never shown
        names = _resolve(model, [i for _, i in found])
        return ", ".join(names[i][0] for _, i in found)
    if _ISO.match(value):
        moment = dt.datetime.fromisoformat(value)
        from models import normalize

        return normalize.format_date(moment) if moment.time() == dt.time() else normalize.format_moment(moment)
    if value in ("True", "False"):
        return "Có" if value == "True" else "Không"
    return value


def _ref_model(collection: str | None, field: str) -> Any:
    """The model a reference field of ``collection`` points to (None when unknown)."""
    view = _views().get(collection or "")
    f = view.model._fields.get(field) if view is not None else None
    f = getattr(f, "field", None) or f  # a list of references
    return getattr(f, "document_type", None) if f is not None else None


def _cache() -> dict[str, tuple[str, str | None]]:
    return g.setdefault("audit_names", {}) if has_request_context() else {}


def _resolve(model: Any, ids: list[str]) -> dict[str, tuple[str, str | None]]:
    """id -> (name, link) through the reader's rule, one query for the ids not yet named.
    Units are named whatever the reader's scope (every officer picks any unit of the tree
    as a transfer's destination); any other record only if the reader may see it."""
    cache = _cache()
    wanted = [i for i in dict.fromkeys(ids) if i not in cache and ObjectId.is_valid(i)]
    coll = model._get_collection_name()
    endpoint = SECTIONS.get(coll, ("", None))[1]
    for doc in model.objects(pk__in=[ObjectId(i) for i in wanted]) if wanted else ():
        public = isinstance(doc, Organisation)
        if not (public or scope.can_see(current_user, doc)):
            continue  # named like a missing record: nothing tells that it exists
        in_bin = getattr(doc, "deleted_at", None) is not None
        link = url_for(f"{endpoint}.details_view", id=doc.pk) if endpoint and not in_bin and scope.can_see(
            current_user, doc) else None
        cache[str(doc.pk)] = (record_label(doc), link)
    for rid in ids:
        if ObjectId.is_valid(rid):  # anything else is shown as typed (a probe's own text)
            cache.setdefault(rid, (HIDDEN, None))
    return cache


def _names(entries: list[Any]) -> dict[str, tuple[str, str | None]]:
    """record id -> (name, link) for the entries of a page (and the records their changes
    name), one query per collection, each name through the reader's visibility rule."""
    cache = _cache()
    views = _views()
    wanted: dict[Any, list[str]] = {}
    for e in entries:
        if e.collection in views:
            model = views[e.collection].model
            wanted.setdefault(model, []).extend(r for r in (e.record_ids or [])[:10] if r not in cache)
        for c in e.changes or []:
            for value in (c.before, c.after):
                model = _ref_model(e.collection, c.field) if value and _REF.match(value) else None
                if model is not None:
                    wanted.setdefault(model, []).extend(i for _, i in _REFS.findall(value) if i not in cache)
    for model, ids in wanted.items():
        _resolve(model, ids)
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
