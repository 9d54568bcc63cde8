"""The throw-away in-process store (``PANEL_STORE=memory``): mongomock, for a demo whose data
is gone when the process stops. This is the only reason mongomock is a runtime dependency;
the panel's real stores are MongoDB (``MONGODB_URI``) and, for ``make run``, a local
SecantusDB (``services/local_server.py``).

Importing this module teaches mongomock the two things the panel needs from it and that it
lacks (done once, here, not at each connection):

* pymongo's ``gridfs`` accepts a mongomock database (attachments, backups);
* ``bulk_write`` accepts pymongo 4.11+'s ``sort`` argument on updates/replaces when unused
  (the panel never sorts inside a bulk write), so the same calls run here as on MongoDB.
"""

from __future__ import annotations

import mongomock
import mongomock.collection
import mongomock.gridfs

mongomock.gridfs.enable_gridfs_integration()


def _teach_bulk_write() -> None:
    builder = mongomock.collection.BulkOperationBuilder
    if getattr(builder, "_accepts_sort", False):
        return
    for name in ("add_update", "add_replace"):
        original = getattr(builder, name)

        def accept(self, *args, _original=original, sort=None, **kwargs):
            if sort is not None:
                raise NotImplementedError("bulk update with sort is not supported by the in-process store")
            return _original(self, *args, **kwargs)

        setattr(builder, name, accept)
    builder._accepts_sort = True


_teach_bulk_write()

#: the client class of the in-process store (the test suite's strict store subclasses it)
MemoryClient = mongomock.MongoClient
