"""The pages the API serves (GraphiQL, the password page): own origin only, pinned, with SRI and a CSP."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
from graphql import OperationDefinitionNode, parse, print_ast

from app.http import pages
from app.schema.schema import schema
from tests.helpers.contract import contract_text


def test_vendor_files_are_the_pinned_ones() -> None:
    # `make install` copies them from the npm packages in graphiql/package-lock.json;
    # after a version bump, VENDOR_SRI must be updated to the hashes printed here.
    actual = {name: pages.sri(pages.VENDOR / name) for name in pages.VENDOR_SRI}
    assert actual == pages.VENDOR_SRI


async def test_graphiql_page_loads_only_our_own_files_with_integrity(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "frame-ancestors 'none'" in csp and "default-src 'none'" in csp
    assert "http" not in csp and "unsafe" not in csp
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    page = response.text
    scripts = re.findall(r"<script ([^>]*)>", page)
    links = re.findall(r"<link ([^>]*)>", page)
    assert len(scripts) == 5 and len(links) == 3
    for tag in scripts + links:
        if 'type="application/json"' in tag:
            continue  # data, not code: never executed
        url = re.search(r'(?:src|href)="([^"]+)"', tag).group(1)
        assert url.startswith("/static/"), tag
        integrity = re.search(r'integrity="([^"]+)"', tag).group(1)
        served = await client.get(url)
        assert served.status_code == 200
        assert pages.sri_of_bytes(served.content) == integrity, url
    # No inline script: every executable <script> has a src and an empty body.
    assert re.findall(r"<script (?!type=\"application/json\")[^>]*>([^<]+)</script>", page) == []


def test_example_tabs_hold_every_support_operation_of_the_contract() -> None:
    contract = {
        node.name.value: print_ast(node)
        for node in parse(contract_text("support.graphql")).definitions
        if isinstance(node, OperationDefinitionNode) and node.name
    }
    examples = pages.support_examples(schema._schema)
    by_name = {parse(e.query).definitions[0].name.value: e for e in examples}
    assert set(contract) <= set(by_name)
    for name, text in contract.items():
        assert print_ast(parse(by_name[name].query).definitions[0]) == text
    # Required variables are there to fill in, with a value of the right kind.
    assert by_name["ResolveAccountRequest"].variables == {"id": "", "approve": False}
    assert pages._placeholder(schema._schema, "AccountRequestStatus") == "PENDING"


async def test_page_data_cannot_close_its_script_element(client: httpx.AsyncClient) -> None:
    page = (await client.get("/graphql", headers={"accept": "text/html"})).text
    data = re.search(r'<script type="application/json" id="example-tabs">(.*?)</script>', page, re.S).group(1)
    tabs = json.loads(data)
    assert tabs[0]["query"].lstrip().startswith("#") and "me {" in tabs[0]["query"]


def test_missing_vendor_files_answer_503_and_say_what_to_do(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(pages, "VENDOR", tmp_path)
    served = pages.Pages(schema._schema, graphiql=True).graphiql()
    assert served.status_code == 503
    assert b"make install" in served.body
    assert served.headers["x-frame-options"] == "DENY"


async def test_password_page_is_served_with_the_same_rules(client: httpx.AsyncClient) -> None:
    response = await client.get("/reset-password", params={"token": "ot_whatever"})
    assert response.status_code == 200
    assert response.headers["content-security-policy"] == pages.CONTENT_SECURITY_POLICY
    assert response.headers["referrer-policy"] == "no-referrer"
    assert 'src="/static/reset_password.js" integrity="sha384-' in response.text
