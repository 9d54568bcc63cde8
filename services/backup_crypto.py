"""Encrypted backups: the zip archive of :mod:`services.backup`, sealed with a passphrase.

Streaming authenticated encryption with ``cryptography``'s AES-256-GCM, in the STREAM
construction (Hoang, Reyhanitabar, Rogaway, Vizár 2015) that age and Tink also use:

``MAGIC | salt(16) | scrypt log2(n), r, p (3 bytes) | nonce prefix(7)`` then chunks of
``length(4) | AES-GCM(key, prefix | counter(4) | last(1), plaintext ≤ 64 KiB, aad=header)``.

The key comes from the passphrase through scrypt (memory-hard). Every chunk is
authenticated with its position and the header, and the last one is marked, so a
changed, reordered, removed or appended byte is detected; memory stays one chunk.
Decryption goes to an unnamed temporary file and is checked to the end *before* the
restore reads anything, so a wrong passphrase or a tampered file writes nothing.
"""

from __future__ import annotations

import io
import os
import struct
import tempfile
from typing import IO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"PRBACKUP-AESGCM1"
CHUNK = 64 * 1024
SCRYPT = (15, 8, 1)  # n = 2**15, r, p: about 32 MiB and a tenth of a second per key
MIN_PASSPHRASE = 12
_HEADER = len(MAGIC) + 16 + 3 + 7


class CryptoError(ValueError):
    """The file cannot be decrypted; the message is Vietnamese."""


def check_passphrase(passphrase: str | None) -> str:
    if not passphrase or len(passphrase) < MIN_PASSPHRASE:
        raise CryptoError(f"Cụm mật khẩu sao lưu phải có ít nhất {MIN_PASSPHRASE} ký tự.")
    return passphrase


def _key(passphrase: str, salt: bytes, log_n: int, r: int, p: int) -> AESGCM:
    if not (10 <= log_n <= 22 and 1 <= r <= 32 and 1 <= p <= 16):
        raise CryptoError("Tham số mã hóa trong tệp sao lưu không hợp lệ (tệp bị hỏng?).")
    raw = Scrypt(salt=salt, length=32, n=2**log_n, r=r, p=p).derive(passphrase.encode("utf-8"))
    return AESGCM(raw)


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    return prefix + struct.pack(">I", counter) + (b"\x01" if last else b"\x00")


class EncryptingWriter(io.RawIOBase):
    """A write-only, unseekable stream: what is written reaches ``out`` encrypted.
    ``close()`` seals the last chunk (it does not close ``out``)."""

    def __init__(self, out: IO[bytes], passphrase: str) -> None:
        super().__init__()
        salt, prefix = os.urandom(16), os.urandom(7)
        self._header = MAGIC + salt + bytes(SCRYPT) + prefix
        self._aead, self._prefix = _key(check_passphrase(passphrase), salt, *SCRYPT), prefix
        self._out, self._buffer, self._counter = out, bytearray(), 0
        out.write(self._header)

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self._buffer += data
        while len(self._buffer) > CHUNK:  # keep at least one byte: the last chunk is sealed on close
            self._seal(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]
        return len(data)

    def _seal(self, plain: bytes, last: bool) -> None:
        sealed = self._aead.encrypt(_nonce(self._prefix, self._counter, last), plain, self._header)
        self._out.write(struct.pack(">I", len(sealed)) + sealed)
        self._counter += 1

    def close(self) -> None:
        if not self.closed:
            self._seal(bytes(self._buffer), last=True)
            self._buffer.clear()
        super().close()


def is_encrypted(path: str | os.PathLike) -> bool:
    with open(path, "rb") as f:
        return f.read(len(MAGIC)) == MAGIC


def decrypt_to_temp(source: IO[bytes], passphrase: str) -> IO[bytes]:
    """The whole plaintext in an unnamed temporary file, every chunk verified (position 0)."""
    header = source.read(_HEADER)
    if len(header) < _HEADER or not header.startswith(MAGIC):
        raise CryptoError("Tệp không phải bản sao lưu mã hóa của hệ thống.")
    salt, params, prefix = header[len(MAGIC):-10], header[-10:-7], header[-7:]
    aead = _key(passphrase or "", salt, *params)
    plain = tempfile.TemporaryFile()
    counter, last = 0, False
    try:
        while not last:
            size = source.read(4)
            if len(size) < 4:
                raise CryptoError("Tệp sao lưu bị cắt cụt hoặc đã bị sửa đổi: không có khối cuối.")
            length = struct.unpack(">I", size)[0]
            if length > CHUNK + 16:
                raise CryptoError("Tệp sao lưu đã bị sửa đổi hoặc hỏng (độ dài khối không hợp lệ).")
            sealed = source.read(length)
            for flag in (False, True):
                try:
                    plain.write(aead.decrypt(_nonce(prefix, counter, flag), sealed, header))
                except InvalidTag:
                    continue
                last = flag
                break
            else:
                if counter == 0:
                    raise CryptoError("Sai cụm mật khẩu, hoặc tệp sao lưu đã bị sửa đổi.")
                raise CryptoError(f"Tệp sao lưu đã bị sửa đổi hoặc hỏng (khối {counter + 1}).")
            counter += 1
        if source.read(1):
            raise CryptoError("Tệp sao lưu có dữ liệu lạ sau khối cuối (đã bị sửa đổi).")
    except BaseException:
        plain.close()
        raise
    plain.seek(0)
    return plain
