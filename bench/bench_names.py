"""Name keys: what canonical tone placement costs, and the sort-key check after an upgrade.

    .venv/bin/python bench/bench_names.py [--names 100000] [--members 5000]

Prints the time per call of ``name_key`` with and without ``canonical_tones`` and of
``vn_sort_key`` over generated names (a third of them in the old style: ``Hòa``, ``Thủy``),
then the time of ``flask check``'s sort-key scan and of its repair when every stored key of
the old-style names predates the upgrade. mongomock scans the collection for every update
by ``_id`` (real MongoDB uses the ``_id`` index, 1,000 updates per round trip), so the
repair time here is an upper bound that grows with members × stale keys.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

GIVEN = ["Hòa", "Hoà", "Thủy", "Thuỷ", "Thúy", "Khỏe", "Hoàng", "An", "Quỳnh", "Hoa", "Toản", "Huy", "Tùy", "Oanh"]


def _old_sort_key(full_name: str) -> str:
    """``vn_sort_key`` as stored before tone placement was canonical."""
    from models import normalize

    words = full_name.split(" ")
    parts = []
    for word in words[-1:] + words[:-1]:
        keys = [normalize._letter_key(c) for c in word]
        parts.append("".join(k for k, _ in keys) + "".join(str(t) for _, t in keys))
    return " ".join(parts)


def _per_call(fn, values: list[str]) -> float:
    start = time.perf_counter()
    for v in values:
        fn(v)
    return (time.perf_counter() - start) / len(values) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--names", type=int, default=100_000)
    parser.add_argument("--members", type=int, default=5_000, help="stored members for the check (mongomock)")
    args = parser.parse_args()
    from app import create_app
    from models import Member, Organisation, normalize
    from services import demo, integrity

    rnd = random.Random(15)
    names = [f"{rnd.choice(demo.SURNAMES)} {rnd.choice(demo.MIDDLE_F)} {rnd.choice(GIVEN)}" for _ in range(args.names)]
    before = _per_call(lambda v: (normalize.clean_text(v) or "").casefold(), names)  # name_key before this change
    after = _per_call(normalize.name_key, names)
    tones = _per_call(normalize.canonical_tones, names)
    sort = _per_call(normalize.vn_sort_key, names)
    print(f"{args.names} names: name_key {before:.2f} µs -> {after:.2f} µs per call "
          f"(canonical_tones alone {tones:.2f} µs); vn_sort_key {sort:.2f} µs; "
          f"+{(after - before) * args.names / 1e6:.2f} s per {args.names} keys")

    app = create_app({"MONGODB_URI": f"mongomock://localhost/bench_{uuid.uuid4().hex}", "SEED_DEMO": False})
    with app.app_context():
        org = Organisation(code="X1", name="Chi bộ thôn 1", kind="cell")
        org.save()
        people = names[: args.members]
        docs = [{"full_name": n, "organisation": org.pk, "scope": org.scope, "org_name": org.name,
                 "org_key": org.tree_key, "sort_key": _old_sort_key(n),
                 "deleted_at": None} for n in people]
        Member._get_collection().insert_many(docs)
        stale = sum(1 for d in docs if d["sort_key"] != normalize.vn_sort_key(d["full_name"]))
        start = time.perf_counter()
        integrity._check_sort_keys(report := integrity.Report(), repair=False)
        scan = time.perf_counter() - start
        start = time.perf_counter()
        integrity._check_sort_keys(integrity.Report(), repair=True)
        fix = time.perf_counter() - start
        again = integrity.Report()
        integrity._check_sort_keys(again, repair=False)
        print(f"{len(people)} members, {stale} stale sort keys: check {scan:.2f} s ({report.problems}), "
              f"repair {fix:.2f} s, after repair {len(again.problems)} problems")


if __name__ == "__main__":
    main()
