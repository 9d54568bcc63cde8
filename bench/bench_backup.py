"""Backup and restore of N member-like documents (default 50,000) plus a 5 MB GridFS file.
Run by hand; prints comparable figures.

    .venv/bin/python bench/bench_backup.py [--docs 50000]

What is measured, and why:

* **dump, our path** — ``services.backup.dump`` fed from documents already read (the
  in-process store, mongomock, recomputes its whole result set in Python on every
  ``next()``, which real MongoDB does not; that cost is excluded, as in bench_export).
  Its ``tracemalloc`` peak (a separate traced run, the documents allocated before
  tracing) shows memory does not grow with N: one encoded line is alive at a time.
* **dump, with the in-process store** — the same call on the mongomock database, for
  reference (an upper bound).
* **load** — ``services.backup.load`` into an empty mongomock database, batches of 1,000.
* **encrypted dump / decrypt** — the same dump through ``backup_crypto.EncryptingWriter``
  (AES-256-GCM in 64 KiB chunks, scrypt key) and the verified decryption a restore runs
  first; the tracemalloc peak of the encrypted dump shows the encryption keeps it flat.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import gridfs
import mongomock
import mongomock.gridfs
from bson import ObjectId

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from services import backup, backup_crypto  # noqa: E402

PASSPHRASE = "cum-mat-khau-do-thu-nghiem"


def _fill(db, docs: int) -> None:
    org = ObjectId()
    batch = []
    for i in range(docs):
        batch.append({"_id": ObjectId(), "full_name": f"Nguyễn Văn {i}", "scope": [org], "phone": f"09{i:08d}",
                      "search_keys": ["nguyen", "van", str(i)], "created_at": dt.datetime(2026, 1, 1),
                      "deleted_at": None, "roles": [], "notes": "ghi chú\nnhiều dòng"})
        if len(batch) == 1000:
            db.members.insert_many(batch)
            batch = []
    if batch:
        db.members.insert_many(batch)
    gridfs.GridFS(db, "attachments").put(io.BytesIO(b"x" * 5_000_000), filename="big.pdf")


class _Read:
    """Collections already read from the store: ``dump`` sees a cursor-like iterator."""

    def __init__(self, db) -> None:
        self.data = {n: list(db[n].find({})) for n in db.list_collection_names()}

    def list_collection_names(self) -> list[str]:
        return list(self.data)

    def __getitem__(self, name: str) -> _Read:
        self.current = name
        return self

    def find(self, *args, **kwargs):
        return iter(self.data[self.current])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=50_000)
    docs = parser.parse_args().docs
    mongomock.gridfs.enable_gridfs_integration()
    source = mongomock.MongoClient().bench_source
    _fill(source, docs)
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "b.zip"
        read = _Read(source)
        start = time.perf_counter()
        backup.dump(read, archive)
        dump_s = time.perf_counter() - start
        tracemalloc.start()
        backup.dump(read, Path(tmp) / "traced.zip")
        dump_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        start = time.perf_counter()
        backup.dump(source, Path(tmp) / "store.zip")
        store_s = time.perf_counter() - start
        target = mongomock.MongoClient().bench_target
        start = time.perf_counter()
        counts = backup.load(target, archive)
        load_s = time.perf_counter() - start
        size = archive.stat().st_size
        sealed = Path(tmp) / "b.enc"
        start = time.perf_counter()
        with sealed.open("wb") as out, backup_crypto.EncryptingWriter(out, PASSPHRASE) as w:
            backup.dump(read, w)
        enc_s = time.perf_counter() - start
        tracemalloc.start()
        with (Path(tmp) / "t.enc").open("wb") as out, backup_crypto.EncryptingWriter(out, PASSPHRASE) as w:
            backup.dump(read, w)
        enc_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        start = time.perf_counter()
        with sealed.open("rb") as f, backup_crypto.decrypt_to_temp(f, PASSPHRASE) as plain:
            plain.seek(0, 2)
        dec_s = time.perf_counter() - start
    print(f"documents: {docs:,} members + GridFS 5 MB; archive {size / 1e6:.1f} MB; counts {counts}")
    print(f"dump, our path: {dump_s:.2f} s ({docs / dump_s:,.0f} docs/s), tracemalloc peak {dump_peak / 1e6:.1f} MB")
    print(f"dump, with the in-process store: {store_s:.2f} s")
    print(f"load: {load_s:.2f} s ({docs / load_s:,.0f} docs/s)")
    print(f"encrypted dump: {enc_s:.2f} s, tracemalloc peak {enc_peak / 1e6:.1f} MB; "
          f"verified decryption: {dec_s:.2f} s")


if __name__ == "__main__":
    main()
