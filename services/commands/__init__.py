"""Flask CLI commands; each group lives beside the code it manages and only calls into it.

To add commands: write a module here with ``register(app)`` and list it in ``MODULES``.
Commands of ``flask forms`` attach to ``forms.forms`` (defined once in ``forms.py``).
"""

from __future__ import annotations

import importlib

from flask import Flask

MODULES = ["orgs", "users", "forms_export", "reports", "forms_import", "backup", "declarations", "check", "audit",
           "members", "party_work"]


def init_app(app: Flask) -> None:
    from .forms import forms

    for name in MODULES:
        importlib.import_module(f"{__name__}.{name}").register(app)
    app.cli.add_command(forms)
