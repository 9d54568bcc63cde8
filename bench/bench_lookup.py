"""Owner look-up speed through the full Flask stack on the demo register.

    .venv/bin/python bench/bench_lookup.py [--queries 200]

Seeds the demo dataset (600 people, ~830 accounts, ~70 sites) into the in-process
store, logs in as the district administrator (the widest scope) and as a commune
officer, and times 200 mixed queries each: phones in several spellings, e-mails,
full/mobile/tracked URLs, post URLs, domains, names with and without diacritics.
Prints p50/p95/max in milliseconds; the goal is p95 < 200 ms.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app import create_app  # noqa: E402
from models import Member, Organisation, Site, SocialAccount, User, normalize  # noqa: E402
from services import demo  # noqa: E402

PASSWORD = "Bench-mat-khau-2026"


def queries(n: int, rnd: random.Random) -> list[str]:
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
    return [rnd.choice(makers)() for _ in range(n)]


def login(app, username: str):
    client = app.test_client()
    html = client.get("/login/").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    r = client.post("/login/", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 302, "login failed"
    return client


def timed(client, qs: list[str]) -> list[float]:
    out = []
    for q in qs:
        start = time.perf_counter()
        r = client.get("/admin/lookup/", query_string={"q": q})
        out.append((time.perf_counter() - start) * 1000)
        assert r.status_code == 200, (q, r.status_code)
    return out


def report(label: str, ms: list[float]) -> None:
    ms = sorted(ms)
    p95 = ms[max(0, int(len(ms) * 0.95) - 1)]
    print(f"{label:<28} n={len(ms):>4}  p50={statistics.median(ms):7.1f} ms  p95={p95:7.1f} ms  "
          f"max={ms[-1]:7.1f} ms  {'OK' if p95 < 200 else 'SLOW'} (goal p95 < 200 ms)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    app = create_app({"MONGODB_URI": f"mongomock://localhost/bench_{uuid.uuid4().hex}", "SEED_DEMO": False,
                      "DEMO_MODE": False, "SECRET_KEY": "bench"})
    with app.app_context():
        counts = demo.seed()
        for username, code, role in (("bench_admin", "HU-VB", "admin"), ("bench_xa", "X01", "officer")):
            user = User(username=username, organisation=Organisation.objects(code=code).get(), role=role)
            user.set_password(PASSWORD)
            user.save()
        qs = queries(args.queries, random.Random(7))
    print(f"demo register: {counts}")
    for username, label in (("bench_admin", "district admin (all)"), ("bench_xa", "commune officer (X01)")):
        client = login(app, username)
        timed(client, qs[:10])  # warm-up: templates compiled, indexes built
        report(label, timed(client, qs))


if __name__ == "__main__":
    main()
