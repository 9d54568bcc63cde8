"""``flask recount-declarations``: set every person's ``declared`` count (once, after upgrading)."""

from __future__ import annotations

import click
from flask import Flask

from models import Member
from models.accounts import recount_declarations
from services import audit, records

BATCH = 1000


@click.command("recount-declarations")
def recount() -> None:
    """Đếm lại số trang web, tài khoản đã khai của từng người (chạy một lần sau khi nâng cấp)."""
    ids, done = [], 0
    for doc in Member.objects.only("id").as_pymongo():
        ids.append(doc["_id"])
        if len(ids) == BATCH:
            recount_declarations(ids)
            done, ids = done + len(ids), []
    recount_declarations(ids)
    audit.record("update", username=records.CLI, collection="members",
                 detail=f"flask recount-declarations: {done + len(ids)} người")
    click.echo(f"Đã đếm lại cho {done + len(ids)} người.")


def register(app: Flask) -> None:
    app.cli.add_command(recount)
