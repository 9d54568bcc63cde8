"""Ensure that no page costs more as the register grows: documents the store sends and
round trips per request, counted at the driver (``tests/budget.py``), on the demo
register at ×1 and ×10 people, as the top administrator and as a commune officer.

Lists, the dashboard, the look-up, the "no account yet" list and the unit picker must
cost exactly the same at both sizes; a report may grow only by the rows it prints (its
per-unit tables do not grow: the units are the same at both sizes)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
import pytest

from app import create_app
from models import Member, Organisation, SocialAccount
from services import demo
from tests import factories, stores
from tests.budget import Budget, replicate
from tests.conftest import csrf_token

BASE_PEOPLE = 300  # half the demo register (the suite runs on 2 shared cores)
PAGE = 20  # lists are asked for 20 rows: a commune officer's ×1 register fills every page
USERS = {"admin": ("quantri", "HU-VB"), "officer": ("canbo", "X01")}
#: pages whose cost another issue still has to make constant (see the reason)
KNOWN_GROWTH: dict[str, str] = {}


def _menu(html: str) -> list[str]:
    nav = html[html.find("<nav"):html.find("</nav>")]
    return sorted(set(re.findall(r'href="(/admin/[^"#?]*)"', nav)))


def _extra_pages(code: str) -> list[str]:
    """Pages reached from the menu's pages: searches, filters, look-ups, reports."""
    org = Organisation.objects(code=code).get()
    member = Member.objects(scope=org.pk, phone__ne=None).order_by("sort_key").first()
    account = SocialAccount.objects(scope=org.pk).order_by("url_key").first()
    year, month = account.created_at.year, account.created_at.month
    return [f"/admin/chua-khai-bao/?org={org.pk}", "/admin/don-vi/?query=thon", "/admin/don-vi/?query=",
            f"/admin/lookup/?q={member.phone}", f"/admin/lookup/?q={account.url}",
            f"/admin/member/?search=nguyen&page_size={PAGE}", f"/admin/socialaccount/?search=v&page_size={PAGE}",
            f"/admin/site/?search=blogspot&page_size={PAGE}",
            f"/admin/reports/download/?kind=annual&org={org.pk}",
            f"/admin/reports/download/?kind=monthly&org={org.pk}&year={year}&month={month}",
            f"/admin/reports/download/?kind=quality&org={org.pk}"]


def _rows(response) -> int:
    book = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True)
    return sum(1 for ws in book.worksheets for row in ws.iter_rows(values_only=True) if any(row))


def _shown(response) -> int:
    """Rows a list shows (a list smaller than its page at ×1 grows up to the page at ×10)."""
    html = response.get_data(as_text=True)
    return html.count('name="rowid"') + html.count("<tr><td>")


def _key(url: str) -> str:
    """The page's name in both registers: ids, and the phone or address looked up, differ."""
    url = re.sub(r"org=\w+", "org=", url).replace(f"?page_size={PAGE}", "")
    return re.sub(r"lookup/\?q=(0\d+|\S+)", lambda m: "lookup/?q=" + ("<phone>" if m.group(1)[0] == "0" else "<url>"), url)


def _measure(scale: int) -> dict[tuple[str, str], tuple[int, int, int]]:
    config = stores.current().config(f"budget{scale}")
    app = create_app({**config, "SECRET_KEY": "t", "SEED_DEMO": False, "DEMO_MODE": False, "TESTING": True})
    out = {}
    with app.app_context():
        demo.seed(people=BASE_PEOPLE)
        replicate(scale)
        for username, code in USERS.values():
            factories.user(username, Organisation.objects(code=code).get(), "admin" if code == "HU-VB" else "officer")
        extra = {who: _extra_pages(code) for who, (_u, code) in USERS.items()}
    for who, (username, _code) in USERS.items():
        client = app.test_client()
        r = client.post("/login/", data={"username": username, "password": factories.PASSWORD,
                                         "csrf_token": csrf_token(client)})
        assert r.status_code == 302
        pages = [f"{url}?page_size={PAGE}" for url in _menu(client.get("/admin/").get_data(as_text=True))] + extra[who]
        with Budget() as budget:
            for url in pages:
                docs, trips, response = budget.measure(client, url)
                assert response.status_code == 200, (who, url, response.status_code)
                rows = _rows(response) if "/download/" in url else _shown(response)
                response.close()
                out[(who, _key(url))] = (docs, trips, budget.getmores, rows)
    return out


@pytest.fixture(scope="module")
def measured():
    figures = {scale: _measure(scale) for scale in (1, 10)}
    _write_figures(figures)
    return figures


def _write_figures(figures: dict) -> None:
    """The figures per page and store, for the record: test-output/budget-<store>.md."""
    out = Path(__file__).resolve().parents[1] / "test-output" / f"budget-{stores.current().name}.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    lines = ["| who | page | docs ×1 | trips ×1 | getMores ×1 | docs ×10 | trips ×10 | getMores ×10 | rows ×10 |",
             "|---|---|---|---|---|---|---|---|---|"]
    for (who, url), (docs, trips, more, _rows) in sorted(figures[1].items()):
        big = figures[10][(who, url)]
        lines.append(f"| {who} | {url} | {docs} | {trips} | {more} | {big[0]} | {big[1]} | {big[2]} | {big[3]} |")
    out.write_text("\n".join(lines) + "\n")


def test_menu_pages_are_all_measured(measured):
    """Ensure that the measured set holds every menu page (and a few of each kind) for both users."""
    for who in USERS:
        pages = {url for w, url in measured[1] if w == who}
        for expected in ("/admin/", "/admin/member/", "/admin/socialaccount/", "/admin/site/", "/admin/reports/"):
            assert expected in pages, (who, sorted(pages))
        assert len(pages) >= 20
    assert measured[1].keys() == measured[10].keys()


def test_costs_do_not_grow_with_the_register(measured):
    """Ensure that every page sends no more documents, in the same round trips, at ×10 than at ×1,
    apart from the rows it shows or prints (and the units those rows name): a list smaller than its page at ×1 fills up to
    the page (checked below), a report prints the people who moved in the month."""
    grown = []
    for key, (docs, trips, more, rows) in measured[1].items():
        big_docs, big_trips, big_more, big_rows = measured[10][key]
        if key[1] in KNOWN_GROWTH:
            continue
        # lists also read the units their rows name (one document per distinct unit on the page,
        # at most the page size): a page spread over more cells at ×1 reads more of them, never ×10
        # getMores (the next batches of a cursor past 101 documents) only for the rows printed
        same = (big_trips == trips and (big_more == more or big_rows > rows)
                and (big_docs - big_rows <= docs - rows if rows else big_docs == docs))
        if not same:
            grown.append((key, (docs, trips, more, rows), (big_docs, big_trips, big_more, big_rows)))
    assert grown == [], "\n".join(map(str, grown))


def test_pages_send_a_bounded_number_of_documents(measured):
    """Ensure that at ×10 a list page sends its page (50) plus a constant, and the dashboard
    one row per unit shown, not per record."""
    big = measured[10]
    for who in USERS:
        for url in ("/admin/member/", "/admin/socialaccount/", "/admin/site/"):
            assert big[(who, url)][0] <= PAGE + 5, (who, url, big[(who, url)])
        assert big[(who, "/admin/")][0] <= 60, big[(who, "/admin/")]
        paged = [(url, shown) for (w, url), (_docs, _trips, _more, shown) in big.items() if w == who and "page_size" in url]
        assert paged, f"no page_size page measured for {who}"
        for url, shown in paged:
            assert shown <= PAGE, (who, url, shown)
