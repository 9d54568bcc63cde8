"""Configuration read from the environment, in one class."""

from __future__ import annotations

import datetime as dt
import os
import secrets


class ConfigError(RuntimeError):
    """The configuration cannot start the panel; the message says what to set."""


def from_env() -> dict:
    # PANEL_STORE=memory: the throw-away in-process demo (services/memory_store.py), whatever the URI
    memory = os.environ.get("PANEL_STORE", "").strip() == "memory"
    uri = "" if memory else os.environ.get("MONGODB_URI", "").strip()
    demo = not uri
    cfg = {
        "MONGODB_URI": uri or "mongomock://localhost/dang_demo",
        "DEMO_MODE": demo,
        "SECRET_KEY": os.environ.get("SECRET_KEY") or None,
        "MONGODB_TIMEOUT_MS": int(os.environ.get("MONGODB_TIMEOUT_MS", "5000")),
        "ORG_NAME": os.environ.get("PANEL_TITLE", "Sổ tay quản lý trang web, mạng xã hội của cán bộ, đảng viên"),
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_UPLOAD_MB", "20")) * 1024 * 1024,
        "EXPORT_ROW_CAP": int(os.environ.get("EXPORT_ROW_CAP", "200000")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "0") == "1",
        "PERMANENT_SESSION_LIFETIME": dt.timedelta(hours=int(os.environ.get("SESSION_HOURS", "8"))),
        "REMEMBER_COOKIE_DURATION": dt.timedelta(days=1),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "BABEL_DEFAULT_LOCALE": "vi",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
        "FLASK_ADMIN_SWATCH": "default",
        "SEED_DEMO": demo,
        # production (README "Production"): proxy hops, write concern, login throttling, audit retention
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
        "MONGODB_WTIMEOUT_MS": int(os.environ.get("MONGODB_WTIMEOUT_MS", "5000")),
        "LOGIN_WINDOW_MINUTES": int(os.environ.get("LOGIN_WINDOW_MINUTES", "15")),
        "LOGIN_FREE_FAILURES": 5,
        "LOGIN_FREE_FAILURES_ADDRESS": 20,
        "LOGIN_ACCOUNT_CEILING": 50,
        "LOGIN_BASE_DELAY_SECONDS": 15,
        "LOGIN_MAX_DELAY_SECONDS": 15 * 60,
        "AUDIT_KEEP_DAYS": int(os.environ.get("AUDIT_KEEP_DAYS", "0")),  # 0: keep everything
    }
    return cfg


TEST_HASH_METHOD = "pbkdf2:sha256:1"


def finalize(cfg: dict) -> dict:
    """Apply the rules that depend on the final mapping; raise ConfigError on misuse."""
    uri = cfg["MONGODB_URI"]
    production = uri.startswith(("mongodb://", "mongodb+srv://"))
    if production and not cfg.get("SECRET_KEY"):
        raise ConfigError(
            "SECRET_KEY chưa được đặt. Khi dùng MongoDB thật (MONGODB_URI=mongodb://…), "
            "hãy đặt biến môi trường SECRET_KEY (ví dụ: python -c 'import secrets; print(secrets.token_hex(32))')."
        )
    if not production and not uri.startswith("mongomock://"):
        raise ConfigError(f"MONGODB_URI không hợp lệ: {uri!r} (cần mongodb://, mongodb+srv:// hoặc mongomock://).")
    if not cfg.get("SECRET_KEY"):
        cfg["SECRET_KEY"] = secrets.token_hex(32)  # in-process store only: nothing outlives the process
    cfg["PRODUCTION"] = production
    # the test suite hashes thousands of passwords: one PBKDF2 round there, scrypt everywhere else
    cfg.setdefault("PASSWORD_HASH_METHOD", TEST_HASH_METHOD if cfg.get("TESTING") and not production else "scrypt")
    return cfg
