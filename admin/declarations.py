"""The officer's side of declaration rounds: open a round, print the sheet, copy the
messages, follow the progress, review what people sent (``services.declaration*``)."""

from __future__ import annotations

from typing import Any

import segno
from bson import ObjectId
from flask import flash, redirect, render_template, request, url_for
from flask_admin import expose
from flask_login import current_user
from markupsafe import Markup

from models.declaration import ITEM_ACTIONS, Declaration, DeclarationLink, DeclarationRound
from services import declaration as rounds
from services import declaration_review as review
from services import scope

from .access import ALL_ROLES, PanelView, deny, not_found, org_or_404
from .filters import picked_unit

REVIEW_PAGE = 20
LINK_PAGE = 100
PICK_MAX = 600  # above this many people a round takes everybody (no list of boxes)


def _one(model: Any, raw: str | None) -> Any:
    """A document in the user's scope, else 404 (a foreign id looks like a missing one)."""
    doc = scope.visible(model, current_user).filter(pk=ObjectId(raw)).first() if ObjectId.is_valid(raw or "") else None
    if doc is None:  # audited like every refused id, the same for a foreign and a missing one
        not_found(model._get_collection_name(), [raw or ""], model)
    return doc


def _writer() -> None:
    if not scope.can_write(current_user):
        deny("declarations", request.path)


def _posted_round() -> DeclarationRound:
    _writer()
    return _one(DeclarationRound, request.form.get("id"))


def _page() -> int:
    try:
        return max(int(request.args.get("page", 1)), 1)
    except ValueError:
        return 1


def link_url(link: DeclarationLink) -> str:
    return url_for("declare.open_link", token=rounds.token_of(link), _external=True)


def qr_svg(text: str) -> Markup:
    """A QR code as a data URI image (segno; the panel's CSP allows ``data:`` images)."""
    return Markup('<img class="qr" alt="Mã QR" src="{0}">').format(segno.make(text, error="m").svg_data_uri(scale=3))


def message(link: DeclarationLink, rnd: DeclarationRound) -> str:
    return (f"Chào {link.member_name}, chi bộ đề nghị đồng chí tự khai báo trang web, tài khoản mạng xã hội "
            f"của mình trước ngày {rnd.closes_on:%d/%m/%Y} tại: {link_url(link)} "
            f"(mã: {rounds.code_of(rounds.token_of(link))}). Khi mở, trang hỏi ngày sinh hoặc 4 số cuối "
            "số điện thoại. Liên kết chỉ dành riêng cho đồng chí, xin đừng chuyển cho người khác.")


class DeclarationsView(PanelView):
    read_roles = ALL_ROLES

    @expose("/")
    def index(self) -> str:
        found = scope.stable(scope.visible(DeclarationRound, current_user).order_by("-created_at"))
        return self.render("declarations/index.html", rows=list(found.limit(50)), can_write=scope.can_write(current_user))

    @expose("/moi/", methods=("GET", "POST"))
    def new(self) -> Any:
        _writer()
        raw = request.values.get("org")
        unit = org_or_404(raw) if raw else None
        people, count = [], 0
        if unit is not None:
            found = rounds.candidates(current_user, unit)
            count = found.count()
            if count <= PICK_MAX:
                people = list(scope.stable(found.order_by("org_key", "sort_key")).only(
                    "full_name", "org_name", "position", "date_of_birth", "phone"))
        if request.method == "POST" and unit is not None:
            chosen = request.form.getlist("member") if people else None
            try:
                rnd = rounds.open_round(current_user, unit, request.form.get("title", ""),
                                        request.form.get("closes_on"), chosen)
            except ValueError as exc:
                flash(str(exc), "error")
            else:
                flash(f"Đã mở đợt khai báo cho {rnd.people} người.", "success")
                return redirect(url_for(".round", id=rnd.pk))
        return self.render("declarations/new.html", unit=unit, people=people, count=count,
                           picked=picked_unit(current_user, raw), can_answer=rounds.can_answer)

    @expose("/dot/")
    def round(self) -> str:
        rnd = _one(DeclarationRound, request.args.get("id"))
        total, cells = rounds.progress(rnd, current_user)
        page = _page()
        links = list(scope.stable(scope.visible(DeclarationLink, current_user).filter(round=rnd)
                                  .order_by("org_key", "member_sort_key")).skip((page - 1) * LINK_PAGE).limit(LINK_PAGE + 1))
        return self.render("declarations/round.html", rnd=rnd, total=total, cells=cells, links=links[:LINK_PAGE],
                           more=len(links) > LINK_PAGE, page=page, states=rounds.STATE_LABELS,
                           can_write=scope.can_write(current_user))

    def _cell_links(self, rnd: DeclarationRound, states: tuple[str, ...] | None = None) -> tuple[Any, list]:
        cell = org_or_404(request.args.get("cell")) if request.args.get("cell") else None
        found = scope.visible(DeclarationLink, current_user).filter(round=rnd, revoked_at=None)
        if cell is not None:
            found = found.filter(scope=cell.pk)
        if states:
            found = found.filter(state__in=list(states))
        return cell, list(scope.stable(found.order_by("org_key", "member_sort_key")))

    @expose("/phieu/")
    def sheet(self) -> str:
        _writer()
        rnd = _one(DeclarationRound, request.args.get("id"))
        cell, links = self._cell_links(rnd)
        rows = [(link, rounds.code_of(rounds.token_of(link)), qr_svg(link_url(link))) for link in links]
        return render_template("declarations/sheet.html", rnd=rnd, cell=cell, rows=rows,
                               start=url_for("declare.start", _external=True))

    @expose("/tin-nhan/")
    def messages(self) -> str:
        _writer()
        rnd = _one(DeclarationRound, request.args.get("id"))
        cell, links = self._cell_links(rnd)
        return self.render("declarations/messages.html", rnd=rnd, cell=cell,
                           rows=[(link, message(link, rnd)) for link in links])

    @expose("/chua-khai/")
    def not_declared(self) -> str:
        rnd = _one(DeclarationRound, request.args.get("id"))
        cell, links = self._cell_links(rnd, ("not_opened", "opened"))
        return render_template("declarations/not_declared.html", rnd=rnd, cell=cell, rows=links,
                               states=rounds.STATE_LABELS)

    @expose("/lien-ket/", methods=("POST",))
    def link_action(self) -> Any:
        _writer()
        link = _one(DeclarationLink, request.form.get("link"))
        if request.form.get("what") == "revoke":
            rounds.revoke(link, current_user)
            flash(f"Đã thu hồi liên kết của {link.member_name}.", "success")
        else:
            rounds.reissue(link, current_user)
            flash(f"Đã cấp liên kết mới cho {link.member_name}; liên kết cũ không dùng được nữa.", "success")
        return redirect(url_for(".round", id=link.round.pk))

    @expose("/dong/", methods=("POST",))
    def close(self) -> Any:
        rnd = _posted_round()
        rounds.close(rnd, current_user)
        flash("Đã kết thúc đợt khai báo: các liên kết không mở được nữa.", "success")
        return redirect(url_for(".round", id=rnd.pk))

    @expose("/duyet/")
    def queue(self) -> str:
        rnd = _one(DeclarationRound, request.args.get("id"))
        page = _page()
        found = review.waiting(rnd, current_user)
        decls = list(found.skip((page - 1) * REVIEW_PAGE).limit(REVIEW_PAGE + 1))
        return self.render("declarations/review.html", rnd=rnd, decls=decls[:REVIEW_PAGE], more=len(decls) > REVIEW_PAGE,
                           page=page, twins=review.duplicates(decls[:REVIEW_PAGE], current_user),
                           actions=dict(ITEM_ACTIONS), labels=review.LABELS, shown=review.shown, can_write=scope.can_write(current_user))

    @expose("/duyet/quyet-dinh/", methods=("POST",))
    def decide(self) -> Any:
        _writer()
        decl = _one(Declaration, request.form.get("decl"))
        what = request.form.get("what")
        approve = None if what == "all" else {int(i) for i in request.form.getlist("item") if i.isdigit()}
        if what == "return":
            approve = set()
        try:
            review.decide(decl, current_user, approve, request.form.get("reason"))
        except ValueError as exc:
            flash(f"{decl.member_name}: {exc}", "error")
        else:
            flash(f"Đã xử lý bản khai của {decl.member_name}.", "success")
        return redirect(url_for(".queue", id=decl.round.pk))

    @expose("/duyet/tat-ca/", methods=("POST",))
    def approve_clean(self) -> Any:
        rnd = _posted_round()
        done, left = review.approve_clean(rnd, current_user)
        flash(f"Đã duyệt {done} bản khai không có vấn đề; còn {left} bản cần xem từng bản.", "success")
        return redirect(url_for(".queue", id=rnd.pk))


def dashboard_card() -> Markup:
    """The dashboard's card of open rounds (its own template: merged beside the other cards)."""
    rows = rounds.open_rounds_summary(current_user)
    if not rows:
        return Markup("")
    return Markup(render_template("declarations/_card.html", rows=rows, states=rounds.STATE_LABELS))
