"""The pages the server serves, in a real headless Chromium against `commerce serve`.

No outside network: the browser reaches only the loopback server, and any
other request is refused and fails the test.
"""

from __future__ import annotations

import email
import re
import time
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.demo.accounts import DEMO_PASSWORD
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
        # GraphiQL takes in an edit after a debounce; the tab's title (the operation's name) shows it did.
        expect(page.locator(".graphiql-tab-active .graphiql-tab-button")).to_have_text("<untitled>", timeout=TIMEOUT_MS)
        page.click(".graphiql-execute-button")
        expect(page.locator(".graphiql-response")).to_contain_text('"email": "support@demo.test"', timeout=TIMEOUT_MS)

        page.screenshot(path=str(tmp_path / "graphiql.png"))
        _clean(browser)
    assert (tmp_path / "graphiql.png").stat().st_size > 10_000


# --- the page behind the links in reset and invitation emails ----------------

MAIL_SECONDS = 30.0
NEW_PASSWORD = "a-new-password-77"


def _call(server: Server, query: str, token: str | None = None, **variables: Any) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = httpx.post(
        f"{server.base_url}/graphql", json={"query": query, "variables": variables}, headers=headers, timeout=15
    )
    assert response.status_code == 200, response.text
    return response.json()


def _login(server: Server, address: str, password: str) -> dict[str, Any]:
    query = "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token errors { code } } }"
    return _call(server, query, e=address, p=password)["data"]["login"]


def _link_mailed_to(server: Server, address: str, subject_word: str) -> str:
    """The link in the newest mail to ``address`` whose subject has ``subject_word`` (the outbox
    is delivered in the background: polled until it is there)."""
    mail_dir = Path(server.stdout_path).parent / "mail"
    deadline = time.monotonic() + MAIL_SECONDS
    while time.monotonic() < deadline:
        for path in sorted(mail_dir.glob("*.eml"), key=lambda p: p.stat().st_mtime, reverse=True):
            message = email.message_from_bytes(path.read_bytes(), policy=default_policy)
            assert isinstance(message, EmailMessage)
            if address in str(message["To"]) and subject_word.lower() in str(message["Subject"]).lower():
                body = message.get_body(preferencelist=("plain",))
                assert body is not None
                found = re.search(r"https?://\S+/reset-password\?token=\S+", body.get_content())
                assert found, body.get_content()
                return found.group(0)
        time.sleep(0.1)
    pytest.fail(f"no mail to {address} about {subject_word!r} in {mail_dir} within {MAIL_SECONDS:.0f} s")


def _set_password_in_browser(server: Server, tmp_path: Path, link: str, name: str) -> None:
    from playwright.sync_api import expect

    # `serve` makes the links point at itself when COMMERCE_PUBLIC_URL is not set.
    assert link.startswith(f"{server.base_url}/reset-password?token="), link
    with chromium(tmp_path, server.base_url) as browser:
        page = browser.page
        response = page.goto(link)
        assert response is not None and response.status == 200
        assert "token=" not in page.url  # the one-time token leaves the address bar
        page.fill("#new-password", NEW_PASSWORD)
        page.fill("#repeat-password", NEW_PASSWORD)
        page.click("#reset-button")
        expect(page.locator("#reset-status")).to_contain_text("Passordet er lagret", timeout=TIMEOUT_MS)
        page.screenshot(path=str(tmp_path / f"{name}.png"))
        _clean(browser)


def test_reset_link_opens_a_page_that_sets_the_password(demo_server: Server, tmp_path: Path) -> None:
    address = "main@demo.test"
    query = "mutation($e: String!) { requestPasswordReset(email: $e) { ok } }"
    assert _call(demo_server, query, e=address)["data"]["requestPasswordReset"]["ok"] is True
    link = _link_mailed_to(demo_server, address, "tilbakestill")

    _set_password_in_browser(demo_server, tmp_path, link, "reset")

    assert _login(demo_server, address, NEW_PASSWORD)["token"]
    assert _login(demo_server, address, DEMO_PASSWORD)["errors"] == [{"code": "INVALID_CREDENTIALS"}]


def test_invitation_link_opens_the_same_page(demo_server: Server, tmp_path: Path) -> None:
    support = _login(demo_server, "support@demo.test", DEMO_PASSWORD)["token"]
    address = "ny.leder@fjordheim.test"
    added = _call(
        demo_server,
        'mutation($e: String!) { addMainUser(customerNumber: "10002", email: $e, name: "Nina Ny") { errors { code } } }',
        support,
        e=address,
    )
    assert added["data"]["addMainUser"]["errors"] == [], added
    link = _link_mailed_to(demo_server, address, "invitert")

    _set_password_in_browser(demo_server, tmp_path, link, "invitation")

    assert _login(demo_server, address, NEW_PASSWORD)["token"]


def test_used_link_says_so_on_the_page(demo_server: Server, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    with chromium(tmp_path, demo_server.base_url) as browser:
        page = browser.page
        page.goto(f"{demo_server.base_url}/reset-password?token=ct_unknown")
        page.fill("#new-password", NEW_PASSWORD)
        page.fill("#repeat-password", NEW_PASSWORD)
        page.click("#reset-button")
        expect(page.locator("#reset-status")).to_contain_text("not valid", timeout=TIMEOUT_MS)
        _clean(browser)
