"""Application factory of the party register and admin panel."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, jsonify, request
from flask_babel import Babel
from flask_wtf.csrf import CSRFProtect
from mongoengine.errors import OperationError
from pymongo.errors import PyMongoError, WTimeoutError
from werkzeug.middleware.proxy_fix import ProxyFix

import admin
from services import commands, config, db, policy

_DB_DOWN = """<!doctype html><html lang="vi"><meta charset="utf-8"><title>Lỗi kết nối</title>
<body style="font-family:sans-serif;max-width:40rem;margin:10vh auto">
<h1>Không kết nối được cơ sở dữ liệu</h1>
<p>Hệ thống tạm thời không truy cập được cơ sở dữ liệu. Dữ liệu của bạn không bị mất.
Vui lòng thử lại sau ít phút hoặc báo cho quản trị hệ thống.</p></body></html>"""

_WRITE_TIMEOUT = """<!doctype html><html lang="vi"><meta charset="utf-8"><title>Chưa xác nhận được việc ghi</title>
<body style="font-family:sans-serif;max-width:40rem;margin:10vh auto">
<h1>Cơ sở dữ liệu chưa xác nhận việc ghi</h1>
<p>Máy chủ cơ sở dữ liệu chưa xác nhận thay đổi vừa gửi trong thời gian cho phép (một máy
trong cụm có thể đang gặp sự cố). Thay đổi có thể đã được ghi hoặc chưa: hãy mở lại bản ghi để
kiểm tra trước khi nhập lại, hoặc báo cho quản trị hệ thống.</p></body></html>"""

_SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    # Flask-Admin's templates use inline scripts and styles; everything is served from here.
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'",
}


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    cfg = config.from_env()
    overrides = dict(test_config or {})
    if "MONGODB_URI" in overrides:  # an explicit database is never the demo unless asked
        cfg["DEMO_MODE"] = cfg["SEED_DEMO"] = False
    cfg.update(overrides)
    app.config.update(config.finalize(cfg))
    register_proxy(app)
    register_extensions(app)
    db.init_app(app)
    admin.init_app(app)
    register_web(app)
    commands.init_app(app)
    if app.config.get("SEED_DEMO"):
        from services import demo

        demo.seed_at_start(app)
    return app


def register_proxy(app: Flask) -> None:
    """Behind ``TRUSTED_PROXIES`` reverse proxies (nginx), the client address, scheme and host
    come from their X-Forwarded-* headers; without it those headers are ignored (spoofable)."""
    hops = app.config.get("TRUSTED_PROXIES", 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]


def register_extensions(app: Flask) -> None:
    Babel(app, locale_selector=lambda: "vi", timezone_selector=lambda: "Asia/Ho_Chi_Minh")
    CSRFProtect(app)


def register_web(app: Flask) -> None:
    @app.get("/")
    def root() -> Any:
        from flask import redirect, url_for

        return redirect(url_for("admin.index"))

    @app.get("/healthz")
    def healthz() -> Any:
        from flask_login import current_user

        ok = db.ping()
        body: dict[str, Any] = {"status": "ok" if ok else "error", "database": ok}
        if policy.can(current_user, policy.ADMINISTER):
            # administrators see index conflicts left by start-up (what ``flask check`` prints)
            body["index_conflicts"] = [{"collection": c, "index": i, "error": e} for c, i, e in db.index_problems()]
        return jsonify(body), (200 if ok else 503)

    @app.errorhandler(PyMongoError)
    def database_down(exc: PyMongoError) -> Any:
        app.logger.error("Database error on %s: %s", request.path, exc.__class__.__name__)
        # plain HTML, no template context: rendering one would load the user from the database again
        return Response(_WRITE_TIMEOUT if isinstance(exc, WTimeoutError) else _DB_DOWN, 503, mimetype="text/html")

    @app.errorhandler(OperationError)
    def write_failed(exc: OperationError) -> Any:
        # MongoEngine wraps pymongo's write errors (a write-concern timeout among them)
        app.logger.error("Database write failed on %s: %s", request.path, exc)
        return Response(_WRITE_TIMEOUT if db.write_timed_out(exc) else _DB_DOWN, 503, mimetype="text/html")


    # an expired form (CSRFError) and HTTP errors: Vietnamese pages in admin/errors.py

    @app.after_request
    def security_headers(response: Any) -> Any:
        for key, value in _SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        if not (request.endpoint or "").endswith("static"):
            # pages, look-ups, reports and downloads hold personal data: a shared office PC
            # must not show them again from its cache (back button after logout)
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"  # HTTP/1.0 caches and old browsers
        return response
