"""The one place that decides which records a user may see and change.

Every list, detail, form choice, ajax look-up, export, report, import and CLI command
asks this module. A user sees their organisation and everything below it; an ``admin``
sees the whole tree. Anything unexpected (anonymous, inactive, no organisation) yields
an empty scope: deny by default.
"""

from __future__ import annotations

from typing import Any

from bson import ObjectId
from mongoengine import Document, QuerySet

from models import Organisation
from services import policy

ROLES = policy.ALL_ROLES  # kept for callers: the roles live in services.policy


def scope_root(user: Any) -> ObjectId | None:
    """The organisation id whose subtree the user may see, or None (sees nothing)."""
    try:
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return None
        if policy.role(user) is None:  # no role (or one we do not know): sees nothing
            return None
        org = user.organisation
        return org.pk if org is not None else None
    except Exception:  # a broken reference must deny, never widen
        return None


def sees_everything(user: Any) -> bool:
    return scope_root(user) is not None and policy.is_admin(user)


def visible(model: type[Document], user: Any, *, deleted: bool = False) -> QuerySet:
    """Records of ``model`` in the user's scope (soft-deleted ones only if ``deleted``)."""
    root = scope_root(user)
    qs = model.objects
    if root is None:
        return qs.filter(pk__in=[])
    if not sees_everything(user):
        qs = qs.filter(scope=root)
    if "deleted_at" in model._fields:
        qs = qs.filter(deleted_at__ne=None) if deleted else qs.filter(deleted_at=None)
    return qs


def in_subtree(model: type[Document], org: Organisation | ObjectId | None, user: Any = None) -> QuerySet:
    """Records under ``org`` (inclusive), further limited to the user's scope if given."""
    qs = visible(model, user) if user is not None else model.objects
    if "deleted_at" in model._fields and user is None:
        qs = qs.filter(deleted_at=None)
    if org is None:
        return qs
    return qs.filter(scope=org.pk if isinstance(org, Organisation) else org)


def organisations(user: Any) -> QuerySet:
    return visible(Organisation, user)


def can_see(user: Any, doc: Document | None) -> bool:
    """Whether a loaded document lies in the user's scope."""
    if doc is None:
        return False
    root = scope_root(user)
    if root is None:
        return False
    if sees_everything(user):
        return True
    return root in (getattr(doc, "scope", None) or [])


def can_write(user: Any) -> bool:
    return scope_root(user) is not None and policy.can(user, policy.CHANGE)


def stable(qs: QuerySet) -> QuerySet:
    """``qs`` with its sort (explicit, else the model's default) ending with ``_id``.

    MongoDB returns rows that tie on the sort keys in any order, and may change it from
    one page to the next: rows would repeat or vanish between pages. ``_id`` is unique,
    so every list, export and report sorted through here pages the same way each time.
    (The in-process test store keeps insertion order, so only this rule protects us.)"""
    ordering = qs._ordering
    if ordering is None:
        ordering = qs._get_order_by(qs._document._meta.get("ordering") or [])
    ordering = list(ordering or [])
    if any(key == "_id" for key, _ in ordering):
        return qs
    keys = [("-" if direction < 0 else "+") + ("id" if key == "_id" else key) for key, direction in ordering]
    return qs.order_by(*keys, "+id")
