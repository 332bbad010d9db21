"""Norwegian text for search: folding, words, the light stemmer, typo distance; and the index rows of a product."""

from __future__ import annotations

import pytest

from app.catalog import search
from app.catalog.text import (
    ascii_spelling_alternative,
    deletions,
    fold,
    readings,
    sku_key,
    stem,
    stems,
    tokens,
    within_one_edit,
    words,
)


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("HANSKER", "hansker"),
        ("Sårskyllevæske", "sårskyllevæske"),
        ("ÆØÅ æøå", "æøå æøå"),
        ("Crème Légère", "creme legere"),  # other accents go
        ("Mölnlycke", "mølnlycke"),  # ö is the Swedish/German ø
        ("Bäckmann", "bæckmann"),  # ä is æ
        ("Müller", "muller"),
        ("Straße", "strasse"),
        ("sa\u030ar", "sår"),  # decomposed å (NFD input) is å
        ("e\u0301", "e"),
    ],
)
def test_fold_keeps_norwegian_letters_and_strips_other_accents(raw: str, folded: str) -> None:
    assert fold(raw) == folded


def test_tokens_are_letters_or_digits() -> None:
    assert tokens("Kompress 10x10 cm, 20ml (steril) – Art.nr 10-2345") == [
        "kompress",
        "10",
        "x",
        "10",
        "cm",
        "20",
        "ml",
        "steril",
        "art",
        "nr",
        "10",
        "2345",
    ]
    assert tokens("Sårskyllevæske/Bløtgjørende") == ["sårskyllevæske", "bløtgjørende"]
    assert tokens(None) == [] and tokens("  – ") == []


def test_words_leave_out_stopwords_and_product_name_abbreviations() -> None:
    assert words("Hansker av nitril og vinyl, str M, 100 stk") == ["hansker", "nitril", "vinyl", "m", "100"]


# Every form of a noun meets at one stem.
@pytest.mark.parametrize(
    "forms",
    [
        ("hanske", "hansken", "hansker", "hanskene"),
        ("kompress", "kompressen", "kompresser", "kompressene"),
        ("sprøyte", "sprøyten", "sprøyter", "sprøytene"),
        ("bandasje", "bandasjen", "bandasjer", "bandasjene"),
        ("holder", "holderen", "holdere", "holderne"),
        ("utstyr", "utstyret"),
        ("sett", "settet", "settene"),
        ("nyhet", "nyheten", "nyheter", "nyhetene"),
        ("kvalitet", "kvaliteten", "kvaliteter"),
        ("pose", "posen", "poser", "posene"),
        # Nynorsk: -ar/-ane plurals, -a definite forms.
        ("hanske", "hansken", "hanskar", "hanskane", "hansker", "hanskene"),
        ("kompress", "kompressar", "kompressane"),
        ("kanyle", "kanylar", "kanylane", "kanyler"),
        ("sprøyte", "sprøyta", "sprøyter", "sprøytene"),
        ("munnbind", "munnbindet", "munnbinda", "munnbindene"),
    ],
)
def test_singular_plural_and_definite_forms_share_a_stem(forms: tuple[str, ...]) -> None:
    assert len({stem(form) for form in forms}) == 1, {form: stem(form) for form in forms}


# -er/-el nouns that lose the e (syncope): by a rule, not a list. Each form is indexed under
# its own stem; a typed form reads as every stem the rule allows, which includes every
# other form's.
@pytest.mark.parametrize(
    "forms",
    [
        ("kateter", "kateteret", "katetre", "katetrene", "katetere", "katetra"),
        ("plaster", "plasteret", "plastre", "plastrene"),
        ("middel", "midlet", "midler", "midlene"),
        ("termometer", "termometeret", "termometre", "termometra"),
        ("nummer", "nummeret", "numre", "numrene"),
        ("strimmel", "strimler", "strimlene"),
        ("nøkkel", "nøkler", "nøklene"),
        ("kapsel", "kapselen", "kapsler"),
    ],
)
def test_syncope_forms_read_as_each_other(forms: tuple[str, ...]) -> None:
    missing = {(typed, indexed) for typed in forms for indexed in forms if stem(indexed) not in readings(typed)}
    assert not missing, missing


def test_readings_of_other_words() -> None:
    assert readings("hanske") == {"hansk"}
    assert readings("10") == {"10"}
    assert "hansk" in readings("hansker")


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("hansker", "hansk"),
        ("kompressene", "kompress"),
        ("sprøytene", "sprøyt"),
        ("katetre", "katetr"),
        ("kateter", "katet"),
        ("plaster", "plast"),
        ("bandasjer", "bandasj"),
        # Compounds keep their head; the inflection goes at the end.
        ("nitrilhansker", "nitrilhansk"),
        ("undersøkelseshanske", "undersøkelseshansk"),
        ("skumkompresser", "skumkompress"),
        ("urinkatetre", "urinkatetr"),
        ("fingerplaster", "fingerplast"),
        ("desinfeksjonsmidler", "desinfeksjonsmidl"),
        ("sårskyllevæske", "sårskyllevæsk"),
        ("bløtgjørende", "bløtgjørend"),
    ],
)
def test_stems(word: str, expected: str) -> None:
    assert stem(word) == expected


@pytest.mark.parametrize(
    "word",
    [
        "sår",  # too short to lose anything
        "gel",
        "kne",  # no vowel would be left
        "sett",
        "nitril",
        "steril",
        "10",
        "xl",
    ],
)
def test_words_that_stay_as_they_are(word: str) -> None:
    assert stem(word) == word


def test_stemming_is_conservative_across_different_words() -> None:
    # Different nouns do not meet.
    assert stem("hanske") != stem("hanskerom") and stem("kompress") != stem("kompresjon")
    # (plaster/plast do meet: "plaster" may be the plural of "plast"; ranking puts what a product is first.)
    # -het and -itet are not definite endings: nyhet/nyheter, kvalitet/kvaliteter.
    assert stem("nyhet") == "nyhet" and stem("kvalitet") == "kvalitet"


def test_stems_of_a_text() -> None:
    assert stems("Sterile nitrilhansker i esken") == ["steril", "nitrilhansk", "esk"]
    assert stems(None) == []


def test_sku_key_keeps_letters_and_digits() -> None:
    assert sku_key("10-2345") == "102345"
    assert sku_key(" AB 10/23.45 ") == "ab102345"
    assert sku_key("") == "" and sku_key(None) == ""
    assert len(sku_key("9" * 200)) <= 90  # room in the 100-character key


def test_ascii_spellings_of_norwegian_letters() -> None:
    assert ascii_spelling_alternative("saarskyllevaeske") == "sårskyllevæske"
    assert ascii_spelling_alternative("bloetgjoerende") == "bløtgjørende"
    assert ascii_spelling_alternative("hansker") is None


def test_deletions() -> None:
    assert deletions("hansk") == {"hansk", "ansk", "hnsk", "hask", "hank", "hans"}


@pytest.mark.parametrize(
    ("a", "b", "close"),
    [
        ("kompress", "kompress", True),
        ("kompres", "kompress", True),  # a letter left out
        ("hanksk", "hansk", True),  # a letter too many
        ("hamsk", "hansk", True),  # a letter replaced
        ("bandajs", "bandasj", True),  # two neighbours swapped
        ("kompr", "kompress", False),
        ("hnsk", "hanske", False),
        ("ab", "ba", True),
        ("abc", "cab", False),
        ("sprøyt", "sprøyte", True),
        ("sprøyt", "spryte", False),
    ],
)
def test_within_one_edit(a: str, b: str, close: bool) -> None:
    assert within_one_edit(a, b) is close
    assert within_one_edit(b, a) is close


# --- the index rows of one product (pure) ---------------------------------------

DOC = search.IndexedProduct(
    id=7,
    sku="10-2345",
    name="Nitrilhansker pudderfri blå",
    description="Undersøkelseshansker av nitril. Pudderfri og teksturert.",
    manufacturer="Abena",
    category_names=("Forbruksmateriell", "Hansker", "Nitrilhansker"),
)


def test_index_terms_of_a_product() -> None:
    terms = search.index_terms(DOC)
    assert terms["#102345|S"] == search.WEIGHTS["S"]
    # Whole words of the name; the compound's tails (the word inside it), lower.
    assert terms["blå|N"] == 100
    assert terms["dderfri|n"] == 81
    # Also in a category (the product is a glove): above any place alone.
    assert terms["nitrilhansk|A"] == 300
    assert terms["hansk|a"] == 281
    # Manufacturer; categories alone; a description word that is also in the name keeps the name's code.
    assert terms["aben|O"] == 50  # Abena: a final -a (Nynorsk definite) goes, the same way in queries
    assert terms["forbruksmateriell|C"] == 200
    assert terms["pudderfri|N"] == 100
    assert terms["nitril|D"] == 20
    assert terms["undersøkelseshansk|D"] == 20
    # One code a stem; description words give no tails, stopwords nothing.
    stems_seen = [key.rsplit("|", 1)[0] for key in terms]
    assert len(stems_seen) == len(set(stems_seen))
    assert "sk|n" not in terms and not any(key.startswith("av|") for key in terms)
    assert not any(key.startswith("ndersøkelseshansk|") for key in terms)
    # Compact: tens of rows, each key short enough for the column.
    assert 20 <= len(terms) <= 60
    assert all(len(key) <= 100 for key in terms)


def test_a_word_in_the_category_outranks_the_same_word_elsewhere() -> None:
    def terms(name: str, description: str | None, categories: tuple[str, ...]) -> dict[str, int]:
        return search.index_terms(search.IndexedProduct(1, "1", name, description, None, categories))

    kit = terms("Kateteriseringssett med hansker", None, ("Injeksjon", "Katetre"))
    glove = terms("Nitrilhanske", None, ("Forbruksmateriell", "Hansker"))
    plain_glove = terms("Vare", "Hansker i nitril.", ("Forbruksmateriell", "Hansker"))
    unnamed_glove = terms("Vare", None, ("Forbruksmateriell", "Engangshansker"))
    assert kit["hansk|N"] == 100  # mentioned in the name
    assert glove["hansk|a"] == 281  # in the name's compound and the category
    assert plain_glove["hansk|E"] == 220  # in the description and the category
    assert unnamed_glove["hansk|c"] == 200  # only in the category's compound
    assert min(glove["hansk|a"], plain_glove["hansk|E"], unnamed_glove["hansk|c"]) > kit["hansk|N"]
    # Within the category: the name above the description above the category alone.
    assert glove["hansk|a"] > plain_glove["hansk|E"] > unnamed_glove["hansk|c"]


def test_ancestor_categories_give_whole_words_only() -> None:
    terms = search.index_terms(
        search.IndexedProduct(1, "1", "Vare", None, None, ("Forbruksmateriell", "Sårbehandling", "Skumkompresser"))
    )
    assert "forbruksmateriell|C" in terms and "sårbehandling|C" in terms
    assert "kompress|c" in terms  # the own category's compound tail
    assert not any(key.startswith("materiell|") or key.startswith("behandling|") for key in terms)


def test_a_long_description_is_capped() -> None:
    description = " ".join(f"ord{n}x" for n in range(500))
    terms = search.index_terms(search.IndexedProduct(1, "1", "Vare", description, None, ()))
    assert sum(1 for key in terms if key.endswith("|D")) == search.MAX_DESCRIPTION_WORDS


def test_word_variants_hold_each_word_and_its_deletions() -> None:
    words_ = search.index_words(DOC)
    assert {"nitrilhansk", "pudderfri", "aben", "undersøkelseshansk", "hansk"} <= words_
    assert "blå" not in words_  # shorter than four letters: no typo tolerance to give
    rows = search.word_variants({"hansk", "10", "blå"})
    assert rows == {(variant, "hansk") for variant in deletions("hansk")}
