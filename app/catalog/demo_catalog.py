"""The demo catalogue: a deterministic Norwegian medical-supplies assortment, bulk loaded.

Two halves:

* **The generator** (pure Python, no database): a fixed three-level category
  tree and ``demo_products(start, stop, now)``, which makes product number
  ``k`` the same way whatever else is asked for. Products come from seeded
  blocks of ``BLOCK`` products (``random.Random(block number)``), so the first
  2,000 products of a 100,000-product catalogue are the 2,000-product
  catalogue, and the same N always gives the same SKUs, names, prices and
  stock. Only ``created_at`` depends on the moment of seeding: products are
  "created" a deterministic time before ``now``.

* **The loader** (``seed_demo_catalog``): rows as plain tuples, never ORM
  objects, inserted in batches of ``BATCH`` products inside the caller's
  transaction; ids are reserved up front (max(id)+1 on SQLite, which holds the
  write lock; the table's sequence on PostgreSQL), so children need no
  RETURNING. Values go through the columns' own bind processors, so they are
  stored exactly as the ORM stores them (øre, UTC, enum values). PostgreSQL
  gets them with asyncpg's ``COPY``; SQLite as one ``INSERT ... SELECT`` over
  ``json_each`` per table and batch. A worker thread makes batch k+1 (the
  products and their search index rows) while the database writes batch k.
  See ``_Writer`` for why, and for what a large load on PostgreSQL does to
  the keys. 100,000 products with their 4.4 million index rows take about
  45 s on SQLite and 35 s on PostgreSQL on a busy 2-core machine.

Idempotence: a demo product is known by its SKU. Seeding N makes the demo
products 0..N-1 whose SKUs are not in the database yet, and nothing else: a
second run with the same N adds nothing, a larger N adds the missing tail, a
smaller N removes nothing. Products already present are never updated.
Categories are matched by parent and name, as the ERP import matches them.

The search index (``search_terms`` / ``search_words``) is written from
``app.catalog.search.index_terms``, ``index_words`` and ``word_variants``
for the products added (see ``_Indexer``). While those are not implemented the products are loaded without index
rows (a warning is logged); a later run indexes every product that has no
index rows, so a database seeded before search existed catches up.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import json
import logging
import random
import re
import time
from bisect import bisect_right
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import Table, func, select, text
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.schema import AddConstraint, CreateIndex, DropConstraint, DropIndex, ExecutableDDLElement

from app import clock
from app.catalog import search
from app.models import (
    AgreementPrice,
    Category,
    Customer,
    DocumentKind,
    Product,
    ProductDocument,
    ProductImage,
    ProductType,
    SearchTerm,
    SearchWord,
)

log = logging.getLogger(__name__)
T = TypeVar("T")
U = TypeVar("U")

DEFAULT_PRODUCTS = 2_000
MAX_PRODUCTS = 1_000_000

IMAGE_BASE = "https://bilder.example.no"
DOCUMENT_BASE = "https://dokumenter.example.no"

# --- The assortment ----------------------------------------------------------

COLOURS = ("blå", "hvit", "sort", "lilla", "rosa")
SIZES = ("XS", "S", "M", "L", "XL")
SIZES_SHORT = ("S", "M", "L", "XL")
GLOVE_SIZES = ("6,0", "6,5", "7,0", "7,5", "8,0", "8,5")
FLAVOURS = ("sjokolade", "vanilje", "jordbær", "kaffe", "banan", "nøytral", "skogsbær", "aprikos")
JUICE_FLAVOURS = ("eple", "appelsin", "bringebær", "tropisk", "fersken")
COMPRESS_SIZES = ("5x5", "7,5x7,5", "10x10", "10x20", "15x15", "20x20")
FOAM_SIZES = ("7,5x7,5", "10x10", "12,5x12,5", "15x15", "15x20", "20x20")
CH_SIZES = ("CH 8", "CH 10", "CH 12", "CH 14", "CH 16", "CH 18")
WIDTHS = ("4", "6", "8", "10", "12", "15")
SYRINGE_ML = ("1", "2", "3", "5", "10", "20", "50")
NEEDLES = (
    ("0,4 x 19 mm", "27G"),
    ("0,5 x 16 mm", "25G"),
    ("0,6 x 25 mm", "23G"),
    ("0,6 x 30 mm", "23G"),
    ("0,8 x 40 mm", "21G"),
    ("0,9 x 40 mm", "20G"),
    ("1,2 x 40 mm", "18G"),
)
CANNULA_G = ("18G", "20G", "22G", "24G")
PEN_NEEDLES = ("4 mm 32G", "5 mm 31G", "6 mm 31G", "8 mm 30G")
DISPENSER_ML = ("100", "500", "600", "1000")
STOMA_MM = ("20", "25", "30", "35", "40", "45", "50")


@dataclass(frozen=True, slots=True)
class Family:
    """A product line: a name pattern and the values its slots take."""

    pattern: str  # "Nitrilhanske pudderfri {farge} str. {str}"
    description: str
    unit: str
    packs: tuple[int, ...]  # pieces per sales unit; the first is the price's reference
    price: tuple[float, float]  # NOK per sales unit at packs[0]
    slots: tuple[tuple[str, tuple[str, ...]], ...] = ()
    chemical: bool = False  # gets a safety data sheet
    apparatus: bool = False  # often made to order, has a user manual
    weight: float = 1.0  # how common the line is in the assortment
    makers: tuple[str, ...] = ()  # when not the top category's manufacturers


def F(  # short on purpose: the table below has one per product line
    pattern: str,
    unit: str,
    packs: int | tuple[int, ...],
    low: float,
    high: float,
    *,
    about: str,
    chemical: bool = False,
    apparatus: bool = False,
    weight: float = 1.0,
    makers: tuple[str, ...] = (),
    **slots: tuple[str, ...],
) -> Family:
    return Family(
        pattern=pattern,
        description=about,
        unit=unit,
        packs=packs if isinstance(packs, tuple) else (packs,),
        price=(low, high),
        slots=tuple(slots.items()),
        chemical=chemical,
        apparatus=apparatus,
        weight=weight,
        makers=makers,
    )


# fmt: off
# (top category, its manufacturers, a sentence every description gets, kind,
#  {middle category: {leaf category: product lines}}).
# kind: "nutrition" makes every product of the top category a NUTRITION product,
# except leaves named in NOT_NUTRITION; "aids" makes special/made-to-order products common.
TREE: tuple[tuple[str, tuple[str, ...], str, str, dict[str, dict[str, tuple[Family, ...]]]], ...] = (
    ("Forbruksmateriell", ("Abena", "Mediq", "Hartmann", "Essity", "Ansell", "Mölnlycke"),
     "Medisinsk utstyr i klasse I, CE-merket.", "", {
        "Hansker": {
            "Nitrilhansker": (
                F("Nitrilhanske pudderfri {farge} str. {str}", "eske", (200, 150, 250), 79, 189, weight=3,
                  farge=COLOURS, str=SIZES,
                  about="Pudderfri og lateksfri undersøkelseshanske i nitril med teksturerte fingertupper for godt grep. Egnet for brukere med lateksallergi. Oppfyller EN 455 og EN ISO 374."),
                F("Nitrilhanske ekstra lang {farge} str. {str}", "eske", (100, 50), 119, 259,
                  farge=("blå", "sort", "grønn"), str=SIZES,
                  about="Lang mansjett (30 cm) som beskytter underarmen ved rengjøring og håndtering av kjemikalier. Pudderfri og lateksfri."),
            ),
            "Vinylhansker": (
                F("Undersøkelseshanske vinyl pudderfri str. {str}", "eske", (100, 200), 49, 99, weight=2, str=SIZES,
                  about="Rimelig engangshanske i vinyl til korte prosedyrer med lav smitterisiko. Lateksfri og pudderfri."),
                F("Vinylhanske {farge} str. {str}", "eske", 100, 45, 89, farge=("blå", "hvit", "klar"),
                  str=SIZES_SHORT,
                  about="Myk og tynn vinylhanske til stell og kjøkkenbruk. Godkjent for kontakt med næringsmidler."),
            ),
            "Sterile hansker": (
                F("Operasjonshanske steril lateks str. {nr}", "eske", (50, 40), 389, 789, nr=GLOVE_SIZES,
                  about="Steril, pudderfri operasjonshanske i naturgummilateks med anatomisk form og mikroru overflate. Pakket parvis."),
                F("Operasjonshanske steril syntetisk lateksfri str. {nr}", "eske", (50, 40), 489, 949, nr=GLOVE_SIZES,
                  about="Steril operasjonshanske i polyisopren, lateksfri med god taktil sensitivitet. Pakket parvis."),
                F("Undersøkelseshanske nitril steril str. {str}", "eske", (50, 25), 219, 429, str=SIZES_SHORT,
                  about="Steril undersøkelseshanske i nitril, enkeltpakket i par. For sterile prosedyrer som kateterisering og sårstell."),
            ),
        },
        "Smittevern": {
            "Munnbind og åndedrettsvern": (
                F("Munnbind type IIR med strikk {farge}", "eske", 50, 39, 119, weight=2,
                  farge=("blå", "grønn", "hvit"),
                  about="Trelags kirurgisk munnbind med væskeavvisende yttersjikt og formbar nesebøyle. Testet etter EN 14683 type IIR."),
                F("Åndedrettsvern {klasse} {ventil}", "eske", (20, 10), 149, 489, klasse=("FFP2", "FFP3"), makers=("3M", "Mediq", "Abena"),
                  ventil=("uten ventil", "med ventil"),
                  about="Sammenleggbart åndedrettsvern som beskytter mot partikler og aerosoler. Testet etter EN 149."),
            ),
            "Smittefrakker og forklær": (
                F("Smittefrakk engangs med mansjett {farge} str. {str}", "kartong", (50, 100), 389, 989,
                  farge=("gul", "blå", "hvit"), str=("M", "L", "XL"),
                  about="Væskeavvisende engangsfrakk i non-woven med strikkmansjett og knytebånd i nakke og liv."),
                F("Plastforkle engangs {farge} på rull", "pakke", (100, 200), 59, 149,
                  farge=("hvit", "blå", "gul", "grønn", "rød"),
                  about="Engangsforkle i polyeten, 80 x 125 cm, perforert på rull for enkel uttak."),
            ),
            "Hetter og skoovertrekk": (
                F("Operasjonshette engangs {farge}", "eske", 100, 69, 169, farge=("blå", "grønn", "hvit"),
                  about="Lett og luftig hette i non-woven med strikk som dekker alt hår."),
                F("Skoovertrekk engangs {farge}", "pakke", (100, 200), 49, 129, farge=("blå", "hvit"),
                  about="Skoovertrekk i polyeten med strikk, én størrelse. Sklisikker såle."),
            ),
        },
        "Underlag og papir": {
            "Engangsunderlag": (
                F("Engangsunderlag {storrelse} cm", "pakke", (25, 30), 89, 229,
                  storrelse=("40x60", "60x60", "60x90", "80x170"),
                  about="Absorberende underlag med fukttett bakside, til undersøkelsesbenk, seng og stell."),
            ),
            "Benkepapir og tørk": (
                F("Benkepapir {bredde} cm x 50 m {lag}", "kartong", (6, 9, 12), 259, 689, bredde=("50", "60"),
                  lag=("1-lags", "2-lags"),
                  about="Hygienisk engangspapir til undersøkelsesbenk, perforert hver 38 cm."),
                F("Tørkepapir hvit {lag} {ark} ark", "kartong", (20, 15), 299, 649, lag=("1-lags", "2-lags"),
                  ark=("200", "250"),
                  about="Mykt og absorberende tørkepapir til dispenser, Z-falset."),
            ),
        },
    }),
    ("Sårbehandling", ("Mölnlycke", "Hartmann", "Smith & Nephew", "Coloplast", "3M", "Essity", "Mediq", "Abena"),
     "Medisinsk utstyr, CE-merket. Oppbevares tørt og ved romtemperatur.", "", {
        "Kompresser": {
            "Gasbindkompresser": (
                F("Gasbindkompress steril {str} cm {lag}", "eske", (25, 50), 39, 159, weight=2, str=COMPRESS_SIZES,
                  lag=("8-lag", "12-lag", "16-lag"),
                  about="Steril kompress av 100 % bomullsgas med innbrettede kanter som ikke loer. Til sårrens og sårdekning."),
                F("Gasbindkompress usteril {str} cm {lag}", "pakke", (100, 200), 29, 119,
                  str=("5x5", "7,5x7,5", "10x10"), lag=("8-lag", "12-lag"),
                  about="Usteril kompress av bomullsgas til rengjøring og polstring."),
            ),
            "Skumkompresser": (
                F("Skumkompress med silikon {str} cm", "eske", (10, 5), 189, 689, weight=2, str=FOAM_SIZES,
                  about="Absorberende polyuretanskum med skånsom silikonheft som kan løftes og legges på plass igjen uten å skade huden. For væskende sår."),
                F("Skumbandasje med kant {str} cm", "eske", (10, 5), 229, 749, str=FOAM_SIZES,
                  about="Selvheftende skumbandasje med silikonkant og vanntett filmbakside. Kan sitte opptil sju dager."),
                F("Skumkompress sakrum {str} cm", "eske", 5, 289, 689, str=("15x15", "22x25"),
                  about="Flerlags skumbandasje formet for korsryggen, til forebygging og behandling av trykksår."),
            ),
            "Absorberende kompresser": (
                F("Superabsorberende kompress {str} cm", "eske", (10, 20), 149, 549,
                  str=("10x10", "10x20", "20x20", "20x30"),
                  about="Kompress med superabsorberende kjerne som binder store mengder væske, også under kompresjon."),
                F("Absorberende kompress steril {str} cm", "eske", (25, 50), 89, 289, str=("10x10", "10x20", "20x20"),
                  about="Steril kompress med cellulosekjerne og ikke-klebende overflate mot såret."),
            ),
        },
        "Avanserte sårprodukter": {
            "Alginater": (
                F("Alginatkompress {str} cm", "eske", 10, 249, 689, str=("5x5", "10x10", "10x20"),
                  about="Kalsiumalginat som danner en gel i kontakt med sårvæske. Til sterkt væskende sår og hulrom."),
                F("Alginattamponade 2 g {lengde} cm", "eske", 5, 229, 489, lengde=("30", "45"),
                  about="Tamponade av alginatfiber til dype sår og fistler."),
            ),
            "Hydrokolloider": (
                F("Hydrokolloidbandasje {tykkelse} {str} cm", "eske", (10, 5), 189, 589,
                  tykkelse=("tynn", "standard"), str=("5x10", "10x10", "15x15", "20x20"),
                  about="Hydrokolloid som holder såret fuktig og beskytter mot bakterier. Vanntett."),
            ),
            "Sølvbandasjer": (
                F("Sølvkompress antibakteriell {str} cm", "eske", (5, 10), 389, 1290,
                  str=("10x10", "10x20", "15x15", "20x20"),
                  about="Antibakteriell sårbandasje med ionisk sølv til infiserte sår eller sår med høy infeksjonsrisiko."),
            ),
            "Filmbandasjer": (
                F("Transparent filmbandasje {str} cm", "eske", (50, 100), 149, 489,
                  str=("6x7", "10x12", "10x25", "15x20"),
                  about="Tynn, gjennomsiktig og pustende film til dekking av innstikksteder og overfladiske sår."),
            ),
        },
        "Sårrens": {
            "Sårskyllevæsker": (
                F("Sårskyllevæske {vol} ml", "flaske", 1, 89, 259, chemical=True, vol=("40", "350", "500"),
                  about="Steril skyllevæske med polyheksanid og betain som løser opp belegg og biofilm i sår."),
                F("Natriumklorid 9 mg/ml skyllevæske {vol} ml", "kartong", (10, 20), 149, 389, vol=("100", "250", "500", "1000"),
                  about="Steril isoton saltvannsløsning til skylling av sår og katetre. Engangsbruk."),
            ),
            "Sårstellsett": (
                F("Sårstellsett steril {variant}", "kartong", (20, 40), 389, 989,
                  variant=("basis", "med saks", "med hansker str. M", "med hansker str. L"),
                  about="Ferdigpakket sett med pinsett, kompresser og avfallspose for enkelt og sikkert sårstell."),
            ),
        },
    }),
    ("Bandasjer og plaster", ("Essity", "Hartmann", "3M", "Mölnlycke", "Mediq", "Abena", "B. Braun"),
     "Medisinsk utstyr i klasse I, CE-merket.", "", {
        "Plaster": {
            "Plasterstrips": (
                F("Plaster strips {type} {str}", "eske", (100, 50, 250), 39, 149, weight=2,
                  type=("vannfast", "tekstil", "elastisk", "blå detekterbar"),
                  str=("19x72 mm", "25x72 mm", "38x38 mm", "assortert"),
                  about="Hudvennlige plasterstrips med ikke-klebende sårpute. Lateksfrie."),
            ),
            "Fikseringsplaster": (
                F("Fikseringsplaster non-woven {bredde} cm x 10 m", "rull", 1, 49, 189,
                  bredde=("2,5", "5", "10", "15", "20"),
                  about="Elastisk og luftgjennomtrengelig plaster til fiksering av bandasjer over større flater."),
                F("Hudvennlig plaster på rull {bredde} cm x 5 m", "eske", (12, 6, 24), 119, 389,
                  bredde=("1,25", "2,5", "5"),
                  about="Skånsom plaster med silikonklebemasse for sart og skjør hud."),
            ),
            "Sårplaster": (
                F("Sårplaster steril {str} cm", "eske", (50, 25), 69, 249, weight=2,
                  str=("5x7,2", "8x10", "8x15", "10x20", "10x25"),
                  about="Steril, selvheftende sårbandasje med absorberende pute, til postoperative sår."),
            ),
        },
        "Bind": {
            "Elastiske bind": (
                F("Elastisk bind {bredde} cm x 4 m", "eske", (10, 20), 89, 269, bredde=WIDTHS,
                  about="Hudfarget, elastisk bind til støtte- og fikseringsbandasjering."),
            ),
            "Kompresjonsbind": (
                F("Kompresjonsbind kortstrekk {bredde} cm x 5 m", "stk", 1, 39, 119, bredde=("6", "8", "10", "12"),
                  about="Kortstrekkbind med høyt arbeidstrykk til behandling av venøse leggsår og ødem."),
                F("Kompresjonssystem to-lags {type}", "eske", (1, 2), 289, 689,
                  type=("standard", "reduced", "latexfri"),
                  about="Komplett to-lagssystem som gir riktig terapeutisk trykk over tid. Til venøse leggsår."),
            ),
            "Gasbind": (
                F("Gasbind {bredde} cm x {lengde} m", "eske", (20, 10), 69, 189, bredde=("6", "8", "10"),
                  lengde=("4", "5"),
                  about="Luftig bomullsgasbind til fiksering av kompresser."),
            ),
        },
        "Rørbandasjer og netting": {
            "Rørbandasjer": (
                F("Rørbandasje str. {nr} {lengde} m", "rull", 1, 79, 289, nr=("1", "2", "3", "4", "5", "6"),
                  lengde=("10", "20"),
                  about="Elastisk rørbandasje i bomull til fiksering og som underlag for gips."),
            ),
            "Netting": (
                F("Elastisk netting {omrade} str. {nr}", "eske", (1, 10), 89, 329,
                  omrade=("hode/kropp", "arm/bein", "finger"), nr=("1", "2", "3", "4"),
                  about="Elastisk netting som holder kompresser på plass uten klebemasse."),
            ),
        },
    }),
    ("Katetre og urologi", ("Coloplast", "B. Braun", "Hollister", "Wellspect", "Teleflex", "Convatec"),
     "Steril engangsartikkel. Medisinsk utstyr, CE-merket.", "", {
        "Katetre": {
            "Intermitterende katetre": (
                F("Kateter Nelaton {ch} {lengde} cm", "eske", (30, 100), 189, 589, weight=2, ch=CH_SIZES,
                  lengde=("20", "40"),
                  about="Engangskateter til intermitterende kateterisering med glatte, avrundede øyne. PVC-fri."),
                F("Hydrofilt kateter {ch} {kjonn}", "eske", 30, 989, 2890, ch=CH_SIZES,
                  kjonn=("mann", "kvinne", "barn"),
                  about="Ferdig aktivert hydrofilt kateter for selvkateterisering, klart til bruk rett fra pakningen."),
            ),
            "Permanente katetre": (
                F("Foleykateter {materiale} {ch} 10 ml ballong", "eske", (10, 5), 289, 1490,
                  materiale=("silikon", "lateks silikonbelagt", "hydrogelbelagt"),
                  ch=("CH 12", "CH 14", "CH 16", "CH 18", "CH 20"),
                  about="Toveis kateter til kortvarig eller langvarig blæredrenasje. Steril, enkeltpakket."),
                F("Suprapubisk kateter silikon {ch}", "eske", 5, 689, 1890, ch=("CH 12", "CH 14", "CH 16"),
                  about="Kateter i 100 % silikon til suprapubisk drenasje, røntgenkontrast."),
            ),
        },
        "Urinoppsamling": {
            "Urinposer": (
                F("Urinpose {vol} ml med tappekran", "eske", (10, 30), 129, 389, vol=("750", "1500", "2000"),
                  about="Steril urinpose med tilbakeslagsventil, 90 cm slange og bunntapp."),
                F("Benpose {vol} ml {slange}", "eske", 10, 229, 489, vol=("350", "500", "750"),
                  slange=("kort slange", "justerbar slange"),
                  about="Diskret benpose med stoffbakside og myke benremmer."),
            ),
            "Uridomer": (
                F("Uridom selvklebende {diam} mm", "eske", 30, 489, 1290, diam=("25", "28", "30", "32", "35", "40"),
                  about="Selvklebende uridom i silikon som puster og er skånsom mot huden."),
            ),
        },
        "Stomi": {
            "Stomiposer": (
                F("Stomipose {type} {mm} mm", "eske", 30, 689, 1890, type=("lukket", "tømbar", "urostomi"),
                  mm=STOMA_MM,
                  about="Endelsposer med integrert filter og hudvennlig klebeplate."),
            ),
            "Stomiplater": (
                F("Basisplate todelt {mm} mm", "eske", (5, 10), 389, 1190, mm=STOMA_MM,
                  about="Fleksibel basisplate til todelt stomisystem, kan klippes til."),
                F("Hudbeskyttelse stomi {type}", "pakke", (30, 50), 189, 489,
                  type=("servietter", "spray 50 ml", "pasta 60 g", "ringer"),
                  about="Beskytter huden rundt stomien mot lekkasje og klebemiddel."),
            ),
        },
    }),
    ("Sprøyter og kanyler", ("BD", "B. Braun", "Terumo", "Mediq", "Vygon"),
     "Steril engangsartikkel. Medisinsk utstyr, CE-merket.", "", {
        "Sprøyter": {
            "Engangssprøyter": (
                F("Sprøyte Luer-Lock {ml} ml", "eske", (100, 50), 79, 389, weight=2, ml=SYRINGE_ML,
                  about="Steril tredelt engangssprøyte med Luer-Lock-kobling og tydelig gradering. Lateksfri."),
                F("Sprøyte Luer {ml} ml 2-delt", "eske", 100, 59, 249, ml=("2", "5", "10", "20"),
                  about="Steril todelt engangssprøyte med Luer-kobling. Lett stempelgang."),
            ),
            "Insulinsprøyter": (
                F("Insulinsprøyte {ml} ml med kanyle {g}", "eske", 100, 189, 429, ml=("0,3", "0,5", "1"),
                  g=("29G", "30G", "31G"),
                  about="Insulinsprøyte med påsveiset kanyle og U-100-gradering."),
            ),
            "Oralsprøyter": (
                F("Oralsprøyte ENFit {ml} ml", "eske", (100, 50), 129, 389, ml=("1", "3", "5", "10", "20", "60"),
                  about="Oralsprøyte med ENFit-kobling som ikke passer i intravenøse tilganger. Lilla stempel."),
            ),
        },
        "Kanyler": {
            "Injeksjonskanyler": (
                F("Kanyle {dim}", "eske", 100, 49, 149, weight=2,
                  dim=tuple(f"{size} {gauge}" for size, gauge in NEEDLES),
                  about="Steril engangskanyle med trefasettslipt spiss og fargekodet kobling etter ISO 6009."),
            ),
            "Pennekanyler": (
                F("Pennekanyle {pen}", "eske", 100, 229, 489, pen=PEN_NEEDLES,
                  about="Tynnvegget kanyle til insulinpenner. Passer alle vanlige penner."),
            ),
            "Sikkerhetskanyler": (
                F("Sikkerhetskanyle {dim}", "eske", (100, 50), 189, 489,
                  dim=tuple(size for size, _ in NEEDLES),
                  about="Kanyle med beskyttelseshette som aktiveres med én hånd og hindrer stikkskader."),
            ),
        },
        "Infusjon": {
            "Infusjonssett": (
                F("Infusjonssett med luftfilter {lengde} cm", "kartong", (50, 100), 389, 1290,
                  lengde=("150", "180", "250"),
                  about="Gravitasjonssett med dryppkammer, rullklemme og Luer-Lock. DEHP-fritt."),
            ),
            "Venekanyler": (
                F("Venekanyle {g} med injeksjonsport", "eske", 50, 589, 1490, g=CANNULA_G,
                  about="Perifer venekanyle med vinger, injeksjonsport og blodstoppventil."),
                F("Venekanyle sikkerhet {g}", "eske", 50, 789, 1790, g=CANNULA_G,
                  about="Perifer venekanyle med passiv stikkskadebeskyttelse."),
            ),
            "Treveiskraner og koblinger": (
                F("Treveiskran {type}", "eske", (50, 100), 289, 789,
                  type=("blå", "hvit", "med 10 cm forlengelse", "med 25 cm forlengelse"),
                  about="Treveiskran med Luer-Lock og tydelig flytretning."),
            ),
        },
        "Avfallsbeholdere": {
            "Kanylebokser": (
                F("Kanyleboks {vol} l", "kartong", (20, 40, 10), 149, 589, vol=("0,6", "1,5", "3", "7", "11"),
                  about="Stikksikker avfallsbeholder med midlertidig og endelig lukking. Testet etter ISO 23907."),
            ),
            "Smitteavfall": (
                F("Smitteavfallsbeholder {vol} l", "kartong", (10, 20), 289, 989, vol=("30", "50", "60"),
                  about="UN-godkjent beholder til smittefarlig avfall, gul med lokk."),
            ),
        },
    }),
    ("Desinfeksjon og hygiene", ("Hartmann", "B. Braun", "Antibac", "Kiilto", "Ecolab", "Abena", "Mediq"),
     "Se sikkerhetsdatablad før bruk. Oppbevares utilgjengelig for barn.", "", {
        "Hånddesinfeksjon og såpe": {
            "Hånddesinfeksjon": (
                F("Hånddesinfeksjon {pst} % {ml} ml", "flaske", 1, 39, 219, chemical=True, weight=2,
                  pst=("70", "75", "80", "85"), ml=DISPENSER_ML,
                  about="Hurtigvirkende hånddesinfeksjon med etanol og tilsatt fuktighetsbevarende middel. Virker mot bakterier, gjær og kappekledde virus på 30 sekunder."),
                F("Hånddesinfeksjon gel {pst} % {ml} ml med pumpe", "kartong", (12, 6), 389, 1190, chemical=True,
                  pst=("70", "85"), ml=("500", "600"),
                  about="Desinfiserende gel som ikke drypper, med pumpe til bruk ved pasientsengen."),
            ),
            "Håndsåpe": (
                F("Håndsåpe {parfyme} {ml} ml", "flaske", 1, 29, 129, chemical=True,
                  parfyme=("uparfymert", "mild parfyme"), ml=("300", "500", "1000"),
                  about="Mild flytende såpe med pH 5,5 til hyppig håndvask. Svanemerket."),
                F("Skumsåpe uparfymert {ml} ml", "kartong", (6, 12), 289, 689, chemical=True, ml=("700", "1000"),
                  about="Skumsåpe til dispenser, drøy i bruk og skånsom mot huden."),
            ),
            "Dispensere": (
                F("Dispenser for {type} {materiale}", "stk", 1, 189, 989, apparatus=True,
                  type=("hånddesinfeksjon", "såpe", "hanskebokser", "tørkepapir"),
                  materiale=("plast", "rustfritt stål"),
                  about="Veggmontert dispenser med albuebetjening og vindu for nivåkontroll."),
            ),
        },
        "Overflatedesinfeksjon": {
            "Desinfeksjonsservietter": (
                F("Desinfeksjonsservietter {type} {stk} stk", "pakke", 1, 69, 229, chemical=True,
                  type=("alkohol 70 %", "klorfri", "sporicid"), stk=("100", "200"),
                  about="Ferdig fuktede servietter til desinfeksjon av små flater og medisinsk utstyr."),
            ),
            "Overflatedesinfeksjon spray": (
                F("Overflatedesinfeksjon {type} {ml} ml", "flaske", 1, 59, 249, chemical=True,
                  type=("klorfri spray", "alkoholbasert spray", "skum"), ml=("500", "750", "1000"),
                  about="Bruksferdig desinfeksjonsmiddel til rene, harde overflater. Kort virketid."),
            ),
            "Klorpreparater": (
                F("Klortabletter {mengde} {stk} stk", "boks", 1, 189, 489, chemical=True, mengde=("1,5 g", "2,5 g"),
                  stk=("100", "200"),
                  about="Brusetabletter med natriumdikloroisocyanurat til flekkdesinfeksjon av blod og kroppsvæsker."),
                F("Klorin desinfeksjon {ml} ml", "flaske", 1, 49, 149, chemical=True, ml=("750", "1000"),
                  about="Natriumhypokloritt til desinfeksjon av søl og sanitærrom."),
            ),
        },
        "Instrumentdesinfeksjon": {
            "Instrumentrengjøring": (
                F("Instrumentvask enzymatisk {vol} l", "kanne", 1, 389, 1890, chemical=True, vol=("1", "5", "10"),
                  about="Enzymatisk rengjøringsmiddel til manuell og maskinell vask av instrumenter før sterilisering."),
            ),
            "Steriliseringsposer": (
                F("Steriliseringspose {str} mm", "eske", 200, 149, 589,
                  str=("90x230", "135x280", "190x330", "250x380"),
                  about="Selvforseglende papir/plast-pose med indikator for damp og EO."),
            ),
        },
    }),
    ("Inkontinens", ("Essity", "Abena", "Ontex", "Hartmann", "Attends"),
     "Hudvennlig og dermatologisk testet. Oppbevares tørt.", "", {
        "Inkontinensprodukter": {
            "Innlegg": (
                F("Inkontinensinnlegg {grad}", "pakke", (20, 28, 30), 59, 189, weight=2,
                  grad=("ultra mini", "mini", "normal", "extra", "super", "maxi natt"),
                  about="Anatomisk formet innlegg med absorberende kjerne som låser væsken inne og nøytraliserer lukt."),
            ),
            "Bleier": (
                F("Bleie/inkontinensbeskyttelse med tape str. {str} {grad}", "pakke", (14, 20, 28), 119, 329,
                  weight=2, str=SIZES_SHORT, grad=("plus", "super", "maxi"),
                  about="Inkontinensbeskyttelse med tape som kan festes flere ganger, pustende sider og våthetsindikator."),
                F("Inkontinensbleie formet {grad}", "pakke", (28, 24), 139, 349,
                  grad=("normal", "extra", "super", "maxi"),
                  about="Formet bleie til bruk med fikseringstruse, for moderat til stor urinlekkasje."),
            ),
            "Inkontinenstruser": (
                F("Inkontinenstruse engangs str. {str} {grad}", "pakke", (14, 12), 129, 289, str=SIZES_SHORT,
                  grad=("normal", "plus", "super"),
                  about="Truse som trekkes på som vanlig undertøy, med myke, elastiske sider."),
            ),
        },
        "Underlag og fiksering": {
            "Stikklaken og underlag": (
                F("Stikklaken {str} cm", "pakke", (30, 35), 119, 329, str=("40x60", "60x60", "60x90"),
                  about="Absorberende stikklaken til seng og stol med fukttett bakside."),
                F("Vaskbart underlag {str} cm", "stk", 1, 189, 489, str=("75x85", "85x90"),
                  about="Vaskbart sengeunderlag med høy absorpsjon, tåler 95 °C."),
            ),
            "Fikseringstruser": (
                F("Fikseringstruse str. {str}", "pakke", (5, 3), 89, 229, str=SIZES,
                  about="Elastisk og vaskbar truse som holder innlegg og formet bleie på plass."),
            ),
        },
    }),
    ("Ernæring", ("Nestlé Health Science", "Fresenius Kabi", "Nutricia", "Abbott"),
     "Næringsmiddel til spesielle medisinske formål. Skal brukes under medisinsk tilsyn.", "nutrition", {
        "Næringsdrikker": {
            "Energi- og proteindrikker": (
                F("Næringsdrikk {smak} 4 x 200 ml", "pakke", 4, 69, 149, weight=3, smak=FLAVOURS,
                  about="Energirik og proteinrik næringsdrikk med vitaminer og mineraler, 300 kcal per flaske."),
                F("Proteindrikk {smak} 4 x 200 ml", "pakke", 4, 79, 169, smak=FLAVOURS,
                  about="Næringsdrikk med ekstra høyt proteininnhold (20 g per flaske) for å bevare muskelmasse."),
                F("Næringsdrikk kompakt {smak} 4 x 125 ml", "pakke", 4, 89, 179, smak=FLAVOURS,
                  about="Liten flaske med mye energi (2,4 kcal/ml) for pasienter med dårlig matlyst."),
            ),
            "Juicetype næringsdrikker": (
                F("Næringsdrikk juicetype {smak} 4 x 200 ml", "pakke", 4, 79, 159, smak=JUICE_FLAVOURS,
                  about="Fettfri, fruktig næringsdrikk med proteiner, vitaminer og mineraler."),
            ),
        },
        "Sondeernæring": {
            "Standard sondeernæring": (
                F("Sondeernæring standard {kcal} {vol} ml", "kartong", (8, 12), 389, 989,
                  kcal=("1,0 kcal/ml", "1,5 kcal/ml"), vol=("500", "1000", "1500"),
                  about="Fullverdig sondeernæring til pasienter med normalt energi- og proteinbehov."),
            ),
            "Fiberholdig sondeernæring": (
                F("Sondeernæring med fiber {kcal} {vol} ml", "kartong", (8, 12), 429, 1090,
                  kcal=("1,0 kcal/ml", "1,5 kcal/ml", "2,0 kcal/ml"), vol=("500", "1000"),
                  about="Fullverdig sondeernæring med en blanding av løselige og uløselige fibre for normal tarmfunksjon."),
            ),
            "Sondesett og tilbehør": (
                F("Ernæringssett ENFit {type}", "eske", (30, 25), 389, 989, makers=("Fresenius Kabi", "Nutricia", "Vygon"),
                  type=("til pumpe", "til gravitasjon", "med pose 1000 ml"),
                  about="Sett til sondeernæring med ENFit-kobling, DEHP-fritt."),
                F("Ernæringssonde nasogastrisk {ch} {lengde} cm", "eske", (10, 5), 489, 1290, makers=("Fresenius Kabi", "Nutricia", "Vygon"),
                  ch=("CH 6", "CH 8", "CH 10", "CH 12"), lengde=("75", "110", "120"),
                  about="Nasogastrisk sonde i polyuretan med røntgenkontraststripe og ENFit-kobling."),
            ),
        },
        "Konsistenstilpasset": {
            "Fortykningsmidler": (
                F("Fortykningsmiddel pulver {vekt}", "boks", 1, 129, 389, vekt=("125 g", "175 g", "300 g"),
                  about="Fortykningsmiddel med xantangummi som gir trygg konsistens i drikke og mat uten å endre smaken."),
            ),
            "Geléprodukter og puddinger": (
                F("Gelédrikk {smak} 4 x 125 g", "pakke", 4, 69, 139, smak=JUICE_FLAVOURS,
                  about="Gelédrikk med ekstra væske for pasienter med svelgevansker."),
                F("Proteinpudding {smak} 4 x 125 g", "pakke", 4, 79, 149,
                  smak=("sjokolade", "vanilje", "karamell", "jordbær"),
                  about="Energirik og proteinrik pudding med glatt konsistens."),
            ),
        },
    }),
    ("Instrumenter", ("B. Braun", "Mediq", "Hartmann", "Mölnlycke"),
     "Medisinsk utstyr, CE-merket.", "", {
        "Sakser og pinsetter": {
            "Sakser": (
                F("Saks {type} {lengde} cm {bruk}", "stk", 1, 29, 389,
                  type=("spiss/spiss", "spiss/butt", "butt/butt", "bandasjesaks"), lengde=("11", "13", "14,5", "18"),
                  bruk=("steril engangs", "flergangs"),
                  about="Saks i rustfritt stål med presis egg."),
            ),
            "Pinsetter": (
                F("Pinsett {type} {lengde} cm {bruk}", "stk", 1, 19, 289,
                  type=("anatomisk", "kirurgisk"), lengde=("11,5", "13", "14,5"),
                  bruk=("steril engangs", "flergangs"),
                  about="Pinsett med god griping og rillet grep."),
            ),
        },
        "Skalpeller og blad": {
            "Skalpeller": (
                F("Skalpell engangs steril nr. {nr}", "eske", 10, 129, 289, nr=("10", "11", "15", "20", "22", "23"), makers=("Swann-Morton", "B. Braun"),
                  about="Engangsskalpell med plasthåndtak og blad i karbonstål, enkeltpakket."),
            ),
            "Skalpellblad": (
                F("Skalpellblad {materiale} nr. {nr}", "eske", 100, 189, 489, makers=("Swann-Morton", "B. Braun"),
                  materiale=("karbonstål", "rustfritt stål"), nr=("10", "11", "12", "15", "20", "23"),
                  about="Sterile skalpellblad, enkeltpakket, passer standard håndtak."),
            ),
        },
        "Engangssett": {
            "Suturfjernersett": (
                F("Suturfjernersett steril {variant}", "eske", (20, 50), 289, 789,
                  variant=("med saks", "med stiftfjerner"),
                  about="Sett med suturfjerner/saks og pinsett til fjerning av sting og agraffer."),
            ),
            "Katetersett": (
                F("Kateteriseringssett steril {variant}", "kartong", (20, 40), 489, 1290,
                  variant=("basis", "med hansker str. M", "med hansker str. L"),
                  about="Ferdigpakket sett med alt som trengs for steril kateterisering, unntatt kateter."),
            ),
        },
    }),
    ("Diagnostikk", ("Omron", "Welch Allyn", "Abbott", "Roche", "BD", "Greiner Bio-One", "Sarstedt", "3M"),
     "Medisinsk utstyr for in vitro-diagnostikk eller måling, CE-merket.", "", {
        "Måleinstrumenter": {
            "Blodtrykksmålere": (
                F("Blodtrykksmåler {type}", "stk", 1, 689, 3490, apparatus=True, makers=("Omron", "Welch Allyn"),
                  type=("digital overarm", "digital håndledd", "manuell aneroid"),
                  about="Klinisk validert blodtrykksmåler med arytmideteksjon og minne for to brukere."),
                F("Blodtrykksmansjett {str}", "stk", 1, 189, 589, makers=("Omron", "Welch Allyn"),
                  str=("barn", "voksen liten", "voksen", "voksen stor", "lår"),
                  about="Mansjett med én slange, lateksfri og vaskbar."),
            ),
            "Termometre": (
                F("Termometer {type}", "stk", 1, 149, 1890, apparatus=True, makers=("Welch Allyn", "Omron", "Mediq"),
                  type=("øre digital", "panne kontaktfri", "digital stiv spiss", "digital fleksibel spiss"),
                  about="Rask og nøyaktig temperaturmåling med tydelig display."),
                F("Probetrekk til øretermometer {stk} stk", "eske", 1, 129, 489, stk=("200", "800"), makers=("Welch Allyn", "Mediq"),
                  about="Hygieniske engangstrekk til øretermometer."),
            ),
            "Stetoskoper og pulsoksymetre": (
                F("Stetoskop {type} {farge}", "stk", 1, 389, 2490, apparatus=True, makers=("3M", "Welch Allyn", "Mediq"),
                  type=("enkelt bryststykke", "dobbelt bryststykke", "kardiologi"),
                  farge=("sort", "marineblå", "burgunder"),
                  about="Stetoskop med høy akustisk ytelse og myke øreoliven."),
                F("Pulsoksymeter {type}", "stk", 1, 289, 4890, apparatus=True, makers=("Mediq", "Welch Allyn", "Omron"),
                  type=("fingertupp", "håndholdt med sensor"),
                  about="Måler oksygenmetning og puls, med OLED-display."),
            ),
        },
        "Hurtigtester": {
            "CRP-tester": (
                F("CRP hurtigtest {stk} tester", "eske", 1, 989, 2890, stk=("25", "50"), makers=("Abbott", "Roche"),
                  about="Kvantitativ CRP-test til bruk med analyseinstrument, resultat på 4 minutter."),
            ),
            "Urinstrimler": (
                F("Urinstix {parametre} parametere {stk} stk", "boks", 1, 189, 689, parametre=("2", "5", "10"), makers=("Roche", "Abbott", "Mediq"),
                  stk=("50", "100"),
                  about="Teststrimler for rask urinanalyse, visuell eller maskinell avlesning."),
            ),
            "Blodsukker": (
                F("Blodsukkerstrimler {stk} stk", "boks", 1, 189, 489, stk=("25", "50"), makers=("Roche", "Abbott"),
                  about="Teststrimler til blodsukkerapparat, kun 0,6 µl blod."),
                F("Lansetter {g} {stk} stk", "eske", 1, 89, 389, g=("21G", "23G", "28G", "30G"), stk=("100", "200"), makers=("BD", "Roche", "Sarstedt"),
                  about="Sterile engangslansetter til kapillær prøvetaking."),
            ),
        },
        "Prøvetaking": {
            "Blodprøverør": (
                F("Vakuumrør {type} {ml} ml", "eske", 100, 149, 489, makers=("BD", "Greiner Bio-One", "Sarstedt"),
                  type=("EDTA lilla kork", "serum rød kork", "citrat blå kork", "heparin grønn kork", "glukose grå kork"),
                  ml=("2", "3", "4", "6"),
                  about="Vakuumrør i PET til venøs blodprøvetaking, med fargekodet kork."),
            ),
            "Blodprøvekanyler": (
                F("Blodprøvekanyle {g} {type}", "eske", (50, 100), 289, 989, g=("21G", "22G", "23G"), makers=("BD", "Greiner Bio-One", "Sarstedt"),
                  type=("med holder", "butterfly 19 cm slange", "butterfly 30 cm slange"),
                  about="Kanyle til vakuumrør med stikkskadebeskyttelse."),
                F("Stasebånd {type}", "stk", 1, 29, 229, type=("engangs", "flergangs", "lateksfritt"), makers=("Mediq", "Sarstedt", "Greiner Bio-One"),
                  about="Stasebånd med trykknapputløser."),
            ),
            "Prøvebeholdere": (
                F("Urinprøvebeger {ml} ml {type}", "eske", (100, 250), 89, 389, ml=("60", "100", "120"), makers=("Sarstedt", "Greiner Bio-One", "Mediq"),
                  type=("steril", "usteril"),
                  about="Prøvebeger med skrulokk og etikettfelt."),
                F("Podepinne {type}", "eske", (50, 100), 189, 889, makers=("Sarstedt", "BD", "Mediq"),
                  type=("med transportmedium", "flokket", "tynn for nasopharynx"),
                  about="Steril podepinne til mikrobiologisk prøvetaking."),
            ),
        },
    }),
    ("Pasientpleie og stell", ("Abena", "Essity", "Mediq", "Hartmann", "Sage"),
     "Dermatologisk testet. Oppbevares ved romtemperatur.", "", {
        "Vask og stell": {
            "Vaskeservietter": (
                F("Vaskeservietter uten vann {stk} stk {parfyme}", "pakke", 1, 39, 129, stk=("8", "48", "80"),
                  parfyme=("uparfymert", "mild parfyme"),
                  about="Fuktige vaskeservietter til helkroppsvask uten vann og skylling."),
                F("Engangsvaskeklut {str} cm", "pakke", (50, 500), 39, 289, str=("20x30", "25x35"),
                  about="Myk og sterk vaskeklut i non-woven, til engangsbruk."),
            ),
            "Munnstell": (
                F("Munnpleiepinner {type}", "eske", (100, 250), 89, 289, type=("uten smak", "med mint", "med sitron"),
                  about="Skumstaver til munnstell hos pasienter som ikke klarer å pusse tennene selv."),
                F("Munnfuktighetsgel {ml} ml", "tube", 1, 79, 189, ml=("40", "50"),
                  about="Gel som lindrer munntørrhet, uten sukker."),
            ),
        },
        "Hudpleie": {
            "Hudkremer": (
                F("Hudkrem {type} {ml} ml", "tube", 1, 49, 189, type=("uparfymert", "med 10 % urea", "sinkholdig"),
                  ml=("100", "200", "500"),
                  about="Fuktighetsgivende krem til tørr og sart hud, uparfymert."),
            ),
            "Barriereprodukter": (
                F("Barrierekrem {ml} ml", "tube", 1, 89, 229, ml=("28", "92"),
                  about="Beskytter huden mot urin, avføring og sårvæske. Pustende og usynlig."),
                F("Barrierefilm {type}", "eske", (25, 12), 289, 789, type=("spray 28 ml", "servietter", "skumstaver"),
                  about="Alkoholfri barrierefilm som ikke svir, til beskyttelse av skadet hud."),
            ),
        },
    }),
    ("Hjelpemidler", ("Etac", "Invacare", "Abena", "Mediq", "Handicare"),
     "Hjelpemiddel, CE-merket. Se bruksanvisning for vedlikehold og maks brukervekt.", "aids", {
        "Forflytning": {
            "Glidematter og glidelaken": (
                F("Glidelaken {str} cm", "stk", 1, 589, 1890, apparatus=True, str=("70x140", "90x200", "140x200"),
                  about="Glidelaken i nylon som gjør forflytning i seng lettere og skånsommere."),
            ),
            "Forflytningsbelter": (
                F("Forflytningsbelte str. {str}", "stk", 1, 489, 1290, apparatus=True, str=SIZES_SHORT,
                  about="Polstret belte med håndtak som gir godt grep ved forflytning og gangtrening."),
            ),
        },
        "Trykkavlastning": {
            "Hælbeskyttere": (
                F("Hælbeskytter trykkavlastende {str}", "stk", 1, 389, 1190, str=("standard", "stor"),
                  about="Avlaster hælen helt og forebygger trykksår hos sengeliggende pasienter."),
            ),
            "Sitteputer og madrasser": (
                F("Sittepute trykkavlastende {str} cm", "stk", 1, 989, 3890, apparatus=True,
                  str=("40x40", "45x45", "50x45"),
                  about="Sittepute i viskoelastisk skum med glidehemmende underside og vaskbart trekk."),
                F("Trykkavlastende madrass {type} 90x200 cm", "stk", 1, 4890, 18900, apparatus=True,
                  type=("skum", "vekseltrykk"),
                  about="Madrass til forebygging og behandling av trykksår, for pasienter med høy risiko."),
            ),
        },
        "Ganghjelpemidler": {
            "Rullatorer og krykker": (
                F("Rullator {type}", "stk", 1, 1890, 6890, apparatus=True,
                  type=("innendørs", "utendørs", "lett karbon"),
                  about="Sammenleggbar rullator med sete, kurv og parkeringsbrems."),
                F("Albuekrykke {type}", "par", 1, 289, 889, type=("standard", "med mykt håndtak", "sammenleggbar"),
                  about="Justerbar albuekrykke med ergonomisk håndtak og isbrodd."),
            ),
        },
    }),
)
# fmt: on


# Leaves of a "nutrition" top category whose products are ordinary goods.
NOT_NUTRITION = frozenset({"Sondesett og tilbehør"})

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


def _product(k: int, rng: random.Random, now: datetime) -> DemoProduct:
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

    draw = r()
    if leaf.nutrition:
        product_type = _NUTRITION
    elif draw < line.made_to_order:
        product_type = _MADE
    elif draw < line.special_order:
        product_type = _SPECIAL
    else:
        product_type = _STANDARD
    if product_type is _MADE:
        stock = 0
    elif product_type is _SPECIAL:
        stock = 0 if r() < 0.8 else 1 + int(r() * 19)
    else:
        stock = 0 if r() < 0.08 else int(rng.expovariate(0.004)) + 1
    active = r() >= 0.015

    images = [(f"{IMAGE_BASE}/{sku}.jpg", name)]
    if r() < 0.3:
        images.append((f"{IMAGE_BASE}/{sku}-2.jpg", f"{name} – pakning"))
    documents: list[tuple[DocumentKind, str, str]] = []
    if family.chemical or r() < 0.85:
        documents.append((_DATA_SHEET, f"Produktdatablad {name}", f"{DOCUMENT_BASE}/{sku}-produktdatablad.pdf"))
    if family.chemical:
        documents.append((_SAFETY_SHEET, f"Sikkerhetsdatablad {name}", f"{DOCUMENT_BASE}/{sku}-sikkerhetsdatablad.pdf"))
    if family.apparatus:
        documents.append((_MANUAL, f"Bruksanvisning {name}", f"{DOCUMENT_BASE}/{sku}-bruksanvisning.pdf"))

    agreement: dict[str, Decimal] = {}
    for number, share, least, spread in _DISCOUNTS:
        if r() < share:
            ore = int(list_ore * (1 - least - spread * r()))
            if 0 < ore < list_ore:
                agreement[number] = Decimal(ore).scaleb(-2)

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


# --- Loading -----------------------------------------------------------------

BATCH = 2_000  # products generated and written at a time
BULK_CACHE_KIB = 512 * 1024  # SQLite page cache while loading (the default is 2 MB)
# A load of at least this many products, and at least as many as there are, is
# "large": PostgreSQL then builds the search index's keys and checks the
# foreign keys once at the end (see _Writer.bulk).
LARGE_LOAD = 10_000
PG_BUILD_MEMORY = "256MB"


@dataclass(slots=True)
class CatalogReport:
    requested: int
    products_added: int = 0
    products_present: int = 0  # demo products that were there already
    categories_added: int = 0
    images: int = 0
    documents: int = 0
    agreement_prices: int = 0
    search_terms: int = 0
    search_words: int = 0
    products_reindexed: int = 0  # products found without index rows and indexed now
    search_indexed: bool = True  # False: index_terms/word_variants are not implemented yet
    seconds: float = 0.0

    def summary(self) -> str:
        lines = [
            f"Demo catalogue: {self.products_added} products added, {self.products_present} there already "
            f"({self.requested} requested), {self.categories_added} categories added",
            f"  {self.images} images, {self.documents} documents, {self.agreement_prices} agreement prices, "
            f"{self.search_terms} search terms, {self.search_words} search words"
            + (f", {self.products_reindexed} products reindexed" if self.products_reindexed else ""),
        ]
        if not self.search_indexed:
            lines.append(
                "  search index NOT built: app.catalog.search.index_terms/word_variants are not implemented yet"
            )
        lines.append(f"  in {self.seconds:.1f} s")
        return "\n".join(lines)


def _search_available() -> bool:
    """Whether app.catalog.search can index yet (its first version had stubs, and no index_words)."""
    probe = search.IndexedProduct(id=0, sku="0", name="Probe", description=None, manufacturer=None, category_names=())
    try:
        search.index_terms(probe)
        search.word_variants(search.index_words(probe))
    except (NotImplementedError, AttributeError):
        return False
    return True


@dataclass(frozen=True, slots=True)
class _Prepared:
    """Rows of one table ready for the driver: JSON for SQLite, tuples otherwise."""

    table: Table
    columns: tuple[str, ...]
    payload: Any
    count: int
    # SQLite: the SELECT that reads the rows out of the JSON parameter (ending in a
    # WHERE or ORDER BY clause, so that an ON CONFLICT clause may follow it).
    source: str = ""


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class _Writer:
    """Bulk inserts on the session's connection, inside its transaction.

    ``prepare`` is pure (any thread may run it): the values go through each
    column's bind processor for the dialect, as Core would do, so they are
    stored exactly as the ORM stores them. ``write`` sends them in one go:
    ``COPY`` on PostgreSQL (asyncpg); on SQLite one ``INSERT ... SELECT`` over
    ``json_each``, which the driver's thread runs without taking Python's GIL
    row by row (as ``executemany`` does), so Python can make the next batch
    meanwhile.
    """

    def __init__(self, connection: AsyncConnection, raw: Any | None) -> None:
        self.connection = connection
        self.dialect: Dialect = connection.dialect
        self.raw = raw  # the asyncpg connection on PostgreSQL, else None

    @classmethod
    async def open(cls, session: AsyncSession) -> _Writer:
        connection = await session.connection()
        raw = None
        if connection.dialect.name == "postgresql" and connection.dialect.driver == "asyncpg":
            # Any statement first, so the asyncpg transaction has begun and COPY runs in it.
            await connection.execute(text("SELECT 1"))
            raw = (await connection.get_raw_connection()).driver_connection
            assert raw is not None and raw.is_in_transaction()
        return cls(connection, raw)

    @property
    def is_sqlite(self) -> bool:
        return self.dialect.name == "sqlite"

    def prepare(self, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> _Prepared:
        processors = [
            (i, processor)
            for i, name in enumerate(columns)
            if (processor := table.c[name].type.dialect_impl(self.dialect).bind_processor(self.dialect)) is not None
        ]
        if processors:
            processed = []
            for row in rows:
                values = list(row)
                for i, processor in processors:
                    values[i] = processor(values[i])
                processed.append(tuple(values))
            rows = processed
        if not self.is_sqlite:
            return _Prepared(table, tuple(columns), rows, len(rows))
        fields = ", ".join(f"json_extract(value, '$[{i}]')" for i in range(len(columns)))
        source = f"SELECT {fields} FROM json_each(?) WHERE true"
        return _Prepared(table, tuple(columns), _json(rows), len(rows), source)

    def prepare_terms(self, terms: list[tuple[int, dict[str, int]]]) -> _Prepared:
        """search_terms rows from (product id, {term: weight}) pairs.

        For SQLite as one JSON object {"id": {"term": weight}}: a third smaller
        than rows with the id repeated, and quicker at both ends. They go in
        sorted by term, which spares the (term, product_id) B-tree a fifth of
        its work.
        """
        table, columns = SearchTerm.__table__, _TERM_COLUMNS
        count = sum(len(product_terms) for _, product_terms in terms)
        if self.is_sqlite:
            source = (
                "SELECT t.key, p.key, t.value FROM json_each(?) AS p, json_each(p.value) AS t WHERE true ORDER BY 1"
            )
            return _Prepared(table, columns, _json(dict(terms)), count, source)
        rows = [(term, id_, weight) for id_, product_terms in terms for term, weight in product_terms.items()]
        return self.prepare(table, columns, rows)

    async def insert(self, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        await self.write(self.prepare(table, columns, rows))

    async def write(self, prepared: _Prepared, *, ignore_duplicates: bool = False) -> int:
        """Inserts the rows; returns how many were new (some may be there already with ``ignore_duplicates``)."""
        if not prepared.count:
            return 0
        table, columns = prepared.table.name, prepared.columns
        names = ", ".join(columns)
        conflict = " ON CONFLICT DO NOTHING" if ignore_duplicates else ""
        if self.raw is not None:
            if not conflict:
                await self.raw.copy_records_to_table(table, records=prepared.payload, columns=list(columns))
                return prepared.count
            types = [_PG_ARRAY_TYPES[prepared.table.c[name].type.python_type] for name in columns]
            arrays = ", ".join(f"${i + 1}::{type_}[]" for i, type_ in enumerate(types))
            status = await self.raw.execute(
                f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays}){conflict}",
                *[list(column) for column in zip(*prepared.payload, strict=True)],
            )
            return int(status.rsplit(" ", 1)[-1])  # "INSERT 0 <rows>"
        if self.is_sqlite:
            result = await self.connection.exec_driver_sql(
                f"INSERT INTO {table} ({names}) {prepared.source}{conflict}", (prepared.payload,)
            )
            return result.rowcount
        placeholders = ", ".join("%s" if self.dialect.paramstyle in {"format", "pyformat"} else "?" for _ in columns)
        result = await self.connection.exec_driver_sql(
            f"INSERT INTO {table} ({names}) VALUES ({placeholders}){conflict}", prepared.payload
        )
        return result.rowcount

    @asynccontextmanager
    async def bulk(self, tables: Sequence[Table], rebuilt: Sequence[Table], large: bool) -> AsyncIterator[None]:
        """A load into ``tables``, tuned for the database.

        SQLite: a large page cache meanwhile, since the index B-trees soon
        outgrow the default 2 MB.

        PostgreSQL, for a ``large`` load: the foreign keys of ``tables`` are
        dropped and added again at the end, which checks every row in one join
        instead of a trigger a row; the primary key and indexes of ``rebuilt``
        (nobody refers to it: the search index) likewise, since building a
        B-tree from sorted rows is several times faster than millions of
        random inserts. All of it happens in the transaction, so a failure
        leaves the schema as it was; meanwhile the ALTER TABLEs lock these
        tables (and products) until the transaction ends.
        """
        if self.is_sqlite:
            previous = (await self.connection.exec_driver_sql("PRAGMA cache_size")).scalar_one()
            await self.connection.exec_driver_sql(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
            try:
                yield
            finally:
                await self.connection.exec_driver_sql(f"PRAGMA cache_size = {int(previous)}")
            return
        changes: list[tuple[ExecutableDDLElement, ExecutableDDLElement]] = []
        if large and self.dialect.name == "postgresql":
            names = [table.name for table in tables]
            constraints = set(
                (
                    await self.connection.execute(
                        text(
                            "SELECT conname FROM pg_constraint JOIN pg_class ON pg_class.oid = conrelid"
                            " WHERE relname = ANY(:tables) AND pg_class.relnamespace = current_schema()::regnamespace"
                        ),
                        {"tables": names},
                    )
                ).scalars()
            )
            indexes = set(
                (
                    await self.connection.execute(
                        text("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")
                    )
                ).scalars()
            )
            for table in tables:
                for key in table.foreign_key_constraints:
                    if key.name in constraints:
                        changes.append((DropConstraint(key), AddConstraint(key)))
            for table in rebuilt:
                if table.primary_key.name in constraints:
                    changes.append((DropConstraint(table.primary_key), AddConstraint(table.primary_key)))
                for index in table.indexes:
                    if index.name in indexes:
                        changes.append((DropIndex(index), CreateIndex(index)))
            # Sorting for the index builds in memory rather than in temporary files.
            await self.connection.execute(text(f"SET LOCAL maintenance_work_mem = '{PG_BUILD_MEMORY}'"))
            for drop, _ in changes:
                await self.connection.execute(drop)
        yield
        for _, add in reversed(changes):
            await self.connection.execute(add)

    async def reserve_ids(self, table: Table, count: int) -> list[int]:
        """``count`` fresh ids for ``table``: its sequence's on PostgreSQL, max(id)+1.. on SQLite.

        SQLite: the caller's write transaction (BEGIN IMMEDIATE) holds the
        write lock, so nobody else takes ids meanwhile. PostgreSQL: the ids
        come from the table's own sequence, so later ordinary inserts do not
        collide with them.
        """
        if count == 0:
            return []
        if self.dialect.name == "postgresql":
            result = await self.connection.execute(
                text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :count)"),
                {"table": table.name, "count": count},
            )
            return sorted(result.scalars())
        top = await self.connection.scalar(select(func.max(table.c.id))) or 0
        return list(range(top + 1, top + 1 + count))


_PG_ARRAY_TYPES = {str: "text", int: "bigint", bool: "boolean"}
_TERM_COLUMNS = ("term", "product_id", "weight")

_PRODUCT_COLUMNS = (
    "id",
    "sku",
    "name",
    "description",
    "manufacturer",
    "unit",
    "pack_size",
    "list_price",
    "product_type",
    "category_id",
    "active",
    "stock_quantity",
    "content_hash",
    "created_at",
    "updated_at",
)


async def _ensure_categories(writer: _Writer, report: CatalogReport) -> dict[tuple[str, ...], int]:
    """The demo category tree; returns names from the root -> id.

    A category is known by its parent and name, as the ERP import knows it: a
    demo category that exists already (from an earlier run or the ERP) is
    used as it is. Missing ones are added with the import's slugs, "-2" etc.
    when a slug is taken.
    """
    table = Category.__table__
    rows = (
        await writer.connection.execute(select(table.c.id, table.c.parent_id, table.c.name, table.c.slug, table.c.path))
    ).all()
    by_parent_and_name = {(parent_id, name): (id_, slug, path) for id_, parent_id, name, slug, path in rows}
    taken = {slug for _, _, _, slug, _ in rows}
    found: dict[tuple[str, ...], tuple[int, str, str] | None] = {}
    for category in DEMO_CATEGORIES:  # parents before their children
        parent = found[category.names[:-1]] if category.depth else None
        if category.depth and parent is None:
            found[category.names] = None
        else:
            found[category.names] = by_parent_and_name.get((parent[0] if parent else None, category.name))
    missing = [category for category in DEMO_CATEGORIES if found[category.names] is None]
    ids = iter(await writer.reserve_ids(table, len(missing)))
    new_rows = []
    for category in missing:
        parent = found[category.names[:-1]] if category.depth else None
        id_ = next(ids)
        base = f"{parent[1]}-{slugify(category.name)}" if parent else slugify(category.name)
        slug, suffix = base, 1
        while slug in taken:
            suffix += 1
            slug = f"{base}-{suffix}"
        taken.add(slug)
        path = f"{parent[2] if parent else '/'}{id_}/"
        found[category.names] = (id_, slug, path)
        new_rows.append((id_, parent[0] if parent else None, category.name, slug, path, category.depth))
    await writer.insert(table, ("id", "parent_id", "name", "slug", "path", "depth"), new_rows)
    report.categories_added = len(new_rows)
    return {names: value[0] for names, value in found.items() if value is not None}


async def _customer_ids(writer: _Writer) -> dict[str, int]:
    result = await writer.connection.execute(
        select(Customer.number, Customer.id).where(Customer.number.in_(list(DEMO_CUSTOMER_DISCOUNTS)))
    )
    return dict(result.all())


async def _missing_numbers(writer: _Writer, count: int) -> tuple[list[int], int]:
    """The demo product numbers below ``count`` whose SKU is not in the database, and how many products it has."""
    table = Product.__table__
    if await writer.connection.scalar(select(table.c.id).limit(1)) is None:
        return list(range(count)), 0
    present = set((await writer.connection.execute(select(table.c.sku))).scalars())
    return [k for k in range(count) if demo_sku(k) not in present], len(present)


@dataclass(slots=True)
class _Batch:
    """One batch of products with their children and index rows, ready for the driver."""

    writes: list[_Prepared]  # in foreign-key order
    products: int = 0
    images: int = 0
    documents: int = 0
    agreement_prices: int = 0
    search_terms: int = 0


def _make_batch(
    writer: _Writer,
    numbers: Sequence[int],
    ids: Sequence[int],
    category_ids: dict[tuple[str, ...], int],
    customer_ids: dict[str, int],
    now: datetime,
    indexer: _Indexer | None,
) -> _Batch:
    """Generates demo products ``numbers`` as rows with ``ids``; with an ``indexer``, their
    index rows too. Pure Python: runs in a worker thread."""
    products: list[tuple[Any, ...]] = []
    images: list[tuple[Any, ...]] = []
    documents: list[tuple[Any, ...]] = []
    agreement_prices: list[tuple[Any, ...]] = []
    docs = []
    for id_, p in zip(ids, demo_products_at(numbers, now), strict=True):
        products.append(
            (
                id_,
                p.sku,
                p.name,
                p.description,
                p.manufacturer,
                p.unit,
                p.pack_size,
                p.list_price,
                p.product_type,
                category_ids[p.category_names],
                p.active,
                p.stock_quantity,
                "",
                p.created_at,
                p.created_at,
            )
        )
        images.extend((id_, position, url, alt) for position, (url, alt) in enumerate(p.images))
        documents.extend((id_, position, kind, title, url) for position, (kind, title, url) in enumerate(p.documents))
        agreement_prices.extend(
            (customer_ids[number], id_, price, now)
            for number, price in p.agreement_prices.items()
            if number in customer_ids
        )
        if indexer is not None:
            docs.append(
                search.IndexedProduct(
                    id=id_,
                    sku=p.sku,
                    name=p.name,
                    description=p.description,
                    manufacturer=p.manufacturer,
                    category_names=p.category_names,
                )
            )
    terms = indexer.rows(docs) if indexer is not None else []
    return _Batch(
        writes=[
            writer.prepare(Product.__table__, _PRODUCT_COLUMNS, products),
            writer.prepare(ProductImage.__table__, ("product_id", "position", "url", "alt"), images),
            writer.prepare(ProductDocument.__table__, ("product_id", "position", "kind", "title", "url"), documents),
            writer.prepare(
                AgreementPrice.__table__, ("customer_id", "product_id", "price", "updated_at"), agreement_prices
            ),
            writer.prepare_terms(terms),
        ],
        products=len(products),
        images=len(images),
        documents=len(documents),
        agreement_prices=len(agreement_prices),
        search_terms=sum(len(product_terms) for _, product_terms in terms),
    )


class _Indexer:
    """``search.index_terms`` / ``index_words`` for many products that share their texts.

    The search contract builds a product's terms field by field, a term found
    in several fields keeping its highest weight, and its words from the
    texts, not the SKU (see app.catalog.search). So a product's terms are
    those of its texts without the SKU, the same for many demo products and
    computed once, merged with those of its SKU alone; its words are those of
    its texts. Products are also indexed whole, the first ``CHECKED`` and
    then one in ``SAMPLE``, and compared: on any difference the shortcut is
    given up (and a warning logged) and every product is indexed whole.
    """

    CHECKED, SAMPLE = 200, 500

    def __init__(self) -> None:
        self.words: set[str] = set()
        self._texts: dict[tuple[Any, ...], dict[str, int]] = {}
        self._seen = 0
        self.whole = False

    def rows(self, docs: Iterable[search.IndexedProduct]) -> list[tuple[int, dict[str, int]]]:
        """(product id, {term: weight}) for each product."""
        return [(doc.id, self.terms(doc)) for doc in docs]

    def terms(self, doc: search.IndexedProduct) -> dict[str, int]:
        self._seen += 1
        if self.whole:
            self.words |= search.index_words(doc)
            return search.index_terms(doc)
        key = (doc.name, doc.description, doc.manufacturer, tuple(doc.category_names))
        texts = self._texts.get(key)
        if texts is None:
            textual = search.IndexedProduct(
                id=doc.id,
                sku="",
                name=doc.name,
                description=doc.description,
                manufacturer=doc.manufacturer,
                category_names=doc.category_names,
            )
            texts = self._texts[key] = search.index_terms(textual)
            self.words |= search.index_words(textual)
        terms = dict(texts)
        sku_only = search.IndexedProduct(
            id=doc.id, sku=doc.sku, name="", description=None, manufacturer=None, category_names=()
        )
        for term, weight in search.index_terms(sku_only).items():
            if terms.get(term, -1) < weight:
                terms[term] = weight
        if self._seen <= self.CHECKED or self._seen % self.SAMPLE == 0:
            if terms != search.index_terms(doc) or not search.index_words(doc) <= self.words:
                log.warning("search index of the demo catalogue: shortcut given up at product %s", doc.sku)
                self.whole = True
                return self.terms(doc)
        return terms


async def _write_batch(writer: _Writer, batch: _Batch | None) -> None:
    for prepared in batch.writes if batch else ():
        await writer.write(prepared)


async def _both(first: Awaitable[T], second: Awaitable[U]) -> tuple[T, U]:
    """Both results; when one fails, the other is still awaited to its end before the error is raised
    (no statement may be left running on the connection)."""
    results = await asyncio.gather(first, second, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results[0], results[1]  # type: ignore[return-value]


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while millions of (acyclic) tuples are made and dropped.

    The collector would otherwise walk the growing heap again and again: it
    doubles the time of a large load. Reference counting still frees each batch.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


async def seed_demo_catalog(
    session: AsyncSession, products: int = DEFAULT_PRODUCTS, *, now: datetime | None = None
) -> CatalogReport:
    """Adds what is missing of the demo catalogue's first ``products`` products (see the module doc).

    Runs in the session's transaction and commits nothing itself. The demo
    customers' agreement prices are written for the customers that exist.
    """
    if not 0 <= products <= MAX_PRODUCTS:
        raise ValueError(f"the demo catalogue has 0 to {MAX_PRODUCTS} products")
    started = time.perf_counter()
    now = now or clock.now()
    report = CatalogReport(requested=products)
    writer = await _Writer.open(session)
    report.search_indexed = indexing = _search_available()
    if not indexing:
        log.warning("demo catalogue loaded without search index rows: app.catalog.search is not implemented yet")

    category_ids = await _ensure_categories(writer, report)
    customer_ids = await _customer_ids(writer)
    numbers, present = await _missing_numbers(writer, products)
    report.products_present = products - len(numbers)
    ids = await writer.reserve_ids(Product.__table__, len(numbers))
    indexer = _Indexer() if indexing else None

    with _gc_paused():
        loaded = [Product, ProductImage, ProductDocument, AgreementPrice, SearchTerm]
        large = len(numbers) >= max(LARGE_LOAD, present)
        async with writer.bulk([model.__table__ for model in loaded], [SearchTerm.__table__], large):
            # Two stages: a worker thread makes batch k+1 while the database writes batch k.
            written: _Batch | None = None
            for start in range(0, len(numbers), BATCH):
                chunk = numbers[start : start + BATCH]
                making = asyncio.to_thread(
                    _make_batch, writer, chunk, ids[start : start + BATCH], category_ids, customer_ids, now, indexer
                )
                batch, _ = await _both(making, _write_batch(writer, written))
                report.products_added += batch.products
                report.images += batch.images
                report.documents += batch.documents
                report.agreement_prices += batch.agreement_prices
                report.search_terms += batch.search_terms
                written = batch
            await _write_batch(writer, written)
            if indexer is not None:
                report.products_reindexed = await _index_unindexed(writer, report, indexer)
                variants = sorted(search.word_variants(indexer.words)) if indexer.words else []
                report.search_words = await writer.write(
                    writer.prepare(SearchWord.__table__, ("variant", "word"), variants), ignore_duplicates=True
                )

    report.seconds = time.perf_counter() - started
    log.info("demo catalogue seeded", extra={"catalog": asdict(report)})
    return report


async def _index_unindexed(writer: _Writer, report: CatalogReport, indexer: _Indexer) -> int:
    """Index rows for every product that has none (say, loaded before search existed)."""
    products, categories, terms = Product.__table__, Category.__table__, SearchTerm.__table__
    unindexed = (
        select(
            products.c.id,
            products.c.sku,
            products.c.name,
            products.c.description,
            products.c.manufacturer,
            products.c.category_id,
        )
        .where(~select(terms.c.product_id).where(terms.c.product_id == products.c.id).exists())
        .order_by(products.c.id)
    )
    found = (await writer.connection.execute(unindexed)).all()
    if not found:
        return 0
    category_rows = (
        await writer.connection.execute(select(categories.c.id, categories.c.name, categories.c.path))
    ).all()
    names = {id_: name for id_, name, _ in category_rows}
    chains = {
        id_: tuple(names[int(part)] for part in path.strip("/").split("/") if part and int(part) in names)
        for id_, _, path in category_rows
    }
    for start in range(0, len(found), BATCH):
        docs = [
            search.IndexedProduct(
                id=id_,
                sku=sku,
                name=name,
                description=description,
                manufacturer=manufacturer,
                category_names=chains.get(category_id, ()),
            )
            for id_, sku, name, description, manufacturer, category_id in found[start : start + BATCH]
        ]
        prepared = writer.prepare_terms(indexer.rows(docs))
        report.search_terms += prepared.count
        await writer.write(prepared)
    return len(found)
