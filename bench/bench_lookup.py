"""Owner look-up speed through the full Flask stack on the demo register, and at ×10.

    .venv/bin/python bench/bench_lookup.py [--queries 200] [--scales 1,10] [--by-kind]

Seeds the demo dataset (600 people, ~830 accounts, ~70 sites) into the in-process
store (at ×10: every person copied ten times with their records, ``tests/budget.py``),
logs in as the district administrator (the widest scope) and as a commune officer, and
times 200 mixed queries each: phones in several spellings, e-mails, full/mobile/tracked
URLs, post URLs, domains, names with and without diacritics.

Prints p50/p95/p99/max in milliseconds, and the split of the median and p95 requests
between the store (time inside the driver: mongomock's ``Collection`` and ``Cursor``,
what a real MongoDB would spend plus the network) and the panel (everything else: Flask,
the look-up's own work, the template); ``--by-kind`` also per kind of query. The machine's
load average is printed beside each line: on a shared machine the tail is mostly waiting
for a core. The goal is p95 < 200 ms.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import re
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import mongomock.collection  # noqa: E402

from app import create_app  # noqa: E402
from models import Member, Organisation, Site, SocialAccount, User, normalize  # noqa: E402
from services import demo  # noqa: E402
from tests.budget import replicate  # noqa: E402

PASSWORD = "Bench-mat-khau-2026"


KINDS = ["phone", "phone +84", "phone no 0", "e-mail", "url", "mobile url", "post url", "domain", "name",
         "name unaccented"]


def queries(n: int, rnd: random.Random) -> list[tuple[str, str]]:
    members = list(Member.objects.only("full_name", "phone", "email"))
    accounts = list(SocialAccount.objects.only("url"))
    sites = list(Site.objects.only("domain"))
    makers = [
        lambda: rnd.choice(members).phone,
        lambda: "+84 " + " ".join(re.findall(r"\d{3}", rnd.choice(members).phone[1:])),
        lambda: rnd.choice(members).phone[1:],
        lambda: next((m.email.upper() for m in rnd.sample(members, 10) if m.email), "khong@co.vn"),
        lambda: rnd.choice(accounts).url,
        lambda: rnd.choice(accounts).url.replace("https://www.", "m.") + "/?fbclid=IwAR0abc",
        lambda: rnd.choice(accounts).url + "/posts/123456",
        lambda: rnd.choice(sites).domain.replace("https://", ""),
        lambda: rnd.choice(members).full_name,
        lambda: normalize.fold(rnd.choice(members).full_name),
    ]
    out = []
    for _ in range(n):
        k = rnd.randrange(len(makers))
        out.append((KINDS[k], makers[k]()))
    return out


class StoreClock:
    """Time spent inside the driver (mongomock's collection methods and cursor reads; a call
    made inside another one is counted once)."""

    def __init__(self) -> None:
        self.seconds, self._depth, self._saved = 0.0, 0, {}

    def _wrap(self, owner: type, name: str) -> None:
        original = getattr(owner, name)
        self._saved[(owner, name)] = original
        clock = self

        def timed_call(*args, **kwargs):
            if clock._depth:
                return original(*args, **kwargs)
            clock._depth += 1
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                clock.seconds += time.perf_counter() - start
                clock._depth -= 1
        setattr(owner, name, timed_call)

    def __enter__(self) -> StoreClock:
        coll, cursor = mongomock.collection.Collection, mongomock.collection.Cursor
        for name in ("find", "find_one", "aggregate", "count_documents", "distinct", "insert_one", "update_one",
                     "update_many", "find_one_and_update"):
            self._wrap(coll, name)
        for name in ("__next__", "next", "count", "distinct"):
            if hasattr(cursor, name):
                self._wrap(cursor, name)
        return self

    def __exit__(self, *exc) -> None:
        for (owner, name), original in self._saved.items():
            setattr(owner, name, original)


def login(app, username: str):
    client = app.test_client()
    html = client.get("/login/").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    r = client.post("/login/", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 302, "login failed"
    return client


def timed(client, qs: list[tuple[str, str]]) -> list[tuple[float, float, str, float]]:
    """(total ms, store ms, kind, CPU ms of this process) of each query."""
    out = []
    with StoreClock() as clock:
        for kind, q in qs:
            clock.seconds = 0.0
            start, cpu = time.perf_counter(), time.process_time()
            r = client.get("/admin/lookup/", query_string={"q": q})
            out.append(((time.perf_counter() - start) * 1000, clock.seconds * 1000, kind,
                        (time.process_time() - cpu) * 1000))
            assert r.status_code == 200, (q, r.status_code)
    return out


def _pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(len(values) * p) - 1))]


def report(label: str, runs: list[tuple[float, float, str, float]], by_kind: bool = False) -> float:
    total = [r[0] for r in runs]
    p50, p95, p99 = (_pct(total, p) for p in (0.5, 0.95, 0.99))
    near = sorted(runs)[min(len(runs) - 1, round(len(runs) * 0.95) - 1)]
    cpu = [r[3] for r in runs]
    print(f"{label:<30} n={len(runs):>4}  p50={p50:6.1f}  p95={p95:6.1f}  p99={p99:6.1f}  max={max(total):6.1f} ms wall;"
          f" CPU p50={_pct(cpu, .5):6.1f} p95={_pct(cpu, .95):6.1f} p99={_pct(cpu, .99):6.1f} ms"
          f"  | store median {statistics.median(r[1] for r in runs):5.1f} ms,"
          f" panel median {statistics.median(r[0] - r[1] for r in runs):5.1f} ms;"
          f" the p95 request: store {near[1]:5.1f} + panel {near[0] - near[1]:5.1f} ms ({near[2]})"
          f"  | load {os.getloadavg()[0]:.2f}  {'OK' if p95 < 200 else 'SLOW'} (goal p95 < 200 ms)", flush=True)
    if by_kind:
        for kind in KINDS:
            mine = [r for r in runs if r[2] == kind]
            if mine:
                print(f"    {kind:<16} n={len(mine):>3}  p50={_pct([r[0] for r in mine], .5):6.1f}"
                      f"  p95={_pct([r[0] for r in mine], .95):6.1f} ms wall, CPU p95={_pct([r[3] for r in mine], .95):6.1f} ms,"
                      f"  store p50={_pct([r[1] for r in mine], .5):6.1f} p95={_pct([r[1] for r in mine], .95):6.1f} ms",
                      flush=True)
    return p95


def run(scale: int, n: int, by_kind: bool) -> None:
    app = create_app({"MONGODB_URI": f"mongomock://localhost/bench_{uuid.uuid4().hex}", "SEED_DEMO": False,
                      "DEMO_MODE": False, "SECRET_KEY": "bench"})
    with app.app_context():
        counts = demo.seed()
        if scale > 1:
            counts.update(replicate(scale))
        for username, code, role in (("bench_admin", "HU-VB", "admin"), ("bench_xa", "X01", "officer")):
            user = User(username=username, organisation=Organisation.objects(code=code).get(), role=role)
            user.set_password(PASSWORD)
            user.save()
        qs = queries(n, random.Random(7))
    print(f"×{scale} register: {counts}", flush=True)
    for username, label in (("bench_admin", "district admin (all)"), ("bench_xa", "commune officer (X01)")):
        client = login(app, username)
        timed(client, qs[:10])  # warm-up: templates compiled, indexes built
        gc.collect()
        report(f"×{scale} {label}", timed(client, qs), by_kind)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--scales", default="1,10")
    parser.add_argument("--by-kind", action="store_true")
    args = parser.parse_args()
    for scale in (int(s) for s in args.scales.split(",")):
        run(scale, args.queries, args.by_kind)


if __name__ == "__main__":
    main()
