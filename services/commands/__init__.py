"""Flask CLI commands; each group lives beside the code it manages and only calls into it."""

from __future__ import annotations

from flask import Flask

from . import orgs, users


def init_app(app: Flask) -> None:
    for module in (orgs, users):
        module.register(app)
