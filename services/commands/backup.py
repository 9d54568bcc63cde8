"""``flask backup -o FILE`` and ``flask restore FILE``."""

from __future__ import annotations

import click
import mongoengine
from flask import Flask

from services import audit, backup, db


@click.command("backup")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, writable=True),
              help="Tệp sao lưu sẽ ghi (zip, MongoDB Extended JSON).")
def backup_command(output: str) -> None:
    """Sao lưu mọi tập dữ liệu (kể cả tệp đính kèm GridFS và nhật ký) vào một tệp."""
    # written first, so that the archive holds its own entry and a restore adds nothing
    audit.record("backup", username="cli", detail=f"flask backup -o {output}")
    counts = backup.dump(mongoengine.get_db(), output)
    total = sum(counts.values())
    click.echo(f"Đã sao lưu {total} bản ghi của {len(counts)} tập dữ liệu vào {output}.")
    for name, count in counts.items():
        click.echo(f"  {name}: {count}")


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
def restore_command(source: str) -> None:
    """Khôi phục tệp sao lưu SOURCE vào cơ sở dữ liệu TRỐNG."""
    try:
        counts = backup.load(mongoengine.get_db(), source)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    db.ensure_indexes()
    click.echo(f"Đã khôi phục {sum(counts.values())} bản ghi của {len(counts)} tập dữ liệu từ {source}.")


def register(app: Flask) -> None:
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
