"""Typed compounds split into the catalogue's words (both databases), and the rule itself (pure)."""

from __future__ import annotations

from app.catalog import compounds, search
from app.catalog.search import SearchQuery
from app.db import Database
from tests.catalog.small_catalogue import build, found
from tests.helpers.sql import count_statements

# name, category (under its parent)
PRODUCTS = {
    "Nitrilhanske pudderfri str M": "Nitrilhansker",
    "Vinylhanske hvit str L": "Vinylhansker",
    "Plasthanske PE engangs": "Undersøkelseshansker",
    "Sprøyte BD engangs 10 ml": "Sprøyter",
    "Gasbindkompress usteril 10x10 cm": "Kompresser",
    "Kateteriseringssett med hansker og kompresser": "Katetre",
    "Sårskyllevæske 350 ml": "Sårrens",
}
TREE = {
    "Hansker": None,
    "Undersøkelseshansker": "Hansker",
    "Nitrilhansker": "Undersøkelseshansker",
    "Vinylhansker": "Undersøkelseshansker",
    "Sårbehandling": None,
    "Kompresser": "Sårbehandling",
    "Sårrens": "Sårbehandling",
    "Injeksjon": None,
    "Sprøyter": "Injeksjon",
    "Katetre": "Injeksjon",
}


DESCRIPTIONS = {"Sårskyllevæske 350 ml": "Til rengjøring av sår."}


async def _catalogue(database: Database) -> dict[str, int]:
    return await build(database, TREE, PRODUCTS, DESCRIPTIONS)


async def _found(database: Database, names: dict[str, int], query: str) -> list[str]:
    return await found(database, names, query)


async def test_a_typed_compound_finds_its_parts(database: Database) -> None:
    names = await _catalogue(database)
    # Not a word of the catalogue: sår (a word in a description; the start of the category above
    # Kompresser) + kompress (the head).
    assert await _found(database, names, "sårkompresser") == ["Gasbindkompress usteril 10x10 cm"]
    # engang+s+hansker: every part must match, so only the glove sold as "engangs".
    assert await _found(database, names, "engangshansker") == ["Plasthanske PE engangs"]
    # ... and engang+s+sprøyter finds the syringe, not the gloves.
    assert await _found(database, names, "engangssprøyter") == ["Sprøyte BD engangs 10 ml"]
    # The reverse still works: a word finds the compounds that end in it, what it is first.
    found = await _found(database, names, "hansker")
    assert found[-1] == "Kateteriseringssett med hansker og kompresser"
    assert set(found[:3]) == {"Nitrilhanske pudderfri str M", "Vinylhanske hvit str L", "Plasthanske PE engangs"}


async def test_the_head_weighs_most(database: Database) -> None:
    names = await _catalogue(database)
    # nitril (the first part of "Nitrilhanske") + kompress: nothing is both, so no match of every
    # part; what comes is the relaxed query's (any part), flagged as such ...
    async with database.reader() as session:
        result = await search.search(session, SearchQuery(text="nitrilkompresser"))
    assert result.relaxed and result.total == 3
    # ... while a word that is not a compound of known words is not split (no nonsense parts).
    assert await _found(database, names, "xyzqwhansker") == []


async def test_a_split_costs_one_statement_and_a_typo_none(database: Database) -> None:
    names = await _catalogue(database)
    assert names
    # A typo's rows are unknown, so on PostgreSQL it is read by levels, whose planner settings are
    # set and put back around the search (search._steered): two statements, not the typo's.
    steering = 2 if database.engine.dialect.name == "postgresql" else 0
    for query, statements in (("hansker", 2), ("hanksker", 2 + steering), ("sårkompresser", 4)):
        async with database.reader() as session:
            with count_statements(database) as log:
                await search.search(session, SearchQuery(text=query))
        # prepare, search; a compound: prepare, split lookup, prepare the parts, search
        assert log.count == statements, (query, log.statements)


def test_split_rule() -> None:
    whole = {"sår", "engangs", "engang", "hansk", "steril", "steri", "kompress", "blodsukk"}
    known = whole | {"lhansk", "striml"}
    assert compounds.split("sårkompresser", whole, known) == [("sår", "sår"), ("kompresser", "kompress")]
    assert compounds.split("engangshansker", whole, known) == [("engangs", "engangs"), ("hansker", "hansk")]
    # A head that is a whole word beats a longer one that is only a compound's tail.
    assert compounds.split("sterilhansker", whole, known) == [("steril", "steril"), ("hansker", "hansk")]
    # The head may be a tail when nothing better is there.
    assert compounds.split("blodsukkerstrimler", whole, known) == [("blodsukker", "blodsukk"), ("strimler", "striml")]
    # Three parts when two will not do.
    assert compounds.split("sårsterilkompress", whole, known) == [
        ("sår", "sår"),
        ("steril", "steril"),
        ("kompress", "kompress"),
    ]
    assert compounds.split("hansker", whole, known) is None  # too short to split into two known parts
    assert compounds.split("abc123", whole, known) is None
    assert compounds.candidates("x" * 10_000)  # long input: bounded work (two parts only)


def test_a_modifier_may_be_the_first_part_of_a_longer_word_only_when_nothing_better() -> None:
    whole = {"kanyl", "penn", "sår"}
    known = whole | {"kompress"}
    # "insulin" is no word of its own here, only the start of "insulinsprøyt": still a modifier.
    assert compounds.split("insulinkanyler", whole, known) is None
    assert compounds.split("insulinkanyler", whole, known, {"insulin"}) == [
        ("insulin", "insulin"),
        ("kanyler", "kanyl"),
    ]
    # A split of whole words wins over one with a first part.
    assert compounds.split("pennkanyler", whole, known, {"pennk"}) == [("penn", "penn"), ("kanyler", "kanyl")]
    # Short first parts are not taken (too many words start with them).
    assert compounds.split("sårkanyler", {"kanyl"}, {"kanyl"}, {"sår"}) is None
    assert "insulin" in compounds.first_parts("insulinkanyler")


async def test_a_typed_compound_whose_first_part_only_starts_words(database: Database) -> None:
    products = {
        "Pennkanyle Micro-Fine 4 mm": "Kanyler",
        "Insulinsprøyte Micro-Fine 0,5 ml": "Sprøyter",
        "Kanyle Microlance 21G": "Kanyler",
    }
    tree = {"Injeksjon": None, "Kanyler": "Injeksjon", "Sprøyter": "Injeksjon"}
    descriptions = {"Pennkanyle Micro-Fine 4 mm": "Til insulinpenn.", "Insulinsprøyte Micro-Fine 0,5 ml": "Med kanyle."}
    names = await build(database, tree, products, descriptions)
    # insulin (only inside "insulinpenn", "Insulinsprøyte") + kanyler: every part must match.
    result = await _found(database, names, "insulinkanyler")
    assert result[0] == "Pennkanyle Micro-Fine 4 mm"
    assert set(result) == {"Pennkanyle Micro-Fine 4 mm", "Insulinsprøyte Micro-Fine 0,5 ml"}
    async with database.reader() as session:
        with count_statements(database) as log:
            await search.search(session, SearchQuery(text="insulinkanyler"))
    assert log.count == 4, log.statements  # prepare, split lookup, prepare the parts, search
