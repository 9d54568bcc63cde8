"""``flask forms import sites|social FILE --org CODE [--dry-run] [--json]``."""

from __future__ import annotations

import json
import os

import click
from flask import Flask

import imports
from models import Organisation

from .forms import FORM_KINDS, forms


class _Unusable(click.ClickException):
    """The file cannot be used: a Vietnamese message, exit code 2, no traceback."""

    exit_code = 2

    def show(self, file=None) -> None:  # type: ignore[override]
        click.echo(f"Lỗi: {self.message}", err=True)


@forms.command("import")
@click.argument("kind", type=click.Choice(sorted(FORM_KINDS)))
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--org", "org_code", required=True, help="Mã tổ chức nhận dữ liệu (ví dụ: X01).")
@click.option("--dry-run", is_flag=True, help="Chỉ kiểm tra và báo cáo, không ghi gì vào cơ sở dữ liệu.")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
def import_form(kind: str, path: str, org_code: str, dry_run: bool, as_json: bool) -> None:
    """Nhập biểu mẫu 1 (sites) hoặc 2 (social) từ tệp Excel PATH vào tổ chức --org."""
    org = Organisation.objects(code=org_code.strip().upper()).first()
    if org is None:
        raise _Unusable(f"Không tìm thấy tổ chức mã {org_code}.")
    summary = run_file(path, org, dry_run, as_json, lambda data: imports.run(data, kind, org, dry_run=dry_run))
    if summary is not None:
        _print(summary, org)


def run_file(path: str, org: Organisation, dry_run: bool, as_json: bool, run) -> imports.Summary | None:
    """The command-line import of one file, whatever it holds (forms, roster): read it,
    ``run(data)``, keep a trace of a confirmed import, print the JSON contract when asked
    (then None is returned); an unusable file exits 2 with the Vietnamese reason."""
    data = _read(path)
    try:
        summary = run(data)
    except imports.ImportFileError as exc:
        raise _Unusable(str(exc)) from None
    if not dry_run:
        imports.record(summary, org, data, os.path.basename(path), source="cli")
    if as_json:
        click.echo(json.dumps(summary.as_json(), ensure_ascii=False))
        return None
    return summary


def _read(path: str) -> bytes:
    limit = imports.Limits().max_bytes
    try:
        if os.path.getsize(path) > limit:
            raise _Unusable(f"Tệp quá lớn (tối đa {limit // (1024 * 1024)} MB).")
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        raise _Unusable(f"Không mở được tệp {path}.") from None


def _print(summary: imports.Summary, org: Organisation) -> None:
    head = "Kiểm tra (không ghi)" if summary.dry_run else "Đã nhập"
    click.echo(f"{head} {FORM_KINDS[summary.kind]} vào {org.name}: {summary.rows} dòng — "
               f"thêm mới {summary.created}, cập nhật {summary.updated}, không đổi {summary.unchanged}, "
               f"bị từ chối {summary.rejected}; người mới {summary.people_created}.")
    for error in summary.errors:
        click.echo(f"  Dòng {error['row']} {error['column']}: {error['message']}")


def register(app: Flask) -> None:
    """Commands attach to the shared ``forms`` group when this module is imported."""


@forms.command("migrate-platforms")
def migrate_platforms() -> None:
    """Đưa tên mạng xã hội đã lưu về danh mục chuẩn (Tiktok -> TikTok, Face -> Facebook, …)."""
    from models.accounts import migrate_platforms as run_migration

    counts = run_migration()
    click.echo(f"Đã chuẩn hóa {counts['updated']} bản ghi; {counts['conflicts']} bản ghi trùng với bản đã có "
               f"(giữ nguyên, cần xem lại); {counts['unknown']} bản ghi có tên ngoài danh mục.")
