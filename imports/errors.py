"""What every stage shares: the whole-file error and the safety limits."""

from __future__ import annotations

from dataclasses import dataclass


class ImportFileError(Exception):
    """The file cannot be used at all; ``str(err)`` is a Vietnamese message."""


class PlanChanged(ImportFileError):
    """The register changed between the preview and the confirm: what would be written is
    no longer what the officer was shown. Raised before anything is written."""

    def __init__(self) -> None:
        super().__init__("Dữ liệu trong hệ thống đã thay đổi kể từ lúc xem trước (có người vừa thêm, sửa hoặc xóa), "
                         "nên kết quả nhập sẽ khác điều bạn đã xem. Chưa ghi gì; hãy xem lại bản xem trước mới "
                         "rồi xác nhận.")


PASSWORD_MESSAGE = "Tệp có mật khẩu hoặc được mã hóa: hãy bỏ mật khẩu rồi lưu lại."


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 20 * 1024 * 1024
    max_entries: int = 500
    max_uncompressed: int = 400 * 1024 * 1024
    max_rows: int = 120_000  # data rows; the table header may sit a little lower
    max_cells: int = 4_000_000  # dense area (rows x columns) the reader may allocate
    reader_memory: int = 2 * 1024 ** 3  # address space of the reader's child process
    reader_seconds: int = 120  # CPU time of the reader's child process
    max_sheets: int = 256  # .xls: sheets a workbook may declare
    xls_records: int = 3_000_000  # .xls: BIFF records the scan walks (a 20 MB file holds at most ~5M)
