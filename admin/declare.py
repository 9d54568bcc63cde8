"""The person's own declaration pages (``/khai-bao/``): no panel login, one link, one person.

A link opens only after the person answers what the link does not carry (birth date or the
last four digits of their phone). A wrong, expired or revoked token and a wrong answer get
the same page. Once answered, a mark in the session (the link's id and a piece of its token
hash, for two hours) lets the same token reach that person's form and summary, nothing else:
every request checks the token again. Failures are throttled per token and per address
from the audit trail, as logins are (``admin.auth``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify, redirect, render_template, request, session, url_for

from models import AuditEntry
from models.base import utcnow
from models.declaration import ITEM_ACTIONS, DeclarationLink, token_hash
from services import audit
from services import declaration as rounds
from services import declaration_review as review

from .auth import _delay

bp = Blueprint("declare", __name__, url_prefix="/khai-bao", template_folder="templates")
SESSION_KEY = "khai_bao"
VERIFIED_FOR = dt.timedelta(hours=2)
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


@bp.after_request
def _headers(response: Any) -> Any:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["Referrer-Policy"] = "no-referrer"  # the token is in the address
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _key(token: str) -> str:
    return "khai-bao:" + token_hash(rounds.clean_code(token) or token[:64])[:16]


def _wait(token: str) -> int:
    """Seconds this attempt must wait: failures per token and per address, as for logins."""
    cfg = current_app.config
    now = utcnow()
    failed = AuditEntry.objects(action="declare_failed", at__gte=now - dt.timedelta(minutes=cfg["LOGIN_WINDOW_MINUTES"]))
    waits = [_delay(failed.filter(username=_key(token)), cfg["LOGIN_FREE_FAILURES"]),
             _delay(failed.filter(ip=audit.clean(request.remote_addr, 64)), cfg["LOGIN_FREE_FAILURES_ADDRESS"])]
    left = [seconds - (now - at).total_seconds() for seconds, at in waits if at is not None]
    return max([0, *(int(x) + 1 for x in left if x > 0)])


def _refused(status: int = 403) -> Any:
    """The one page for a wrong/expired/revoked token, a wrong answer, a lapsed session."""
    return render_template("declare/refused.html"), status


def _verified(token: str) -> DeclarationLink | None:
    link = rounds.find_link(token)
    mark = session.get(SESSION_KEY) or {}
    if link is None or mark.get("link") != str(link.pk) or mark.get("h") != link.token_hash[:16]:
        return None
    try:
        if dt.datetime.fromisoformat(mark.get("until", "")) < utcnow():
            return None
    except ValueError:
        return None
    return link if link.member.deleted_at is None else None


@bp.route("/", methods=["GET", "POST"])
def start() -> Any:
    """Type the code of the printed sheet."""
    if request.method == "POST":
        token = rounds.clean_code(request.form.get("code"))
        if token:
            return redirect(url_for(".open_link", token=token))
        return render_template("declare/start.html", error="Mã gồm 26 chữ cái và chữ số, như in trên phiếu."), 422
    return render_template("declare/start.html", error=None)


@bp.route("/<token>/", methods=["GET", "POST"])
def open_link(token: str) -> Any:
    if request.method == "GET":
        return render_template("declare/challenge.html", token=token, error=None)
    wait = _wait(token)
    if wait:
        audit.record("declare_throttled", username=_key(token), detail=f"chờ {wait} giây")
        response = current_app.make_response((render_template("declare/refused.html", wait=wait), 429))
        response.headers["Retry-After"] = str(wait)
        return response
    link = rounds.find_link(token)
    member = link.member if link is not None else None
    if member is None or member.deleted_at is not None or not rounds.answer_matches(member, request.form.get("answer")):
        audit.record("declare_failed", username=_key(token), records=[link] if link else [],
                     detail="liên kết không dùng được hoặc trả lời sai")
        return _refused()
    session[SESSION_KEY] = {"link": str(link.pk), "h": link.token_hash[:16],
                            "until": (utcnow() + VERIFIED_FOR).isoformat()}
    if link.state == "not_opened":
        DeclarationLink.objects(pk=link.pk, state="not_opened").update_one(set__state="opened", set__opened_at=utcnow())
    audit.record("declare_open", username=f"khai-bao: {link.member_name}", records=[link])
    return redirect(url_for(".form", token=token))


@bp.route("/<token>/khai/", methods=["GET", "POST"])
def form(token: str) -> Any:
    link = _verified(token)
    if link is None:
        return _refused()
    records = review.registered(link.member)
    counts = {kind: review.count_of(request.form, kind) for kind in review.FIELDS}
    if request.method == "GET":
        if not records:
            counts["account"] = 1
        return _form(token, link, records, counts, {}, review.rotate_nonce(link, None))
    action = request.form.get("action", "submit")
    if action in ("add_site", "add_account"):
        kind = action[4:]
        counts[kind] = min(counts[kind] + 1, review.MAX_NEW)
        return _form(token, link, records, counts, {}, request.form.get("nonce"))
    items, errors, none = review.parse(link.member, request.form, records)
    if errors:
        return _form(token, link, records, counts, errors, request.form.get("nonce")), 422
    if review.rotate_nonce(link, request.form.get("nonce", "")) is None:
        return render_template("declare/replayed.html", token=token), 409
    review.submit(link, items, none)
    return redirect(url_for(".summary", token=token))


def _form(token: str, link: DeclarationLink, records: list, counts: dict, errors: dict, nonce: str | None) -> str:
    posted = request.method == "POST"

    def value(name: str, default: Any = "") -> Any:
        if posted:
            return request.form.get(name, "")
        if isinstance(default, dt.datetime):
            return f"{default:%d/%m/%Y}"
        return "" if default is None else default

    return render_template("declare/form.html", token=token, link=link, records=records, counts=counts,
                           errors=errors, nonce=nonce, value=value, fields=review.FIELDS, choices=review.CHOICES,
                           kind_of=review.kind_of, label_of=review.label_of, values_of=review.values_of,
                           last=rounds.last_submission(link), posted=posted)


@bp.get("/<token>/da-gui/")
def summary(token: str) -> Any:
    link = _verified(token)
    if link is None:
        return _refused()
    return render_template("declare/summary.html", token=token, link=link, last=rounds.last_submission(link),
                           actions=dict(ITEM_ACTIONS), labels=review.LABELS, shown=review.shown)


@bp.post("/<token>/kiem-tra/")
def check(token: str) -> Any:
    """As-you-type errors of one line (the optional script): the same rules as the submission."""
    link = _verified(token)
    if link is None:
        return jsonify({}), 403
    kind = request.form.get("kind")
    if kind not in review.FIELDS:
        return jsonify({}), 400
    raw = {name: request.form.get(name) for name, _ in review.FIELDS[kind]}
    _values, errors = review.check(kind, raw, link.member)
    return jsonify(errors)


@bp.post("/<token>/thoat/")
def leave(token: str) -> Any:
    session.pop(SESSION_KEY, None)
    return redirect(url_for(".open_link", token=token))


def dmy(value: Any) -> str:
    """A declared value as shown: dates dd/mm/yyyy, nothing as "(trống)"."""
    if value in (None, ""):
        return "(trống)"
    return f"{value:%d/%m/%Y}" if isinstance(value, dt.datetime) else str(value)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.filters["dmy"] = dmy
