"""A 20-item shopping list printed by a real headless Chromium fits one A4 page.

Chromium comes from Debian's packages (``apt-get install chromium``; .ci/run
installs it when missing); without it the test is skipped with the reason.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import httpx
import pytest
from pypdf import PdfReader

from app.db import Database
from tests.factories import make_category_path, make_product, make_world
from tests.helpers.server import running_server

pytestmark = pytest.mark.e2e

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
NAMES = [
    "Nitrilhanske pudderfri blå str. M, 200 stk",
    "Kompress 10x10 cm steril, 8 lag",
    "Bløtgjørende fuktighetskrem uten parfyme 500 ml",
    "Engangsforkle plast hvit, 100 stk",
    "Sprøyte Luer-Lock 10 ml steril",
]


def _print_to_pdf(url: str, workdir: Path) -> Path:
    assert CHROMIUM is not None
    pdf = workdir / "list.pdf"
    profile = workdir / "profile"
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-pdf-header-footer",  # paper shows the list, not the (signed) URL
        f"--user-data-dir={profile}",
        f"--print-to-pdf={pdf}",
        url,
    ]
    done = subprocess.run(
        command, capture_output=True, timeout=120, cwd=workdir, env={"HOME": str(workdir), "PATH": "/usr/bin:/bin"}
    )
    assert pdf.exists() and pdf.stat().st_size > 0, (
        f"Chromium wrote no PDF ({done.returncode}): {done.stderr[-2000:]!r}"
    )
    return pdf


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed: apt-get install -y chromium")
async def test_a_20_item_list_prints_on_one_a4_page(database: Database, database_url: str, tmp_path: Path) -> None:
    world = await make_world(database)
    category = await make_category_path(database, "Forbruksmateriell", "Pleie")
    for i in range(20):
        await make_product(database, category, sku=f"PL-{i:04d}", name=f"{NAMES[i % len(NAMES)]} ({i + 1})")
    token = world.token("assistant")
    with running_server(tmp_path / "server", database_url=database_url) as server:
        with httpx.Client(base_url=server.base_url, timeout=30) as http:

            def call(query: str, **variables: object) -> dict:
                response = http.post(
                    "/graphql",
                    json={"query": query, "variables": variables},
                    headers={"Authorization": f"Bearer {token}"},
                )
                assert response.status_code == 200, response.text
                return response.json()["data"]

            created = call(
                'mutation { createShoppingList(customerNumber: "10001", title: "Ukeliste avd. Sjøsiden") '
                "{ shoppingList { id } errors { code } } }"
            )["createShoppingList"]
            list_id = created["shoppingList"]["id"]
            items = [{"sku": f"PL-{i:04d}", "quantity": i + 1} for i in range(20)]
            added = call(
                "mutation($l: ID!, $i: [ShoppingListItemInput!]!) { addToShoppingList(listId: $l, items: $i) "
                "{ shoppingList { itemCount } errors { code field } } }",
                l=list_id,
                i=items,
            )["addToShoppingList"]
            assert added == {"shoppingList": {"itemCount": 20}, "errors": []}
            link = call("query($id: ID!) { shoppingList(id: $id) { printUrl } }", id=list_id)["shoppingList"][
                "printUrl"
            ]
            path = link[link.index("/shopping-lists/") :]

            page = http.get(path)  # what the browser will load: no header, only the signed link
            assert page.status_code == 200 and "PL-0019" in page.text

            pdf = _print_to_pdf(f"{server.base_url}{path}", tmp_path)
    reader = PdfReader(pdf)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    text = reader.pages[0].extract_text()
    assert "Ukeliste avd. Sjøsiden" in text and "Solsiden sykehjem" in text and "10001" in text
    assert "PL-0000" in text and "PL-0019" in text
