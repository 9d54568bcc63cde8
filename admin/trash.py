"""Recycle bin ("Thùng rác") screen: lists binned records, restores and purges them
through :mod:`services.soft_delete`.

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

from models import Meeting, Member, PartyDocument, Site, SocialAccount, StudyCampaign, Task
from services import audit, policy, records, scope

from .access import PanelView

#: endpoint-like key -> (model, Vietnamese label); the keys are the only values accepted
KINDS: dict[str, tuple[type, str]] = {
    "member": (Member, "Cán bộ, đảng viên"),
    "site": (Site, "Trang web, blog"),
    "socialaccount": (SocialAccount, "Tài khoản mạng xã hội"),
    "partydocument": (PartyDocument, "Văn bản"),
    "meeting": (Meeting, "Sinh hoạt, hội họp"),
    "task": (Task, "Nhiệm vụ được giao"),
    "studycampaign": (StudyCampaign, "Học tập nghị quyết"),
}
PAGE = 200


def _binned_by(rows: list[Any]) -> dict[str, str]:
    """Record id -> who put it in the bin, from the audit trail's latest "delete" entry."""
    from models import AuditEntry

    ids = [str(r.pk) for r in rows]
    out: dict[str, str] = {}
    if ids:
        for entry in AuditEntry.objects(action="delete", record_ids__in=ids).only("record_ids", "username").order_by("-at"):
            for rid in entry.record_ids:
                out.setdefault(rid, entry.username or "")
    return out


class TrashView(PanelView):
    """Lists binned records in the user's scope; restore (officers) and purge (admins)."""

    read_action = policy.WORK

    def _kind(self, key: str | None) -> tuple[str, type, str]:
        if key not in KINDS:
            abort(404)
        model, label = KINDS[key]
        return key, model, label

    @expose("/")
    def index(self) -> str:
        key, model, label = self._kind(request.args.get("c", "member"))
        qs = scope.stable(scope.visible(model, current_user, deleted=True).order_by("-deleted_at"))
        rows = list(qs.limit(PAGE))
        return self.render("trash/index.html", kinds=KINDS, key=key, label=label, rows=rows, binned_by=_binned_by(rows),
                           total=qs.count(), page=PAGE, can_purge=policy.can(current_user, policy.ADMINISTER))

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
            back = records.restore(doc, by=current_user)
        except ValueError as exc:
            flash(str(exc), "error")
        else:
            flash(f"Đã khôi phục {1 + len(back)} bản ghi.", "success")
        return redirect(url_for(".index", c=key))

    @expose("/purge/", methods=("POST",))
    def purge_view(self) -> Any:
        key = self._kind(request.form.get("c"))[0]
        if not policy.can(current_user, policy.ADMINISTER):
            audit.record("denied", collection=KINDS[key][0]._get_collection_name(),
                         ids=[request.form.get("id", "")], detail=f"POST {request.path}")
            abort(403)
        doc = self._binned(key, request.form.get("id", ""))
        try:
            gone = records.purge(doc, by=current_user)
        except (ValueError, OperationError) as exc:
            flash(str(exc), "error")
        else:
            flash(f"Đã xóa vĩnh viễn {1 + len(gone)} bản ghi.", "success")
        return redirect(url_for(".index", c=key))
