"""The home dashboard (``/admin/``): figures that link to the filtered lists behind them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bson import ObjectId
from bson.errors import InvalidId
from flask import abort, current_app, jsonify, request, url_for
from flask_admin import expose
from flask_login import current_user
from markupsafe import Markup

from models import normalize
from services import dashboard, handbook, party_reports, scope, submissions

from .access import PanelIndexView
from .filters import ChoiceFilter, CountedFilter, DateFromFilter, DateToFilter, OrgSubtreeFilter, QualityFilter
from .party_tasks import TaskStatusFilter

#: figure -> (list endpoint, extra filters); every figure is also filtered by unit
COUNTED = "counted"  # placeholder for the day the figures are counted on
FIGURE_LISTS: dict[str, tuple[str, list[tuple[type, str, str]]]] = {
    "people": ("member", [(CountedFilter, "joined_on", COUNTED)]),
    "sites": ("site", [(CountedFilter, "created_at", COUNTED)]),
    "accounts": ("socialaccount", [(CountedFilter, "created_at", COUNTED)]),
    "issues_members": ("member", [(QualityFilter, "quality_issues", QualityFilter.ANY)]),
    "issues_sites": ("site", [(QualityFilter, "quality_issues", QualityFilter.ANY)]),
    "issues_accounts": ("socialaccount", [(QualityFilter, "quality_issues", QualityFilter.ANY)]),
}
NO_ACCOUNT_PAGE = 100


def _view(endpoint: str) -> Any:
    admin = current_app.extensions.get("panel_admin")
    return next((v for v in getattr(admin, "_views", []) if v.endpoint == endpoint), None)


def list_url(endpoint: str, filters: list[tuple[type, str, Any]]) -> str | None:
    """URL of a list with filters, arguments derived from the view's own filter list
    (``flt<n>_<arg>``), so that reordering a view's filters cannot break the links.
    None when the view or one of the filters is missing: better no link than a wrong one."""
    view = _view(endpoint)
    if view is None or not getattr(view, "_filter_args", None):
        return None
    args: dict[str, str] = {}
    for n, (cls, column, value) in enumerate(filters):
        arg = next((key for key, (_i, flt) in view._filter_args.items()
                    if type(flt) is cls and flt.column == column), None)
        if arg is None:
            return None
        args[f"flt{n}_{arg}"] = str(value)
    return url_for(f"{endpoint}.index_view", **args)


def figure_url(figure: str, unit: ObjectId, day: dt.date | None = None) -> str | None:
    if figure == "no_account":
        return url_for("admin.no_account", org=str(unit))
    endpoint, extra = FIGURE_LISTS[figure]
    shown = normalize.format_date(day or normalize.today())
    return list_url(endpoint, [(OrgSubtreeFilter, "scope", unit),
                               *((cls, col, shown if v == COUNTED else v) for cls, col, v in extra)])


def platform_url(unit: ObjectId, platform: str) -> str | None:
    return list_url("socialaccount", [(OrgSubtreeFilter, "scope", unit), (ChoiceFilter, "platform", platform)])


def expiry_url(unit: ObjectId, start: dt.date | None, end: dt.date) -> str | None:
    flts: list[tuple[type, str, Any]] = [(OrgSubtreeFilter, "scope", unit)]
    if start is not None:
        flts.append((DateFromFilter, "expires_on", normalize.format_date(start)))
    return list_url("site", [*flts, (DateToFilter, "expires_on", normalize.format_date(end))])


def deadline_url(key: str, unit: ObjectId, period: str) -> str:
    """Where each report is prepared: the proposal list, the unit's monthly meeting report, else the reports screen."""
    if key == "proposals":  # the monthly list of handbook-account proposals behind the deadline
        return url_for("handbook.index", org=str(unit), month=f"{period[5:7]}/{period[:4]}")
    if key == "meetings":
        return url_for("partyreports.meetings", org=str(unit), month=period)
    return url_for("reports.index")


def bar_chart(items: list[tuple[str, int, str | None]], label: str) -> Markup:
    """A bar chart as inline SVG (no script, no CDN); each bar is a link.

    No ``viewBox``: lengths are CSS pixels and bar widths percentages of the chart's
    width, so the text keeps its size on a phone and on an office screen alike."""
    row, top = 40, max((n for _, n, _ in items), default=0) or 1
    parts = [Markup('<svg class="bar-chart" width="100%" height="{0}" role="img" aria-label="{1}" '
                    'xmlns="http://www.w3.org/2000/svg">').format(row * len(items) + 4, label)]
    for i, (name, n, href) in enumerate(items):
        y, pct = i * row, round(85 * n / top, 2)
        bar = Markup('<text x="0" y="{0}" class="bar-label">{1}</text>'
                     '<rect x="0" y="{2}" width="{3}%" height="14" rx="2" class="bar"><title>{1}: {4}</title></rect>'
                     '<text x="{3}%" dx="6" y="{5}" class="bar-value">{4}</text>').format(
            y + 14, name, y + 20, max(pct, 0.5), n, y + 32)
        parts.append(Markup('<a href="{0}">{1}</a>').format(href, bar) if href else bar)
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


OVERDUE_SHOWN = 10


def party_overdue(today: dt.date) -> dict[str, Any]:
    """Overdue tasks of the user's scope (issue 14): the count and the nearest few; two
    queries on the ``scope, status, due_on`` index, apart from the figures above."""
    qs = party_reports.overdue_tasks(current_user, today)
    rows = list(qs.only("title", "member_name", "org_name", "due_on").order_by("due_on").limit(OVERDUE_SHOWN))
    return {"count": qs.count() if len(rows) == OVERDUE_SHOWN else len(rows), "rows": rows,
            "url": list_url("task", [(TaskStatusFilter, "status", "overdue")])}


class DashboardView(PanelIndexView):
    @expose("/")
    def index(self) -> str:
        board = dashboard.build(current_user)
        rid = board.root.id
        platforms = [(p, n, platform_url(rid, p)) for p, n in board.platforms]
        units = [(u.name, u.counts["accounts"], figure_url("accounts", u.id)) for u in board.units]
        return self.render("panel/index.html", board=board, figure_url=figure_url, fmt_date=normalize.format_date,
                           platform_chart=bar_chart(platforms, "Tài khoản mạng xã hội theo loại"),
                           unit_chart=bar_chart(units, "Tài khoản mạng xã hội theo đơn vị") if units else None,
                           expiry_url=expiry_url, deadline_url=deadline_url, timedelta=dt.timedelta,
                           proposals=handbook.dashboard_status(current_user, board.root.id,
                                                               submissions.current_period("proposals", board.today)),
                           overdue=party_overdue(board.today))

    @expose("/don-vi-truc-thuoc/")
    def units(self) -> str:
        """Every unit directly below the user's own, a page at a time (the dashboard shows the first)."""
        try:
            page = max(int(request.args.get("page", 1)), 1)
        except ValueError:
            page = 1
        today = normalize.today()
        root_id = scope.scope_root(current_user)
        org = scope.organisations(current_user).filter(pk=root_id).first()
        if org is None:
            abort(404)
        root, units, _total = dashboard.unit_rows(current_user, org, today, page)
        return self.render("panel/units.html", root=root, units=units, page=page, today=today,
                           figure_url=figure_url, fmt_date=normalize.format_date)

    @expose("/don-vi/")
    def org_options(self) -> Any:
        """Units in scope matching the typed text, for the organisation filter of every list and every
        form choosing a unit (``kind``, ``under``, ``parent``, ``tree=1``: see ``options_for``)."""
        try:
            offset = int(request.args.get("offset", 0))
        except ValueError:
            offset = 0
        ids = {key: ObjectId(request.args[key]) for key in ("under", "parent")
               if ObjectId.is_valid(request.args.get(key, ""))}
        return jsonify(OrgSubtreeFilter.options_for(current_user, request.args.get("query", ""), offset,
                                                     request.args.get("kind"), **ids,
                                                     whole_tree=request.args.get("tree") == "1"))

    @expose("/chua-khai-bao/")
    def no_account(self) -> str:
        """The list behind "people with no declared account", for one unit in scope."""
        try:
            org = ObjectId(request.args.get("org", ""))
        except (InvalidId, TypeError):
            abort(404)
        unit = scope.organisations(current_user).filter(pk=org).only("name").first()
        if unit is None:
            abort(404)
        try:
            page = max(int(request.args.get("page", 1)), 1)
        except ValueError:
            page = 1
        # a page at a time in tree order (the list's index), like every other list
        found = dashboard.people_without_accounts(current_user, org)
        total = found.count()
        people = list(found.order_by("org_key", "sort_key", "id").only("full_name", "position", "org_name", "phone")
                      .skip((page - 1) * NO_ACCOUNT_PAGE).limit(NO_ACCOUNT_PAGE))
        pages = max((total + NO_ACCOUNT_PAGE - 1) // NO_ACCOUNT_PAGE, 1)
        return self.render("lookup/no_account.html", unit=unit, people=people, total=total, page=page, pages=pages,
                           first=(page - 1) * NO_ACCOUNT_PAGE)
