"""Province scale: what each page costs as the register grows.

    .venv/bin/python bench/bench_scale.py [--sizes 0.1,1] [--export] [--store mock|wire]

Builds a province-shaped register with bulk inserts (at size 1: 2,000 units in 4 levels,
60,000 people, 100,000 social accounts, 10,000 sites; a size is a fraction of that, units
included) in the suite's store (``--store``: the strict in-process store, default, or SecantusDB
over the wire protocol, started here), logs in as the province administrator, and prints per
page the documents the store sent to the application, the round trips (both counted at
the driver by ``tests/budget.py``: pymongo's command monitoring on the wire, the same shape
on the in-process store) and the time here (mongomock scans every collection in Python, so
its times are an upper bound, not a forecast).
Then the dashboard time on the demo register (goal: < 500 ms), the search-key figures
behind ``search.PREFIX_LEN``, and with ``--export`` the peak memory of a whole-province
form-2 export at the last size.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bson import ObjectId  # noqa: E402
from mongoengine import get_db  # noqa: E402

from app import create_app  # noqa: E402
from models import Member, Organisation, normalize, search  # noqa: E402
from services import demo  # noqa: E402
from tests import factories, stores  # noqa: E402
from tests.budget import Budget, bulk_load  # noqa: E402
from tests.conftest import csrf_token  # noqa: E402

FULL = {"districts": 19, "communes": 20, "cells": 4, "people": 60_000, "accounts": 100_000, "sites": 10_000}
PLATFORMS = ["Facebook"] * 55 + ["Zalo"] * 25 + ["Tiktok"] * 8 + ["Youtube"] * 7 + ["Instagram"] * 3 + ["Twitter"] * 2
NOW = dt.datetime(2026, 11, 20)


@functools.cache
def _keys(*values: str) -> tuple[str, ...]:
    return tuple(search.search_tokens(*values))


def _org(code: str, name: str, parent: dict | None, kind: str, level: str) -> dict:
    pk = ObjectId()
    scope = [*(parent["scope"] if parent else []), pk]
    names = [*(parent["path_names"] if parent else []), name]
    return {"_id": pk, "code": code, "name": name, "kind": kind, "level": level, "place": "Tỉnh",
            "parent": parent["_id"] if parent else None, "scope": scope, "path_names": names,
            "tree_key": (parent["tree_key"] + "/" if parent else "") + code, "depth": len(scope) - 1,
            "name_key": normalize.fold(name), "search_keys": list(_keys(*names, code)), "created_at": NOW}


def build(size: float, rnd: random.Random) -> dict[str, int]:
    """The province at ``size`` (1 = the full province), written with bulk inserts."""
    db = get_db()
    province = _org("TU", "Tỉnh ủy Hải Phòng", None, "committee", "city")
    orgs, cells = [province], []
    for d in range(max(1, round(FULL["districts"] * size))):
        district = _org(f"H{d:02d}", f"Huyện ủy {demo.COMMUNES[d % 5]} {d}", province, "committee", "city")
        orgs.append(district)
        for c in range(FULL["communes"]):
            commune = _org(f"H{d:02d}-X{c:02d}", f"Đảng bộ xã {demo.GIVEN_M[c % 18]} {c}", district, "committee", "commune")
            orgs.append(commune)
            for k in range(FULL["cells"]):
                cell = _org(f"H{d:02d}-X{c:02d}-C{k}", f"Chi bộ thôn {k + 1}", commune, "cell", "cell")
                orgs.append(cell)
                cells.append(cell)
    bulk_load(db.organisations, orgs)
    people, accounts, sites = [], [], []
    for i in range(int(FULL["people"] * size)):
        cell = cells[i % len(cells)]
        name = " ".join((rnd.choice(demo.SURNAMES), rnd.choice(demo.MIDDLE_M), rnd.choice(demo.GIVEN_M)))
        position, phone = rnd.choice(demo.POSITIONS), f"09{i:08d}"
        owner = {"scope": cell["scope"], "org_key": cell["tree_key"], "org_name": cell["name"], "organisation": cell["_id"],
                 "created_at": NOW, "modified_at": NOW, "deleted_at": None, "quality_issues": []}
        people.append({"_id": ObjectId(), "full_name": name, "position": position, "phone": phone, "status": "active",
                       "party_card_number": f"{i:09d}", "is_party_member": True, "joined_on": NOW - dt.timedelta(days=900),
                       "sort_key": normalize.vn_sort_key(name), "declared": 0, "roles": [], "transfers": [],
                       "search_keys": [*_keys(name, position, cell["name"]), phone], **owner})
    for j in range(int(FULL["accounts"] * size)):
        m = people[(j * 7) % len(people)]
        platform = PLATFORMS[j % len(PLATFORMS)]
        slug = f"{normalize.fold(m['full_name']).replace(' ', '')}{j}"
        m["declared"] += 1
        accounts.append({"_id": ObjectId(), "member": m["_id"], "member_name": m["full_name"], "member_sort_key": m["sort_key"],
                         "position": m["position"], "platform": platform, "account_name": m["full_name"],
                         "url": f"https://www.facebook.com/{slug}", "url_key": f"facebook.com/{slug}", "link_type": "personal",
                         "purpose": "Tuyên truyền", "registration_phone": m["phone"], "updated_on": NOW,
                         "search_keys": [*_keys(m["full_name"], m["org_name"], "Tuyên truyền"), slug],
                         **{k: m[k] for k in ("scope", "org_key", "org_name", "organisation")},
                         "created_at": NOW, "modified_at": NOW, "deleted_at": None, "quality_issues": []})
    for j in range(int(FULL["sites"] * size)):
        m = people[(j * 13) % len(people)]
        slug = f"{normalize.fold(m['full_name']).replace(' ', '')}{j}"
        m["declared"] += 1
        sites.append({"_id": ObjectId(), "member": m["_id"], "member_name": m["full_name"], "member_sort_key": m["sort_key"],
                      "position": m["position"], "site_name": f"Góc nhỏ {j}", "domain": f"{slug}.blogspot.com",
                      "domain_key": f"{slug}.blogspot.com", "purpose": "Tuyên truyền", "updated_on": NOW,
                      "expires_on": NOW + dt.timedelta(days=j % 200), "search_keys": [*_keys(m["full_name"], m["org_name"]), slug],
                      **{k: m[k] for k in ("scope", "org_key", "org_name", "organisation")},
                      "created_at": NOW, "modified_at": NOW, "deleted_at": None, "quality_issues": []})
    if "declared" not in Member._fields:  # a checkout from before the count existed
        for m in people:
            del m["declared"]
    bulk_load(db.members, people)
    bulk_load(db.social_accounts, accounts)
    bulk_load(db.sites, sites)
    return {"units": len(orgs), "people": len(people), "accounts": len(accounts), "sites": len(sites)}


def pages(db_province: dict, sample_phone: str) -> list[tuple[str, str]]:
    org = str(db_province["_id"])
    return [("dashboard", "/admin/"), ("members", "/admin/member/"), ("accounts", "/admin/socialaccount/"),
            ("sites", "/admin/site/"), ("units", "/admin/organisation/"), ("users", "/admin/user/"),
            ("audit", "/admin/audit/"), ("documents", "/admin/partydocument/"), ("meetings", "/admin/meeting/"),
            ("search 'ng'", "/admin/member/?search=ng"), ("unit picker 'thon'", "/admin/don-vi/?query=thon"),
            ("no account list", f"/admin/chua-khai-bao/?org={org}"), ("look-up phone", f"/admin/lookup/?q={sample_phone}"),
            ("reports page", "/admin/reports/"), ("annual report", f"/admin/reports/download/?kind=annual&org={org}")]


def run_size(size: float, export: bool) -> dict[str, tuple[int, int, float]]:
    app = create_app({**stores.current().config("scale"), "SECRET_KEY": "bench",
                      "SEED_DEMO": False, "DEMO_MODE": False, "TESTING": True})
    with app.app_context():
        t = time.perf_counter()
        counts = build(size, random.Random(2026))
        print(f"size {size}: {counts} built in {time.perf_counter() - t:.1f} s", flush=True)
        province = get_db().organisations.find_one({"code": "TU"})
        factories.user("quantri", Organisation.objects(pk=province["_id"]).get(), "admin")
        phone = get_db().members.find_one({}, sort=[("_id", -1)])["phone"]
    client = app.test_client()
    client.post("/login/", data={"username": "quantri", "password": factories.PASSWORD, "csrf_token": csrf_token(client)})
    out = {}
    with Budget() as budget:
        for label, url in pages(province, phone):
            t = time.perf_counter()
            docs, trips, response = budget.measure(client, url)
            out[label] = (docs, trips, time.perf_counter() - t, response.status_code)
            response.close()
    if export:
        out["form-2 export peak"] = export_peak(app, province["_id"])
    return out


def export_peak(app, org_id) -> tuple[int, int, float, int]:
    """Peak Python memory of a whole-province form-2 export (streamed to a temporary file)."""
    import tempfile

    from services import reports

    with app.app_context():
        org = Organisation.objects(pk=org_id).get()
        with tempfile.TemporaryFile() as out:
            tracemalloc.start()
            t = time.perf_counter()
            rows = reports.export_form("social", out, org, None)
            elapsed = time.perf_counter() - t
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
    return rows, peak, elapsed, 200


def dashboard_on_demo(runs: int = 5) -> list[float]:
    app = create_app({**stores.current().config("demo"), "SECRET_KEY": "bench",
                      "SEED_DEMO": False, "DEMO_MODE": False, "TESTING": True})
    with app.app_context():
        demo.seed()
        factories.user("quantri", Organisation.objects(code="HU-VB").get(), "admin")
    client = app.test_client()
    client.post("/login/", data={"username": "quantri", "password": factories.PASSWORD, "csrf_token": csrf_token(client)})
    client.get("/admin/")
    times, cpu = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        assert client.get("/admin/").status_code == 200
        times.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    return times, cpu


def prefix_figures() -> None:
    """Search keys per record and keys a one-, two- and three-letter search matches, for each
    bound on stored prefixes, over the demo register's accounts (their text as stored)."""
    app = create_app({**stores.current().config("keys"), "SECRET_KEY": "bench",
                      "SEED_DEMO": False, "DEMO_MODE": False, "TESTING": True})
    with app.app_context():
        demo.seed()
        docs = list(get_db().social_accounts.find({}, {"search_keys": 1}))
    words = [{k for k in d["search_keys"] if len(k) > search.PREFIX_LEN} for d in docs]
    print("\nSearch keys (demo accounts): bound on stored prefixes -> keys per record (index size), and for"
          " 'v' / 'ng' / 'ngu' the index entries one search scans (records matched are the same for every bound)")
    for bound in (0, 1, 2, 3, 24):
        keys = [ws | {w[:i] for w in ws for i in range(1, min(len(w), bound + 1))} for ws in words]
        scanned = [sum(1 for ws in words if any(w.startswith(q) for w in ws)) if len(q) <= bound
                   else sum(1 for ws in words for w in ws if w.startswith(q)) for q in ("v", "ng", "ngu")]
        print(f"  {bound if bound < 24 else 'all (before)':>12}: {statistics.mean(len(k) for k in keys):5.1f} keys; "
              f"entries scanned {scanned}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="0.1,1", help="fractions of the province, comma-separated")
    parser.add_argument("--export", action="store_true", help="peak memory of a whole-province form-2 export")
    parser.add_argument("--skip-extras", action="store_true")
    parser.add_argument("--store", choices=stores.NAMES, default="mock", help="as pytest's --store")
    parser.add_argument("--extras-only", action="store_true", help="only the demo dashboard and search-key figures")
    args = parser.parse_args()
    stores.select(args.store)
    sizes = [float(s) for s in args.sizes.split(",")]
    results = {} if args.extras_only else {s: run_size(s, args.export and s == sizes[-1]) for s in sizes}
    head = " | ".join(f"docs ×{s} | trips | ms" for s in sizes)
    print(f"\n| page | {head} |\n|---|" + "---|" * (3 * len(sizes)))
    for label in results.get(sizes[0], {}):
        if label == "form-2 export peak":
            continue
        cells = " | ".join(f"{results[s][label][0]} | {results[s][label][1]} | {results[s][label][2] * 1000:.0f}"
                           + ("" if results[s][label][3] == 200 else f" (HTTP {results[s][label][3]})") for s in sizes)
        print(f"| {label} | {cells} |")
    if args.export and results:
        rows, peak, elapsed, _ = results[sizes[-1]]["form-2 export peak"]
        print(f"\nForm-2 export of the whole province at size {sizes[-1]}: {rows} rows, "
              f"peak {peak / 1e6:.1f} MB (tracemalloc), {elapsed:.1f} s")
    if args.extras_only or not args.skip_extras:
        times, cpu = dashboard_on_demo()
        print(f"\nDashboard on the demo register (600 people), {len(times)} requests: median {statistics.median(times):.0f} ms"
              f" wall, {statistics.median(cpu):.0f} ms CPU of this process (goal < 500 ms; the wall time includes"
              " waiting for a core on a shared machine)")
        prefix_figures()


if __name__ == "__main__":
    main()
