"""``flask forms …``: the official forms 1 and 2 in and out of the register.

The group is defined here; ``export`` and ``import`` live in their own modules."""

from __future__ import annotations

from flask.cli import AppGroup

forms = AppGroup("forms", help="Biểu mẫu 1 (trang web, blog) và 2 (tài khoản mạng xã hội).")

FORM_KINDS = {"sites": "Biểu mẫu 1 — trang web, blog", "social": "Biểu mẫu 2 — tài khoản mạng xã hội"}
