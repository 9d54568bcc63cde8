"""How records are named on screen: every unit with its place, every timestamp in
Vietnamese time, long values cut to one line with the full value on hover.

Unit labels come from :func:`models.organisation.unit_label`; the organisations a page
needs are read once per request (one query per page of rows, never one per row).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bson import ObjectId
from flask import g, has_request_context
from markupsafe import Markup

from models import Organisation, normalize
from models.organisation import path_label, unit_label

#: record field names that hold a moment (stored UTC) rather than a calendar date
MOMENT_FIELDS = ("at", "created_at", "modified_at", "deleted_at", "last_login_at", "acquired_at")


def _org_id(model: Any) -> ObjectId | None:
    """The id of the organisation a record belongs to, without dereferencing it."""
    if isinstance(model, Organisation):
        return model.pk
    org = getattr(model, "org", None)  # audit entries keep the actor's organisation id
    if isinstance(org, ObjectId):
        return org
    scope = getattr(model, "scope", None)
    if scope and not isinstance(model, Organisation) and "organisation" in model._fields:
        return scope[-1]
    raw = model._data.get("organisation") if hasattr(model, "_data") else None
    return getattr(raw, "id", getattr(raw, "pk", raw)) if raw is not None else None


def _cache() -> dict[ObjectId, list[str]]:
    if not has_request_context():
        return {}
    if "org_paths" not in g:
        g.org_paths = {}
    return g.org_paths


def org_paths(ids: list[ObjectId]) -> dict[ObjectId, list[str]]:
    """path_names of the given organisations, read in one query per request and batch."""
    cache = _cache()
    missing = [i for i in {i for i in ids if i is not None} if i not in cache]
    if missing:
        for org in Organisation.objects(pk__in=missing).only("path_names"):
            cache[org.pk] = list(org.path_names or [])
    return {i: cache.get(i, []) for i in ids if i is not None}


def org_label(model: Any, rows: list[Any] | None = None) -> tuple[str, str]:
    """(label, full path) of a record's organisation; ``rows`` (the page being shown)
    are loaded together so that a list costs one query."""
    wanted = _org_id(model)
    if wanted is None:
        return (getattr(model, "org_name", "") or "", "")
    ids = [wanted, *(_org_id(r) for r in (rows if rows is not None else ()))]  # no bool(): a QuerySet would query
    path = org_paths(ids).get(wanted) or []
    return (unit_label(path) or getattr(model, "org_name", "") or "", path_label(path))


def org_column(view: Any, context: Any, model: Any, name: str) -> Markup:
    """Column formatter: "Chi bộ thôn 1 — xã Tân Hưng", full path on hover."""
    rows = context.get("data") if hasattr(context, "get") else None
    label, path = org_label(model, rows)
    return Markup('<span title="{0}">{1}</span>').format(path or label, label)


def moment(value: dt.datetime | None) -> str:
    return normalize.format_moment(value)


def type_date(view: Any, value: Any, name: str | None = None, *args: Any) -> str:
    """Type formatter: timestamps in Vietnamese time, calendar dates as dd/mm/yyyy."""
    if isinstance(value, dt.datetime) and name in MOMENT_FIELDS:
        return normalize.format_moment(value)
    return normalize.format_date(value)


def marked(value: Any, reason: str | None) -> Markup:
    """A value flagged as invalid, the reason on hover."""
    if not reason:
        return Markup.escape(value or "")
    return Markup('<span class="value-invalid" title="{0}">{1} <span class="sr-only">({0})</span></span>').format(
        reason, value or "")


def record_label(model: Any) -> str:
    """How a picker names a record: units with their place, people with their unit."""
    if isinstance(model, Organisation):
        return model.label
    if "full_name" in getattr(model, "_fields", {}) and "organisation" in model._fields:
        label, _ = org_label(model)
        return f"{model.full_name} ({label})" if label else (model.full_name or "")
    return str(model)


def _unique_keys(model: Any) -> list[list[str]]:
    specs = model._meta.get("index_specs") or []
    return [[name for name, _ in spec["fields"]] for spec in specs if spec.get("unique")]


def duplicate_message(view: Any, model: Any) -> Markup:
    """"Already in the register": which record, with a link when the user may open it.
    A record of another unit is only said to exist, never named (same answer as a refusal)."""
    from flask_login import current_user

    from services import scope

    plain = Markup("Không lưu được: trùng với một bản ghi đã có trong danh sách.")
    if model is None:
        return plain
    for fields in _unique_keys(type(model)):
        values = {f: model._data.get(f) for f in fields}
        if any(v in (None, "") for v in values.values()):
            continue
        query = type(model).objects(**values)
        if model.pk is not None:
            query = query.filter(pk__ne=model.pk)
        existing = query.first()
        if existing is None:
            continue
        if not scope.can_see(current_user, existing):
            return Markup("Không lưu được: trùng với bản ghi đã khai báo ở một đơn vị khác, "
                          "ngoài phạm vi quản lý của bạn. Hãy liên hệ đơn vị đó hoặc cấp trên.")
        where = " (đang ở thùng rác)" if getattr(existing, "deleted_at", None) else ""
        link = view.get_url(".details_view", id=existing.pk)
        return Markup('Không lưu được: trùng với bản ghi đã có <a href="{0}">{1}</a>{2}{3}. Hãy mở bản ghi đó để sửa.').format(
            link, record_label(existing), org_suffix(existing), where)
    return plain


def org_suffix(model: Any) -> str:
    if isinstance(model, Organisation) or "organisation" not in getattr(model, "_fields", {}):
        return ""
    label, _ = org_label(model)
    return f" ({label})" if label and "full_name" not in model._fields else ""


def domain_text(value: str | None) -> str:
    """A domain as officers write it: no scheme, no "www.", no trailing slash."""
    s = (value or "").strip()
    for prefix in ("https://", "http://"):
        if s.lower().startswith(prefix):
            s = s[len(prefix):]
    if s.lower().startswith("www."):
        s = s[4:]
    return s.rstrip("/")


def issue_reasons(model: Any) -> dict[str, str]:
    """field -> Vietnamese reason, from the record's ``quality_issues`` (e.g. "invalid:registration_phone")."""
    rules = getattr(model, "RULES", {})
    out = {}
    for issue in getattr(model, "quality_issues", None) or []:
        kind, _, field = issue.partition(":")
        rule = rules.get(field)
        label = rule.label if rule else field
        out[field] = f"Thiếu: {label}" if kind != "invalid" else f"Sai định dạng: {label}"
        if kind == "invalid" and rule is not None and rule.normalizer is not None:
            try:  # the normaliser says why (e.g. a 7-digit phone)
                rule.normalizer(getattr(model, field, None))
            except normalize.NormalizeError as exc:
                out[field] = f"{label}: {exc}"
    return out


def checked_column(view: Any, context: Any, model: Any, name: str) -> Markup:
    """A value shown as stored, marked when the record's quality check flags it."""
    return marked(getattr(model, name, None) or "", issue_reasons(model).get(name))
