"""The monthly list of handbook-account proposals: preview, xlsx, "sent", "done", and the
officer's own proposals and withdrawals (Điều 6 khoản 2 điểm b, c, đ)."""

from __future__ import annotations

import tempfile
from typing import Any

from bson import ObjectId
from flask import abort, flash, redirect, request, send_file, url_for
from flask_admin import expose
from flask_login import current_user
from mongoengine import ValidationError

from exports import XLSX_MIMETYPE
from models import HandbookProposal, Member
from models.handbook import EVENTS, KINDS, STATES
from services import audit, handbook, scope

from .access import PanelView, org_or_404
from .filters import picked_unit


class HandbookView(PanelView):
    def _args(self) -> tuple[Any, str]:
        org = org_or_404(request.values.get("org") or str(scope.scope_root(current_user)))
        try:
            month = handbook.parse_month(request.values.get("month"))
        except ValidationError as exc:
            flash(exc.message, "error")
            month = handbook.parse_month(None)
        return org, month

    @expose("/")
    def index(self) -> str:
        org, month = self._args()
        items = list(handbook.proposals(org, month, current_user).order_by("org_key", "member_sort_key"))
        return self.render("handbook/index.html", org=org, month=month, items=items,
                           picked=picked_unit(current_user, str(org.pk)),
                           sent=handbook.sent_list(org, month), kinds=dict(KINDS), events=dict(EVENTS),
                           states=dict(STATES), superior={str(p.pk) for p in items if handbook.is_superior(current_user, p)},
                           not_sent=handbook.units_not_sent(current_user, month),
                           can_write=scope.can_write(current_user))

    @expose("/export/")
    def export(self) -> Any:
        org, month = self._args()
        out = tempfile.TemporaryFile()
        handbook.export(out, org, month, current_user)
        out.seek(0)
        return send_file(out, mimetype=XLSX_MIMETYPE, as_attachment=True,
                         download_name=f"de-nghi-tai-khoan-{org.code}-{month}.xlsx")

    @expose("/send/", methods=("POST",))
    def send(self) -> Any:
        org, month = self._args()
        try:
            handbook.send(org, month, current_user)
            flash(f"Đã gửi danh sách đề nghị tháng {month[5:]}/{month[:4]}; danh sách đã khóa.", "success")
        except ValidationError as exc:
            flash(exc.message, "error")
        return redirect(url_for(".index", org=org.pk, month=month))

    def _proposal(self) -> HandbookProposal:
        raw = request.form.get("id", "")
        p = scope.visible(HandbookProposal, current_user).filter(pk=ObjectId(raw)).first() if ObjectId.is_valid(raw) else None
        if p is None:
            audit.record("denied", collection="handbook_proposals", ids=[raw], detail=f"POST {request.path}")
            abort(404)
        return p

    @expose("/item/", methods=("POST",))
    def item(self) -> Any:
        p, what = self._proposal(), request.form.get("what")
        try:
            if what == "done":
                handbook.mark_done(p, current_user)
            elif what == "withdraw":
                handbook.withdraw(p, request.form.get("reason"), current_user)
            else:
                abort(400)
            flash("Đã cập nhật đề nghị.", "success")
        except ValidationError as exc:
            flash(exc.message, "error")
        return redirect(request.form.get("back_org") and url_for(".index", org=request.form["back_org"], month=p.month)
                        or url_for(".index", month=p.month))

    @expose("/propose/", methods=("POST",))
    def propose(self) -> Any:
        raw = request.form.get("member", "")
        member = scope.visible(Member, current_user).filter(pk=ObjectId(raw)).first() if ObjectId.is_valid(raw) else None
        if member is None:
            abort(404)
        try:
            p = handbook.add(member, request.form.get("kind", ""), request.form.get("reason"), current_user)
            flash(f"Đã thêm đề nghị vào danh sách tháng {p.month[5:]}/{p.month[:4]}.", "success")
        except ValidationError as exc:
            flash(exc.message, "error")
        return redirect(url_for("member.details_view", id=member.pk))
