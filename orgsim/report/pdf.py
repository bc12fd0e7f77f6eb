"""The report printed to an A4 PDF by headless Chromium (the engine the browser tests use), via Playwright.

Chromium is Debian's package (``apt-get install chromium``), found at ``$ORGSIM_CHROMIUM`` or
``/usr/bin/chromium``; Playwright drives it and downloads nothing. The page is opened offline: any request
that is not the file itself is refused, so the PDF shows exactly what the self-contained HTML holds.
"""

from __future__ import annotations

import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from orgsim.errors import OrgsimError

__all__ = ["chromium_path", "print_pdf"]

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking"]


def chromium_path() -> Path:
    """The Chromium to print with, or a one-line error saying how to get it."""
    path = Path(os.environ.get("ORGSIM_CHROMIUM", "/usr/bin/chromium"))
    if shutil.which(str(path)) is None:
        raise OrgsimError(f"--pdf needs headless Chromium at {path} (apt-get install chromium, or set ORGSIM_CHROMIUM)")
    return path


def print_pdf(html: Path, pdf: Path, force: bool = True) -> Path:
    """Print ``html`` (a report written by orgsim) to ``pdf`` on A4, backgrounds included.

    The PDF is written whole (:func:`orgsim.writes.writing`); ``force=False`` keeps a file already at ``pdf``.
    """
    chromium = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise OrgsimError("--pdf needs the playwright package: pip install 'orgsim[present]'") from None

    def run(target: Path) -> None:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(chromium), args=FLAGS)
            try:
                page = browser.new_page()
                page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort())
                page.goto(html.resolve().as_uri(), wait_until="load")
                page.pdf(path=str(target), format="A4", print_background=True, prefer_css_page_size=True)
            finally:
                browser.close()

    # Playwright's sync API refuses to run where an asyncio loop is running (Jupyter, or another Playwright):
    # a thread of its own has none.
    from orgsim.writes import writing

    with writing(Path(pdf), force, "--pdf") as tmp, ThreadPoolExecutor(1) as pool:
        pool.submit(run, tmp).result()
    return pdf
