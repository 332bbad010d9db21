"""Headless Chromium (Debian's package) driven by Playwright, never Playwright's own browser.

Absent Chromium skips the test with the reason outside CI and fails it in CI
(`.ci/run` installs it). Every request the page makes that is not to the
loopback server is refused and recorded, so a test sees any outside origin.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Page

CHROMIUM = os.environ.get("COMMERCE_TEST_CHROMIUM", "/usr/bin/chromium")
# Waits are for a selector or text, never a fixed sleep; generous for a busy machine.
TIMEOUT_MS = 60_000
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


@dataclass
class Browser:
    page: Page  # Playwright is imported only once Chromium is known to be there
    console: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)

    def csp_violations(self) -> list[str]:
        return [line for line in self.console if "Content Security Policy" in line or "integrity" in line]


def _chromium_or_skip() -> str:
    path = shutil.which(CHROMIUM) or (CHROMIUM if Path(CHROMIUM).is_file() else None)
    if path is None:
        reason = f"no Chromium at {CHROMIUM}: apt-get install chromium (.ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return path


@contextlib.contextmanager
def chromium(tmp_path: Path, origin: str) -> Iterator[Browser]:
    """A fresh profile under ``tmp_path``; only ``origin`` is reachable."""
    executable = _chromium_or_skip()
    from playwright.sync_api import Route, sync_playwright

    allowed = urlsplit(origin).netloc
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            user_data_dir=str(tmp_path / "chromium-profile"),
            executable_path=executable,
            headless=True,
            args=list(FLAGS),
            viewport={"width": 1400, "height": 900},
        )
        try:
            browser = Browser(page=context.pages[0] if context.pages else context.new_page())

            def only_loopback(route: Route) -> None:
                url = route.request.url
                if urlsplit(url).netloc == allowed or url.startswith("data:"):
                    route.continue_()
                else:
                    browser.outside_requests.append(url)
                    route.abort()

            context.route("**/*", only_loopback)
            context.set_default_timeout(TIMEOUT_MS)
            browser.page.on("console", lambda message: browser.console.append(f"{message.type}: {message.text}"))
            browser.page.on("pageerror", lambda error: browser.console.append(f"pageerror: {error}"))
            yield browser
        finally:
            context.close()
