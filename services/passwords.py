"""Password policy: one place for the web form, the CLI and the self-service page."""

from __future__ import annotations

import secrets

from werkzeug.security import check_password_hash, generate_password_hash

from models import normalize
from models import user as user_model
from services import audit

MIN_LENGTH = 10
_COMMON = {"password", "password1", "12345678", "123456789", "1234567890", "qwerty123", "matkhau123",
           "abc12345", "11111111", "admin123", "iloveyou", "123456abc", "abcd1234", "vietnam123",
           "dangcongsan", "12345678910", "a123456789", "qwertyuiop", "1q2w3e4r5t"}


def problem(password: str, username: str | None = None) -> str | None:
    """A Vietnamese message saying why the password is refused, or None."""
    if len(password or "") < MIN_LENGTH:
        return f"Mật khẩu phải có ít nhất {MIN_LENGTH} ký tự."
    folded = normalize.fold(password).replace(" ", "")
    if username and normalize.fold(username) in folded:
        return "Mật khẩu không được chứa tên đăng nhập."
    if folded in _COMMON or len(set(password)) < 4:
        return "Mật khẩu quá phổ biến hoặc dễ đoán, hãy chọn mật khẩu khác."
    return None


_DUMMY_HASHES: dict[str, str] = {}


def waste_time(password: str) -> None:
    """Check against a throw-away hash: an unknown name costs as much as a wrong password."""
    method = user_model.hash_method()
    if method not in _DUMMY_HASHES:
        _DUMMY_HASHES[method] = generate_password_hash(secrets.token_hex(16), method=method)
    check_password_hash(_DUMMY_HASHES[method], password or "")


def change(user: user_model.User, password: str) -> None:
    """A user's own new password: written, every other session ended, one audit entry
    (that it changed, never what it is)."""
    user.set_password(password)
    user.save()
    audit.record("password_change", user=user)


def new_token() -> str:
    return secrets.token_urlsafe(16)


def generate() -> str:
    return secrets.token_urlsafe(12)
