"""The demo assortment: a Norwegian medical-supplies category tree and its product lines, as data.

``TREE`` holds, per top category, its manufacturers, a sentence every
description gets, its kind, and {middle category: {leaf: product lines}}; a
product line (``Family``) is a name pattern with the values its slots take,
its unit, packs and price range. ``app.demo.products`` draws products from it.
"""

from __future__ import annotations

from dataclasses import dataclass

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
