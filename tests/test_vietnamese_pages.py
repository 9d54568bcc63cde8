"""Ensure that no page the panel renders, for any role, carries one of the English texts
Flask, Werkzeug, WTForms, Select2 or Flask-Admin ship by default (the URL map is walked,
every list, details and form page opened, every form submitted empty, every error page)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from flask import Flask

from tests import factories
from tests.conftest import csrf_token

#: phrases searched in the whole HTML (attributes and inline scripts included)
PHRASES = [
    # Werkzeug / Flask error pages and redirects
    "The requested URL was not found", "You don't have the permission", "The method is not allowed",
    "The browser (or proxy) sent a request", "The server encountered an internal error", "Redirecting...",
    "You should be redirected automatically", "The data value transmitted exceeds", "Too many requests",
    "Service Unavailable", "Method Not Allowed", "Internal Server Error", "Request Entity Too Large",
    # WTForms
    "This field is required", "Not a valid", "Invalid email address", "Invalid input", "Field must be",
    "Invalid Choice", "Invalid CSRF", "The CSRF token", "Number must be", "Invalid date",
    # Select2 3.x
    "No matches found", "Searching…", "Please enter", "Loading more results", "You can only select",
    "Enter comma separated values",
    # Flask-Admin
    "Add Filter", "Reset Filters", "Create New Record", "Save and Add Another", "Save and Continue Editing",
    "Are you sure", "Please select at least one record", "With selected", "Delete Record", "Edit Record",
    "View Record", "There are no items", "Select all records", "Select record", "Remove Filter", "Sort by",
    "Toggle navigation", "Record was successfully", "Failed to", "Permission denied", "Integrity error",
    "Invalid Filter Value", "items per page",
]
#: single words searched only in visible text and in title/placeholder/aria-label/alt/value attributes
WORDS = ["Home", "List", "Create", "Edit", "Delete", "Details", "Save", "Cancel", "Search", "Filter", "Apply",
         "Actions", "Export", "Submit", "Close", "Next", "Previous", "Forbidden", "Not Found", "Bad Request",
         "Unauthorized", "Yes", "No", "True", "False", "None", "Loading", "Error"]
_ATTRS = {"title", "placeholder", "aria-label", "alt", "value", "data-original-title"}


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in _ATTRS and value and not (tag == "input" and dict(attrs).get("type") == "hidden"):
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def english_in(html: str) -> list[str]:
    parser = _Visible()
    parser.feed(html)
    visible = "\n".join(parser.parts)
    found = [p for p in PHRASES if p in html]
    found += [w for w in WORDS if re.search(rf"(?<![\w/.-]){re.escape(w)}(?![\w/.-])", visible)]
    return found


def test_the_checker_finds_english():
    """Positive control: the checker catches each kind of leftover."""
    assert english_in("<p>Not Found</p>") == ["Not Found"]
    assert "Save" in english_in('<button value="Save">x</button>')
    assert "Searching…" in english_in("<script>formatSearching: 'Searching…'</script>")
    assert english_in('<a href="/admin/member/details/?id=1" class="Save">Chi tiết</a>') == []


def _pages(app: Flask, client) -> list[str]:
    """Every GET page of the URL map without path arguments, plus details/edit of a record in scope."""
    from models import Meeting, Member, Organisation, PartyDocument, Site, SocialAccount, User
    from models.audit import AuditEntry

    records = {"member": Member, "organisation": Organisation, "site": Site, "socialaccount": SocialAccount,
               "partydocument": PartyDocument, "meeting": Meeting, "user": User, "audit": AuditEntry}
    paths = []
    for rule in app.url_map.iter_rules():
        if rule.arguments or "GET" not in rule.methods or rule.endpoint == "static" or "/static/" in rule.rule:
            continue
        if rule.rule.endswith(("/export-xlsx/", "/logout/", "/api/file/")) or "/ajax/" in rule.rule:
            continue
        endpoint = rule.endpoint.split(".")[0]
        if rule.endpoint.endswith((".details_view", ".edit_view", ".transfer_view", ".attendance_view")):
            model = records.get(endpoint)
            doc = model.objects.first() if model else None
            if doc is None:
                continue
            paths.append(f"{rule.rule}?id={doc.pk}")
        else:
            paths.append(rule.rule)
    return paths


@pytest.mark.parametrize("role", ["admin", "officer", "viewer"])
def test_no_default_english_on_any_page(app, world, login, role):
    factories.user(f"u_{role}", world.district if role == "admin" else world.commune_a, role)
    factories.user("u_other", world.commune_a, "viewer")
    from models import Meeting, PartyDocument, normalize

    PartyDocument(number="01-NQ/ĐU", title="Nghị quyết", doc_type="Nghị quyết", organisation=world.commune_a,
                  issued_on=normalize.to_datetime(normalize.today())).save()
    Meeting(organisation=world.cell_a, held_on=normalize.to_datetime(normalize.today()), topic="Sinh hoạt tháng").save()
    client = login(f"u_{role}")
    client.get("/admin/member/")  # leave an audit entry, so that the audit screens have one
    checked, leftovers = 0, {}
    for path in [*_pages(app, client), "/khong-co-trang-nay/", "/admin/member/?flt0_0=khong-hop-le"]:
        r = client.get(path)
        if "text/html" not in r.content_type:  # a download (the lists' xlsx exports): closed unread
            r.close()
            continue
        checked += 1
        found = english_in(r.get_data(as_text=True))
        r.close()
        if found:
            leftovers[f"{path} [{r.status_code}]"] = found
    # every create form submitted empty: WTForms' and Flask-Admin's own messages
    for endpoint in ("member", "site", "socialaccount", "partydocument", "meeting", "organisation", "user"):
        page = f"/admin/{endpoint}/new/"
        if client.get(page).status_code != 200:
            continue
        r = client.post(page, data={"csrf_token": csrf_token(client, page)})
        checked += 1
        found = english_in(r.get_data(as_text=True))
        if found:
            leftovers[f"POST {page} [{r.status_code}]"] = found
    assert checked > 30
    assert not leftovers, leftovers


def test_select2_speaks_vietnamese(admin_client):
    """Select2 keeps its messages in JavaScript: every page loading it loads our messages right after."""
    html = admin_client.get("/admin/member/new/").get_data(as_text=True)
    assert html.index("select2.min.js") < html.index("/static/panel/select2-vi.js")
    with admin_client.get("/static/panel/select2-vi.js") as r:
        js = r.get_data(as_text=True)
    for name in ("formatNoMatches", "formatSearching", "formatInputTooShort", "formatLoadMore", "formatAjaxError"):
        assert name in js
    assert "Không tìm thấy kết quả" in js and "Đang tìm" in js


@pytest.mark.parametrize("code, path, method", [
    (404, "/admin/khong-co/", "get"), (405, "/admin/member/columns/", "get"), (403, "/admin/member/new/", "get"),
    (400, "/admin/member/saved-filters/", "post")])
def test_error_pages_are_vietnamese_in_the_panel_frame(app, world, login, code, path, method):
    factories.user("xem", world.commune_a, "viewer")
    client = login("xem")
    r = getattr(client, method)(path)
    html = r.get_data(as_text=True)
    assert r.status_code == code and '<html lang="vi">' in html and f"Lỗi {code}" in html
    assert "Về trang chủ" in html and not english_in(html)


def test_every_error_status_has_a_vietnamese_page(app):
    from admin.errors import PAGES, page

    assert set(PAGES) >= {400, 403, 404, 405, 413, 429, 500, 503}
    with app.test_request_context("/"):
        for code in PAGES:
            html, status = page(code)
            assert status == code and 'lang="vi"' in html and not english_in(html), code


def test_favicon_is_served(client):
    """Ensure that browsers asking for /favicon.ico on every page get an icon, not a 404."""
    r = client.get("/favicon.ico")
    assert r.status_code == 301
    with client.get(r.location) as icon:
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
