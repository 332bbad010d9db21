"""Bokmål and Nynorsk forms of a noun meet, and -er/-el nouns in every form (both databases)."""

from __future__ import annotations

import pytest

from app.db import Database
from tests.catalog.small_catalogue import build, found

TREE = {"Forbruk": None, "Hansker": "Forbruk", "Urologi": None, "Urinkatetre": "Urologi", "Diagnostikk": None}
PRODUCTS = {
    "Nitrilhanske blå str M": "Hansker",
    "Urinkateter Nelaton CH 14": "Urinkatetre",
    "Kanyle 21G grønn": "Forbruk",
    "Sprøyte 10 ml": "Forbruk",
    "Munnbind type IIR": "Forbruk",
    "Digitalt termometer": "Diagnostikk",
    "Teststrimler 50 stk": "Diagnostikk",
    "Desinfeksjonsmiddel overflate": "Forbruk",
    "Plastforkle engangs": "Forbruk",
    "Fingerplaster tekstil": "Forbruk",
}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # Nynorsk plurals and definite forms, Bokmål's too.
        ("hanskar", "Nitrilhanske blå str M"),
        ("hanskane", "Nitrilhanske blå str M"),
        ("hanskene", "Nitrilhanske blå str M"),
        ("kanylar", "Kanyle 21G grønn"),
        ("kanylane", "Kanyle 21G grønn"),
        ("sprøyta", "Sprøyte 10 ml"),
        ("munnbinda", "Munnbind type IIR"),
        # -er/-el nouns (syncope), by rule: none of these is in a list.
        ("katetre", "Urinkateter Nelaton CH 14"),
        ("kateteret", "Urinkateter Nelaton CH 14"),
        ("katetra", "Urinkateter Nelaton CH 14"),
        ("kateter", "Urinkateter Nelaton CH 14"),
        ("termometre", "Digitalt termometer"),
        ("termometra", "Digitalt termometer"),
        ("strimmel", "Teststrimler 50 stk"),
        ("midler", "Desinfeksjonsmiddel overflate"),
    ],
)
async def test_forms_meet(database: Database, query: str, expected: str) -> None:
    ids = await build(database, TREE, PRODUCTS)
    assert (await found(database, ids, query))[:1] == [expected]


async def test_the_product_that_is_it_comes_before_a_word_that_only_looks_alike(database: Database) -> None:
    ids = await build(database, TREE, PRODUCTS, {"Plastforkle engangs": "Forkle av plast."})
    # "plaster" may be the plural of "plast" (no rule can tell): the plaster first, the apron after.
    assert await found(database, ids, "plaster") == ["Fingerplaster tekstil", "Plastforkle engangs"]
    assert (await found(database, ids, "plastre"))[:1] == ["Fingerplaster tekstil"]
    # The category (Urinkatetre) reads as "katetre" and the name as "kateter": one product, found once.
    assert await found(database, ids, "urinkatetre") == ["Urinkateter Nelaton CH 14"]
