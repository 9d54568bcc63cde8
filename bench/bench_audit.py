"""The audit list ("Nhật ký") as the trail grows: queries and time per page.

    .venv/bin/python bench/bench_audit.py [--sizes 200,20000,200000]

Fills the trail in bulk (the test store's ``load``) for one commune officer and times
the first list page through the full Flask stack at each size. It prints the queries the
page sent (one scan per query on the store; ``count`` means a count of every matching
entry) and the page time. On MongoDB the page is one indexed read of 50 entries over
``(scope, -at)`` whatever the size; the in-process store scans every document per query,
so its time grows with the size while the number of queries must not.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bson import ObjectId  # noqa: E402

from app import create_app  # noqa: E402
from models import AuditEntry  # noqa: E402
from tests import factories, strict_store  # noqa: E402
from tests.conftest import csrf_token  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="200,20000,200000")
    sizes = [int(x) for x in parser.parse_args().sizes.split(",")]
    app = create_app({"MONGODB_URI": f"mongomock://localhost/bench_{uuid.uuid4().hex}", "SECRET_KEY": "k",
                      "MONGO_CLIENT_CLASS": strict_store.StrictMongoClient})
    calls: collections.Counter = collections.Counter()
    scan, count = strict_store.StrictCollection._iter_documents, strict_store.StrictCollection.count_documents
    strict_store.StrictCollection._iter_documents = lambda self, spec: calls.update([f"scan {self.name}"]) or scan(
        self, spec)
    strict_store.StrictCollection.count_documents = lambda self, *a, **kw: calls.update(
        [f"count {self.name}"]) or count(self, *a, **kw)
    with app.app_context():
        world = factories.world()
        factories.user("canbo_a", world.commune_a, "officer")
        scope = [world.district.pk, world.commune_a.pk]
    client = app.test_client()
    r = client.post("/login/", data={"username": "canbo_a", "password": factories.PASSWORD,
                                     "csrf_token": csrf_token(client)})
    assert r.status_code == 302, r.get_data(as_text=True)[-1500:]
    filled, newest = 0, dt.datetime(2026, 11, 30)
    for size in sizes:
        with app.app_context():
            AuditEntry._get_collection().load(
                {"_id": ObjectId(), "at": newest - dt.timedelta(seconds=i), "action": "update", "username": "canbo_a",
                 "scope": scope, "org_path": scope, "collection": "members", "record_ids": [f"r{i}"], "changes": []}
                for i in range(filled, size))
        filled = size
        client.get("/admin/audit/")  # warm
        calls.clear()
        start = time.perf_counter()
        page = client.get("/admin/audit/")
        took = time.perf_counter() - start
        assert page.status_code == 200, (page.status_code, page.location)
        print(f"{size:>9,} entries: {sum(calls.values())} queries ({dict(sorted(calls.items()))}), page {took:.2f} s")


if __name__ == "__main__":
    main()
