"""Fixtures of the browser tests: the real panel in a subprocess, Debian's Chromium.

No skips: a missing browser is a failure that says how to install it, because a test
suite that silently stops testing the browser journey is worse than a red one.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage"]
ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test-output" / "e2e"
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    """The panel (demo register + journey records) on a free 127.0.0.1 port."""
    from tests import stores

    proc = subprocess.Popen([sys.executable, "-m", "tests.e2e.serve"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env={**os.environ, **stores.current().environment()})
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        if not line.startswith("PORT "):
            pytest.fail(f"the panel did not start for the browser tests (exit code {proc.poll()}): {line!r}")
        yield f"http://127.0.0.1:{int(line.split()[1])}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stdout:
            proc.stdout.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: the browser tests need Debian's Chromium "
                    "(`apt-get install -y chromium`; `bash .ci/run` installs it when run as root).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def shots() -> Path:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    return OUTPUT


def new_page(browser: object, viewport: dict, downloads: bool = False) -> object:
    context = browser.new_context(viewport=viewport, locale="vi-VN", accept_downloads=downloads,
                                  timezone_id="Asia/Ho_Chi_Minh")
    context.set_default_timeout(15_000)
    return context.new_page()
