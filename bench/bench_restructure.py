"""Moving a subtree: database calls and time do not grow with the number of records.

    .venv/bin/python bench/bench_restructure.py [--cells 20] [--people 200]

Builds a district with two communes; commune A holds a committee with ``--cells`` cells
of ``--people`` members each (with one account each), then moves that committee under
commune B. Counts the write calls sent (``update_one``/``update_many``/``bulk_write``)
by wrapping the collection methods, and times the move, once with N people per cell and
once with 4N: the calls are one per organisation and model, whatever N is. The
in-process store's time per matched record is the store's, not MongoDB's (an upper bound).
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import mongomock  # noqa: E402

from models import Member, Organisation, SocialAccount  # noqa: E402
from services import db  # noqa: E402


def run(cells: int, people: int) -> tuple[int, float, int]:
    db.connect(f"mongomock://localhost/bench_{uuid.uuid4().hex}")
    db.ensure_indexes()
    hu = Organisation(code="HU", name="Huyện", kind="committee")
    hu.save()
    xa = Organisation(code="XA", name="Xã A", kind="committee", parent=hu)
    xa.save()
    xb = Organisation(code="XB", name="Xã B", kind="committee", parent=hu)
    xb.save()
    top = Organisation(code="XA-K", name="Khối", kind="committee", parent=xa)
    top.save()
    members, accounts = [], []
    for c in range(cells):
        cell = Organisation(code=f"XA-K-{c}", name=f"Chi bộ {c}", kind="cell", parent=top)
        cell.save()
        for p in range(people):
            m = Member(full_name=f"Người {c} {p}", position="Đảng viên", organisation=cell)
            m.clean()
            members.append(m.to_mongo())
    Member._get_collection().insert_many(members)
    for doc in Member.objects.only("id", "organisation", "scope", "org_name", "org_key"):
        accounts.append({"member": doc.pk, "organisation": doc.organisation.pk, "scope": doc.scope,
                         "org_name": doc.org_name, "org_key": doc.org_key, "platform": "Facebook"})
    SocialAccount._get_collection().insert_many(accounts)
    calls = 0
    originals = {}
    for name in ("update_one", "update_many", "bulk_write"):
        originals[name] = getattr(mongomock.Collection, name)

        def counted(self, *a, _f=originals[name], **k):
            nonlocal calls
            calls += 1
            return _f(self, *a, **k)

        setattr(mongomock.Collection, name, counted)
    try:
        started = time.perf_counter()
        top.parent = xb
        top.save()
        elapsed = time.perf_counter() - started
    finally:
        for name, f in originals.items():
            setattr(mongomock.Collection, name, f)
    moved = Member.objects(scope=xb.pk).count() + SocialAccount.objects(scope=xb.pk).count()
    return calls, elapsed, moved


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cells", type=int, default=20)
    parser.add_argument("--people", type=int, default=200)
    args = parser.parse_args()
    for people in (args.people, 4 * args.people):
        calls, elapsed, moved = run(args.cells, people)
        print(f"cells={args.cells} people/cell={people}: records moved={moved}, write calls={calls}, "
              f"time={elapsed:.2f}s ({elapsed / max(moved, 1) * 1e6:.0f} µs/record, in-process store)")


if __name__ == "__main__":
    main()
