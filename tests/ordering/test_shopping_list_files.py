"""The print page and the CSV of a shopping list, with the bearer token and with a signed link."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import httpx

from app import clock
from app.db import Database
from tests.factories import make_category_path, make_product, sign_in
from tests.helpers.graphql import gql
from tests.ordering.lists import add_items, create_list, filled_list
from tests.ordering.shop import NOW, Shop

LINKS = "query($id: ID!) { shoppingList(id: $id) { printUrl csvUrl } }"


async def links(client: httpx.AsyncClient, token: str, list_id: str) -> tuple[str, str]:
    shown = (await gql(client, LINKS, {"id": list_id}, token=token))["data"]["shoppingList"]
    print_url, csv_url = (urlsplit(shown["printUrl"]), urlsplit(shown["csvUrl"]))
    assert print_url.netloc == csv_url.netloc == "shop.test"  # COMMERCE_PUBLIC_URL of the tests
    return f"{print_url.path}?{print_url.query}", f"{csv_url.path}?{csv_url.query}"


def bearer(shop: Shop, who: str = "main") -> dict[str, str]:
    return {"Authorization": f"Bearer {shop.token(who)}"}


async def test_the_csv_opens_in_excel_with_norwegian_letters_intact(
    client: httpx.AsyncClient, shop: Shop, database: Database
) -> None:
    category = await make_category_path(database, "Forbruksmateriell", "Stell")
    await make_product(database, category, sku="BL-1", name="Bløtgjørende kompress; «åpen» 5 cm")
    await make_product(database, category, sku="EV-1", name='=HYPERLINK("http://evil")')
    list_id = await create_list(client, shop.token("assistant"), "Uke 48: pleie/stell på avd. Ø")
    await add_items(client, shop.token("assistant"), list_id, ("BL-1", 2), ("NH-100", 5), ("EV-1", 1))
    response = await client.get(f"/shopping-lists/{list_id}.csv", headers=bearer(shop))
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["content-disposition"] == (
        'attachment; filename="handleliste-uke-48-pleie-stell-pa-avd-o.csv"; '
        "filename*=UTF-8''Uke%2048%3A%20pleie%2Fstell%20p%C3%A5%20avd.%20%C3%98.csv"
    )
    assert response.content.startswith(b"\xef\xbb\xbfsku;name;quantity;unit\r\n")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows == [
        ["sku", "name", "quantity", "unit"],
        ["BL-1", "Bløtgjørende kompress; «åpen» 5 cm", "2", "eske"],
        ["NH-100", "Nitrilhanske pudderfri M", "5", "eske"],
        ["EV-1", '\'=HYPERLINK("http://evil")', "1", "eske"],  # never a formula in Excel
    ]


async def test_the_print_page_shows_customer_title_items_and_the_date_in_oslo(
    client: httpx.AsyncClient, shop: Shop, database: Database
) -> None:
    list_id = await create_list(client, shop.token("assistant"), "Nattevakt <b>avd. 2</b>")
    await add_items(client, shop.token("assistant"), list_id, ("KO-200", 10), ("NH-100", 3))
    response = await client.get(f"/shopping-lists/{list_id}/print", headers=bearer(shop, "support"))
    assert response.status_code == 200 and response.headers["content-type"] == "text/html; charset=utf-8"
    page = response.text
    assert "@page { size: A4;" in page
    assert "Nattevakt &lt;b&gt;avd. 2&lt;/b&gt;" in page and "<b>avd. 2</b>" not in page
    assert "Solsiden sykehjem · kundenummer 10001" in page
    assert "Skrevet ut tirsdag 1. desember 2026<br>kl. 09.00" in page  # 08:00 UTC
    assert page.index("KO-200") < page.index("NH-100")  # the list's order
    assert '<td class="quantity">10</td><td class="tick"></td>' in page
    assert '<td class="unit">eske</td>' in page

    clock.set_now(datetime(2026, 12, 1, 23, 30, tzinfo=UTC))  # already Wednesday in Oslo
    token = await sign_in(database, shop.world.main)  # the morning's sessions have expired
    late = await client.get(f"/shopping-lists/{list_id}/print", headers={"Authorization": f"Bearer {token}"})
    assert "Skrevet ut onsdag 2. desember 2026<br>kl. 00.30" in late.text


async def test_a_signed_link_opens_the_page_without_a_header_for_ten_minutes_and_one_path(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    list_id = await filled_list(client, shop)
    other_list = await filled_list(client, shop)
    print_link, csv_link = await links(client, shop.token("assistant"), list_id)
    assert "cs_" not in print_link  # never the token itself
    assert (await client.get(print_link)).status_code == 200
    csv_response = await client.get(csv_link)
    assert csv_response.status_code == 200 and csv_response.content.startswith(b"\xef\xbb\xbfsku;")

    path, query = print_link.split("?")
    tampered = query[:-1] + ("0" if query[-1] != "0" else "1")
    assert (await client.get(f"{path}?{tampered}")).status_code == 404
    assert (await client.get(f"{csv_link.split('?')[0]}?{query}")).status_code == 404  # another path
    other_print, _ = await links(client, shop.token("assistant"), other_list)
    assert (await client.get(f"{path}?{other_print.split('?')[1]}")).status_code == 404  # another list

    clock.set_now(NOW + timedelta(minutes=9, seconds=59))
    assert (await client.get(print_link)).status_code == 200
    clock.set_now(NOW + timedelta(minutes=10))
    assert (await client.get(print_link)).status_code == 404
    clock.set_now(NOW)


async def test_a_signed_link_dies_with_its_session(client: httpx.AsyncClient, shop: Shop) -> None:
    list_id = await filled_list(client, shop)
    print_link, _ = await links(client, shop.token("assistant"), list_id)
    assert (await client.get(print_link)).status_code == 200
    logout = await gql(client, "mutation { logout { ok } }", token=shop.token("assistant"))
    assert logout["data"]["logout"]["ok"] is True
    gone = await client.get(print_link)
    assert gone.status_code == 404 and gone.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
