"""Login, logout and own-password change (Flask-Login, Flask-WTF forms).

Failed logins are throttled by counting the ``login_failed`` entries of the audit
trail in a sliding window. The trail is already written for every attempt and lives in
MongoDB, so every worker process sees the same counts without another store
(Flask-Limiter would need Redis or its own MongoDB storage) and no new dependency.

Throttling must never become a lock-out that anyone can trigger (see :func:`wait_seconds`):
failures are counted per (account, address) and per address, and past a few free
failures each one makes the *next attempt from there* wait longer (doubling, capped);
a refused attempt is not a failure, so waiting out the delay always lets the right
password through. The per-account ceiling only slows addresses that themselves failed
recently: an officer at an address with no recent failures always gets in. Behind a
reverse proxy the address is the client's only when ``TRUSTED_PROXIES`` is set (ProxyFix).
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import LoginManager, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from pymongo.errors import PyMongoError
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo

from models import AuditEntry, User
from models.base import utcnow
from services import audit, passwords

bp = Blueprint("auth", __name__, template_folder="templates")
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Vui lòng đăng nhập để tiếp tục."
login_manager.login_message_category = "warning"
login_manager.session_protection = "strong"


class LoginForm(FlaskForm):
    username = StringField("Tên đăng nhập", validators=[DataRequired("Hãy nhập tên đăng nhập.")])
    password = PasswordField("Mật khẩu", validators=[DataRequired("Hãy nhập mật khẩu.")])


class PasswordChangeForm(FlaskForm):
    current = PasswordField("Mật khẩu hiện tại", validators=[DataRequired("Hãy nhập mật khẩu hiện tại.")])
    new = PasswordField("Mật khẩu mới", validators=[DataRequired("Hãy nhập mật khẩu mới.")])
    confirm = PasswordField("Nhập lại mật khẩu mới", validators=[EqualTo("new", "Mật khẩu nhập lại không khớp.")])


class LogoutForm(FlaskForm):
    """Logout changes state, so it is a POST with a CSRF token."""


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    pk, _, token = user_id.partition(":")
    try:
        user = User.objects(pk=pk).first()
    except PyMongoError:  # the database is down: its 503 page, not the login page
        raise
    except Exception:  # a forged or stale id
        return None
    if user is None or not token or user.session_token != token or not user.active:
        return None
    # an absolute bound as well: a session kept alive by activity still ends after the lifetime
    started = session.get("login_at", 0)
    if time.time() - started > current_app.permanent_session_lifetime.total_seconds():
        return None
    return user


def _fresh_session() -> None:
    """Nothing from the session before (the CSRF secret, anything planted) survives:
    a cookie captured before login or after logout is worth nothing."""
    session.clear()
    g.pop("csrf_token", None)  # Flask-WTF caches the token of the old secret per request


def _start_session(user: User) -> None:
    _fresh_session()
    login_user(user, remember=False)
    session.permanent = True  # the cookie expires with PERMANENT_SESSION_LIFETIME
    session["login_at"] = time.time()


def safe_next(target: str | None) -> str:
    """Only a local path may follow login: no scheme, no host, no ``//`` or ``\\`` tricks."""
    fallback = url_for("admin.index")
    if not target:
        return fallback
    target = target.strip()
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith(("//", "/\\")) or "\\" in target:
        return fallback
    return target


def _delay(failures: Any, free: int) -> tuple[int, dt.datetime | None]:
    """(failure count, time of the latest) -> seconds the next attempt waits after it."""
    count = failures.count()
    if count < free:
        return 0, None
    cfg = current_app.config
    latest = failures.order_by("-at").only("at").first()
    seconds = min(cfg["LOGIN_BASE_DELAY_SECONDS"] * 2 ** (count - free), cfg["LOGIN_MAX_DELAY_SECONDS"])
    return seconds, latest.at if latest else None


def wait_seconds(username: str, user: User | None) -> int:
    """Seconds this attempt must still wait (0: check the password).

    - per (account, address): ``LOGIN_FREE_FAILURES`` free failures, then growing delays;
    - per address, whatever the names tried: ``LOGIN_FREE_FAILURES_ADDRESS``, then the same;
    - per account, from any address: past ``LOGIN_ACCOUNT_CEILING`` failures, an address that
      failed for this account in the window waits out the window; other addresses do not.
    Failures of an account count only since its last successful login."""
    cfg = current_app.config
    now = utcnow()
    since = now - dt.timedelta(minutes=cfg["LOGIN_WINDOW_MINUTES"])
    account_since = max(since, user.last_login_at) if user is not None and user.last_login_at else since
    name, ip = audit.clean(username, 200), audit.clean(request.remote_addr, 64)
    failed = AuditEntry.objects(action="login_failed")
    pair = failed.filter(username=name, ip=ip, at__gte=account_since)
    waits = [_delay(pair, cfg["LOGIN_FREE_FAILURES"]),
             _delay(failed.filter(ip=ip, at__gte=since), cfg["LOGIN_FREE_FAILURES_ADDRESS"])]
    if failed.filter(username=name, at__gte=account_since).count() >= cfg["LOGIN_ACCOUNT_CEILING"]:
        latest = pair.order_by("-at").only("at").first()
        if latest is not None:  # this address failed for this account: it waits out the window
            waits.append((cfg["LOGIN_WINDOW_MINUTES"] * 60, latest.at))
    left = [seconds - (now - at).total_seconds() for seconds, at in waits if at is not None]
    return max([0, *(int(x) + 1 for x in left if x > 0)])


def _duration(seconds: int) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{minutes} phút {rest} giây" if minutes and rest else f"{minutes} phút" if minutes else f"{rest} giây"


def _authenticate(username: str, password: str) -> tuple[User | None, str | None]:
    """The user and None, or the account (if any) and why the attempt failed."""
    user = User.objects(username=username).first()
    if user is None:
        passwords.waste_time(password)  # same work as a real check: names cannot be probed by timing
        return None, "không có tài khoản"
    if not user.check_password(password):
        return user, "sai mật khẩu"
    if not user.active:
        return user, "tài khoản đã bị khóa"
    return user, None


@bp.route("/login/", methods=["GET", "POST"])
def login() -> Any:
    form = LoginForm()
    if form.validate_on_submit():
        username = (form.username.data or "").strip().lower()[:200]
        account = User.objects(username=username).first()
        wait = wait_seconds(username, account)
        if wait:
            audit.record("login_throttled", user=account, username=username, detail=f"chờ {wait} giây")
            flash(f"Đăng nhập sai nhiều lần. Hãy chờ {_duration(wait)} rồi thử lại.", "error")
            response = current_app.make_response((render_template("auth/login.html", form=form), 429))
            response.headers["Retry-After"] = str(wait)
            return response
        user, failure = _authenticate(username, form.password.data or "")
        if failure is None and user is not None:
            _start_session(user)
            user.update(set__last_login_at=utcnow())
            audit.record("login", user=user)
            return redirect(safe_next(request.args.get("next")))
        audit.record("login_failed", user=user, username=username, detail=failure)
        flash("Tên đăng nhập hoặc mật khẩu không đúng.", "error")
    return render_template("auth/login.html", form=form)


@bp.route("/logout/", methods=["POST"])
def logout() -> Any:
    form = LogoutForm()
    if form.validate_on_submit() and current_user.is_authenticated:
        user = current_user._get_current_object()
        # a copy of this session cookie must not work after logout: retire its token
        user.update(set__session_token=passwords.new_token())
        audit.record("logout", user=user)
        logout_user()
        _fresh_session()
        flash("Bạn đã đăng xuất.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/password/", methods=["GET", "POST"])
@login_required
def change_password() -> Any:
    form = PasswordChangeForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data or ""):
            form.current.errors.append("Mật khẩu hiện tại không đúng.")
        else:
            problem = passwords.problem(form.new.data, current_user.username)
            if problem:
                form.new.errors.append(problem)
            else:
                passwords.change(current_user, form.new.data)
                _start_session(current_user._get_current_object())  # old sessions end; this one goes on
                flash("Đã đổi mật khẩu.", "success")
                return redirect(url_for("admin.index"))
    return render_template("auth/password.html", form=form)


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    app.register_blueprint(bp)
    app.jinja_env.globals["logout_form"] = LogoutForm
