"""Vietnamese for Flask-Admin's own texts.

Flask-Admin ships a ``vi`` catalogue with gaps and some machine translations
("Kỷ lục được tạo thành công" for "record created"). Our corrections live in
``admin/translations`` and are appended to Flask-Admin's translation directories:
Flask-Babel merges catalogues in order and later ones win, so ours overrides theirs.
"""

from __future__ import annotations

import os

from flask_admin import babel as admin_babel

TRANSLATIONS = os.path.join(os.path.dirname(__file__), "translations")


def init_app() -> None:
    domain = admin_babel.domain
    dirs = domain._translation_directories
    if isinstance(dirs, str):
        dirs = [dirs]
    if TRANSLATIONS not in dirs:
        domain._translation_directories = [*dirs, TRANSLATIONS]
    domain.cache.clear()
