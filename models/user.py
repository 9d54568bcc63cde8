"""Officer accounts of the panel."""

from __future__ import annotations

import re
import secrets

import mongoengine as me
from flask import current_app, has_app_context
from werkzeug.security import check_password_hash, generate_password_hash

from . import normalize
from .base import FollowsOrganisation, owned, utcnow
from .organisation import Organisation

_USERNAME = re.compile(r"^[a-z0-9_.-]{3,64}$")
ADMIN, OFFICER, VIEWER = "admin", "officer", "viewer"
ROLES = [(ADMIN, "Quản trị hệ thống"), (OFFICER, "Cán bộ quản trị"), (VIEWER, "Chỉ xem")]
#: the one hashing scheme of the panel (Werkzeug's scrypt); the app's config may lower it
#: for the test suite only (``PASSWORD_HASH_METHOD``, set by services/config.finalize under TESTING)
HASH_METHOD = "scrypt"


def hash_method() -> str:
    """The Werkzeug method new password hashes use: the app's setting, else scrypt."""
    if has_app_context():
        return current_app.config.get("PASSWORD_HASH_METHOD") or HASH_METHOD
    return HASH_METHOD


@owned
class User(FollowsOrganisation, me.Document):
    VERBOSE_NAME = "Tài khoản người dùng"
    meta = {"collection": "users", "indexes": ["organisation", "scope", "role", "active"]}

    username = me.StringField(required=True, unique=True, max_length=64)
    full_name = me.StringField(max_length=120)
    password_hash = me.StringField(required=True)
    organisation = me.ReferenceField(Organisation, required=True, reverse_delete_rule=me.DENY)
    scope = me.ListField(me.ObjectIdField())
    org_name = me.StringField()  # denormalised for the users list
    role = me.StringField(required=True, choices=ROLES, default=OFFICER)
    active = me.BooleanField(default=True)
    #: changes on password change / deactivation: old sessions stop working
    session_token = me.StringField(default=lambda: secrets.token_urlsafe(16))
    created_at = me.DateTimeField(default=utcnow)
    last_login_at = me.DateTimeField()

    def __str__(self) -> str:
        return self.username

    def clean(self) -> None:
        self.username = (normalize.text(self.username) or "").lower()
        if not _USERNAME.match(self.username):
            raise me.ValidationError(errors={"username": "Tên đăng nhập chỉ gồm chữ thường không dấu, số, dấu . _ - (3–64 ký tự)."})
        self.full_name = normalize.text(self.full_name)
        if self.organisation is not None:
            for name, value in self.org_values(self.organisation).items():
                setattr(self, name, value)

    def set_password(self, password: str, method: str | None = None) -> None:
        self.password_hash = generate_password_hash(password, method=method or hash_method())
        self.session_token = secrets.token_urlsafe(16)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return bool(self.active)

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.pk}:{self.session_token}"
