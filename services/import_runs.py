"""A confirmed import, web or command line: its import log and its one audit entry."""

from __future__ import annotations

import json
from typing import Any

import imports
from models import ImportLog, Organisation
from services import audit


def confirmed(summary: imports.Summary, org: Organisation, data: bytes, filename: str, *, by: Any = None,
              source: str = "web") -> ImportLog:
    """Keep the trace of an import that wrote (``imports.record``) and audit it once."""
    log = imports.record(summary, org, data, filename, user=by, source=source)
    figures = {k: v for k, v in summary.as_json().items() if k != "errors"}
    audit.record("import", user=by, username=None if by is not None else source, collection=summary.kind,
                 ids=[log.pk], detail=f"{filename}: {json.dumps(figures)}")
    return log
