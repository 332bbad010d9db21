"""The demo products, generated: deterministic, pure Python, no database.

A fixed three-level category tree (``DEMO_CATEGORIES``, from
``app.demo.assortment``) and ``demo_products(start, stop, now)``, which makes
product number ``k`` the same way whatever else is asked for. Products come
from seeded blocks of ``BLOCK`` products (``random.Random(block number)``), so
the first 2,000 products of a 100,000-product catalogue are the 2,000-product
catalogue, and the same N always gives the same SKUs, names, prices and stock.
Only ``created_at`` depends on the moment of seeding: products are "created" a
deterministic time before ``now``.
"""

from __future__ import annotations

import itertools
import random
import re
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from app import clock
from app.demo.assortment import NOT_NUTRITION, TREE, Family
from app.models import DocumentKind, ProductType

IMAGE_BASE = "https://bilder.example.no"
DOCUMENT_BASE = "https://dokumenter.example.no"

# --- Categories --------------------------------------------------------------

# As app.catalog.categories makes them: lower-case ASCII, Norwegian letters transliterated.
_SLUG_LETTERS = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "ö": "o", "ä": "a", "é": "e", "ü": "u"})


def slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower().translate(_SLUG_LETTERS)).strip("-")


@dataclass(frozen=True, slots=True)
class DemoCategory:
    names: tuple[str, ...]  # from the root down, this one last

    @property
    def name(self) -> str:
        return self.names[-1]

    @property
    def depth(self) -> int:  # 0 at the top
        return len(self.names) - 1

    @property
    def slug(self) -> str:
        """Parent first, as the ERP import makes them: "forbruksmateriell-hansker-nitrilhansker"."""
        return "-".join(slugify(name) for name in self.names)


@dataclass(frozen=True, slots=True)
class _Leaf:
    names: tuple[str, ...]
    manufacturers: tuple[str, ...]
    standards: str
    nutrition: bool
    aids: bool
    families: tuple[Family, ...]


def _build_tree() -> tuple[tuple[DemoCategory, ...], tuple[_Leaf, ...]]:
    categories: list[DemoCategory] = []
    leaves: list[_Leaf] = []
    for top, manufacturers, standards, kind, middles in TREE:
        categories.append(DemoCategory((top,)))
        for middle, leaf_map in middles.items():
            categories.append(DemoCategory((top, middle)))
            for leaf, families in leaf_map.items():
                categories.append(DemoCategory((top, middle, leaf)))
                leaves.append(
                    _Leaf(
                        names=(top, middle, leaf),
                        manufacturers=manufacturers,
                        standards=standards,
                        nutrition=kind == "nutrition" and leaf not in NOT_NUTRITION,
                        aids=kind == "aids",
                        families=families,
                    )
                )
    return tuple(categories), tuple(leaves)


DEMO_CATEGORIES, _LEAVES = _build_tree()
# Every family with its leaf, and the cumulative weights to draw one.
_FAMILIES: tuple[tuple[_Leaf, Family], ...] = tuple((leaf, family) for leaf in _LEAVES for family in leaf.families)
_CUMULATIVE: tuple[float, ...] = tuple(itertools.accumulate(family.weight for _, family in _FAMILIES))
_TOTAL_WEIGHT = _CUMULATIVE[-1]

# --- Products ----------------------------------------------------------------

# Products are drawn in blocks; block b always comes from random.Random(_SEED + b).
BLOCK = 1_000
_SEED = 20_261_127
# SKU numbers: an affine bijection of the product number onto 100000..9099999.
_SKU_SPAN = 9_000_000
_SKU_STEP = 2_718_281  # coprime with the span (2^6 3^2 5^6): no two products share a number
_SKU_OFFSET = 1_234_567
_AGE_SECONDS = 2 * 365 * 24 * 3600

DEMO_CUSTOMER_DISCOUNTS = {
    # customer number: (share of products with an agreement price, smallest and largest discount)
    "10001": (0.40, 0.05, 0.30),
    "10002": (0.25, 0.05, 0.25),
}

_TYPE_NOTES = {
    ProductType.SPECIAL_ORDER: "Skaffevare: bestilles hjem fra leverandør ved behov, normalt 1–2 ukers leveringstid. Kan ikke returneres.",
    ProductType.MADE_TO_ORDER: "Bestillingsvare: produseres eller tilpasses etter bestilling, normalt 2–4 ukers leveringstid. Kan ikke returneres.",
    ProductType.NUTRITION: "Ernæringsprodukt: kan ikke returneres. Oppbevares tørt og kjølig, holdbar i 24 timer i kjøleskap etter åpning.",
}


def demo_sku(k: int) -> str:
    """The SKU of demo product number k (0-based): unique, 6 or 7 digits, some with a dash."""
    if not 0 <= k < _SKU_SPAN:
        raise ValueError(f"no demo product number {k}")
    number = 100_000 + (k * _SKU_STEP + _SKU_OFFSET) % _SKU_SPAN
    # Every seventh a supplier-style "12345-67": a dash never appears in the plain form.
    return f"{number // 100}-{number % 100:02d}" if k % 7 == 3 else str(number)


@dataclass(slots=True)
class DemoProduct:
    """One demo product as plain values (the ORM's Python types), with its children."""

    number: int  # k: the product's place in the demo sequence
    sku: str
    name: str
    description: str
    manufacturer: str
    unit: str
    pack_size: int
    list_price: Decimal
    product_type: ProductType
    category_names: tuple[str, ...]
    active: bool
    stock_quantity: int
    created_at: datetime
    images: list[tuple[str, str]] = field(default_factory=list)  # (url, alt)
    documents: list[tuple[DocumentKind, str, str]] = field(default_factory=list)  # (kind, title, url)
    agreement_prices: dict[str, Decimal] = field(default_factory=dict)  # customer number -> price


class _Line:
    """A product line in its leaf, with everything per product precomputed."""

    __slots__ = (
        "leaf",
        "family",
        "pattern",
        "choices",
        "makers",
        "packs",
        "descriptions",
        "made_to_order",
        "special_order",
    )

    def __init__(self, leaf: _Leaf, family: Family) -> None:
        self.leaf = leaf
        self.family = family
        names = [name for name, _ in family.slots]
        # "{farge} str. {str}" -> "{0} str. {1}": filled positionally.
        self.pattern = re.sub(r"\{(\w+)\}", lambda m: "{" + str(names.index(m.group(1))) + "}", family.pattern)
        self.choices = tuple(values for _, values in family.slots)
        self.makers = family.makers or leaf.manufacturers
        self.packs = family.packs
        self.descriptions: dict[tuple[int, ProductType], str] = {}
        often = leaf.aids or family.apparatus
        self.made_to_order = 0.30 if often else 0.025
        self.special_order = self.made_to_order + (0.15 if often else 0.06)

    def description(self, pack_size: int, product_type: ProductType) -> str:
        key = (pack_size, product_type)
        text = self.descriptions.get(key)
        if text is None:
            unit = self.family.unit
            if pack_size == 1:
                pack = f"Leveres per {unit}."
            elif unit in {"eske", "pakke", "kartong", "boks"}:
                pack = f"Pakning: {pack_size} stk per {unit}."
            else:
                pack = f"Pakning: {pack_size} per {unit}."
            parts = (self.family.description, self.leaf.standards, pack, _TYPE_NOTES.get(product_type, ""))
            text = self.descriptions[key] = " ".join(part for part in parts if part)
        return text


_LINES = tuple(_Line(leaf, family) for leaf, family in _FAMILIES)
_STANDARD, _SPECIAL, _MADE, _NUTRITION = (
    ProductType.STANDARD,
    ProductType.SPECIAL_ORDER,
    ProductType.MADE_TO_ORDER,
    ProductType.NUTRITION,
)
_DATA_SHEET, _SAFETY_SHEET, _MANUAL = (
    DocumentKind.PRODUCT_DATA_SHEET,
    DocumentKind.SAFETY_DATA_SHEET,
    DocumentKind.USER_MANUAL,
)
_DISCOUNTS = tuple(
    (number, share, least, most - least) for number, (share, least, most) in DEMO_CUSTOMER_DISCOUNTS.items()
)


def _price_ore(r: Callable[[], float], low: float, high: float, scale: float) -> int:
    """A shelf price in øre: mostly ,90, ,50 or whole kroner; now and then an odd one."""
    nok = (low + (high - low) * r() ** 1.5) * scale
    kroner = max(int(nok), 1)
    ending = r()
    if ending < 0.45:
        return kroner * 100 + 90 if kroner > 1 else 90
    if ending < 0.65:
        return kroner * 100 + 50
    if ending < 0.9:
        return kroner * 100
    return max(int(nok * 100), 1)


def _type_and_stock(line: _Line, r: Callable[[], float], rng: random.Random) -> tuple[ProductType, int]:
    draw = r()
    if line.leaf.nutrition:
        product_type = _NUTRITION
    elif draw < line.made_to_order:
        product_type = _MADE
    elif draw < line.special_order:
        product_type = _SPECIAL
    else:
        product_type = _STANDARD
    if product_type is _MADE:
        return product_type, 0
    if product_type is _SPECIAL:
        return product_type, 0 if r() < 0.8 else 1 + int(r() * 19)
    return product_type, 0 if r() < 0.08 else int(rng.expovariate(0.004)) + 1


def _documents(family: Family, name: str, sku: str, r: Callable[[], float]) -> list[tuple[DocumentKind, str, str]]:
    documents: list[tuple[DocumentKind, str, str]] = []
    if family.chemical or r() < 0.85:
        documents.append((_DATA_SHEET, f"Produktdatablad {name}", f"{DOCUMENT_BASE}/{sku}-produktdatablad.pdf"))
    if family.chemical:
        documents.append((_SAFETY_SHEET, f"Sikkerhetsdatablad {name}", f"{DOCUMENT_BASE}/{sku}-sikkerhetsdatablad.pdf"))
    if family.apparatus:
        documents.append((_MANUAL, f"Bruksanvisning {name}", f"{DOCUMENT_BASE}/{sku}-bruksanvisning.pdf"))
    return documents


def _agreement_prices(list_ore: int, r: Callable[[], float]) -> dict[str, Decimal]:
    agreement: dict[str, Decimal] = {}
    for number, share, least, spread in _DISCOUNTS:
        if r() < share:
            ore = int(list_ore * (1 - least - spread * r()))
            if 0 < ore < list_ore:
                agreement[number] = Decimal(ore).scaleb(-2)
    return agreement


def _product(k: int, rng: random.Random, now: datetime) -> DemoProduct:
    """Demo product ``k``. The draws from ``rng`` come in a fixed order (the helpers' calls
    included): a change of that order changes every product after the first."""
    r = rng.random
    line = _LINES[min(bisect_right(_CUMULATIVE, r() * _TOTAL_WEIGHT), len(_LINES) - 1)]
    leaf, family = line.leaf, line.family
    name = line.pattern.format(*[values[int(r() * len(values))] for values in line.choices])
    sku = demo_sku(k)
    makers = line.makers
    manufacturer = makers[int(r() * len(makers))]
    packs = line.packs
    pack_size = packs[0] if len(packs) == 1 or r() < 0.6 else packs[1 + int(r() * (len(packs) - 1))]
    list_ore = _price_ore(r, family.price[0], family.price[1], (pack_size / packs[0]) ** 0.9)
    product_type, stock = _type_and_stock(line, r, rng)
    active = r() >= 0.015

    images = [(f"{IMAGE_BASE}/{sku}.jpg", name)]
    if r() < 0.3:
        images.append((f"{IMAGE_BASE}/{sku}-2.jpg", f"{name} – pakning"))
    documents = _documents(family, name, sku, r)
    agreement = _agreement_prices(list_ore, r)

    return DemoProduct(
        number=k,
        sku=sku,
        name=name,
        description=line.description(pack_size, product_type),
        manufacturer=manufacturer,
        unit=family.unit,
        pack_size=pack_size,
        list_price=Decimal(list_ore).scaleb(-2),
        product_type=product_type,
        category_names=leaf.names,
        active=active,
        stock_quantity=stock,
        created_at=now - timedelta(seconds=int(r() * _AGE_SECONDS)),
        images=images,
        documents=documents,
        agreement_prices=agreement,
    )


def demo_products(start: int, stop: int, now: datetime | None = None) -> Iterator[DemoProduct]:
    """Demo products number start..stop-1; number k is the same whatever the range."""
    now = now or clock.now()
    k = start
    while k < stop:
        block = k // BLOCK
        rng = random.Random(_SEED + block)
        first = block * BLOCK
        for j in range(first, min(first + BLOCK, stop)):
            product = _product(j, rng, now)
            if j >= k:
                yield product
        k = min(first + BLOCK, stop)


def demo_products_at(numbers: Sequence[int], now: datetime | None = None) -> Iterator[DemoProduct]:
    """The demo products with these numbers (ascending), each block generated once."""
    now = now or clock.now()
    wanted = sorted(set(numbers))
    i = 0
    while i < len(wanted):
        block = wanted[i] // BLOCK
        end = (block + 1) * BLOCK
        last = i
        while last < len(wanted) and wanted[last] < end:
            last += 1
        keep = set(wanted[i:last])
        for product in demo_products(block * BLOCK, wanted[last - 1] + 1, now):
            if product.number in keep:
                yield product
        i = last
