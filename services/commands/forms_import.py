"""``flask forms import sites|social FILE --org CODE [--dry-run] [--json] [--resolve KEY=CHOICE …] [--expect FINGERPRINT]``."""

from __future__ import annotations

import json
import os
import shlex

import click
from flask import Flask

import imports
from imports import people
from models import Organisation
from services import audit, import_runs, records

from .forms import FORM_KINDS, forms


class _Unusable(click.ClickException):
    """The file cannot be used: a Vietnamese message, exit code 2, no traceback."""

    exit_code = 2

    def show(self, file=None) -> None:  # type: ignore[override]
        click.echo(f"Lỗi: {self.message}", err=True)


#: ``--resolve KEY=CHOICE``, repeatable: the possible duplicates' choices, as the web preview takes them
resolve_option = click.option(
    "--resolve", "resolves", multiple=True, metavar="KHÓA=LỰA_CHỌN",
    help="Chọn cho một người có thể trùng (khóa do lần chạy thử in ra): mã của người đã có, hoặc new "
         "(là người mới). Dùng nhiều lần cho nhiều người.")

#: ``--expect FINGERPRINT``: write only what the dry run showed (``imports.plan.fingerprint``)
expect_option = click.option(
    "--expect", "expect", default=None, metavar="MÃ",
    help="Mã bản kiểm tra do lần chạy thử --dry-run in ra: chỉ ghi nếu kết quả vẫn đúng như đã xem "
         "(nếu dữ liệu đã thay đổi thì không ghi gì).")


@forms.command("import")
@click.argument("kind", type=click.Choice(sorted(FORM_KINDS)))
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--org", "org_code", required=True, help="Mã tổ chức nhận dữ liệu (ví dụ: X01).")
@click.option("--dry-run", is_flag=True, help="Chỉ kiểm tra và báo cáo, không ghi gì vào cơ sở dữ liệu.")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
@resolve_option
@expect_option
def import_form(kind: str, path: str, org_code: str, dry_run: bool, as_json: bool, resolves: tuple[str, ...],
                expect: str | None) -> None:
    """Nhập biểu mẫu 1 (sites) hoặc 2 (social) từ tệp Excel PATH vào tổ chức --org."""
    org = Organisation.objects(code=org_code.strip().upper()).first()
    if org is None:
        raise _Unusable(f"Không tìm thấy tổ chức mã {org_code}.")
    summary = run_file(path, org, dry_run, as_json, resolves, expect, lambda data, chosen, expected: imports.run(
        data, kind, org, dry_run=dry_run, resolutions=chosen, expected=expected))
    if summary is not None:
        _print(summary, org)


def run_file(path: str, org: Organisation, dry_run: bool, as_json: bool, resolves: tuple[str, ...],
             expect: str | None, run) -> imports.Summary | None:
    """The command-line import of one file, whatever it holds (forms, roster): read it,
    ``run(data, resolutions, expected)``, keep a trace of a confirmed import, print the JSON
    contract when asked (then None is returned); an unusable file, a malformed ``--resolve``
    or a plan that is no longer what ``--expect`` names exits 2 with the Vietnamese reason,
    nothing written. A ``--resolve`` key that names no possible duplicate of this file is
    told on stderr (a typo must not pass for a choice made)."""
    chosen = resolutions(resolves)
    data = _read(path)
    try:
        summary = run(data, chosen, None if dry_run else (expect or "").strip() or None)
    except imports.ImportFileError as exc:
        raise _Unusable(str(exc)) from None
    for error in summary.errors:  # the web's "in the table above" is a --resolve here
        for web, cli in people.ON_COMMAND_LINE.items():
            error["message"] = error["message"].replace(web, cli)
    known = {c.key for c in summary.candidates} | {f"cell:{u['name']}" for u in summary.unknown_cells} \
        | {f"conflict:{a.existing}" for a in summary.conflicts}
    for key in sorted(chosen.keys() - known):
        click.echo(f"Cảnh báo: --resolve {shlex.quote(key)}: không có người nào có thể trùng với khóa này "
                   "trong tệp; lựa chọn này không được dùng.", err=True)
    if not dry_run:
        import_runs.confirmed(summary, org, data, os.path.basename(path), source="cli")
    if as_json:  # the fingerprint: what --expect takes
        click.echo(json.dumps({**summary.as_json(), "fingerprint": summary.fingerprint}, ensure_ascii=False))
        return None
    return summary


def resolutions(resolves: tuple[str, ...]) -> dict[str, str]:
    """``KEY=CHOICE`` arguments -> {key: choice}; the choice is ``new`` or a member's id."""
    out = {}
    for item in resolves:
        key, sep, choice = item.rpartition("=")
        choice = choice.strip()
        if not sep or not key.strip() or not people.valid_choice(choice):
            raise _Unusable(f"--resolve {item!r}: cần dạng KHÓA=mã người đã có, hoặc KHÓA={people.NEW} "
                            "(khóa và mã do lần chạy thử --dry-run in ra).")
        out[key.strip()] = choice
    return out


def print_rows(summary: imports.Summary) -> None:
    """The rows refused or waiting, then the possible duplicates with the ``--resolve``
    arguments that settle them, ready to copy."""
    for error in summary.errors:
        click.echo(f"  Dòng {error['row']} {error['column']}: {error['message']}")
    for warning in summary.warnings:  # unchanged, but the stored record itself is to be fixed
        click.echo(f"  Dòng {warning['row']} {warning['column']}: {warning['message']} "
                   f"(mã hồ sơ {warning['member'] or warning['record']})")
    if summary.dry_run:
        click.echo(f"Mã bản kiểm tra: {summary.fingerprint} — chạy thật kèm --expect {summary.fingerprint} "
                   "để chỉ ghi khi kết quả vẫn đúng như trên.")
    if not summary.candidates:
        return
    click.echo("Có thể trùng người đã có — chưa chọn thì các dòng này chưa được nhập; chạy lại với một trong các lựa chọn:")
    for candidate in summary.candidates:
        rows = ", ".join(str(row) for _sheet, row in candidate.rows)
        click.echo(f"  “{candidate.person.name}” (dòng {rows}):")
        for member in candidate.members:
            click.echo(f"    --resolve {shlex.quote(candidate.key + '=' + member['id'])}   "
                       f"là {member['name']} — {member['cell']} ({member['why']})")
        click.echo(f"    --resolve {shlex.quote(candidate.key + '=' + people.NEW)}   là người mới")


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
    print_rows(summary)


def register(app: Flask) -> None:
    """Commands attach to the shared ``forms`` group when this module is imported."""


@forms.command("migrate-platforms")
def migrate_platforms() -> None:
    """Đưa tên mạng xã hội đã lưu về danh mục chuẩn (Tiktok -> TikTok, Face -> Facebook, …)."""
    from models.accounts import migrate_platforms as run_migration

    counts = run_migration()
    audit.record("update", username=records.CLI, collection="socialaccount",
                 detail=f"flask forms migrate-platforms: {counts}")
    click.echo(f"Đã chuẩn hóa {counts['updated']} bản ghi; {counts['conflicts']} bản ghi trùng với bản đã có "
               f"(giữ nguyên, cần xem lại); {counts['unknown']} bản ghi có tên ngoài danh mục.")
