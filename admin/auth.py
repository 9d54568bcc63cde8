"""Login, logout and own-password change (Flask-Login, Flask-WTF forms)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask_login import LoginManager, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo

from models import User
from models.base import utcnow
from services import passwords

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
    except Exception:
        return None
    if user is None or not token or user.session_token != token or not user.active:
        return None
    return user


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


@bp.route("/login/", methods=["GET", "POST"])
def login() -> Any:
    form = LoginForm()
    if form.validate_on_submit():
        username = (form.username.data or "").strip().lower()
        user = User.objects(username=username).first()
        if user is not None and user.active and user.check_password(form.password.data or ""):
            login_user(user, remember=False)
            user.update(set__last_login_at=utcnow())
            return redirect(safe_next(request.args.get("next")))
        flash("Tên đăng nhập hoặc mật khẩu không đúng.", "error")
    return render_template("auth/login.html", form=form)


@bp.route("/logout/", methods=["POST"])
def logout() -> Any:
    form = LogoutForm()
    if form.validate_on_submit():
        logout_user()
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
                current_user.set_password(form.new.data)
                current_user.save()
                login_user(current_user)  # the old sessions are now invalid; keep this one
                flash("Đã đổi mật khẩu.", "success")
                return redirect(url_for("admin.index"))
    return render_template("auth/password.html", form=form)


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    app.register_blueprint(bp)
    app.jinja_env.globals["logout_form"] = LogoutForm
