"""Soft delete as a service: bin, restore and purge records (screens and commands call it).

Deleting a member, site, account, document or meeting only marks it ``deleted_at``;
``services.scope.visible`` hides it from lists, exports and counts. Deleting a member
takes their sites and accounts along (same timestamp), so that no export shows an
account whose owner is gone; restoring the member brings back exactly those.
"""

from __future__ import annotations

from typing import Any

from models import Member, Site, SocialAccount
from models.accounts import recount_declarations
from models.base import utcnow


def _owned(doc: Any) -> list[Any]:
    """Records that live and die with ``doc`` (a member's sites and accounts)."""
    if isinstance(doc, Member):
        return [*Site.objects(member=doc), *SocialAccount.objects(member=doc)]
    return []


def soft_delete(doc: Any) -> list[Any]:
    """Move ``doc`` and what it owns to the bin; return the owned records moved with it."""
    when = utcnow()
    moved = [d for d in _owned(doc) if d.deleted_at is None]
    for d in [doc, *moved]:
        d.update(set__deleted_at=when)
        d.deleted_at = when
    _recount(doc)
    return moved


def restore(doc: Any) -> list[Any]:
    """Bring ``doc`` back with what was deleted together with it; refuse orphans."""
    owner = getattr(doc, "member", None)
    if owner is not None and getattr(owner, "deleted_at", None) is not None:
        raise ValueError(f"Hãy khôi phục “{owner.full_name}” trước: người khai đang ở thùng rác.")
    back = [d for d in _owned(doc) if d.deleted_at == doc.deleted_at]
    for d in [doc, *back]:
        d.update(unset__deleted_at=True)
        d.deleted_at = None
    _recount(doc)
    return back


def _recount(doc: Any) -> None:
    """Binning or restoring a site or account changes its owner's declared count."""
    owner = doc if isinstance(doc, Member) else getattr(doc, "member", None)
    if isinstance(doc, Member | Site | SocialAccount) and owner is not None:
        recount_declarations([owner.pk])


def purge(doc: Any) -> list[Any]:
    """Delete ``doc`` (already in the bin) for good, with its binned records and files."""
    gone = [d for d in _owned(doc) if d.deleted_at is not None]
    if len(gone) != len(_owned(doc)):
        raise ValueError("Không thể xóa vĩnh viễn: người này vẫn còn tài khoản/trang web đang dùng.")
    for d in [*gone, doc]:
        for f in getattr(d, "attachments", None) or []:
            f.delete()
        d.delete()
    return gone
