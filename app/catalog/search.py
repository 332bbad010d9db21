"""Search ("markedets beste søk"): our own inverted index and its queries.

What the rest of the catalogue uses:

* ``index_terms(doc)``: the search_terms rows (term -> weight) of one product
  (pure; bulk loaders use it too), and ``word_variants(index_words(doc))`` its
  search_words rows (variant, word) for typo tolerance;
* ``reindex(session, product_ids)``: rebuilds those products' rows, after any
  change of their indexed fields (an inactive product may keep its rows: search
  filters on products.active);
* ``search(session, query)``: a SearchResult for a SearchQuery.

THE INDEX is our own inverted index in two plain tables, the same on SQLite and
PostgreSQL (no FTS5, no tsvector). Text goes through ``app.catalog.text``:
folded (lower case, accents stripped, æ ø å kept), a few stopwords dropped,
lightly stemmed (hanske/hansken/hansker/hanskene → "hansk").

``search_terms``: one row per (term, product). A term is a stem, "|" and a
one-letter code for where it was found: ``"hansk|a"``. The ``weight`` column
holds the same as a number; the code is in the key so that matching and
ranking read the primary key index only (index-only scans on both databases).
A stem found in several places keeps one code: its best place among name,
manufacturer and description, combined with whether it is also in one of the
product's categories. A product's terms:

* every stem of its name, manufacturer, category names (its own category's
  and its ancestors') and description (at most MAX_DESCRIPTION_WORDS stems);
* compound parts: the tails (3+ letters, from the 3rd letter on) of the stems
  of the name, manufacturer and own category, so that a query stem finds the
  end of a compound by exact lookup: "hansker" → "hansk" finds "Nitrilhansker"
  ("nitrilhansk" → ..., "lhansk", "hansk", "ansk", "nsk");
* ``"#" + folded SKU + "|S"`` (letters and digits only: "10-2345" → "#102345").

A word in the product's category says what the product *is*; elsewhere it may
only be mentioned ("Kateteriseringssett med hansker" is no glove). So a stem
also found in a category name outranks the same stem found only in the name:

    ============================  ===============  ==================
    found in                      code (weight)    ... and in a category
    ============================  ===============  ==================
    SKU                           S (10000)
    name, a whole word            N (100)          A (300)
    name, a compound's tail       n (81)           a (281)
    manufacturer                  O (50)           M (250)
    ... a compound's tail         o (31)           m (231)
    description                   D (20)           E (220)
    only a category name          --               C (200), c (200) a tail
    ============================  ===============  ==================

``search_words(variant, word)``: every whole-word stem of 4+ letters, with
itself and each of its one-letter deletions (SymSpell), for typo tolerance.

QUERY: the text is split into words (stopwords dropped, at most
MAX_QUERY_WORDS); every word must match (AND), by any of its keys:

* its stem (also of an "aa"/"ae"/"oe" → å/æ/ø spelling): weight x 4;
* keys starting with the typed word (3+ letters; the user is still typing,
  or names the first part of a compound: "nitril" finds Nitrilhansker):
  weight x 2. Shorter than 4 letters, only whole words, not compound tails;
* typo corrections, for a typed word of 5+ letters whose stem is not a known
  word: the known words one edit away (Damerau-Levenshtein: a letter left out,
  added or replaced, or two neighbours swapped): weight x 1.

A typed word stands for every stem ``text.readings`` allows (Bokmål and Nynorsk
forms, both sides of the -er/-el syncope), and a synonym term (``app.catalog.synonyms``,
applied here, never indexed) also for each other term's head; the process's copy
of the synonyms is checked by a token read in the first statement.

When nothing matches every word, ``search`` adds a did-you-mean (unknown words
replaced by the catalogue word one edit away in most products) and the relaxed
query's results (any word), in statements of their own on that path only.

A typed word that is no word of the catalogue (no key of its own stem, no
known word one typo away) is split into the catalogue's words by
``app.catalog.compounds`` ("sårkompresser" → sår + kompress; one more statement
to look the parts up, one to prepare them); every part must match, and the
head (the last part) counts double the others (``scale``).

A product's score is the sum over the words of its best key for each (so two
words in the name beat one in the name and one in the description). The whole
text is also tried as a SKU: the exact SKU scores 1,000,000 and SKUs starting
with it (when it has a digit and 2+ characters) 100,000, above any text match.
Equal scores go by what serves a buyer, never by name: the customer's own orders
of the last 12 months first (SearchQuery.customer_id; no other customer's), then
the units the shop sold of it in that time, then in stock before out of stock, then
id. Both counts are kept per month with the orders (app.catalog.sales) and read by
primary key for the tied candidates only.

TWO STATEMENTS a search. The first lists each word's keys by a loose index
scan (one seek a key), counts its index rows (capped), and looks up typo
candidates. The second reads the rarest word's rows (grouped by product only
when a product can have several), checks the other words per candidate by
primary-key lookups when they are much more common ("probes"), then joins
products (one primary-key lookup a match) for the filters, and returns the
page with the total or the facets. For a plain relevance search (no filters,
no facets) only the matches that can be on the page are joined: the total
leaves out the few inactive products (the partial index ix_products_inactive finds
them), and names are needed only for the scores down to the page's last place, read from
ix_products_id_name_active without visiting the table.
On PostgreSQL such a search whose words' keys are known does not rank every match
at all: each combination of its words' scores is a score of the text, whose
products are read in id order (merges of index ranges) from the best score down
until the page is full, and the total is counted apart, up to TOTAL_CAP
(``_levels_statement``; SQLite would expand the statement's chained CTEs per
reference, so it ranks the matches).
Otherwise the SQL differs between the databases only where a planner needs steering
(COLLATE "C" for sorting, a lateral join on PostgreSQL); the answers are the
same, and tests/catalog/test_search.py and test_search_levels.py check that every plan gives the same.
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import lru_cache
from math import prod
from typing import Any

from sqlalchemy import delete, select, tuple_
from sqlalchemy import text as sql_text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from app.catalog import compounds, sales, synonyms, text
from app.models.catalog import Category, Product, SearchTerm, SearchWord


class ProductSort(enum.Enum):
    RELEVANCE = "RELEVANCE"
    NAME = "NAME"
    SKU = "SKU"
    NEWEST = "NEWEST"


@dataclass(frozen=True, slots=True)
class IndexedProduct:
    """What the index reads of a product."""

    id: int
    sku: str
    name: str
    description: str | None
    manufacturer: str | None
    category_names: Sequence[str]  # from the root down


# A text search without facets counts its matches up to this many (SearchQuery.total_cap).
TOTAL_CAP = 10_000


@dataclass(frozen=True, slots=True)
class SearchQuery:
    text: str | None = None
    # products.category path prefix ("/1/5/"), descendants included; None: all.
    category_path: str | None = None
    in_stock_only: bool = False
    sort: ProductSort | None = None  # None: RELEVANCE with text, NAME without
    offset: int = 0
    limit: int = 20
    with_facets: bool = False
    # Whether the total is counted (with_facets counts it anyway). A client that does not show it
    # spares the database the count, which grows with the matches: 'kateter' at 1M products
    # (95,000 matches) is 60 ms without it and 340 ms with it.
    with_total: bool = True
    # Without facets a text's matches are counted up to this many (None: all); more are reported
    # as this many, not exact (SearchResult.total_is_exact), as a search engine's "10,000+ hits".
    total_cap: int | None = TOTAL_CAP
    # Ties in relevance: this customer's purchases since ``since`` first (None: no customer),
    # then the shop's orders since ``since``, then in stock. ``since``: 12 months back, from the caller's clock.
    customer_id: int | None = None
    since: datetime | None = None
    # As the user types (suggestions): the last word is a prefix from 2 letters; no did-you-mean
    # or relaxed query when nothing matches.
    typing: bool = False


@dataclass(frozen=True, slots=True)
class SearchResult:
    product_ids: list[int]  # this page, in order
    total: int | None  # None: not counted (the query's with_total was off)
    # False when more than the query's total_cap matched: ``total`` is then the cap.
    total_is_exact: bool = True
    # category id -> number of matching products in it (directly, not descendants)
    facets: dict[int, int] = field(default_factory=dict)
    # Nothing matched every word: a better text from the catalogue's words (None: none better), and
    # whether these are the results of the relaxed query (any word instead of every word).
    did_you_mean: str | None = None
    relaxed: bool = False


# --- terms and weights -------------------------------------------------------

SEPARATOR = "|"  # between stem and code; never inside a word
_AFTER_SEPARATOR = chr(ord(SEPARATOR) + 1)

SKU = "S"
NAME, NAME_TAIL = "N", "n"
MAKER, MAKER_TAIL = "O", "o"  # manufacturer
DESCRIPTION = "D"
# The same places, the stem also being in one of the product's categories; or only there.
IN_CATEGORY = {NAME: "A", NAME_TAIL: "a", MAKER: "M", MAKER_TAIL: "m", DESCRIPTION: "E"}
CATEGORY, CATEGORY_TAIL = "C", "c"
CATEGORY_BONUS = 200

_PLACE_WEIGHTS = {NAME: 100, NAME_TAIL: 81, MAKER: 50, MAKER_TAIL: 31, DESCRIPTION: 20}
WEIGHTS = {
    SKU: 10_000,
    **_PLACE_WEIGHTS,
    **{IN_CATEGORY[place]: CATEGORY_BONUS + weight for place, weight in _PLACE_WEIGHTS.items()},
    CATEGORY: CATEGORY_BONUS,
    CATEGORY_TAIL: CATEGORY_BONUS,
}
WORD_CODES = tuple(code for code in WEIGHTS if code != SKU)
# Codes of a stem that is a whole word where it was found (not only a compound's tail).
WHOLE_WORD_CODES = (NAME, MAKER, DESCRIPTION, IN_CATEGORY[NAME], IN_CATEGORY[MAKER], IN_CATEGORY[DESCRIPTION], CATEGORY)

EXACT_FACTOR, PREFIX_FACTOR, TYPO_FACTOR = 4, 2, 1
HEAD_SCALE, MODIFIER_SCALE = 2, 1
SKU_EXACT_SCORE, SKU_PREFIX_SCORE = 1_000_000, 100_000

# Compound tails: at least this long, starting at least this far into the word.
MIN_TAIL, MIN_HEAD = 3, 2
MAX_DESCRIPTION_WORDS = 40
MAX_QUERY_WORDS = 8
MIN_PREFIX = 3  # a typed word is used as a prefix from this length
TYPING_PREFIX = 2  # ... and the last word of a text being typed (suggestions) from this length
MIN_TAIL_PREFIX = 4  # ... and also matches compound tails from this length
MIN_TYPO_WORD = 5  # typo tolerance for typed words this long
MIN_VOCABULARY_WORD = 4  # search_words holds stems this long
MAX_CORRECTIONS = 8  # per query word

# Several words: each word's index rows are counted up to COUNT_CAP and its keys
# listed (up to KEY_CAP a range); the rarest word is read, and a word with more
# rows than PROBE_RATIO x (driver's rows) x (its keys) is checked
# per candidate product by primary-key lookups instead of read in full.
COUNT_CAP = 10_000
PROBE_RATIO = 0.5
KEY_CAP = 24

# A relevance search without filters or facets joins products only for the
# matches that can be on the page, when at most this many products are inactive.
# 50,000: the demo catalogue has 1.5 % inactive, 15,000 at 1M, and with 2,000 the plan for large
# catalogues was never taken there ('hansker' at 1M joined all 76,000 matches: 2.9 s -> 0.96 s loaded).
# Counting and hashing 15,000 ids of the partial index costs a few ms.
FEW_INACTIVE = 50_000
# The plan for large catalogues looks up the tie-breaks of at most this many of the matches tied
# at the page's last place (the lowest ids), besides the customer's own purchases: _tied_candidates.
TIE_BOUND = 1_000
# As the user types one word: each of its keys' first rows read, at most this many (or twice the page).
TYPING_ROWS = 60
FAST_FROM = 2_000  # ... and when the rarest word has this many index rows (else all are joined anyway)
# On PostgreSQL such a search is read score by score when its words' combinations of scores are at
# most this many (two words of 4 and 5 scores: 20); more, and every match is ranked.
MAX_LEVEL_COMBOS = 64
# Several words, each with at least this many index rows (counted up to COUNT_CAP): on PostgreSQL
# each is read whole in product id order and they are joined on it (_merged), none probed.
MERGE_FROM = 5_000

_SKU_PREFIX = "#"


def term(stem: str, code: str) -> str:
    return f"{stem}{SEPARATOR}{code}"


def sku_term(sku: str) -> str | None:
    key = text.sku_key(sku)
    return term(_SKU_PREFIX + key, SKU) if key else None


# --- indexing (pure) ---------------------------------------------------------


@lru_cache(maxsize=100_000)
def _tails(stem: str) -> tuple[str, ...]:
    if not stem.isalpha():
        return ()
    return tuple(stem[start:] for start in range(MIN_HEAD, len(stem) - MIN_TAIL + 1))


def _places(doc: IndexedProduct) -> dict[str, str]:
    """stem -> its best place among name, manufacturer and description (compound tails included)."""
    place: dict[str, str] = {}
    rank = _PLACE_WEIGHTS
    for stem in text.stems(doc.description):
        if stem not in place:
            place[stem] = DESCRIPTION
            if len(place) == MAX_DESCRIPTION_WORDS:
                break
    for value, whole, tail in ((doc.manufacturer, MAKER, MAKER_TAIL), (doc.name, NAME, NAME_TAIL)):
        for stem in text.stems(value):
            if rank.get(place.get(stem, ""), 0) < rank[whole]:
                place[stem] = whole
            for part in _tails(stem):
                if rank.get(place.get(part, ""), 0) < rank[tail]:
                    place[part] = tail
    return place


def _category_places(names: Sequence[str]) -> dict[str, str]:
    """stem -> CATEGORY (a whole word of a category name) or CATEGORY_TAIL (a tail in the own category's)."""
    category: dict[str, str] = {}
    for position, name in enumerate(names):
        own = position == len(names) - 1  # compounds are split in the own category only
        for stem in text.stems(name):
            category[stem] = CATEGORY
            if own:
                for part in _tails(stem):
                    category.setdefault(part, CATEGORY_TAIL)
    return category


def index_terms(doc: IndexedProduct) -> dict[str, int]:
    place = _places(doc)
    category = _category_places(doc.category_names)
    # A stem of the name is in a category also when it is another form of the category's
    # word: "Urinkateter" (katet) in "Urinkatetre" (katetr).
    in_category = {reading for stem in category for reading in text.readings(stem)}
    terms: dict[str, int] = {}
    weights = WEIGHTS
    for stem, code in place.items():
        if stem in in_category:
            code = IN_CATEGORY[code]
        terms[f"{stem}{SEPARATOR}{code}"] = weights[code]
    for stem, code in category.items():
        if stem not in place:
            terms[f"{stem}{SEPARATOR}{code}"] = weights[code]
    sku = sku_term(doc.sku)
    if sku:
        terms[sku] = WEIGHTS[SKU]
    return terms


def index_words(doc: IndexedProduct) -> set[str]:
    """The whole-word stems of a product, which typo tolerance can correct to."""
    found: set[str] = set()
    for value in (doc.name, doc.manufacturer, doc.description, *doc.category_names):
        for stem in text.stems(value):
            if len(stem) >= MIN_VOCABULARY_WORD and stem.isalpha():
                found.add(stem)
    return found


def word_variants(words: Iterable[str]) -> set[tuple[str, str]]:
    rows: set[tuple[str, str]] = set()
    for word in words:
        if len(word) < MIN_VOCABULARY_WORD or not word.isalpha():
            continue  # numbers, short words (and anything that is not a stem)
        for variant in text.deletions(word):
            rows.add((variant, word))
    return rows


# --- reindex -----------------------------------------------------------------

_CHUNK = 1000


def _chunks(values: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _path_ids(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part]


async def _documents(session: AsyncSession, product_ids: Sequence[int]) -> list[IndexedProduct]:
    rows: list[Any] = []
    for chunk in _chunks(product_ids):
        result = await session.execute(
            select(Product.id, Product.sku, Product.name, Product.description, Product.manufacturer, Category.path)
            .join(Category, Category.id == Product.category_id)
            .where(Product.id.in_(chunk))
        )
        rows.extend(result.all())
    category_ids = sorted({category_id for row in rows for category_id in _path_ids(row.path)})
    names: dict[int, str] = {}
    for chunk in _chunks(category_ids):
        result = await session.execute(select(Category.id, Category.name).where(Category.id.in_(chunk)))
        names.update({row.id: row.name for row in result})
    return [
        IndexedProduct(
            id=row.id,
            sku=row.sku,
            name=row.name,
            description=row.description,
            manufacturer=row.manufacturer,
            category_names=[names[category_id] for category_id in _path_ids(row.path) if category_id in names],
        )
        for row in rows
    ]


def _insert_ignore(session: AsyncSession, table: Any) -> Any:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table).on_conflict_do_nothing()


async def add_words(session: AsyncSession, words: Iterable[str]) -> None:
    """Adds the words (with their deletions) that search_words does not hold yet."""
    wanted = sorted({w for w in words if len(w) >= MIN_VOCABULARY_WORD and w.isalpha()})
    known: set[str] = set()
    for chunk in _chunks(wanted):
        result = await session.execute(
            select(SearchWord.variant).where(SearchWord.variant.in_(chunk), SearchWord.word == SearchWord.variant)
        )
        known.update(result.scalars())
    rows = sorted(word_variants(w for w in wanted if w not in known))
    for chunk in _chunks(rows, 5000):
        await session.execute(
            _insert_ignore(session, SearchWord.__table__), [{"variant": v, "word": w} for v, w in chunk]
        )


_TERM_COLUMNS = ("term", "product_id", "weight")


async def _insert_terms(session: AsyncSession, rows: list[tuple[str, int, int]]) -> None:
    """search_terms rows (term, product id, weight), in the session's transaction.

    A product has about 45 rows, so a batch of 1,000 products writes some
    45,000: on PostgreSQL through asyncpg's COPY (an executemany took most of
    an UpsertProducts batch's 2 s), elsewhere as an executemany.
    """
    if not rows:
        return
    connection = await session.connection()
    if connection.dialect.name == "postgresql" and connection.dialect.driver == "asyncpg":
        raw = (await connection.get_raw_connection()).driver_connection
        assert raw is not None and raw.is_in_transaction()
        await raw.copy_records_to_table(SearchTerm.__tablename__, records=rows, columns=list(_TERM_COLUMNS))
        return
    for chunk in _chunks(rows, 5000):
        await session.execute(
            SearchTerm.__table__.insert(), [dict(zip(_TERM_COLUMNS, row, strict=True)) for row in chunk]
        )


async def reindex(session: AsyncSession, product_ids: Sequence[int]) -> None:
    """Rebuilds the index rows of those products: only the rows that change are written.

    A product's rows are read first (by ix_search_terms_product), and only the rows it
    no longer has are deleted (by primary key) and only the new ones inserted. Writing
    a row into the index is what costs at scale: at 1M products (44M rows) a batch of
    1,000 products' 44,000 rows took 3.3 s to insert (a third of it the foreign key's
    check per row), while an ERP's update of a name or description changes a few rows
    a product. A new product has no rows to read.
    """
    ids = sorted(set(product_ids))
    if not ids:
        return
    documents = await _documents(session, ids)
    wanted = {(key, doc.id): weight for doc in documents for key, weight in index_terms(doc).items()}
    present: dict[tuple[str, int], int] = {}
    for chunk in _chunks(ids):
        result = await session.execute(
            select(SearchTerm.term, SearchTerm.product_id, SearchTerm.weight).where(SearchTerm.product_id.in_(chunk))
        )
        present.update({(row.term, row.product_id): row.weight for row in result})
    # A row whose weight changed is deleted and inserted again (weight and code go together).
    stale = sorted(key for key, weight in present.items() if wanted.get(key) != weight)
    for chunk in _chunks(stale, 500):
        await session.execute(
            delete(SearchTerm).where(tuple_(SearchTerm.term, SearchTerm.product_id).in_([tuple(key) for key in chunk]))
        )
    rows = sorted(
        (term, product_id, weight)
        for (term, product_id), weight in wanted.items()
        if present.get((term, product_id)) != weight
    )
    await _insert_terms(session, rows)
    vocabulary: set[str] = set()
    for doc in documents:
        vocabulary |= index_words(doc)
    await add_words(session, vocabulary)


# --- query -------------------------------------------------------------------
#
# The statements are written as SQL text: they are built for every search, and
# SQLAlchemy's expression objects cost more to build than a small search takes.
# User input only travels in bind parameters; what is written into the text is
# our own (weights, codes, word numbers).


class _Sql:
    """Bind parameters collected while a statement is written."""

    def __init__(self) -> None:
        self.params: dict[str, Any] = {}

    def __call__(self, value: Any) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f":{name}"

    def listed(self, values: Iterable[Any]) -> str:
        return ", ".join(self(value) for value in values)


def _weight_sql(column: str) -> str:
    whens = " ".join(f"WHEN '{code}' THEN {weight}" for code, weight in WEIGHTS.items() if code != SKU)
    return f"(CASE substr({column}, length({column}), 1) {whens} END)"


def _upper_bound(prefix: str) -> str:
    """The least string above every string that starts with ``prefix`` (code point = byte order)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _stem_of(key: str) -> str:
    return key[: key.rindex(SEPARATOR)]


@dataclass(slots=True)
class _Word:
    """One typed word and what may match it."""

    typed: str
    stems: set[str]
    prefixes: set[str]  # typed forms
    typo_eligible: bool
    corrections: set[str] = field(default_factory=set)
    # Every score of the word is multiplied by this: a compound's head (and any
    # word as typed) counts double a modifier part ("sår" in "sårkompresser").
    scale: int = HEAD_SCALE
    # A typed prefix this long also matches compound tails (shorter: whole words only).
    tail_from: int = MIN_TAIL_PREFIX
    # From the first statement: every key of the stems and prefixes with its
    # factor (None: more than KEY_CAP in a range), and with several words the
    # word's index rows counted up to COUNT_CAP.
    keys: dict[str, int] | None = None
    rows: int = 0

    def bounds(self) -> list[tuple[str, str, int]]:
        """(low, high, factor) of the key ranges of the stems and prefixes."""
        found = [(stem + SEPARATOR, stem + _AFTER_SEPARATOR, EXACT_FACTOR) for stem in sorted(self.stems)]
        found += [(prefix, _upper_bound(prefix), PREFIX_FACTOR) for prefix in sorted(self.prefixes)]
        return found

    def admits(self, key: str, low: str, factor: int) -> bool:
        """Whether a key found in the range starting at ``low`` matches (short prefixes: whole words only)."""
        if factor != PREFIX_FACTOR or len(low) >= self.tail_from:
            return True
        return key[-1] in WHOLE_WORD_CODES or _stem_of(key) in self.stems

    def condition(self, sql: _Sql, column: str) -> str:
        """SQL: the key matches the word."""
        if self.keys is not None:
            return f"{column} IN ({sql.listed(sorted(self.keys))})" if self.keys else "1 = 0"
        parts = []
        for low, high, factor in self.bounds():
            part = f"{column} >= {sql(low)} AND {column} < {sql(high)}"
            if factor == PREFIX_FACTOR and len(low) < self.tail_from:
                part += (
                    f" AND (substr({column}, length({column}), 1) IN ({_WHOLE_CODES_SQL})"
                    f" OR substr({column}, 1, length({column}) - 2) IN ({sql.listed(sorted(self.stems))}))"
                )
            parts.append(f"({part})")
        for stem in sorted(self.corrections):
            parts.append(f"({column} > {sql(stem + SEPARATOR)} AND {column} < {sql(stem + _AFTER_SEPARATOR)})")
        return " OR ".join(parts)

    def factor(self, sql: _Sql, column: str, keys: Iterable[str] | None = None) -> str:
        """SQL: the factor of a key that matches the word (exact, prefix or typo), among ``keys`` if given."""
        if self.keys is not None:
            by_factor: dict[int, list[str]] = {}
            for key in sorted(self.keys if keys is None else keys):
                by_factor.setdefault(self.keys[key], []).append(key)
            *higher, lowest = sorted(by_factor, reverse=True) or [EXACT_FACTOR]
            whens = " ".join(f"WHEN {column} IN ({sql.listed(by_factor[f])}) THEN {f}" for f in higher)
            return f"(CASE {whens} ELSE {lowest} END)" if higher else str(lowest)
        whens = " ".join(
            f"WHEN {column} > {sql(stem + SEPARATOR)} AND {column} < {sql(stem + _AFTER_SEPARATOR)} THEN {EXACT_FACTOR}"
            for stem in sorted(self.stems)
        )
        whens += " " + " ".join(
            f"WHEN {column} >= {sql(prefix)} AND {column} < {sql(_upper_bound(prefix))} THEN {PREFIX_FACTOR}"
            for prefix in sorted(self.prefixes)
        )
        return f"(CASE {whens} ELSE {TYPO_FACTOR} END)"

    def score(self, sql: _Sql, column: str, keys: Iterable[str] | None = None) -> str:
        """SQL: the score (weight x factor) of a key that matches the word, among ``keys`` if given.

        With the keys known, one simple CASE on the key itself: several times cheaper
        per row than taking the code apart (substr, length) and multiplying.
        """
        if self.keys is None:
            return f"{_weight_sql(column)} * {self.factor(sql, column)} * {self.scale}"
        whens = " ".join(
            f"WHEN {sql(key)} THEN {WEIGHTS[key[-1]] * self.keys[key] * self.scale}"
            for key in sorted(self.keys if keys is None else keys)
        )
        return f"(CASE {column} {whens} END)" if whens else "CAST(NULL AS INTEGER)"

    def key_rows(self, sql: _Sql, keys: Iterable[str] | None = None) -> str:
        """SQL of (product_id, s) rows of the word's known keys (among ``keys``): each key read by
        the index on its own, its score a constant. A CASE on the key per row cost more than reading
        the row: 'sår' (14 keys, 38,000 rows at 100k) 20 ms against 13 ms on PostgreSQL."""
        assert self.keys is not None
        chosen = sorted(self.keys if keys is None else keys)
        return " UNION ALL ".join(
            f"SELECT product_id, {WEIGHTS[key[-1]] * self.keys[key] * self.scale} AS s FROM search_terms "
            f"WHERE term = {sql(key)}"
            for key in chosen
        )

    def correct(self, corrections: set[str]) -> None:
        """Typo corrections: looked up by their keys (every code) when the word's keys are known."""
        self.corrections = corrections
        if self.keys is not None:
            for stem in sorted(corrections):
                for code in WORD_CODES:
                    self.keys.setdefault(term(stem, code), TYPO_FACTOR)

    @property
    def once_per_product(self) -> bool:
        """At most one matching index row per product: all keys are one stem's (a stem has one key a product)."""
        return self.keys is not None and len({_stem_of(key) for key in self.keys}) <= 1

    @property
    def hopeless(self) -> bool:
        return self.keys == {}


_WHOLE_CODES_SQL = ", ".join(f"'{code}'" for code in WHOLE_WORD_CODES)


def _parse(value: str, expansions: synonyms.Expansions | None = None, typing: bool = False) -> list[_Word]:
    """The query's words; a synonym term (a word or a phrase) becomes one word that also
    matches what the term finds: each other term by its last word (its head)."""
    parsed: dict[str, _Word] = {}
    typed_words = text.words(value)[: MAX_QUERY_WORDS * 4]
    position = 0
    while position < len(typed_words) and len(parsed) < MAX_QUERY_WORDS:
        found = expansions.find(typed_words, position) if expansions and expansions.also else None
        length = found[0] if found else 1
        typed = typed_words[position + length - 1]
        position += length
        forms = [typed]
        alternative = text.ascii_spelling_alternative(typed)
        if alternative:
            forms.append(alternative)
        stems = {reading for form in forms for reading in text.readings(form)}
        for other in found[1] if found else ():
            stems |= text.readings(other.split()[-1])
        key = " ".join(typed_words[position - length : position]) if found else text.stem(forms[0])
        if key in parsed:
            continue
        letters = typed.isalpha()
        shortest = TYPING_PREFIX if typing and position >= len(typed_words) else MIN_PREFIX
        parsed[key] = _Word(
            typed=typed,
            stems=stems,
            prefixes={form for form in forms if letters and len(form) >= shortest},
            # Being typed: "ha" already names the glove in "Nitrilhanske" (a compound's part).
            tail_from=TYPING_PREFIX if shortest == TYPING_PREFIX else MIN_TAIL_PREFIX,
            typo_eligible=letters and len(typed) >= MIN_TYPO_WORD and not found,
        )
    return list(parsed.values())


_Bound = tuple[int, str, str, int]  # (word's position, low, high, factor)


async def _prepare(session: AsyncSession, words: list[_Word], count_inactive: bool) -> tuple[int | None, str]:
    """What planning needs, in one statement.

    * every key of each word's stems and prefixes, by a loose index scan (one
      index seek a key, at most KEY_CAP a range);
    * typo candidates: search_words rows for the deletions of the words that may be typos;
    * each word's index rows counted up to COUNT_CAP (to choose the plan);
    * when asked, the inactive products, up to FEW_INACTIVE (returned);
    * the synonyms' token (returned), to tell whether this process's copy is current.
    """
    statement, sql, bounds = _prepare_statement(words, count_inactive)
    rows = (await session.execute(sql_text(statement), sql.params)).all()
    inactive, token, candidates = _read_prepared(rows, words, bounds)
    _correct_typos([w for w in words if w.typo_eligible], candidates)
    return inactive, token


def _prepare_statement(words: list[_Word], count_inactive: bool) -> tuple[str, _Sql, list[_Bound]]:
    """The statement of ``_prepare``, its parameters, and the key ranges its rows of kind 0 number."""
    sql = _Sql()
    bounds = [(position, *bound) for position, word in enumerate(words) for bound in word.bounds()]
    starts = " UNION ALL ".join(
        f"SELECT {r}, 1, (SELECT term FROM search_terms WHERE term >= {sql(low)} AND term < {sql(high)} "
        "ORDER BY term LIMIT 1), "
        f"CAST({sql(high)} AS VARCHAR(100))"
        for r, (_, low, high, _) in enumerate(bounds)
    )
    walk = (
        f"WITH RECURSIVE walk(r, n, t, hi) AS ({starts} UNION ALL "
        "SELECT r, n + 1, (SELECT term FROM search_terms WHERE term > walk.t AND term < walk.hi "
        "ORDER BY term LIMIT 1), hi "
        f"FROM walk WHERE t IS NOT NULL AND n <= {KEY_CAP}) "
    )
    parts = ["SELECT 0 AS kind, r AS g, t AS a, '' AS b, n FROM walk WHERE t IS NOT NULL"]
    typo_words = [w for w in words if w.typo_eligible]
    variants = sorted({variant for w in typo_words for stem in w.stems for variant in text.deletions(stem)})
    if variants:
        parts.append(f"SELECT 1, 0, variant, word, 0 FROM search_words WHERE variant IN ({sql.listed(variants)})")
    # One word: enough to tell whether the fast plan pays.
    cap = COUNT_CAP if len(words) > 1 else FAST_FROM
    for position, word in enumerate(words):
        counts = " + ".join(
            f"(SELECT count(*) FROM (SELECT 1 AS one FROM search_terms "
            f"WHERE term >= {sql(low)} AND term < {sql(high)} LIMIT {cap}) AS capped)"
            for low, high, factor in word.bounds()
            # A stem's range inside its own prefix's range is counted once.
            if not (factor == EXACT_FACTOR and low[:-1] in word.prefixes)
        )
        parts.append(f"SELECT 2, {position}, '', '', {counts}")
    parts.append(
        f"SELECT 4, 0, COALESCE((SELECT token FROM search_synonym_state WHERE id = {synonyms.STATE_ID}), ''), '', 0"
    )
    if count_inactive:
        parts.append(
            "SELECT 3, 0, '', '', (SELECT count(*) FROM (SELECT 1 AS one FROM products p "
            f"WHERE {_INACTIVE_CONDITION} LIMIT {FEW_INACTIVE}) AS capped)"
        )
    return walk + " UNION ALL ".join(parts), sql, bounds


def _read_prepared(
    rows: Sequence[Any], words: list[_Word], bounds: list[_Bound]
) -> tuple[int | None, str, list[tuple[str, str]]]:
    """Sets each word's keys and rows from ``_prepare``'s rows; (inactive, token, typo candidates)."""
    inactive = None
    token = ""
    for word in words:
        word.keys = {}
    candidates: list[tuple[str, str]] = []
    for kind, g, a, b, n in rows:
        if kind == 0:
            position, low, _, factor = bounds[g]
            word = words[position]
            if n > KEY_CAP:
                word.keys = None  # too many keys: ranges are read instead
            elif word.keys is not None and word.admits(a, low, factor):
                word.keys[a] = max(word.keys.get(a, 0), factor)
        elif kind == 1:
            candidates.append((a, b))
        elif kind == 2:
            words[g].rows = n
        elif kind == 4:
            token = a
        else:
            inactive = n
    return inactive, token, candidates


def _correct_typos(typo_words: list[_Word], candidates: list[tuple[str, str]]) -> None:
    """The known words one edit away of each word that may be a typo and is no known word."""
    known = {word for variant, word in candidates if variant == word}
    for w in typo_words:
        if w.stems & known:
            continue  # a real word: taken as typed
        close = {
            candidate
            for _, candidate in candidates
            for stem in w.stems
            if candidate not in w.stems and text.within_one_edit(stem, candidate)
        }
        w.correct(set(sorted(close)[:MAX_CORRECTIONS]))


def _unknown(word: _Word) -> bool:
    """A typed word that is no word of the catalogue: none of its keys is its own stem, and no known
    word is one typo away (then it is taken for that word mistyped, and no statement is spent)."""
    return word.keys is not None and not word.corrections and EXACT_FACTOR not in word.keys.values()


async def _split_compounds(session: AsyncSession, words: list[_Word]) -> list[_Word] | None:
    """The words with each unknown typed compound replaced by its parts (head last); None: no change.

    One statement, only when a typed word is unknown: for each stem a split may
    need, its first key (codes of whole words sort before compound tails'), so
    that app.catalog.compounds can tell whole words from tails.
    """
    unknown = [w for w in words if _unknown(w) and compounds.splittable(w.typed)]
    if not unknown:
        return None
    stems = sorted({stem for w in unknown for stem in compounds.candidates(w.typed)})
    firsts = sorted({stem for w in unknown for stem in compounds.first_parts(w.typed)})
    sql = _Sql()
    parts = [
        f"SELECT {i} AS n, (SELECT term FROM search_terms WHERE term > {sql(stem + SEPARATOR)} "
        f"AND term < {sql(stem + _AFTER_SEPARATOR)} ORDER BY term LIMIT 1) AS t"
        for i, stem in enumerate(stems)
    ]
    # A modifier may be the first part of a longer whole word of the vocabulary ("insulin" of
    # "insulinsprøyt"): one such word, from search_words' own rows (variant = word) in its range.
    parts += [
        f"SELECT {len(stems) + i}, (SELECT word FROM search_words WHERE variant >= {sql(stem)} "
        f"AND variant < {sql(_upper_bound(stem))} AND word = variant "
        f"AND length(word) >= {len(stem) + compounds.MIN_PART} LIMIT 1)"
        for i, stem in enumerate(firsts)
    ]
    rows = (await session.execute(sql_text(" UNION ALL ".join(parts)), sql.params)).all()
    whole: set[str] = set()
    known: set[str] = set()
    starts: set[str] = set()
    for n, first in rows:
        if n >= len(stems):
            if first is not None:
                starts.add(firsts[n - len(stems)])
        elif first is not None:
            known.add(stems[n])
            if first[-1] in WHOLE_WORD_CODES:
                whole.add(stems[n])
    changed = False
    result: list[_Word] = []
    for word in words:
        split = compounds.split(word.typed, whole, known, starts) if word in unknown else None
        if split is None:
            result.append(_Word(word.typed, word.stems, word.prefixes, word.typo_eligible, tail_from=word.tail_from))
            continue
        changed = True
        for position, (typed, stem) in enumerate(split):
            head = position == len(split) - 1
            result.append(
                _Word(
                    typed=typed,
                    stems={stem},
                    prefixes={typed} if len(typed) >= MIN_PREFIX else set(),
                    typo_eligible=False,
                    scale=HEAD_SCALE if head else MODIFIER_SCALE,
                )
            )
    return result[:MAX_QUERY_WORDS] if changed else None


def _plan(words: list[_Word]) -> tuple[list[int], list[int]]:
    """(scanned, probed) word positions: the rarest word is read, common ones are probed."""
    if len(words) < 2:
        return list(range(len(words))), []
    order = sorted(range(len(words)), key=lambda i: (words[i].rows, -len(words[i].typed)))
    driver = words[order[0]].rows
    probed = []
    for i in order[1:]:
        keys = words[i].keys
        if keys is None:
            continue  # too many keys to look up per product: read in full
        # Reading (and grouping) costs about a row; probing a key lookup per candidate.
        # Counts stop at COUNT_CAP a range, so a common word's count is a lower bound; still, when
        # even that outweighs the lookups it is probed, and when the lookups (keys x candidates)
        # outweigh it, it is read: "sår" (14 keys, 36,000+ rows) under 9,900 "kompress"
        # candidates costs 140,000 lookups probed, a third of that read (SQLite CPU 71 -> 40 ms).
        if words[i].rows >= PROBE_RATIO * driver * max(1, len(keys)):
            probed.append(i)
    return [i for i in range(len(words)) if i not in probed], probed


def _probe(sql: _Sql, word: _Word, product_id: str) -> str:
    """The word's best score in one product (NULL: no match), by primary-key lookups."""
    assert word.keys is not None
    if not word.keys:
        return "CAST(NULL AS INTEGER)"
    return (
        f"(SELECT max({word.score(sql, 't.term')}) FROM search_terms t "
        f"WHERE t.product_id = {product_id} AND t.term IN ({sql.listed(sorted(word.keys))}))"
    )


def _sku_condition(sql: _Sql, value: str) -> tuple[str, str] | None:
    """(condition, score) of the whole text as a SKU: exact, or the start of SKUs when it has a digit."""
    key = text.sku_key(value)
    if not key:
        return None
    exact = sql(term(_SKU_PREFIX + key, SKU))
    if len(key) >= 2 and any(ch.isdigit() for ch in key):
        start = _SKU_PREFIX + key
        condition = f"term >= {sql(start)} AND term < {sql(_upper_bound(start))}"
    else:
        condition = f"term = {exact}"
    return condition, f"CASE WHEN term = {exact} THEN {SKU_EXACT_SCORE} ELSE {SKU_PREFIX_SCORE} END"


def _main_stem(word: _Word) -> str | None:
    """The stem whose rows are read without grouping: the only one, or the exact stem (one of them)."""
    if not word.keys:
        return None
    stems = {_stem_of(key) for key in word.keys}
    if len(stems) == 1:
        return next(iter(stems))
    exact = {_stem_of(key) for key, factor in word.keys.items() if factor == EXACT_FACTOR}
    return next(iter(exact)) if len(exact) == 1 else None


def _prober(sql: _Sql, words: list[_Word], probed: list[int]) -> Callable[[str], tuple[str, str]]:
    """The function of the product id's SQL giving the score over ``m`` and the joins the probed words need."""

    def probe(product_id: str) -> tuple[str, str]:
        """(score SQL over m, LEFT JOINs that read the probed words of one-row-a-product kind)."""
        joins, terms = [], ["m.words_score"]
        for i in sorted(probed, key=lambda i: words[i].rows):
            word = words[i]
            if word.once_per_product:
                # At most one row a product: a join (cheaper than a subquery per row).
                alias = f"probe_{i}"
                joins.append(
                    f" LEFT JOIN search_terms {alias} ON {alias}.product_id = {product_id} "
                    f"AND {alias}.term IN ({sql.listed(sorted(word.keys or ()))})"
                )
                terms.append(word.score(sql, alias + ".term"))
            else:
                terms.append(_probe(sql, word, product_id))
        return f"COALESCE(m.sku_score, {' + '.join(terms)})", "".join(joins)

    return probe


def _main_rows(sql: _Sql, word: _Word, main: str, sku: tuple[str, str] | None) -> str:
    """SQL of (product_id, sku_score, words_score) rows for one word read by its main stem."""
    null = "CAST(NULL AS INTEGER)"
    # The word's main stem has one row a product: read without grouping. Other
    # stems of its keys (a prefix's longer words, typo corrections) are grouped
    # apart, and SKU matches come separately.
    assert word.keys is not None
    main_keys = sorted(key for key in word.keys if _stem_of(key) == main)
    other_keys = sorted(key for key in word.keys if _stem_of(key) != main)
    not_sku = ""
    if sku is not None:
        not_sku = f" AND product_id NOT IN (SELECT product_id FROM search_terms WHERE {sku[0]})"
    exclude = f"WHERE 1 = 1{not_sku}"
    if other_keys:
        others = sql.listed(other_keys)
        exclude += f" AND product_id NOT IN (SELECT product_id FROM search_terms WHERE term IN ({others}))"
    rows = (
        f"SELECT product_id, {null} AS sku_score, s AS words_score FROM ({word.key_rows(sql, main_keys)}) AS main_rows "
        + exclude
    )
    if other_keys:
        main_score = word.score(sql, "e.term", main_keys)
        rows += (
            f" UNION ALL SELECT o.product_id, {null}, "
            f"CASE WHEN e.term IS NULL OR o.s >= {main_score} THEN o.s ELSE {main_score} END "
            f"FROM (SELECT product_id, max({word.score(sql, 'term', other_keys)}) AS s "
            f"FROM search_terms WHERE term IN ({others}){not_sku} GROUP BY product_id) AS o "
            f"LEFT JOIN search_terms e ON e.product_id = o.product_id AND e.term IN ({sql.listed(main_keys)})"
        )
    if sku is not None:
        condition, sku_score = sku
        rows += f" UNION ALL SELECT product_id, {sku_score}, {null} FROM search_terms WHERE {condition}"
    return f"({rows})"


def _matched(
    sql: _Sql, words: list[_Word], value: str, any_word: bool = False
) -> tuple[str, Callable[[str], tuple[str, str]]] | None:
    """(SQL of (product_id, sku_score, words_score) rows read as ``m``, and a function of the product
    id's SQL giving the score and the joins it needs); None: nothing can match.

    A word's score is its best row in the product (weight x factor), the text's
    the sum over its words, NULL when one is missing (AND). The rarest word's
    rows are read (with the words about as rare, grouped by product); the
    common words are probed per product. A SKU match (sku_score) wins.
    """
    sku = _sku_condition(sql, value)
    if any_word:
        # The relaxed query: any word will do, the more the better; every word read, none probed.
        words = [word for word in words if not word.hopeless]
        sku = None
    elif any(word.hopeless for word in words):
        words = []  # a word without a single key: no text match
    if not words and sku is None:
        return None
    null = "CAST(NULL AS INTEGER)"
    scanned, probed = (list(range(len(words))), []) if any_word else _plan(words)
    probe = _prober(sql, words, probed)
    main = _main_stem(words[scanned[0]]) if len(scanned) == 1 and not any_word else None
    if main is not None:
        return _main_rows(sql, words[scanned[0]], main, sku), probe

    branches = [
        f"SELECT product_id, {i} AS g, s FROM ({words[i].key_rows(sql)}) AS word_{i}"
        if words[i].keys
        else f"SELECT product_id, {i} AS g, {words[i].score(sql, 'term')} AS s "
        f"FROM search_terms WHERE {words[i].condition(sql, 'term')}"
        for i in scanned
    ]
    if sku is not None:
        condition, sku_score = sku
        branches.append(f"SELECT product_id, -1 AS g, {sku_score} AS s FROM search_terms WHERE {condition}")
    best_sku = "max(CASE WHEN g = -1 THEN s END)" if sku is not None else null
    words_score = " + ".join(f"max(CASE WHEN g = {i} THEN s END)" for i in scanned) if scanned else null
    if any_word:
        words_score = " + ".join(f"COALESCE(max(CASE WHEN g = {i} THEN s END), 0)" for i in scanned)
    having = ""
    if len(scanned) > 1 and not any_word:
        # Only products with every scanned word (or the SKU) go on.
        having = f" HAVING {words_score} IS NOT NULL" + (f" OR {best_sku} IS NOT NULL" if sku is not None else "")
    matched = (
        f"(SELECT product_id, {best_sku} AS sku_score, {words_score} AS words_score "
        f"FROM ({' UNION ALL '.join(branches)}) AS term_rows GROUP BY product_id{having})"
    )
    return matched, probe


def _filters(sql: _Sql, query: SearchQuery) -> str:
    filters = ["p.active"]
    if query.category_path:
        path = query.category_path
        filters.append(
            f"p.category_id IN (SELECT id FROM categories WHERE substr(path, 1, {sql(len(path))}) = {sql(path)})"
        )
    if query.in_stock_only:
        filters.append("p.stock_quantity > 0")
    return " AND ".join(filters)


_SORT_COLUMNS = {
    ProductSort.RELEVANCE: ("score", "mine", "sales", "stock"),
    ProductSort.NAME: ("name",),
    ProductSort.SKU: ("sku",),
    ProductSort.NEWEST: ("created_at",),
}


def _order(sort: ProductSort, alias: str, postgres: bool, score: str | None = None) -> str:
    # Names and SKUs in code point order on both databases, whatever the server's locale.
    collate = ' COLLATE "C"' if postgres else ""
    return {
        ProductSort.RELEVANCE: (
            f"{score or alias + '.score'} DESC, {alias}.mine DESC, {alias}.sales DESC, {alias}.stock DESC, {alias}.id"
        ),
        ProductSort.NAME: f"{alias}.name{collate}, {alias}.id",
        ProductSort.SKU: f"{alias}.sku{collate}, {alias}.id",
        ProductSort.NEWEST: f"{alias}.created_at DESC, {alias}.id DESC",
    }[sort]


def _tie_columns(sql: _Sql, query: SearchQuery, product_id: str, product: str | None = "p") -> dict[str, str]:
    """SQL of the tie-breaks of equal scores, for the product of id ``product_id``: never its name.

    mine: 1 when this customer ordered it since ``query.since``; sales: the shop's units of it
    since then; stock (only with the product row ``product``): 1 when in stock. Both counts come
    from the tables app.catalog.sales keeps with the orders, by primary key for this product only
    (months from ``since``'s on): no order lines counted at query time. ``mine`` reads
    customer_purchases under this customer's id, the first column of its key, so no other
    customer's purchases can count.
    """
    month = sql(sales.month_key(query.since or datetime(1970, 1, 1, tzinfo=UTC)))
    mine = "0"
    if query.customer_id is not None:
        mine = (
            f"(CASE WHEN EXISTS (SELECT 1 FROM customer_purchases cp WHERE cp.customer_id = {sql(query.customer_id)} "
            f"AND cp.product_id = {product_id} AND cp.month >= {month} AND cp.units > 0) THEN 1 ELSE 0 END)"
        )
    units = (
        f"COALESCE((SELECT sum(ps.units) FROM product_sales ps WHERE ps.product_id = {product_id} "
        f"AND ps.month >= {month}), 0)"
    )
    columns = {"mine": mine, "sales": units}
    if product is not None:
        columns["stock"] = f"(CASE WHEN {product}.stock_quantity > 0 THEN 1 ELSE 0 END)"
    return columns


def _tied_candidates(sql: _Sql, query: SearchQuery) -> str:
    """SQL of the CTE ``candidates`` (product_id, score): the matches of ``live`` that can be on the page.

    Those above the score at the page's last place (``cut``: fewer than the page), and of those
    tied on it at most TIE_BOUND more than the page: this customer's own purchases first, then the lowest ids. The
    tie-breaks (mine, sales, stock) are then looked up for these only: 'hansker' at 1M ties
    76,000 products on the top score, two lookups each (142 ms of database CPU a search). So in
    a tied group larger than TIE_BOUND the shop's sales order only the customer's own purchases
    and the first of the group by id, not all of it; groups up to the bound (every small
    catalogue, bench/relevance.py) rank exactly as before.
    """
    cut = "(SELECT score FROM cut)"
    # Without a customer ``mine`` is the constant 0, which ORDER BY would read as a column's number.
    mine = f"{_tie_columns(sql, query, 'live.product_id', None)['mine']} DESC, " if query.customer_id else ""
    return (
        f"candidates AS (SELECT product_id, score FROM live WHERE score > COALESCE({cut}, -1) "
        f"UNION ALL SELECT product_id, score FROM (SELECT product_id, score FROM live WHERE score = {cut} "
        f"ORDER BY {mine}product_id LIMIT {sql(TIE_BOUND + max(query.offset, 0) + max(query.limit, 1))}) AS first_tied)"
    )


_ALL_COLUMNS = "p.id, p.category_id, p.name, p.sku, p.created_at, p.active, p.stock_quantity"
# What the page of a plain relevance search needs: ix_products_id_name_active covers it.
_PAGE_COLUMNS = "p.id, p.active, p.stock_quantity"


def _join_products(product_id: str, postgres: bool, columns: str = _ALL_COLUMNS) -> str:
    """Each match looks its product up by primary key, after what comes before in FROM.

    PostgreSQL would rather hash all products (its cost model takes the lookups
    for disk reads): a lateral subquery that cannot be flattened (OFFSET 0)
    keeps it to lookups. On SQLite, CROSS JOIN keeps the order (the probes'
    joins first); the caller's WHERE must then say ``p.id = product_id``.
    """
    if postgres:
        return f"CROSS JOIN LATERAL (SELECT {columns} FROM products p WHERE p.id = {product_id} OFFSET 0) AS p"
    return "CROSS JOIN products p"


# The inactive products, found through the partial index ix_products_inactive (same predicate).
_INACTIVE_CONDITION = "NOT p.active"


async def search(session: AsyncSession, query: SearchQuery) -> SearchResult:
    """The page of products for the query; when a text with words finds nothing, also a
    did-you-mean and the relaxed query's results (any word), in statements of their own."""
    result, words = await _search(session, query)
    if result.total is None and not result.product_ids:
        if query.offset > 0:
            # Not counted, and an empty page past the first: past the last page, or nothing
            # matched at all (then the did-you-mean and relaxed query below). A count tells which.
            query = replace(query, with_total=True)
            result, words = await _search(session, query)
        else:
            result = replace(result, total=0)
    if result.total or result.product_ids or not words or not (query.text or "").strip() or query.typing:
        return result
    suggestion = await _did_you_mean(session, query.text or "", words)
    if len(words) > 1:
        # Counted whatever the client asked: the relaxed query answers only when it finds something.
        relaxed, _ = await _search(session, replace(query, with_total=True), any_word=True, prepared=words)
        if relaxed.total:
            return replace(relaxed, did_you_mean=suggestion, relaxed=True)
    return replace(result, did_you_mean=suggestion)


async def _did_you_mean(session: AsyncSession, value: str, words: list[_Word]) -> str | None:
    """The text with each word the catalogue does not know replaced by a known word one edit away
    (the one in most products), spelt as a product spells it; None when no word changes.

    Looks at every typed word of 4+ letters without keys of its own (typo tolerance in search
    proper starts at 5 letters; a correction offered is only a suggestion).
    """
    replacements: dict[str, str] = {}
    for word in words:
        if not word.typed.isalpha() or len(word.typed) < MIN_VOCABULARY_WORD:
            continue
        if word.keys is not None and EXACT_FACTOR in word.keys.values():
            continue  # a word of the catalogue
        variants = sorted({v for stem in word.stems for v in text.deletions(stem)})
        found = (
            await session.execute(
                select(SearchWord.word).where(SearchWord.variant.in_(variants)).distinct().order_by(SearchWord.word)
            )
        ).scalars()
        close = [c for c in found if any(text.within_one_edit(stem, c) for stem in word.stems) and c not in word.stems]
        if not close:
            continue
        sql = _Sql()
        counts = " UNION ALL ".join(
            f"SELECT {n}, (SELECT count(*) FROM (SELECT 1 AS one FROM search_terms WHERE term > {sql(c + SEPARATOR)} "
            f"AND term < {sql(c + _AFTER_SEPARATOR)} LIMIT 1000) AS capped)"
            for n, c in enumerate(close[:MAX_CORRECTIONS])
        )
        rows = (await session.execute(sql_text(counts), sql.params)).all()
        best = close[max(rows, key=lambda row: (row[1], -row[0]))[0]]
        replacements[word.typed] = await _spelling(session, best) or best
    if not replacements:
        return None
    return " ".join(replacements.get(typed, typed) for typed in text.tokens(value)[: MAX_QUERY_WORDS * 4])


async def _spelling(session: AsyncSession, stem: str) -> str | None:
    """How a product writes a word of this stem (lower case), from one product that has it."""
    row = (
        await session.execute(
            select(Product.name, Product.description, Product.manufacturer)
            .join(SearchTerm, SearchTerm.product_id == Product.id)
            .where(SearchTerm.term > stem + SEPARATOR, SearchTerm.term < stem + _AFTER_SEPARATOR)
            .limit(1)
        )
    ).first()
    if row is None:
        return None
    for value in row:
        for word in text.words(value):
            if text.stem(word) == stem:
                return word
    return None


async def _search(
    session: AsyncSession, query: SearchQuery, any_word: bool = False, prepared: list[_Word] | None = None
) -> tuple[SearchResult, list[_Word]]:
    """The query (every word, or with ``any_word`` any of the ``prepared`` words), and its words."""
    value = (query.text or "").strip()
    has_text = bool(text.tokens(value))
    sort = query.sort or (ProductSort.RELEVANCE if has_text else ProductSort.NAME)
    if sort is ProductSort.RELEVANCE and not has_text:
        sort = ProductSort.NAME
    postgres = session.get_bind().dialect.name == "postgresql"
    sql = _Sql()
    if not has_text:
        # The shelf's total is always exact (total_cap is for texts).
        query = replace(query, total_cap=None)
        return await _run(session, _browse_statement(sql, query, sort, postgres), sql, query), []

    simple = sort is ProductSort.RELEVANCE and not (query.with_facets or query.category_path or query.in_stock_only)
    words, inactive = (prepared, None) if prepared is not None else await _words_of(session, value, query, simple)
    typing = _typing_statement(sql, query, words, value, postgres) if query.typing and not any_word else None
    if typing is not None:
        return await _run(session, typing, sql, query), words
    # Rows of the rarest word (typo corrections were not counted: unknown, so many).
    matches = min(COUNT_CAP if word.corrections else word.rows for word in words) if words else 0
    fast = simple and inactive is not None and inactive < FEW_INACTIVE and matches >= FAST_FROM
    levels = _levels(words, value) if fast and postgres and not any_word else None
    if levels is not None:
        async with _steered(session):
            return await _run(session, _levels_statement(sql, query, levels), sql, query), words
    statement = _statement(sql, query, sort, words, value, fast=fast, any_word=any_word, postgres=postgres)
    if statement is None:
        return SearchResult(product_ids=[], total=0), words
    return await _run(session, statement, sql, query), words


# Planner settings for the level statements; see _steered.
_STEERING = {"enable_hashjoin": "off", "enable_hashagg": "off", "max_parallel_workers_per_gather": "0"}


@asynccontextmanager
async def _steered(session: AsyncSession) -> AsyncIterator[None]:
    """PostgreSQL runs a level statement as merges of index ranges in id order, read only as far
    as the page needs, only when it may neither hash nor hand the reads to parallel workers.

    Left to choose, it hashes each word's rows whole (its estimate of how many of them a join
    keeps is far too low to expect an early stop), and at 1M products a read of one level of
    'sårkompresser' took 60-90 ms hashed against 4-12 ms merged; parallel workers cost more to
    start than these reads take. So the three settings are set for the session before the
    statement and put back to the session's own right after: a reader autocommits, so SET LOCAL
    would end with its own statement. Should the statement fail inside a transaction, the put-back
    may fail too, and the transaction's rollback puts the settings back instead.
    """
    sql = _Sql()
    names = sql.listed(sorted(_STEERING))
    await session.execute(
        sql_text(
            "SELECT "
            + ", ".join(f"set_config({sql(name)}, {sql(value)}, false)" for name, value in sorted(_STEERING.items()))
        ),
        sql.params,
    )
    put_back = sql_text(f"SELECT set_config(name, reset_val, false) FROM pg_settings WHERE name IN ({names})")
    try:
        yield
    except BaseException:
        with suppress(DBAPIError):
            await session.execute(put_back, sql.params)
        raise
    await session.execute(put_back, sql.params)


def _statement(
    sql: _Sql,
    query: SearchQuery,
    sort: ProductSort,
    words: list[_Word],
    value: str,
    *,
    fast: bool,
    any_word: bool,
    postgres: bool,
) -> str | None:
    """The ranking statement of the plan that fits (None: nothing can match), but for the level
    plan (_levels). ``fast``: a plain relevance search with many matches and few inactive products,
    where the page alone is ranked."""
    merged = _merged(sql, words, value) if fast and postgres and not any_word else None
    if merged is not None:
        return _page_only_statement(sql, query, merged, lambda _: ("COALESCE(m.sku_score, m.words_score)", ""), True)
    matched = _matched(sql, words, value, any_word=any_word)
    if matched is None:
        return None
    source, probe = matched
    if fast:
        return _page_only_statement(sql, query, source, probe, postgres)
    return _full_statement(sql, query, sort, (source, probe), len(words) > 1, postgres)


async def _words_of(
    session: AsyncSession, value: str, query: SearchQuery, count_inactive: bool
) -> tuple[list[_Word], int | None]:
    """The text's words, prepared (keys, counts, typo corrections; typed compounds split), and the
    inactive products counted when ``count_inactive`` (None otherwise)."""
    inactive = None
    expansions = synonyms.cached()
    words = _parse(value, expansions, query.typing)
    if words:
        inactive, token = await _prepare(session, words, count_inactive=count_inactive)
        if token != expansions.token:
            # The synonyms changed since this process read them: read them, and start again.
            expansions = await synonyms.load(session)
            words = _parse(value, expansions, query.typing)
            inactive, _ = await _prepare(session, words, count_inactive=count_inactive)
    split = await _split_compounds(session, words)
    if split is not None:
        # A typed compound the catalogue does not hold: its parts are the words now.
        words = split
        inactive, _ = await _prepare(session, words, count_inactive=count_inactive)
    return words, inactive


def _browse_statement(sql: _Sql, query: SearchQuery, sort: ProductSort, postgres: bool) -> str:
    """No text: the page of products in ``sort`` order, with the total or the facets."""
    columns = ", ".join(f"p.{c}" for c in ("id", *_SORT_COLUMNS[sort]) if c != "score")
    where = f"WHERE {_filters(sql, query)}"
    statement = (
        f"SELECT 0 AS k, page.id AS ref, row_number() OVER (ORDER BY {_order(sort, 'page', postgres)}) AS n "
        f"FROM (SELECT {columns} FROM products p {where} ORDER BY {_order(sort, 'p', postgres)} "
        f"LIMIT {sql(max(query.limit, 0))} OFFSET {sql(max(query.offset, 0))}) AS page UNION ALL "
    )
    if query.with_facets:
        return statement + f"SELECT 1, p.category_id, count(*) FROM products p {where} GROUP BY p.category_id"
    return statement + f"SELECT 2, 0, count(*) FROM products p {where}"


def _page_only_statement(
    sql: _Sql, query: SearchQuery, source: str, probe: Callable[[str], tuple[str, str]], postgres: bool
) -> str:
    """A plain relevance search with many matches: only the matches that can be on the page are
    joined with products; the total leaves out the (few) inactive products, and the page needs
    names only down to the score at its last place."""
    last = sql(max(query.offset, 0) + max(query.limit, 1) - 1)
    score, joins = probe("m.product_id")
    # The score at the page's last place, then the matches that can be on the page (those
    # _tied_candidates keeps), read without products.
    return (
        f"WITH inactive AS MATERIALIZED (SELECT p.id FROM products p WHERE {_INACTIVE_CONDITION}), "
        f"live AS (SELECT m.product_id, {score} AS score FROM {source} AS m{joins} "
        "WHERE m.product_id NOT IN (SELECT id FROM inactive)), "
        f"cut AS (SELECT score FROM live WHERE score IS NOT NULL ORDER BY score DESC LIMIT 1 OFFSET {last}), "
        f"{_tied_candidates(sql, query)}, "
        + _candidates_page(sql, query, postgres)
        + (" UNION ALL SELECT 2, 0, count(*) FROM live WHERE score IS NOT NULL" if query.with_total else "")
    )


def _candidates_page(sql: _Sql, query: SearchQuery, postgres: bool) -> str:
    """The rest of a WITH whose CTE ``candidates`` (product_id, score) holds the matches that can be
    on the page: the page's rows (0, id, position).

    The cut at the page's last place by (score, mine, sales) among the candidates, read without
    products (often thousands tie on the score: every glove for "hansker"); only the candidates
    down to it are joined with products, for the last tie-break (stock) and the active flag.
    """
    last = sql(max(query.offset, 0) + max(query.limit, 1) - 1)
    ties = ", ".join(
        f"{expression} AS {name}" for name, expression in _tie_columns(sql, query, "live.product_id", None).items()
    )
    return (
        f"top AS MATERIALIZED (SELECT live.product_id, live.score, {ties} FROM candidates AS live), "
        f"cut2 AS (SELECT score, mine, sales FROM top ORDER BY score DESC, mine DESC, sales DESC LIMIT 1 OFFSET {last}) "
        f"SELECT 0 AS k, page.id AS ref, row_number() OVER (ORDER BY {_order(ProductSort.RELEVANCE, 'page', postgres)}) AS n "
        f"FROM (SELECT * FROM (SELECT p.id, top.score, top.mine, top.sales, "
        "(CASE WHEN p.stock_quantity > 0 THEN 1 ELSE 0 END) AS stock "
        f"FROM top {_join_products('top.product_id', postgres, _PAGE_COLUMNS)} "
        "WHERE p.id = top.product_id AND p.active AND (NOT EXISTS (SELECT 1 FROM cut2) "
        "OR (top.score, top.mine, top.sales) >= (SELECT score, mine, sales FROM cut2))) AS c "
        f"ORDER BY {_order(ProductSort.RELEVANCE, 'c', postgres)} "
        f"LIMIT {sql(max(query.limit, 0))} OFFSET {sql(max(query.offset, 0))}) AS page"
    )


def _merged(sql: _Sql, words: list[_Word], value: str) -> str | None:
    """Several common words (each with MERGE_FROM index rows or more, keys known): SQL of
    (product_id, sku_score, words_score) rows as ``_matched``'s, from each word's rows in product
    id order joined on it (PostgreSQL merges them); None for any other query.

    Probing a common word per candidate is an index descent a candidate and word, and hashing
    it reads it whole anyway: 'sprøyte 10 ml' at 100k read 10,000 'sprøyte' rows and hashed
    36,000 of '10' and 'ml' (34 ms), where merging the three in id order took 15 ms.
    """
    if len(words) < 2 or any(not word.keys or word.rows < MERGE_FROM for word in words):
        return None
    null = "CAST(NULL AS INTEGER)"
    parts = []
    for i, word in enumerate(words):
        rows = word.key_rows(sql)
        if not word.once_per_product:
            rows = f"SELECT product_id, max(s) AS s FROM ({rows}) AS k GROUP BY product_id"
        parts.append(f"(SELECT product_id, s FROM ({rows}) AS r ORDER BY product_id) AS w{i}")
    joined = parts[0] + "".join(f" JOIN {part} USING (product_id)" for part in parts[1:])
    words_score = " + ".join(f"w{i}.s" for i in range(len(words)))
    rows = f"SELECT product_id, {null} AS sku_score, {words_score} AS words_score FROM {joined}"
    sku = _sku_condition(sql, value)
    if sku is not None:
        # The SKU's matches come with their own score (a SKU match wins), once.
        condition, sku_score = sku
        rows += (
            f" WHERE product_id NOT IN (SELECT product_id FROM search_terms WHERE {condition}) "
            f"UNION ALL SELECT product_id, {sku_score}, {null} FROM search_terms WHERE {condition}"
        )
    return f"({rows})"


@dataclass(frozen=True, slots=True)
class _Part:
    """What a level asks of one word: one of its keys at one score (or, for the text as a SKU, the
    exact SKU's key, or the range of SKU keys starting with it)."""

    keys: tuple[str, ...] = ()
    low: str | None = None  # a range instead: low <= term < high
    high: str | None = None

    def ids(self, sql: _Sql) -> str:
        """SQL of its products' ids in id order, a product possibly more than once.

        Each key's index range is in id order; written as parenthesised selects each with its
        ORDER BY, PostgreSQL merges them (a Merge Append) and reads only as far as asked, where a
        plain UNION ALL under an ORDER BY is sorted whole first ('sårbehandling' at 1M: 118,000 rows).
        """
        if self.low is not None and self.high is not None:
            return (
                f"(SELECT product_id FROM search_terms WHERE term >= {sql(self.low)} AND term < {sql(self.high)} "
                "ORDER BY product_id)"
            )
        reads = " UNION ALL ".join(
            f"(SELECT product_id FROM search_terms WHERE term = {sql(key)} ORDER BY product_id)" for key in self.keys
        )
        return f"({reads})"

    def held_by(self, sql: _Sql, product_id: str) -> str:
        """SQL: the product has a key of the part."""
        if self.low is not None and self.high is not None:
            condition = f"t.term >= {sql(self.low)} AND t.term < {sql(self.high)}"
        else:
            condition = f"t.term IN ({sql.listed(self.keys)})"
        return f"EXISTS (SELECT 1 FROM search_terms t WHERE t.product_id = {product_id} AND {condition})"


_Combo = tuple[_Part, ...]  # a product with a key of every part: one part a word, or the SKU alone
_Level = tuple[int, list[_Combo]]  # a score, and the combinations of the words' scores that make it


@dataclass(frozen=True, slots=True)
class _Levels:
    """A text's scores from the best down, and what the total counts: products with a key of every
    ``words`` part (all of each word's keys), and those of the ``skus`` parts."""

    levels: list[_Level]
    words: _Combo
    skus: tuple[_Part, ...]


def _word_levels(word: _Word) -> list[tuple[int, tuple[str, ...]]]:
    """A word's keys by score, the best first (a key gives every product the same score)."""
    assert word.keys
    by_score: dict[int, list[str]] = {}
    for key, factor in word.keys.items():
        by_score.setdefault(WEIGHTS[key[-1]] * factor * word.scale, []).append(key)
    return [(score, tuple(sorted(by_score[score]))) for score in sorted(by_score, reverse=True)]


def _levels(words: list[_Word], value: str) -> _Levels | None:
    """The levels of a text whose words' keys are known: each combination of the words' scores is a
    score of the text (their sum), the text as a SKU above them; None for any other query (a word
    with a range of keys, or more than MAX_LEVEL_COMBOS combinations).

    A product's score is the sum of each word's best key, so the products of a combination
    whose sum is S score S or more; those that score more belong to a combination with a larger
    sum (one word's score larger, none smaller), so a level read after every level above it,
    leaving their products out, holds exactly the products of its score.
    """
    if not words or any(not word.keys for word in words):
        return None
    per_word = [_word_levels(word) for word in words]
    if prod(len(scores) for scores in per_word) > MAX_LEVEL_COMBOS:
        return None
    by_score: dict[int, list[_Combo]] = {}
    for chosen in itertools.product(*per_word):
        by_score.setdefault(sum(score for score, _ in chosen), []).append(tuple(_Part(keys) for _, keys in chosen))
    skus: list[_Part] = []
    sku_key = text.sku_key(value)
    if sku_key:
        exact = term(_SKU_PREFIX + sku_key, SKU)
        skus.append(_Part((exact,)))
        by_score.setdefault(SKU_EXACT_SCORE, []).append((skus[-1],))
        if len(sku_key) >= 2 and any(ch.isdigit() for ch in sku_key):
            # SKUs starting with the text (its exact SKU scored above, and left out here as a better level's).
            start = _SKU_PREFIX + sku_key
            skus.append(_Part(low=start, high=_upper_bound(start)))
            by_score.setdefault(SKU_PREFIX_SCORE, []).append((skus[-1],))
    levels = [(score, by_score[score]) for score in sorted(by_score, reverse=True)]
    return _Levels(levels, tuple(_Part(tuple(sorted(word.keys or ()))) for word in words), tuple(skus))


def _combo_ids(sql: _Sql, combo: _Combo) -> str:
    """SQL of the ids, in id order and possibly repeated, of the products with a key of every part:
    each part's ids merged with the first's (a merge join, none of them hashed)."""
    first, *rest = combo
    joins = "".join(
        f" JOIN {part.ids(sql)} AS w{i} ON w{i}.product_id = w0.product_id" for i, part in enumerate(rest, 1)
    )
    return f"SELECT w0.product_id FROM {first.ids(sql)} AS w0{joins}"


def _ids_of(sql: _Sql, combos: Sequence[_Combo]) -> str:
    """SQL of the ids, in id order and possibly repeated, of the products of any of the combos."""
    if len(combos) == 1:
        return _combo_ids(sql, combos[0])
    return " UNION ALL ".join(f"({_combo_ids(sql, combo)} ORDER BY 1)" for combo in combos)


def _active(product_id: str) -> str:
    """SQL: the product is active. An anti-join, kept above the merges: as ``NOT IN`` (inactive) it
    was pushed into every key's read and hashed the 15,000 inactive ids of 1M once a key."""
    return f"NOT EXISTS (SELECT 1 FROM products p WHERE p.id = {product_id} AND {_INACTIVE_CONDITION})"


def _of_level(level: int, product_id: str, page: str) -> str:
    """SQL: the product may be of level ``level``: active, and of no better level (each complete
    while this one is read), read only while the better levels hold fewer than ``page`` products."""
    found = _active(product_id) + "".join(
        f" AND {product_id} NOT IN (SELECT product_id FROM level_{better})" for better in range(level)
    )
    if level:
        above = " + ".join(f"(SELECT count(*) FROM level_{better})" for better in range(level))
        found += f" AND {above} < {page}"
    return found


def _levels_statement(sql: _Sql, query: SearchQuery, plan: _Levels) -> str:
    """A text with many matches whose words' keys are known (the page alone ranked): each score's
    products read in id order, from the best score down, and only until the page is full; the
    total counted apart, up to ``query.total_cap`` and one more.

    Each score's first ``bound`` (TIE_BOUND more than the page, as _tied_candidates keeps of a
    tied group) are read by id (a merge of its keys' index ranges, which are in id order, and of
    the words' on id), leaving out the products of better scores: while the scores above the
    page's last place hold fewer than a page, those are all of them (few, so the read stops
    soon), and a score is read only while the page is not full. At the page's last place this
    customer's own purchases come first, looked up from the customer's purchases. So the
    candidates, and the page, are those of _page_only_statement, while 'kateter' at 1M (95,000
    matches, ~8 scores) reads some thousands of index rows for the page instead of ranking all,
    and 'sårkompresser' (sår + kompress: 290,000 and 97,000 index rows) reads three of its 20
    combinations, two of them empty, where ranking every match took 300 ms.
    """
    need = max(query.offset, 0) + max(query.limit, 1)
    bound, page = sql(TIE_BOUND + need), sql(need)
    ctes = []
    own = _own_purchases(sql, query)
    if own:
        ctes.append(f"own AS MATERIALIZED ({own})")
    for i, (_, combos) in enumerate(plan.levels):
        first = (
            f"SELECT DISTINCT product_id FROM ({_ids_of(sql, combos)}) AS c "
            f"WHERE {_of_level(i, 'c.product_id', page)} ORDER BY product_id LIMIT {bound}"
        )
        if not own:
            ctes.append(f"level_{i} AS MATERIALIZED ({first})")
            continue
        # The first by id, or (a score with more than the bound) this customer's purchases first.
        held = " OR ".join(
            "(" + " AND ".join(part.held_by(sql, "own.product_id") for part in combo) + ")" for combo in combos
        )
        ctes.append(f"first_{i} AS MATERIALIZED ({first})")
        ctes.append(
            f"level_{i} AS MATERIALIZED (SELECT product_id FROM (SELECT product_id, 0 AS mine FROM first_{i} "
            f"UNION ALL SELECT product_id, 1 FROM own WHERE (SELECT count(*) FROM first_{i}) >= {bound} "
            f"AND {_of_level(i, 'own.product_id', page)} AND ({held})) AS u "
            f"GROUP BY product_id ORDER BY max(mine) DESC, product_id LIMIT {bound})"
        )
    candidates = " UNION ALL ".join(
        f"SELECT product_id, {score} AS score FROM level_{i}" for i, (score, _) in enumerate(plan.levels)
    )
    ctes.append(f"candidates AS ({candidates})")
    return (
        "WITH "
        + ", ".join(ctes)
        + ", "
        + _candidates_page(sql, query, postgres=True)
        + (" UNION ALL " + _levels_total(sql, plan, query.total_cap) if query.with_total else "")
    )


def _own_purchases(sql: _Sql, query: SearchQuery) -> str | None:
    """SQL of this customer's purchased products since ``query.since`` (as ``mine`` counts them); None: no customer."""
    if query.customer_id is None:
        return None
    month = sql(sales.month_key(query.since or datetime(1970, 1, 1, tzinfo=UTC)))
    return (
        f"SELECT DISTINCT cp.product_id FROM customer_purchases cp WHERE cp.customer_id = {sql(query.customer_id)} "
        f"AND cp.month >= {month} AND cp.units > 0"
    )


def _levels_total(sql: _Sql, plan: _Levels, cap: int | None) -> str:
    """SQL of the total row (2, 0, count) of the levels: active products with a key of every word,
    or of the text as a SKU; counted in id order up to ``cap`` and one more (None: all)."""
    words = _combo_ids(sql, plan.words)
    if plan.skus:
        skus = " UNION ALL ".join(f"(SELECT product_id FROM {part.ids(sql)} AS s ORDER BY 1)" for part in plan.skus)
        words = f"({words} ORDER BY 1) UNION ALL {skus}"
    limit = f" LIMIT {sql(cap + 1)}" if cap is not None else ""
    return (
        f"SELECT 2, 0, (SELECT count(*) FROM (SELECT DISTINCT product_id FROM ({words}) AS c "
        f"WHERE {_active('c.product_id')} ORDER BY product_id{limit}) AS d)"
    )


def _full_statement(
    sql: _Sql,
    query: SearchQuery,
    sort: ProductSort,
    matched: tuple[str, Callable[[str], tuple[str, str]]],
    several: bool,
    postgres: bool,
) -> str:
    """Every match joined with products (filters, facets, other sorts): the page with the total or facets."""
    source, probe = matched
    # Read twice below, so materialised: the matches with what sorting and facets need.
    needed = ["id", "score", *(["category_id"] if query.with_facets else []), *_SORT_COLUMNS[sort]]
    needed = list(dict.fromkeys(needed))
    # Other words are probed before products are joined (a probe costs less than the join): with
    # several words the scores are materialised first, so neither planner can put the join first.
    score, joins = probe("m.product_id")
    scored = f"SELECT m.product_id, {score} AS score FROM {source} AS m{joins}"
    if several:
        prefix, scored = f"WITH s AS MATERIALIZED ({scored}), ", "s"
    else:
        prefix, scored = "WITH ", f"({scored}) AS s"
    computed = _tie_columns(sql, query, "p.id") if sort is ProductSort.RELEVANCE else {}
    selected = ", ".join(
        "s.score" if c == "score" else f"{computed[c]} AS {c}" if c in computed else f"p.{c}" for c in needed
    )
    columns = ", ".join(f"found.{c}" for c in needed)
    statement = (
        f"{prefix}found AS (SELECT {selected} FROM {scored} {_join_products('s.product_id', postgres)} "
        f"WHERE p.id = s.product_id AND s.score IS NOT NULL AND {_filters(sql, query)}) "
        f"SELECT 0 AS k, page.id AS ref, row_number() OVER (ORDER BY {_order(sort, 'page', postgres)}) AS n "
        f"FROM (SELECT {columns} FROM found WHERE score IS NOT NULL ORDER BY {_order(sort, 'found', postgres)} "
        f"LIMIT {sql(max(query.limit, 0))} OFFSET {sql(max(query.offset, 0))}) AS page"
    )
    if query.with_facets:
        return (
            statement
            + " UNION ALL SELECT 1, category_id, count(*) FROM found WHERE score IS NOT NULL GROUP BY category_id"
        )
    if query.with_total:
        return statement + " UNION ALL SELECT 2, 0, count(*) FROM found WHERE score IS NOT NULL"
    return statement


def _typing_statement(sql: _Sql, query: SearchQuery, words: list[_Word], value: str, postgres: bool) -> str | None:
    """As the user types one word (suggestions): the page from a bounded read, or None (the full plan).

    A prefix of two letters matches thousands of index rows ('ha': 18,700 at 100k) while a
    suggestion shows eight. The word's keys are known, and a key gives every product the same
    score, so each key's first rows (by product id, at most TYPING_ROWS and at least twice the
    page) are read, best keys and worst alike, and only those are ranked: a product beyond a
    key's bound loses to the bound's own products of that score, which fill the page. So the
    scores on the page are exact; the tie-breaks (own purchases, sales, stock) order the
    products read of a tied key, not all of them (the suggestions put the customer's own
    purchases first anyway: app.catalog.suggestions). The total is the products read.
    """
    if len(words) != 1 or not words[0].keys or any(ch.isdigit() for ch in value):
        return None  # several words, too many keys (a range) or a SKU prefix: the full plan
    word, keys = words[0], words[0].keys
    bound = sql(max(TYPING_ROWS, 2 * (max(query.offset, 0) + max(query.limit, 0))))
    reads = [
        f"SELECT * FROM (SELECT product_id, {WEIGHTS[key[-1]] * factor * word.scale} AS score FROM search_terms "
        f"WHERE term = {sql(key)} ORDER BY product_id LIMIT {bound}) AS k{n}"
        for n, (key, factor) in enumerate(sorted(keys.items()))
    ]
    sku = sku_term(value)
    if sku is not None:
        reads.append(f"SELECT product_id, {SKU_EXACT_SCORE} FROM search_terms WHERE term = {sql(sku)}")
    ties = ", ".join(f"{expression} AS {name}" for name, expression in _tie_columns(sql, query, "p.id").items())
    order = _order(ProductSort.RELEVANCE, "page", postgres)
    return (
        f"WITH typed AS MATERIALIZED (SELECT product_id, max(score) AS score FROM ({' UNION ALL '.join(reads)}) "
        "AS term_rows GROUP BY product_id) "
        f"SELECT 0 AS k, page.id AS ref, row_number() OVER (ORDER BY {order}) AS n "
        f"FROM (SELECT * FROM (SELECT p.id, typed.score, {ties} FROM typed "
        f"{_join_products('typed.product_id', postgres)} WHERE p.id = typed.product_id AND p.active) AS c "
        f"ORDER BY {_order(ProductSort.RELEVANCE, 'c', postgres)} "
        f"LIMIT {sql(max(query.limit, 0))} OFFSET {sql(max(query.offset, 0))}) AS page "
        "UNION ALL SELECT 2, 0, count(*) FROM typed"
    )


async def _run(session: AsyncSession, statement: str, sql: _Sql, query: SearchQuery) -> SearchResult:
    """Runs the statement: page rows (0, id, position), then facet rows (1, category, count) or the total (2)."""
    rows = (await session.execute(sql_text(statement), sql.params)).all()
    ranked = sorted((n, ref) for k, ref, n in rows if k == 0)
    facets = {ref: n for k, ref, n in rows if k == 1}
    if query.with_facets:
        return SearchResult(product_ids=[ref for _, ref in ranked], total=sum(facets.values()), facets=facets)
    total = next((n for k, _, n in rows if k == 2), None)
    exact = total is None or query.total_cap is None or total <= query.total_cap
    if not exact:
        total = query.total_cap
    return SearchResult(product_ids=[ref for _, ref in ranked], total=total, facets=facets, total_is_exact=exact)
