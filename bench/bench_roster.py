"""Roster benchmark: export N members, dry-run the file back, import it back (a no-op),
and the monthly proposal list export, with the process's peak memory.

    .venv/bin/python bench/bench_roster.py [--people 5000]

Without MONGODB_URI the store is mongomock (slower than real MongoDB on every query);
the figures are an upper bound for the Python side.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import resource
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=5000)
    args = parser.parse_args()
    from app import create_app

    uri = os.environ.get("MONGODB_URI") or f"mongomock://localhost/bench_{uuid.uuid4().hex}"
    app = create_app({"MONGODB_URI": uri, "SEED_DEMO": False})
    with app.app_context():
        from imports import roster
        from models import Member, Organisation
        from services import handbook, lists

        district = Organisation(code="HU", name="Huyện ủy", kind="committee")
        district.save()
        commune = Organisation(code="X1", name="Đảng bộ xã Một", kind="committee", parent=district)
        commune.save()
        cells = [Organisation(code=f"X1-{i}", name=f"Chi bộ {i}", kind="cell", parent=commune) for i in range(25)]
        for c in cells:
            c.save()
        docs = []
        for k in range(args.people):
            m = Member(full_name=f"Nguyễn Văn {k}", organisation=cells[k % 25], position="Đảng viên",
                       party_card_number=f"{k:08d}", date_of_birth=dt.datetime(1980, 1, 1),
                       admission_date=dt.datetime(2010, 1, 1), phone=f"09{k:08d}", handbook_state="created")
            m.clean()
            docs.append(m.to_mongo().to_dict())
        Member._get_collection().insert_many(docs)
        out = io.BytesIO()
        t = time.perf_counter()
        n = lists.export_list("roster", out, commune)
        export_s = time.perf_counter() - t
        data = out.getvalue()
        t = time.perf_counter()
        dry = roster.run(data, commune, dry_run=True)
        dry_s = time.perf_counter() - t
        t = time.perf_counter()
        real = roster.run(data, commune, dry_run=False)
        write_s = time.perf_counter() - t
        t = time.perf_counter()
        handbook.export(io.BytesIO(), commune, handbook.parse_month(None), None)
        list_s = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"roster export: {n} rows in {export_s:.2f} s ({len(data) / 1024:.0f} KiB)")
    print(f"roster dry run: {dry.rows} rows in {dry_s:.2f} s (unchanged {dry.unchanged}, errors {len(dry.errors)})")
    print(f"roster import back: {write_s:.2f} s (created {real.created}, updated {real.updated}, unchanged {real.unchanged})")
    print(f"proposal list export: {list_s:.2f} s; peak memory {peak:.0f} MiB")


if __name__ == "__main__":
    main()
