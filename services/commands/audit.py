"""``flask audit prune``: retention of the audit trail (``AUDIT_KEEP_DAYS``)."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from services import audit as trail
from services import audit_retention

audit = AppGroup("audit", help="Nhật ký hệ thống: dọn các mục cũ (có lưu trữ).")


@audit.command("prune")
@click.option("-o", "--archive", "archive", required=True, type=click.Path(dir_okay=False),
              help="Tệp lưu trữ các mục bị dọn: .xlsx (để đọc) hoặc .jsonl (Extended JSON).")
@click.option("--days", type=int, default=None, help="Giữ N ngày gần nhất (mặc định: AUDIT_KEEP_DAYS).")
def prune(archive: str, days: int | None) -> None:
    """Lưu trữ rồi xóa các mục nhật ký cũ hơn số ngày cần giữ."""
    days = days if days is not None else current_app.config.get("AUDIT_KEEP_DAYS", 0)
    if not days:
        raise click.ClickException("AUDIT_KEEP_DAYS = 0: giữ toàn bộ nhật ký, không dọn gì. "
                                   "Đặt AUDIT_KEEP_DAYS hoặc dùng --days N.")
    try:
        archived, deleted = audit_retention.prune(days, archive)
    except audit_retention.RetentionError as exc:
        raise click.ClickException(str(exc)) from None
    trail.record("audit_prune", username="cli", collection="audit",
                 detail=f"flask audit prune --days {days}: lưu {archived} mục vào {archive}, xóa {deleted} mục")
    click.echo(f"Đã lưu {archived} mục nhật ký cũ hơn {days} ngày vào {archive} và xóa {deleted} mục.")


def register(app: Flask) -> None:
    app.cli.add_command(audit)
