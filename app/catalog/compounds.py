"""Typed compounds split into the catalogue's own words ("sårkompresser" → sår + kompress).

Norwegian writes compounds as one word, and a nurse types the compound she
thinks of, not the one in the product name: "engangshansker" for products
named "Nitrilhanske ... engangs", "sårkompresser" for "Gasbindkompress" in
the category "Sårbehandling". A typed word that is not a word of the
catalogue is split here into parts that are, with the linking letters of
Norwegian compounds (-s-, -e-: "engang+s+hansker", "sprøyt+e+spiss") between
them. The last part is the head, what the thing *is*; the parts before it
only say which kind.

Pure functions: ``candidates`` lists the stems whose place in the catalogue
must be known, ``split`` chooses the split from what was found. A modifier
must be a whole word somewhere in the catalogue (not only the tail of a
compound: "ansk" in "hansk" is no word); the head may also be the tail of a
compound ("strimler" is known from "Teststrimler"). Only when no such split
exists, a modifier of MIN_FIRST_PART+ letters may also be the first part of
a longer whole word of the catalogue, as the head may be the last part of
one: "insulinkanyler" is insulin + kanyler, "insulin" known only from
"Insulinsprøyte" and "insulinpenn".
"""

from __future__ import annotations

from app.catalog import text

MIN_PART = 3  # letters in a part
MIN_SPLIT_WORD = 6  # a typed word is split from this length
# A word is split in two or three parts (no more); longer words than this in two only (the candidates grow as n²).
MAX_THREE_PART_WORD = 24
LINKING = ("s", "e")
MIN_FIRST_PART = 5  # a modifier known only as the start of a longer word: at least this long


def _modifier_forms(part: str) -> list[str]:
    """The stems a modifier may stand for: as typed, stemmed, and without a linking letter."""
    forms = [part, text.stem(part)]
    if part[-1] in LINKING and len(part) > MIN_PART:
        forms += [part[:-1], text.stem(part[:-1])]
    return list(dict.fromkeys(forms))


def _head_forms(part: str) -> list[str]:
    return list(dict.fromkeys([text.stem(part), part, *sorted(text.readings(part))]))


def splittable(word: str) -> bool:
    return word.isalpha() and len(word) >= MIN_SPLIT_WORD


def candidates(word: str) -> set[str]:
    """Every stem that ``split`` may ask about, for one folded typed word."""
    if not splittable(word):
        return set()
    found: set[str] = set()
    n = len(word)
    for i in range(MIN_PART, n - MIN_PART + 1):
        found.update(_modifier_forms(word[:i]))
        found.update(_head_forms(word[i:]))
        if n <= MAX_THREE_PART_WORD:
            for j in range(i + MIN_PART, n - MIN_PART + 1):
                found.update(_modifier_forms(word[i:j]))
    return found


def first_parts(word: str) -> set[str]:
    """The modifier stems that ``split`` may take for the first part of a longer catalogue word."""
    return {stem for stem in candidates(word) if len(stem) >= MIN_FIRST_PART and stem.isalpha()}


def split(
    word: str, whole: set[str], known: set[str], starts: set[str] | frozenset[str] = frozenset()
) -> list[tuple[str, str]] | None:
    """The parts (typed form, stem) of ``word``, head last; None when no split is all known words.

    ``whole``: stems that are whole words in the catalogue; ``known``: stems
    found at all (whole words or compound tails); ``starts``: stems that begin a
    longer whole word, taken for modifiers only when no split of whole words exists.
    Fewest parts win, then the head that is a whole word somewhere (not only a
    compound's tail: "lhansker" is no word), then the longest head (it says what
    the thing is).
    """
    if not splittable(word):
        return None
    found = _split(word, whole, known)
    if found is None and starts:
        found = _split(word, whole | {stem for stem in starts if len(stem) >= MIN_FIRST_PART}, known)
    return found


_Found = list[tuple[tuple[bool, int], list[tuple[str, str]]]]  # (preference, parts)


def _modifier(part: str, whole: set[str]) -> str | None:
    return next((form for form in _modifier_forms(part) if form in whole), None)


def _head(part: str, known: set[str]) -> str | None:
    return next((form for form in _head_forms(part) if form in known), None)


def _three_parts(word: str, i: int, first: str, whole: set[str], known: set[str]) -> _Found:
    """The three-part splits whose first part ends at ``i`` (its stem ``first``)."""
    found: _Found = []
    for j in range(i + MIN_PART, len(word) - MIN_PART + 1):
        middle, tail = _modifier(word[i:j], whole), _head(word[j:], known)
        if middle is not None and tail is not None:
            found.append(((tail in whole, len(word) - j), [(word[:i], first), (word[i:j], middle), (word[j:], tail)]))
    return found


def _split(word: str, whole: set[str], known: set[str]) -> list[tuple[str, str]] | None:
    """Two parts if any split in two is all known words, else three (the most parts tried)."""
    n = len(word)
    two: _Found = []
    three: _Found = []
    for i in range(MIN_PART, n - MIN_PART + 1):
        left, right = word[:i], word[i:]
        first = _modifier(left, whole)
        if first is None:
            continue
        last = _head(right, known)
        if last is not None:
            two.append(((last in whole, len(right)), [(left, first), (right, last)]))
        if n <= MAX_THREE_PART_WORD:
            three += _three_parts(word, i, first, whole, known)
    for found in (two, three):
        if found:
            # A head that is a word of its own beats the tail of some compound, then the longest.
            return max(found, key=lambda item: item[0])[1]
    return None
