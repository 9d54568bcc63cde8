"""Writing the audit trail: one call, :func:`record`, for every feature.

Usage (exports, imports, views, CLI)::

    from services import audit
    audit.record("export", collection="socialaccount", records=rows, detail="Biểu mẫu 2")
    audit.record("update", records=[doc], changes=audit.diff(before, audit.snapshot(doc)))

``user`` defaults to the logged-in user of the current request (or nobody, in the CLI).
Secret fields (password hashes, session tokens, typed passwords) are never stored, and
every stored string has its control characters escaped: a CR/LF typed by a user cannot
start a forged line in the log file nor in the screen.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any

from bson import ObjectId, json_util
from flask import has_request_context, request

from models import search
from models.audit import AuditEntry, Change

log = logging.getLogger("audit")

#: never written to the trail, whatever the caller passes
SECRET_FIELDS = frozenset({"password", "password_hash", "session_token", "new_password", "current", "seed", "token_hash",
                           "new", "confirm", "csrf_token"})
#: recomputed from other fields: their changes are noise
DERIVED_FIELDS = frozenset({"scope", "search_keys", "sort_key", "member_sort_key", "modified_at",
                            "name_key", "tree_key", "path_names", "depth", "quality_issues", "org_key",
                            "org_name", "member_name", "domain_key", "url_key", "created_at",
                            "declared", "titles_modified_at"})
MAX_VALUE = 500
_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")


def clean(value: object, limit: int = MAX_VALUE) -> str | None:
    """Single-line text: control characters shown escaped (``\\n``), length bounded."""
    if value is None:
        return None
    s = _CONTROL.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), str(value))
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _text(value: Any) -> str | None:
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, list | tuple):
        return ", ".join(str(_text(v)) for v in value)
    if hasattr(value, "grid_id"):  # a GridFS file: its id
        return str(value.grid_id)
    if hasattr(value, "pk") and not isinstance(value, Mapping):  # a reference: name and id
        return f"{value} [{value.pk}]"
    if hasattr(value, "to_mongo"):  # an embedded document (a transfer, an attendance line)
        return json_util.dumps(value.to_mongo(), ensure_ascii=False)
    return str(value)


def snapshot(doc: Any) -> dict[str, str | None]:
    """The document's own fields as comparable text (secrets and derived fields left out)."""
    return {name: _text(getattr(doc, name, None)) for name in doc._fields
            if name not in SECRET_FIELDS and name not in DERIVED_FIELDS and name != "id"}


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[dict[str, str | None]]:
    """``[{field, before, after}]`` for every field whose value changed."""
    names = sorted((set(before) | set(after)) - SECRET_FIELDS)
    return [{"field": n, "before": before.get(n), "after": after.get(n)}
            for n in names if before.get(n) != after.get(n)]


def _actor(user: Any) -> Any:
    if user is not None or not has_request_context():
        return user
    from flask_login import current_user

    return current_user if getattr(current_user, "is_authenticated", False) else None


def _org_of(user: Any) -> Any:
    try:
        return user.organisation if user is not None else None
    except Exception:  # a dangling reference must not stop the trail
        return None


def _units_of(doc: Any, classified: bool) -> list[ObjectId]:
    """Whose trail shows an entry about ``doc``: its organisation path; for an entry about a
    classified document, exact units only (the issuer and the addressees of such documents)."""
    if not classified:
        return list(getattr(doc, "scope", None) or [])
    if getattr(doc, "classified", False) is True:
        issuer = doc._data.get("organisation")
        issuer = getattr(issuer, "pk", getattr(issuer, "id", issuer))
        return [i for i in [issuer, *(doc.recipient_ids or [])] if i is not None]
    scope = list(getattr(doc, "scope", None) or [])
    return scope[-1:]


def record(action: str, *, user: Any = None, collection: str | None = None, ids: Iterable[Any] = (),
           records: Iterable[Any] = (), changes: Iterable[Mapping[str, Any]] | None = None,
           detail: str | None = None, username: str | None = None,
           records_only: bool = False, device: str | None = None) -> AuditEntry:
    """Write one audit entry and its log line.

    ``records`` are documents (their ids, collection and organisations are taken from
    them); ``ids`` are extra record ids; ``username`` names an actor who is not a user
    (a failed login with an unknown name). With ``records_only`` the entry is shown
    only to the records' organisations, not in the actor's own trail (a probe on a
    foreign record, which the actor must not be able to tell from a missing one)."""
    actor = _actor(user)
    org = _org_of(actor)
    docs = list(records)
    classified = any(getattr(d, "classified", False) is True for d in docs)
    scope: list[ObjectId] = [] if records_only else list(getattr(org, "scope", None) or [])
    if classified and scope:  # a classified document: the actor's own unit, not the units above it
        scope = [org.pk]
    for doc in docs:
        scope += [s for s in _units_of(doc, classified) if s not in scope]
        collection = collection or doc._get_collection_name()
    all_ids = [clean(i, 64) for i in [*(str(d.pk) for d in docs), *(str(i) for i in ids)]]
    entry = AuditEntry(
        action=action, user_id=getattr(actor, "pk", None),
        username=clean(getattr(actor, "username", None) or username, 200),
        org=getattr(org, "pk", None), org_name=clean(getattr(org, "name", None), 200),
        org_path=list(getattr(org, "scope", None) or []), scope=scope, collection=clean(collection, 100),
        record_ids=all_ids[:1000], detail=clean(detail, 2000),
        changes=[Change(field=clean(c["field"], 100), before=clean(c.get("before")), after=clean(c.get("after")))
                 for c in (changes or []) if c["field"] not in SECRET_FIELDS],
        ip=clean(request.remote_addr, 64) if has_request_context() else None, classified=classified,
        device=clean(device, 64),
    )
    entry.search_keys = search.search_tokens(entry.username, entry.org_name, entry.collection, prefixes=False)
    entry.save()
    log.info(json.dumps({"at": entry.at.isoformat(), "action": action, "user": entry.username,
                         "org": entry.org_name, "collection": entry.collection, "ids": entry.record_ids[:20],
                         "changed": [c.field for c in entry.changes], "ip": entry.ip}, ensure_ascii=False))
    return entry
