"""Norwegian text for the search index: normalisation, tokens, a light stemmer, typo distance.

Everything here is pure Python and deterministic, so the index and the queries
are built the same way whatever the database.

Normalisation (``fold``): Unicode compatibility decomposition, case folded,
accents stripped (é → e, ü → u) except that the Norwegian letters stay: æ ø å
are kept, and ä → æ, ö → ø (the same letters in Swedish/German spelling).

Tokens (``words``): runs of letters or runs of digits ("20ml" → "20", "ml";
"5x5 cm" → "5", "x", "5", "cm"). A few very common function words are dropped.

Stemming (``stem``): light and rule-based; it only conflates the inflected forms
of a noun (indefinite/definite, singular/plural), e.g. hanske, hansken, hansker,
hanskene → "hansk". One ending is removed, longest first, keeping a stem of at
least three letters with a vowel:

    ene, ere, eren, erne (holdere, holderen, holderne → hold), er, en, et
    (not in -het, -itet: nyhet/nyheter), e

Nouns ending in unstressed -er/-el lose that e when inflected (kateter,
katetre, kateteret; middel, midler). A rule cannot tell "kateter" (a stem)
from "hansker" (a plural), so these come from a short list of such nouns
(``SYNCOPE_NOUNS``), recognised at the end of a word so compounds work
("urinkatetre" → "urinkatetr"); their stem is the form without the e, with a
double consonant made single (middel → "midl").
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# A word is at most this long in the index, a SKU key this long (the term
# columns hold 100 characters, with room for the search module's markers).
MAX_WORD = 40
MAX_SKU_KEY = 90

VOWELS = frozenset("aeiouyæøå")

# Function words, and the abbreviations of product names ("str M", "100 stk")
# that would otherwise be in almost every product.
STOPWORDS = frozenset(
    """og i på av for med til som er en et ei den det de fra om ved eller
    and the of with str stk ca""".split()
)

# Nouns whose unstressed e before the final r/l goes when they are inflected.
SYNCOPE_NOUNS = (
    "kateter",
    "plaster",
    "filter",
    "fiber",
    "meter",
    "liter",
    "senter",
    "sylinder",
    "nummer",
    "finger",
    "skulder",
    "middel",
    "kapsel",
    "muskel",
    "ankel",
    "nøkkel",
    "pensel",
    "kabel",
)

# Ending of the indefinite/definite, singular/plural forms, longest first.
_ENDINGS = ("erne", "eren", "ene", "ere", "er", "en", "et", "e")
_KEEP_ET = ("het", "itet")

_TOKEN = re.compile(r"[^\W\d_]+|\d+")


def _syncope_stem(base: str) -> str:
    stem = base[:-2] + base[-1]  # kateter → katetr, middel → middl
    if len(stem) >= 3 and stem[-2] == stem[-3]:
        stem = stem[:-3] + stem[-2:]  # middl → midl, nøkkl → nøkl
    return stem


def _syncope_forms() -> dict[str, str]:
    forms: dict[str, str] = {}
    for base in SYNCOPE_NOUNS:
        stem = _syncope_stem(base)
        for form in (base, base + "et", base + "en", base + "e", base + "ene", base + "ne"):
            forms[form] = stem
        for form in (stem, stem + "e", stem + "er", stem + "ene", stem + "et", stem + "en"):
            forms[form] = stem
    return forms


_SYNCOPE_FORMS = _syncope_forms()
_SYNCOPE_SHORTEST = min(len(form) for form in _SYNCOPE_FORMS)


def _fold(text: str) -> str:
    out: list[str] = []
    for ch in unicodedata.normalize("NFKD", text.casefold()):
        if unicodedata.combining(ch):
            if out:
                last = out[-1]
                if ch == "\u030a" and last == "a":  # å
                    out[-1] = "å"
                elif ch == "\u0308" and last == "a":  # ä → æ
                    out[-1] = "æ"
                elif ch == "\u0308" and last == "o":  # ö → ø
                    out[-1] = "ø"
            continue
        out.append(ch)
    return "".join(out)


def fold(text: str) -> str:
    """Lower case, no accents except æ ø å; the form every term and query word is compared in."""
    if text.isascii():
        return text.lower()
    return _fold(unicodedata.normalize("NFC", text))


@lru_cache(maxsize=200_000)
def _token_words(raw: str) -> tuple[str, ...]:
    """The folded word(s) of one token as found in the text ("Søknad" → "søknad")."""
    folded = raw.lower() if raw.isascii() else _fold(raw)
    found = [folded] if folded.isalpha() or folded.isdigit() else _TOKEN.findall(folded)
    return tuple(word[:MAX_WORD] for word in found)


@lru_cache(maxsize=200_000)
def _token_stems(raw: str) -> tuple[str, ...]:
    return tuple(stem(word) for word in _token_words(raw) if word not in STOPWORDS)


def _raw_tokens(text: str) -> list[str]:
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return _TOKEN.findall(text)


def tokens(text: str | None) -> list[str]:
    """The folded words of ``text`` (letters or digits), stopwords included."""
    if not text:
        return []
    return [word for raw in _raw_tokens(text) for word in _token_words(raw)]


def words(text: str | None) -> list[str]:
    """The folded words of ``text`` without stopwords."""
    return [word for word in tokens(text) if word not in STOPWORDS]


def _has_vowel(text: str) -> bool:
    return any(ch in VOWELS for ch in text)


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The stem of one folded word; digits and unknown shapes come back unchanged."""
    if not word.isalpha() or len(word) < 4:
        return word
    # A syncope noun at the end of the word, possibly inside a compound.
    for start in range(0, len(word) - _SYNCOPE_SHORTEST + 1):
        found = _SYNCOPE_FORMS.get(word[start:])
        if found is not None:
            return word[:start] + found
    for ending in _ENDINGS:
        if word.endswith(ending):
            rest = word[: -len(ending)]
            if len(rest) < 3 or not _has_vowel(rest):
                continue
            if ending == "et" and word.endswith(_KEEP_ET):
                continue
            return rest
    return word


def stems(text: str | None) -> list[str]:
    """The stems of the words of ``text``, stopwords left out."""
    if not text:
        return []
    return [word for raw in _raw_tokens(text) for word in _token_stems(raw)]


def sku_key(sku: str | None) -> str:
    """A SKU as compared: folded, letters and digits only ("10-2345" → "102345")."""
    if not sku:
        return ""
    return "".join(_TOKEN.findall(fold(sku)))[:MAX_SKU_KEY]


def ascii_spelling_alternative(word: str) -> str | None:
    """ "aa", "ae", "oe" read as å, æ, ø (a keyboard without them), if the word has any."""
    if "aa" not in word and "ae" not in word and "oe" not in word:
        return None
    return word.replace("aa", "å").replace("ae", "æ").replace("oe", "ø")


def deletions(word: str) -> set[str]:
    """The word and every word one letter shorter (SymSpell's distance-1 deletions)."""
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


def within_one_edit(a: str, b: str) -> bool:
    """Damerau-Levenshtein (optimal string alignment) distance of at most one."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
    if abs(la - lb) != 1:
        return False
    if la > lb:
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :]
