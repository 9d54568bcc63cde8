"""``flask check [--repair]``: the integrity check of the tree and owned records."""

from __future__ import annotations

import click
from flask import Flask

from services import integrity


@click.command("check")
@click.option("--repair", is_flag=True, help="Sửa các sai lệch sửa được (ghi nhật ký).")
def check_command(repair: bool) -> None:
    """Kiểm tra cây tổ chức, phạm vi của mọi bản ghi và chỉ mục cơ sở dữ liệu."""
    report = integrity.check(repair=repair)
    for line in report.lines():
        click.echo(line)
    if report.clean:
        return
    if not repair:
        click.echo("Chạy `flask check --repair` để sửa.")
        raise SystemExit(1)
    after = integrity.check()
    if not after.clean:
        click.echo("Sau khi sửa vẫn còn sai lệch (cần xử lý thủ công):")
        for problem in after.problems:
            click.echo(f"  - {problem}")
        raise SystemExit(1)
    click.echo("Sau khi sửa: không còn sai lệch.")


def register(app: Flask) -> None:
    app.cli.add_command(check_command)
