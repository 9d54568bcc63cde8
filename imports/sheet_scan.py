"""What the package scan found in one worksheet (shared by the xlsx/ods and the .xls scans)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class SheetScan:
    """What the XML parser found in one worksheet."""

    max_row: int = 0  # 1-based
    max_col: int = 0  # 1-based
    formulas: set[tuple[int, int]] = field(default_factory=set)  # (Excel row, 0-based column)
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)  # ods only
