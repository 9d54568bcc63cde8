"""Recycle bin ("Thùng rác"): soft delete, restore and purge.

Deleting a member, site, account, document or meeting only marks it ``deleted_at``;
``services.scope.visible`` hides it from lists, exports and counts. Deleting a member
takes their sites and accounts along (same timestamp), so that no export shows an
account whose owner is gone; restoring the member brings back exactly those.
Officers restore within their scope; only administrators purge for good.
"""

from __future__ import annotations

from typing import Any

from bson import ObjectId
from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_login import current_user
from mongoengine.errors import OperationError

from models import Meeting, Member, PartyDocument, Site, SocialAccount
from models.accounts import recount_declarations
from models.base import utcnow
from services import audit, scope

from .access import WRITE_ROLES, PanelView

#: endpoint-like key -> (model, Vietnamese label); the keys are the only values accepted
KINDS: dict[str, tuple[type, str]] = {
    "member": (Member, "Cán bộ, đảng viên"),
    "site": (Site, "Trang web, blog"),
    "socialaccount": (SocialAccount, "Tài khoản mạng xã hội"),
    "partydocument": (PartyDocument, "Văn bản"),
    "meeting": (Meeting, "Sinh hoạt, hội họp"),
}
PAGE = 200


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


class TrashView(PanelView):
    """Lists binned records in the user's scope; restore (officers) and purge (admins)."""

    read_roles = WRITE_ROLES

    def _kind(self, key: str | None) -> tuple[str, type, str]:
        if key not in KINDS:
            abort(404)
        model, label = KINDS[key]
        return key, model, label

    @expose("/")
    def index(self) -> str:
        key, model, label = self._kind(request.args.get("c", "member"))
        qs = scope.visible(model, current_user, deleted=True).order_by("-deleted_at")
        return self.render("trash/index.html", kinds=KINDS, key=key, label=label, rows=list(qs.limit(PAGE)),
                           total=qs.count(), page=PAGE, can_purge=current_user.role == "admin")

    def _binned(self, key: str, raw_id: str) -> Any:
        model = KINDS[key][0]
        doc = scope.visible(model, current_user, deleted=True).filter(pk=raw_id).first() \
            if ObjectId.is_valid(raw_id or "") else None
        if doc is None:
            audit.record("denied", collection=model._get_collection_name(), ids=[raw_id or ""],
                         detail=f"POST {request.path}")
            abort(404)
        return doc

    @expose("/restore/", methods=("POST",))
    def restore_view(self) -> Any:
        key = self._kind(request.form.get("c"))[0]
        doc = self._binned(key, request.form.get("id", ""))
        try:
            back = restore(doc)
        except ValueError as exc:
            flash(str(exc), "error")
        else:
            audit.record("restore", records=[doc, *back])
            flash(f"Đã khôi phục {1 + len(back)} bản ghi.", "success")
        return redirect(url_for(".index", c=key))

    @expose("/purge/", methods=("POST",))
    def purge_view(self) -> Any:
        key = self._kind(request.form.get("c"))[0]
        if current_user.role != "admin":
            audit.record("denied", collection=KINDS[key][0]._get_collection_name(),
                         ids=[request.form.get("id", "")], detail=f"POST {request.path}")
            abort(403)
        doc = self._binned(key, request.form.get("id", ""))
        try:
            gone = purge(doc)
        except (ValueError, OperationError) as exc:
            flash(str(exc), "error")
        else:
            audit.record("purge", records=[doc, *gone])
            flash(f"Đã xóa vĩnh viễn {1 + len(gone)} bản ghi.", "success")
        return redirect(url_for(".index", c=key))
