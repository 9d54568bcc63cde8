"""``flask backup -o FILE [--encrypt]`` and ``flask restore FILE``.

The passphrase of an encrypted backup comes from ``BACKUP_PASSPHRASE`` or, when that is
not set, from a prompt (asked twice when backing up)."""

from __future__ import annotations

import os

import click
import mongoengine
from flask import Flask

from services import audit, backup, backup_crypto, db


def _passphrase(confirm: bool) -> str:
    value = os.environ.get("BACKUP_PASSPHRASE") or click.prompt(
        "Cụm mật khẩu sao lưu", hide_input=True, confirmation_prompt="Nhập lại cụm mật khẩu" if confirm else False)
    try:
        return backup_crypto.check_passphrase(value)
    except backup_crypto.CryptoError as exc:
        raise click.ClickException(str(exc)) from None


@click.command("backup")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, writable=True),
              help="Tệp sao lưu sẽ ghi (zip, MongoDB Extended JSON).")
@click.option("--encrypt", is_flag=True,
              help="Mã hóa bằng cụm mật khẩu (AES-256-GCM; BACKUP_PASSPHRASE hoặc nhập khi được hỏi).")
def backup_command(output: str, encrypt: bool) -> None:
    """Sao lưu mọi tập dữ liệu (kể cả tệp đính kèm GridFS và nhật ký) vào một tệp."""
    passphrase = _passphrase(confirm=True) if encrypt else None
    # written first, so that the archive holds its own entry and a restore adds nothing
    audit.record("backup", username="cli", detail=f"flask backup -o {output}" + (" --encrypt" if encrypt else ""))
    if passphrase:
        try:
            with open(output, "wb") as out, backup_crypto.EncryptingWriter(out, passphrase) as sealed:
                counts = backup.dump(mongoengine.get_db(), sealed)
        except BaseException:
            os.remove(output)  # a sealed but incomplete archive must not pass for a backup
            raise
    else:
        counts = backup.dump(mongoengine.get_db(), output)
    total = sum(counts.values())
    click.echo(f"Đã sao lưu {total} bản ghi của {len(counts)} tập dữ liệu vào {output}"
               + (" (đã mã hóa)." if encrypt else "."))
    for name, count in counts.items():
        click.echo(f"  {name}: {count}")


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
def restore_command(source: str) -> None:
    """Khôi phục tệp sao lưu SOURCE (mã hóa hay không) vào cơ sở dữ liệu TRỐNG."""
    try:
        if backup_crypto.is_encrypted(source):
            passphrase = _passphrase(confirm=False)
            with open(source, "rb") as sealed, backup_crypto.decrypt_to_temp(sealed, passphrase) as plain:
                counts = backup.load(mongoengine.get_db(), plain)
        else:
            counts = backup.load(mongoengine.get_db(), source)
    except (backup.BackupError, backup_crypto.CryptoError) as exc:
        raise click.ClickException(str(exc)) from None
    db.ensure_indexes()
    click.echo(f"Đã khôi phục {sum(counts.values())} bản ghi của {len(counts)} tập dữ liệu từ {source}.")


def register(app: Flask) -> None:
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
