"""Application factory of the party register and admin panel."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, jsonify
from flask_babel import Babel
from flask_wtf.csrf import CSRFProtect

import admin
from services import commands, config, db

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
    register_extensions(app)
    db.init_app(app)
    admin.init_app(app)
    register_web(app)
    commands.init_app(app)
    if app.config.get("SEED_DEMO"):
        from services import demo

        demo.seed_at_start(app)
    return app


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
        if getattr(current_user, "is_authenticated", False) and current_user.role == "admin":
            # administrators see index conflicts left by start-up (what ``flask check`` prints)
            body["index_conflicts"] = [{"collection": c, "index": i, "error": e} for c, i, e in db.INDEX_PROBLEMS]
        return jsonify(body), (200 if ok else 503)

    @app.after_request
    def security_headers(response: Any) -> Any:
        for key, value in _SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        return response
