"""upsertProducts through the endpoint, on both databases: who may, what is stored, what the ERP sees.

Also the rules every ERP batch shares (scopes, the 1,000-item limit, one
transaction), tried on each of the four batch operations.
"""

from __future__ import annotations

import json
import time
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from app.catalog import search
from app.db import Database
from app.models import AuditEntry, Category, Customer, Product, ProductDocument, ProductImage, ProductType, Role
from tests.erp.helpers import (
    SET_AGREEMENT_PRICES,
    SET_STOCK,
    UPSERT_CUSTOMERS,
    UPSERT_PRODUCTS,
    audit_entries,
    category_names,
    codes,
    make_key,
    product,
    send,
    stored_documents,
    stored_images,
    stored_product,
)
from tests.factories import make_customer, make_user, sign_in
from tests.helpers.db import count, rows
from tests.helpers.graphql import error_codes, gql

FULL = product(
    "NH-100-M",
    name="Nitrilhanske pudderfri str. M",
    description="Blå nitrilhanske.\nLateksfri.",
    manufacturer="Abena",
    unit="eske",
    packSize=100,
    listPrice="129.90",
    productType="NUTRITION",
    categoryPath=["Forbruksmateriell", "Hansker"],
    active=True,
    images=[{"url": "https://cdn.example.test/nh-100-m.jpg", "alt": "Eske"}, {"url": "http://cdn.example.test/2.png"}],
    documents=[
        {"kind": "SAFETY_DATA_SHEET", "title": "Sikkerhetsdatablad", "url": "https://docs.example.test/sds.pdf"},
        {"kind": "PRODUCT_DATA_SHEET", "title": "Produktdatablad", "url": "https://docs.example.test/pds.pdf"},
    ],
)

# One valid operation of each kind, with the scope it needs.
OPERATIONS = {
    "upsertProducts": (UPSERT_PRODUCTS, "catalog:write", [product("A-1")]),
    "setStock": (SET_STOCK, "catalog:write", [{"sku": "A-1", "quantity": 5}]),
    "upsertCustomers": (UPSERT_CUSTOMERS, "customers:write", [{"number": "50001", "name": "Lindeberg sykehjem"}]),
    "setAgreementPrices": (
        SET_AGREEMENT_PRICES,
        "customers:write",
        [{"customerNumber": "50001", "sku": "A-1", "price": "99.00"}],
    ),
}


# ---------------------------------------------------------------- who may


async def _snapshot(database: Database) -> tuple[int, ...]:
    return (
        await count(database, Product),
        await count(database, Customer),
        await count(database, Category),
        await count(database, AuditEntry),
    )


@pytest.mark.parametrize("operation", list(OPERATIONS))
async def test_no_token_is_unauthenticated(client: httpx.AsyncClient, database: Database, operation: str) -> None:
    query, _, items = OPERATIONS[operation]
    before = await _snapshot(database)
    result = await gql(client, query, {"items": items})
    assert error_codes(result) == ["UNAUTHENTICATED"]
    assert result["data"] is None
    assert await _snapshot(database) == before


@pytest.mark.parametrize("operation", list(OPERATIONS))
async def test_user_token_is_forbidden(client: httpx.AsyncClient, database: Database, operation: str) -> None:
    query, _, items = OPERATIONS[operation]
    customer = await make_customer(database)
    for user in (await make_user(database, support=True), await make_user(database, (customer, Role.MAIN_USER))):
        before = await _snapshot(database)
        result = await gql(client, query, {"items": items}, token=await sign_in(database, user))
        assert error_codes(result) == ["FORBIDDEN"]
        assert result["data"] is None
        assert await _snapshot(database) == before


@pytest.mark.parametrize("operation", list(OPERATIONS))
async def test_key_without_the_scope_is_forbidden(
    client: httpx.AsyncClient, database: Database, operation: str
) -> None:
    query, scope, items = OPERATIONS[operation]
    others = [s for s in ("catalog:write", "customers:write", "orders:read", "orders:write") if s != scope]
    key = await make_key(database, *others, name="other")
    before = await _snapshot(database)
    result = await gql(client, query, {"items": items}, token=key)
    assert error_codes(result) == ["FORBIDDEN"]
    assert result["data"] is None
    assert await _snapshot(database) == before


@pytest.mark.parametrize("operation", list(OPERATIONS))
async def test_key_with_only_the_scope_may(client: httpx.AsyncClient, database: Database, operation: str) -> None:
    query, scope, items = OPERATIONS[operation]
    await make_customer(database, "50001")
    if operation != "upsertProducts":
        setup = await make_key(database, "catalog:write", name="setup")
        await send(client, UPSERT_PRODUCTS, [product("A-1")], setup)
    key = await make_key(database, scope, name="only")
    payload = await send(client, query, items, key)
    assert payload["errors"] == []


async def test_revoked_key_is_unauthenticated(client: httpx.AsyncClient, database: Database) -> None:
    from app.admin import revoke_api_key

    key = await make_key(database, "catalog:write")
    async with database.transaction() as session:
        await revoke_api_key(session, "erp")
    result = await gql(client, UPSERT_PRODUCTS, {"items": [product("A-1")]}, token=key)
    assert error_codes(result) == ["UNAUTHENTICATED"]
    assert await count(database, Product) == 0


# ---------------------------------------------------------------- batch limits, shared by every operation


@pytest.mark.parametrize("operation", list(OPERATIONS))
async def test_more_than_1000_items_is_refused_whole(
    client: httpx.AsyncClient, database: Database, erp: str, operation: str
) -> None:
    query, _, items = OPERATIONS[operation]
    before = await _snapshot(database)
    payload = await send(client, query, [items[0]] * 1001, erp)
    assert codes(payload) == [("INVALID_INPUT", "items")]
    assert "1,000" in payload["errors"][0]["message"]
    assert payload["updated"] == 0
    assert await _snapshot(database) == before


@pytest.mark.parametrize("operation", list(OPERATIONS))
async def test_empty_batch_does_nothing(
    client: httpx.AsyncClient, database: Database, erp: str, operation: str
) -> None:
    query, _, _ = OPERATIONS[operation]
    before = await _snapshot(database)
    payload = await send(client, query, [], erp)
    assert payload["errors"] == [] and payload["updated"] == 0
    assert await _snapshot(database) == before


# ---------------------------------------------------------------- creating and storing


async def test_creates_a_product_with_everything(
    client: httpx.AsyncClient, database: Database, erp: str, reindexed: list[list[int]]
) -> None:
    payload = await send(client, UPSERT_PRODUCTS, [FULL], erp)
    assert payload == {"created": 1, "updated": 0, "unchanged": 0, "errors": []}

    stored = await stored_product(database, "NH-100-M")
    assert stored is not None
    assert stored.name == "Nitrilhanske pudderfri str. M"
    assert stored.description == "Blå nitrilhanske.\nLateksfri."
    assert stored.manufacturer == "Abena"
    assert stored.unit == "eske"
    assert stored.pack_size == 100
    assert stored.list_price == Decimal("129.90")
    assert stored.product_type is ProductType.NUTRITION
    assert stored.active is True
    assert stored.stock_quantity == 0
    assert len(stored.content_hash) == 64
    assert await category_names(database, stored.category_id) == ["Forbruksmateriell", "Hansker"]
    assert await stored_images(database, "NH-100-M") == [
        ("https://cdn.example.test/nh-100-m.jpg", "Eske"),
        ("http://cdn.example.test/2.png", None),
    ]
    assert await stored_documents(database, "NH-100-M") == [
        ("SAFETY_DATA_SHEET", "Sikkerhetsdatablad", "https://docs.example.test/sds.pdf"),
        ("PRODUCT_DATA_SHEET", "Produktdatablad", "https://docs.example.test/pds.pdf"),
    ]
    assert reindexed == [[stored.id]]


async def test_price_is_stored_exactly_in_ore(client: httpx.AsyncClient, database: Database, erp: str) -> None:
    from sqlalchemy import text

    items = [product("P-1", listPrice="0.10"), product("P-2", listPrice=12.5), product("P-3", listPrice="10000000.00")]
    assert (await send(client, UPSERT_PRODUCTS, items, erp))["created"] == 3
    async with database.reader() as session:
        raw = dict((await session.execute(text("SELECT sku, list_price FROM products"))).all())
    assert raw == {"P-1": 10, "P-2": 1250, "P-3": 1_000_000_000}


async def test_defaults_of_a_new_product(client: httpx.AsyncClient, database: Database, erp: str) -> None:
    await send(client, UPSERT_PRODUCTS, [product("MIN-1")], erp)
    stored = await stored_product(database, "MIN-1")
    assert stored is not None
    assert (stored.description, stored.manufacturer, stored.pack_size) == (None, None, None)
    assert stored.product_type is ProductType.STANDARD
    assert stored.active is True
    assert await stored_images(database, "MIN-1") == []


async def test_values_are_trimmed(client: httpx.AsyncClient, database: Database, erp: str) -> None:
    item = product("  TRIM-1 ", name="  Navn  ", unit=" stk ", categoryPath=["  Forbruks   materiell ", " Hansker"])
    await send(client, UPSERT_PRODUCTS, [item], erp)
    stored = await stored_product(database, "TRIM-1")
    assert stored is not None and (stored.name, stored.unit) == ("Navn", "stk")
    assert await category_names(database, stored.category_id) == ["Forbruks materiell", "Hansker"]
    # The same product sent untrimmed again is the same product, unchanged.
    assert (await send(client, UPSERT_PRODUCTS, [item], erp))["unchanged"] == 1


# ---------------------------------------------------------------- idempotence and partial updates


async def test_same_batch_twice_is_unchanged_the_second_time(
    client: httpx.AsyncClient, database: Database, erp: str, reindexed: list[list[int]]
) -> None:
    batch = [FULL, product("B-1"), product("B-2", active=False, images=[])]
    first = await send(client, UPSERT_PRODUCTS, batch, erp)
    assert (first["created"], first["updated"], first["unchanged"]) == (3, 0, 0)
    before = {
        row[0]: row[1:] for row in await rows(database, select(Product.sku, Product.updated_at, Product.content_hash))
    }
    image_ids = [row[0] for row in await rows(database, select(ProductImage.id))]

    second = await send(client, UPSERT_PRODUCTS, batch, erp)
    assert second == {"created": 0, "updated": 0, "unchanged": 3, "errors": []}
    after = {
        row[0]: row[1:] for row in await rows(database, select(Product.sku, Product.updated_at, Product.content_hash))
    }
    assert after == before
    assert [row[0] for row in await rows(database, select(ProductImage.id))] == image_ids
    assert len(reindexed) == 1  # nothing to reindex the second time


async def test_a_change_updates_and_left_out_fields_keep_their_value(
    client: httpx.AsyncClient, database: Database, erp: str, reindexed: list[list[int]]
) -> None:
    await send(client, UPSERT_PRODUCTS, [FULL], erp)
    # Only the required fields, with a new price: everything optional stays.
    change = product("NH-100-M", name=FULL["name"], listPrice="139.00")
    payload = await send(client, UPSERT_PRODUCTS, [change], erp)
    assert (payload["created"], payload["updated"], payload["unchanged"]) == (0, 1, 0)
    stored = await stored_product(database, "NH-100-M")
    assert stored is not None
    assert stored.list_price == Decimal("139.00")
    assert stored.description == FULL["description"] and stored.manufacturer == "Abena"
    assert stored.pack_size == 100 and stored.product_type is ProductType.NUTRITION
    assert len(await stored_images(database, "NH-100-M")) == 2
    assert len(await stored_documents(database, "NH-100-M")) == 2
    assert len(reindexed) == 1  # the price is not indexed text: no reindex

    # Sent again as it is now, with the optional fields left out or given alike: unchanged.
    assert (await send(client, UPSERT_PRODUCTS, [change], erp))["unchanged"] == 1
    assert (await send(client, UPSERT_PRODUCTS, [{**FULL, "listPrice": "139.00"}], erp))["unchanged"] == 1


async def test_indexed_text_change_reindexes(
    client: httpx.AsyncClient, database: Database, erp: str, reindexed: list[list[int]]
) -> None:
    await send(client, UPSERT_PRODUCTS, [product("R-1"), product("R-2"), product("R-3")], erp)
    ids = {row[0]: row[1] for row in await rows(database, select(Product.sku, Product.id))}
    batch = [
        product("R-1", name="Nytt navn"),
        product("R-2", categoryPath=["Forbruksmateriell", "Sprøyter"]),
        product("R-3", listPrice="1.00"),
        product("R-4"),
    ]
    payload = await send(client, UPSERT_PRODUCTS, batch, erp)
    assert (payload["created"], payload["updated"]) == (1, 3)
    new_id = (await stored_product(database, "R-4")).id  # type: ignore[union-attr]
    assert len(reindexed) == 2
    assert sorted(reindexed[1]) == sorted([ids["R-1"], ids["R-2"], new_id])


async def test_given_lists_replace_and_empty_lists_clear(
    client: httpx.AsyncClient, database: Database, erp: str
) -> None:
    await send(client, UPSERT_PRODUCTS, [FULL], erp)
    new_images = [{"url": "https://cdn.example.test/new.jpg"}]
    payload = await send(client, UPSERT_PRODUCTS, [{**FULL, "images": new_images, "documents": []}], erp)
    assert payload["updated"] == 1
    assert await stored_images(database, "NH-100-M") == [("https://cdn.example.test/new.jpg", None)]
    assert await stored_documents(database, "NH-100-M") == []
    assert await count(database, ProductDocument) == 0
    # Reordering images is a change.
    two = [{"url": "https://a.test/1.jpg"}, {"url": "https://a.test/2.jpg"}]
    await send(client, UPSERT_PRODUCTS, [{**FULL, "images": two}], erp)
    payload = await send(client, UPSERT_PRODUCTS, [{**FULL, "images": two[::-1]}], erp)
    assert payload["updated"] == 1
    assert [url for url, _ in await stored_images(database, "NH-100-M")] == [
        "https://a.test/2.jpg",
        "https://a.test/1.jpg",
    ]


async def test_empty_text_removes_description_and_manufacturer(
    client: httpx.AsyncClient, database: Database, erp: str
) -> None:
    await send(client, UPSERT_PRODUCTS, [FULL], erp)
    payload = await send(client, UPSERT_PRODUCTS, [{**FULL, "description": "", "manufacturer": "  "}], erp)
    assert payload["updated"] == 1
    stored = await stored_product(database, "NH-100-M")
    assert stored is not None and (stored.description, stored.manufacturer) == (None, None)


async def test_active_false_is_stored_and_kept(client: httpx.AsyncClient, database: Database, erp: str) -> None:
    await send(client, UPSERT_PRODUCTS, [product("ACT-1")], erp)
    assert (await send(client, UPSERT_PRODUCTS, [product("ACT-1", active=False)], erp))["updated"] == 1
    assert (await stored_product(database, "ACT-1")).active is False  # type: ignore[union-attr]
    # Left out: stays hidden; and that is no change.
    assert (await send(client, UPSERT_PRODUCTS, [product("ACT-1")], erp))["unchanged"] == 1
    assert (await stored_product(database, "ACT-1")).active is False  # type: ignore[union-attr]
    assert (await send(client, UPSERT_PRODUCTS, [product("ACT-1", active=True)], erp))["updated"] == 1
    assert (await stored_product(database, "ACT-1")).active is True  # type: ignore[union-attr]


async def test_stock_is_not_touched_by_a_product_update(
    client: httpx.AsyncClient, database: Database, erp: str
) -> None:
    await send(client, UPSERT_PRODUCTS, [product("S-1")], erp)
    await send(client, SET_STOCK, [{"sku": "S-1", "quantity": 40}], erp)
    await send(client, UPSERT_PRODUCTS, [product("S-1", name="Annet navn")], erp)
    assert (await stored_product(database, "S-1")).stock_quantity == 40  # type: ignore[union-attr]


async def test_mixed_batch_counts_each_kind(client: httpx.AsyncClient, database: Database, erp: str) -> None:
    await send(client, UPSERT_PRODUCTS, [product("M-1"), product("M-2")], erp)
    batch = [product("M-1"), product("M-2", listPrice="1.00"), product("M-3"), product("M-4", listPrice="-1")]
    payload = await send(client, UPSERT_PRODUCTS, batch, erp)
    assert (payload["created"], payload["updated"], payload["unchanged"]) == (1, 1, 1)
    assert codes(payload) == [("INVALID_INPUT", "items.3.listPrice")]


# ---------------------------------------------------------------- bad items


BAD_ITEMS: list[tuple[str, dict[str, Any], str]] = [
    ("negative price", {"listPrice": "-0.01"}, "listPrice"),
    ("three decimals", {"listPrice": "12.345"}, "listPrice"),
    ("absurd price", {"listPrice": "10000000.01"}, "listPrice"),
    ("huge exponent", {"listPrice": "1E+30"}, "listPrice"),
    ("not a number", {"listPrice": "NaN"}, "listPrice"),
    ("infinite", {"listPrice": "Infinity"}, "listPrice"),
    ("empty sku", {"sku": "  "}, "sku"),
    ("long sku", {"sku": "X" * 65}, "sku"),
    ("empty name", {"name": ""}, "name"),
    ("long name", {"name": "n" * 301}, "name"),
    ("empty unit", {"unit": " "}, "unit"),
    ("long unit", {"unit": "u" * 51}, "unit"),
    ("long manufacturer", {"manufacturer": "m" * 201}, "manufacturer"),
    ("long description", {"description": "d" * 20_001}, "description"),
    ("pack size 0", {"packSize": 0}, "packSize"),
    ("pack size negative", {"packSize": -5}, "packSize"),
    ("empty category path", {"categoryPath": []}, "categoryPath"),
    ("empty category name", {"categoryPath": ["Forbruksmateriell", " "]}, "categoryPath.1"),
    ("long category name", {"categoryPath": ["c" * 201]}, "categoryPath.0"),
    ("deep category path", {"categoryPath": [f"N{i}" for i in range(11)]}, "categoryPath"),
    ("ftp image", {"images": [{"url": "ftp://x.test/a.jpg"}]}, "images.0.url"),
    ("javascript image", {"images": [{"url": "javascript:alert(1)"}]}, "images.0.url"),
    ("relative image", {"images": [{"url": "/img/a.jpg"}]}, "images.0.url"),
    ("spaces in url", {"images": [{"url": "https://x.test/a b.jpg"}]}, "images.0.url"),
    ("long image url", {"images": [{"url": "https://x.test/" + "a" * 2000}]}, "images.0.url"),
    ("long alt", {"images": [{"url": "https://x.test/a.jpg", "alt": "a" * 301}]}, "images.0.alt"),
    ("too many images", {"images": [{"url": f"https://x.test/{i}.jpg"} for i in range(51)]}, "images"),
    (
        "bad document url",
        {
            "documents": [
                {"kind": "OTHER", "title": "T", "url": "https://ok.test/1"},
                {"kind": "OTHER", "title": "T", "url": "mailto:a@b.no"},
            ]
        },
        "documents.1.url",
    ),
    (
        "empty document title",
        {"documents": [{"kind": "OTHER", "title": "", "url": "https://ok.test/1"}]},
        "documents.0.title",
    ),
]


@pytest.mark.parametrize(("change", "field"), [(c, f) for _, c, f in BAD_ITEMS], ids=[n for n, _, _ in BAD_ITEMS])
async def test_a_bad_item_is_reported_and_the_good_ones_applied(
    client: httpx.AsyncClient, database: Database, erp: str, change: dict[str, Any], field: str
) -> None:
    batch = [product("GOOD-1"), {**product("BAD-1"), **change}, product("GOOD-2")]
    payload = await send(client, UPSERT_PRODUCTS, batch, erp)
    assert codes(payload) == [("INVALID_INPUT", f"items.1.{field}")]
    assert payload["errors"][0]["message"]
    assert (payload["created"], payload["updated"], payload["unchanged"]) == (2, 0, 0)
    skus = {row[0] for row in await rows(database, select(Product.sku))}
    assert skus == {"GOOD-1", "GOOD-2"}


@pytest.mark.parametrize("name", ["Hanske\x00", "Hanske \ud800"], ids=["NUL", "lone surrogate"])
async def test_unstorable_text_refuses_the_whole_batch_at_the_edge(
    client: httpx.AsyncClient, database: Database, erp: str, name: str
) -> None:
    # NUL and lone surrogates are refused before anything executes (app/http/input_hygiene.py),
    # with the item's path, rather than failing in the database halfway.
    batch = [product("GOOD-1"), {**product("BAD-1"), "name": name}, product("GOOD-2")]
    body = json.dumps({"query": UPSERT_PRODUCTS, "variables": {"items": batch}})
    response = await client.post(
        "/graphql", content=body, headers={"content-type": "application/json", "authorization": f"Bearer {erp}"}
    )
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "INVALID_INPUT" and "items.1.name" in error["message"]
    assert await rows(database, select(Product.sku)) == []


async def test_a_bad_update_leaves_the_stored_product_alone(
    client: httpx.AsyncClient, database: Database, erp: str
) -> None:
    await send(client, UPSERT_PRODUCTS, [FULL], erp)
    payload = await send(client, UPSERT_PRODUCTS, [{**FULL, "name": "Nytt navn", "listPrice": "-5"}], erp)
    assert codes(payload) == [("INVALID_INPUT", "items.0.listPrice")]
    stored = await stored_product(database, "NH-100-M")
    assert stored is not None and stored.name == FULL["name"] and stored.list_price == Decimal("129.90")


async def test_every_problem_of_an_item_is_reported(client: httpx.AsyncClient, database: Database, erp: str) -> None:
    bad = product("", name="", unit="", listPrice="-1", packSize=0, categoryPath=[])
    payload = await send(client, UPSERT_PRODUCTS, [bad], erp)
    assert {field for _, field in codes(payload)} == {
        "items.0.sku",
        "items.0.name",
        "items.0.unit",
        "items.0.listPrice",
        "items.0.packSize",
        "items.0.categoryPath",
    }
    assert await count(database, Product) == 0


async def test_a_duplicate_sku_refuses_the_later_item(client: httpx.AsyncClient, database: Database, erp: str) -> None:
    batch = [product("D-1", name="Første"), product("D-2"), product(" D-1", name="Andre"), product("d-1")]
    payload = await send(client, UPSERT_PRODUCTS, batch, erp)
    assert codes(payload) == [("INVALID_INPUT", "items.2.sku")]
    assert payload["created"] == 3  # D-1, D-2 and d-1: SKUs are case-sensitive
    assert (await stored_product(database, "D-1")).name == "Første"  # type: ignore[union-attr]


async def test_a_duplicate_of_a_bad_item_is_refused_too(
    client: httpx.AsyncClient, database: Database, erp: str
) -> None:
    batch = [product("D-1", listPrice="-1"), product("D-1")]
    payload = await send(client, UPSERT_PRODUCTS, batch, erp)
    assert codes(payload) == [("INVALID_INPUT", "items.0.listPrice"), ("INVALID_INPUT", "items.1.sku")]
    assert await count(database, Product) == 0


async def test_unparseable_decimal_is_a_request_error(client: httpx.AsyncClient, database: Database, erp: str) -> None:
    result = await gql(
        client, UPSERT_PRODUCTS, {"items": [product("X-1", listPrice="12,50")]}, token=erp, expect_status=400
    )
    assert error_codes(result) == ["INVALID_INPUT"]
    assert await count(database, Product) == 0


# ---------------------------------------------------------------- one transaction, audit


async def test_a_database_failure_applies_nothing(
    client: httpx.AsyncClient, database: Database, erp: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    await send(client, UPSERT_PRODUCTS, [product("KEEP-1")], erp)

    async def failing(session: Any, product_ids: Any) -> None:
        from sqlalchemy import text

        await session.execute(text("SELECT * FROM no_such_table"))

    monkeypatch.setattr(search, "reindex", failing)
    audits = await count(database, AuditEntry)
    result = await gql(
        client,
        UPSERT_PRODUCTS,
        {"items": [product("NEW-1"), product("KEEP-1", name="Endret"), product("NEW-2", categoryPath=["Ny"])]},
        token=erp,
    )
    assert error_codes(result) == ["INTERNAL"]
    assert "no_such_table" not in str(result)
    assert {row[0] for row in await rows(database, select(Product.sku))} == {"KEEP-1"}
    assert (await stored_product(database, "KEEP-1")).name != "Endret"  # type: ignore[union-attr]
    assert await count(database, Category, Category.name == "Ny") == 0
    assert await count(database, AuditEntry) == audits


async def test_each_batch_is_audited_with_the_key_as_actor(
    client: httpx.AsyncClient, database: Database, erp: str
) -> None:
    await send(client, UPSERT_PRODUCTS, [product("A-1"), product("A-2")], erp)
    await send(
        client, UPSERT_PRODUCTS, [product("A-1"), product("A-2", listPrice="1"), {**product("A-3"), "sku": ""}], erp
    )
    entries = await audit_entries(database, "erp.products_upserted")
    assert [entry.details for entry in entries] == [
        {"created": 2, "updated": 0, "unchanged": 0, "rejected": 0},
        {"created": 0, "updated": 1, "unchanged": 1, "rejected": 1},
    ]
    key_id = (await rows(database, select(AuditEntry.actor_api_key_id)))[0][0]
    assert key_id is not None and all(entry.actor_user_id is None for entry in entries)
    assert all(entry.actor_api_key_id == key_id for entry in entries)


# ---------------------------------------------------------------- a full batch


def _big_batch(size: int, price: str = "49.50") -> list[dict[str, Any]]:
    groups = ["Hansker", "Sprøyter", "Bandasjer", "Desinfeksjon", "Kanyler"]
    return [
        product(
            f"BULK-{n:05d}",
            name=f"Produkt {n} nitrilhanske pudderfri",
            description="Til engangsbruk. Lateksfri.",
            manufacturer="Abena",
            packSize=100,
            listPrice=price,
            categoryPath=["Forbruksmateriell", groups[n % 5], f"Serie {n % 20}"],
            images=[{"url": f"https://cdn.example.test/{n}.jpg"}],
            documents=[
                {"kind": "PRODUCT_DATA_SHEET", "title": "Datablad", "url": f"https://docs.example.test/{n}.pdf"}
            ],
        )
        for n in range(size)
    ]


async def test_a_batch_of_1000_applies(
    client: httpx.AsyncClient, database: Database, erp: str, backend: str, reindexed: list[list[int]]
) -> None:
    batch = _big_batch(1000)
    started = time.perf_counter()
    payload = await send(client, UPSERT_PRODUCTS, batch, erp)
    created_in = time.perf_counter() - started
    assert payload == {"created": 1000, "updated": 0, "unchanged": 0, "errors": []}
    assert await count(database, Product) == 1000
    assert await count(database, ProductImage) == 1000
    assert await count(database, ProductDocument) == 1000
    assert await count(database, Category) == 1 + 5 + 5 * 4  # each group holds 4 of the 20 series
    assert len(reindexed) == 1 and len(reindexed[0]) == 1000

    started = time.perf_counter()
    payload = await send(client, UPSERT_PRODUCTS, batch, erp)
    repeated_in = time.perf_counter() - started
    assert payload == {"created": 0, "updated": 0, "unchanged": 1000, "errors": []}

    started = time.perf_counter()
    payload = await send(client, UPSERT_PRODUCTS, _big_batch(1000, price="51.00"), erp)
    updated_in = time.perf_counter() - started
    assert payload["updated"] == 1000
    assert await count(database, Product, Product.list_price == Decimal("51.00")) == 1000
    print(
        f"\n[{backend}] 1,000 products: created in {created_in:.2f}s, "
        f"repeated in {repeated_in:.2f}s, price-updated in {updated_in:.2f}s"
    )
