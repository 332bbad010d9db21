"""Norwegian text for the search index: normalisation, tokens, a light stemmer, typo distance.

Everything here is pure Python and deterministic, so the index and the queries
are built the same way whatever the database.

Normalisation (``fold``): Unicode compatibility decomposition, case folded,
accents stripped (é → e, ü → u) except that the Norwegian letters stay: æ ø å
are kept, and ä → æ, ö → ø (the same letters in Swedish/German spelling).

Tokens (``words``): runs of letters or runs of digits ("20ml" → "20", "ml";
"5x5 cm" → "5", "x", "5", "cm"). A few very common function words are dropped.

Stemming (``stem``): light and rule-based; it only conflates the inflected forms
of a noun (indefinite/definite, singular/plural), in Bokmål and Nynorsk, e.g.
hanske, hansken, hansker, hanskene, hanskar, hanskane → "hansk"; sprøyta →
"sprøyt"; munnbinda → "munnbind". One ending is removed, longest first,
keeping a stem of at least three letters with a vowel:

    erne, eren, ane, ene, ere (holdere, holderen, holderne → hold), ar, er, en,
    et (not in -het, -itet: nyhet/nyheter), a, e

Nouns ending in unstressed -er/-el lose that e when inflected (kateter,
katetre, kateteret, katetra; middel, midler). No rule can tell "kateter" (a
singular) from "hansker" (a plural) by its letters, so the index stems each
form as it is written ("kateter" → "katet", "katetre" → "katetr") and a typed
word stands for every reading the rule allows (``readings``): "katetre" →
katetr, katet; "kateter" → katet, katetr; "midler" → midl, middel. A reading no
product has costs nothing; the reading that does finds the product. This
replaces a hand-kept list of such nouns (any -er/-el noun now works:
termometer/termometre, adapter/adaptre, strimmel/strimler).
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

# Ending of the indefinite/definite, singular/plural forms, longest first.
_ENDINGS = ("erne", "eren", "ane", "ene", "ere", "ar", "er", "en", "et", "a", "e")
_KEEP_ET = ("het", "itet")
_NYNORSK_A = ("a",)

_TOKEN = re.compile(r"[^\W\d_]+|\d+")


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
    for ending in _ENDINGS:
        if word.endswith(ending):
            rest = word[: -len(ending)]
            if len(rest) < 3 or not _has_vowel(rest):
                continue
            if ending == "et" and word.endswith(_KEEP_ET):
                continue
            if ending in _NYNORSK_A and len(rest) < 4:
                continue  # urea, tena: a short word's final a is rather its own
            if ending == "et" and rest.endswith("er") and len(rest) >= 6 and _has_vowel(rest[:-2]):
                return rest[:-2]  # kateteret, plasteret: the singular of an -er noun, stemmed as it is
            return rest
    return word


def _single(stem: str) -> str:
    """A double consonant before the final r/l made single: middl → midl, nøkkl → nøkl."""
    if len(stem) >= 4 and stem[-2] == stem[-3]:
        return stem[:-3] + stem[-2:]
    return stem


@lru_cache(maxsize=50_000)
def readings(word: str) -> frozenset[str]:
    """Every stem a typed word may stand for: its own, and both sides of the -er/-el syncope.

    kateter/kateteret (e before the final r, after a consonant) also read as the
    syncopated stem "katetr"; katetre/midler (a consonant, then r/l, at the end of
    the stem) also read as the full singular: "katet" (kateter), "middel"/"midel".
    """
    own = stem(word)
    found = {own}
    if not word.isalpha():
        return frozenset(found)
    for base in {word, own}:
        if len(base) >= 5 and base[-2] == "e" and base[-1] in "rl" and base[-3] not in VOWELS:
            syncopated = base[:-2] + base[-1]
            found |= {syncopated, _single(syncopated), stem(base)}
    if word.endswith(("ere", "eren", "erne", "eret")) and own[-1] not in VOWELS:
        found |= {own + "r", _single(own + "r")}  # katetere, kateteret (an -er noun) → katetr
    if len(own) >= 4 and own[-1] in "rl" and own[-2] not in VOWELS and own[-2] not in "rl":
        full = own[:-1] + "e" + own[-1]
        found |= {stem(full), full}
        if own[-3] in VOWELS:  # midl → middel, nøkl → nøkkel
            doubled = own[:-1] + own[-2] + "e" + own[-1]
            found |= {stem(doubled), doubled}
    return frozenset(found)


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
