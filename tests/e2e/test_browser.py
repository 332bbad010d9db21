"""The pages the server serves, in a real headless Chromium against `commerce serve`.

No outside network: the browser reaches only the loopback server, and any
other request is refused and fails the test.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.demo import DEMO_PASSWORD
from tests.helpers.browser import TIMEOUT_MS, Browser, chromium
from tests.helpers.server import Server, running_server

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("browser-server"), "--demo") as running:
        yield running


def _clean(browser: Browser) -> None:
    assert browser.outside_requests == [], f"the page asked for outside origins: {browser.outside_requests}"
    assert browser.csp_violations() == [], "\n".join(browser.console)
    assert not [line for line in browser.console if line.startswith("pageerror")], "\n".join(browser.console)


def test_graphiql_signs_in_and_runs_a_query(demo_server: Server, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    with chromium(tmp_path, demo_server.base_url) as browser:
        page = browser.page
        response = page.goto(f"{demo_server.base_url}/graphql")
        assert response is not None and response.status == 200
        assert response.headers["x-frame-options"] == "DENY"
        page.wait_for_selector(".graphiql-container .graphiql-query-editor .CodeMirror")

        page.fill("#signin-email", "support@demo.test")
        page.fill("#signin-password", DEMO_PASSWORD)
        page.click("#signin-button")
        expect(page.locator("#signed-in-email")).to_have_text("support@demo.test", timeout=TIMEOUT_MS)
        assert page.evaluate("window.localStorage.length") == 0  # the token stays in the tab's session storage
        assert page.evaluate("window.sessionStorage.getItem('commerce.token')").startswith("cs_")

        # The remounted GraphiQL (new viewer) gets the query, then the run button.
        editor = page.wait_for_selector(".graphiql-query-editor .CodeMirror")
        editor.evaluate("(element) => element.CodeMirror.setValue('{ me { email } }')")
        page.click(".graphiql-execute-button")
        expect(page.locator(".graphiql-response")).to_contain_text('"email": "support@demo.test"', timeout=TIMEOUT_MS)

        page.screenshot(path=str(tmp_path / "graphiql.png"))
        _clean(browser)
    assert (tmp_path / "graphiql.png").stat().st_size > 10_000
