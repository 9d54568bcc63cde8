"""The "Tra cứu" screen: one search box answering "who declared this?"."""

from __future__ import annotations

from flask import request
from flask_admin import expose
from flask_login import current_user

from models import normalize
from models.accounts import LINK_TYPES
from services import audit, lookup

from .access import PanelView

MAX_QUERY = 500  # a pasted URL with tracking parameters fits; a pasted page does not


class LookupView(PanelView):
    """GET only: a look-up changes nothing, and its URL can be shared between officers."""


    @expose("/")
    def index(self) -> str:
        raw = (request.args.get("q") or "")[:MAX_QUERY]
        result = lookup.lookup(raw, current_user) if normalize.text(raw) else None
        if result is not None:  # searches of personal data are audited (who looked up what)
            audit.record("lookup", user=current_user, detail=f"q={raw}")
        return self.render("lookup/index.html", q=raw, result=result, fmt_date=normalize.format_date,
                           link_types=dict(LINK_TYPES))
