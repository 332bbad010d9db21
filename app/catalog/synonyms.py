"""Search synonyms as data: groups of terms, checked, stored, audited, and applied at query time.

A group holds 2 to 20 terms (a word or a short phrase, compared folded as
search compares words: case and accents as in ``app.catalog.text``). Two-way:
every term finds what the others find. One-way: the first term also finds what
the others find, not the reverse (a brand name used as a generic word:
"antibac" finds hand disinfectant, "hånddesinfeksjon" does not find only
Antibac's).

Applied at query time, never indexed: search reads the groups into a copy in
this process (``Expansions``) and checks on every search, inside the search's
first statement, that the copy's token is still the one in
``search_synonym_state``; every change writes a fresh random token, so the next
search in any process sees it (and reloads, one more statement once).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app import audit, clock
from app.catalog import text
from app.errors import DomainError, ErrorCode, Problem
from app.models.search_synonyms import SearchSynonym, SearchSynonymState, SearchSynonymTerm
from app.viewer import Viewer

MIN_TERMS, MAX_TERMS = 2, 20
MAX_TERM_LENGTH = 100  # characters, as typed and folded
MAX_TERM_WORDS = 5
STATE_ID = 1


def normalise(term: str) -> str:
    """A term as compared: its folded words (letters or digits) joined by one space."""
    return " ".join(text.tokens(term[: MAX_TERM_LENGTH * 2]))


def check(terms: Sequence[str]) -> tuple[list[str], list[Problem]]:
    """The folded terms, and what is wrong with the group (fields input.terms.N)."""
    problems: list[Problem] = []
    if not MIN_TERMS <= len(terms) <= MAX_TERMS:
        problems.append(
            Problem(ErrorCode.INVALID_INPUT, f"A group has {MIN_TERMS} to {MAX_TERMS} terms.", "input.terms")
        )
        return [], problems
    folded: list[str] = []
    seen: dict[str, int] = {}
    for n, raw in enumerate(terms):
        where = f"input.terms.{n}"
        term = normalise(raw)
        if len(raw) > MAX_TERM_LENGTH:
            problems.append(Problem(ErrorCode.INVALID_INPUT, f"At most {MAX_TERM_LENGTH} characters.", where))
        elif not term:
            problems.append(Problem(ErrorCode.INVALID_INPUT, "A term needs a letter or a digit.", where))
        elif len(term.split()) > MAX_TERM_WORDS:
            problems.append(Problem(ErrorCode.INVALID_INPUT, f"At most {MAX_TERM_WORDS} words.", where))
        elif term in seen:
            problems.append(
                Problem(ErrorCode.INVALID_INPUT, f"The same as term {seen[term]} (compared folded).", where)
            )
        else:
            seen[term] = n
        folded.append(term)
    return folded, problems


async def _touch(session: AsyncSession) -> None:
    """A fresh token: every process's copy is stale from this commit on."""
    token = str(uuid.uuid4())
    changed = await session.execute(
        update(SearchSynonymState).where(SearchSynonymState.id == STATE_ID).values(token=token)
    )
    if not changed.rowcount:  # type: ignore[attr-defined]
        session.add(SearchSynonymState(id=STATE_ID, token=token))


async def upsert(
    session: AsyncSession, actor: Viewer | None, synonym_id: int | None, terms: Sequence[str], two_way: bool
) -> SearchSynonym:
    """Adds a group, or replaces the group ``synonym_id``; DomainError when the input is wrong.

    A term belongs to one group only: the primary key of search_synonym_terms
    settles two editors adding the same term at once (the second gets
    INVALID_INPUT, nothing of its change is kept).
    """
    folded, problems = check(terms)
    if problems:
        raise DomainError(*problems)
    group: SearchSynonym | None = None
    if synonym_id is not None:
        group = await session.get(SearchSynonym, synonym_id, with_for_update=True)
        if group is None:
            raise DomainError.of(ErrorCode.NOT_FOUND, "No such synonym group.", "input.id")
    taken = dict(
        (
            await session.execute(
                select(SearchSynonymTerm.term, SearchSynonymTerm.synonym_id).where(SearchSynonymTerm.term.in_(folded))
            )
        ).all()
    )
    clashes = [
        Problem(ErrorCode.INVALID_INPUT, f"{terms[n]!r} is already in another synonym group.", f"input.terms.{n}")
        for n, term in enumerate(folded)
        if term in taken and (group is None or taken[term] != group.id)
    ]
    if clashes:
        raise DomainError(*clashes)
    now = clock.now()
    cleaned = [raw.strip() for raw in terms]
    if group is None:
        group = SearchSynonym(terms=cleaned, two_way=two_way, created_at=now, updated_at=now)
        session.add(group)
        await session.flush()
        before = None
    else:
        before = {"terms": list(group.terms), "twoWay": group.two_way}
        group.terms, group.two_way, group.updated_at = cleaned, two_way, now
        await session.execute(delete(SearchSynonymTerm).where(SearchSynonymTerm.synonym_id == group.id))
    session.add_all(SearchSynonymTerm(term=term, synonym_id=group.id, position=n) for n, term in enumerate(folded))
    try:
        await session.flush()
    except IntegrityError as error:
        raise DomainError.of(
            ErrorCode.INVALID_INPUT, "A term was added to another group at the same time.", "input.terms"
        ) from error
    await _touch(session)
    audit.record(
        session,
        actor,
        "search.synonym_changed",
        subject_id=group.id,
        change="updated" if before else "created",
        before=before,
        after={"terms": cleaned, "twoWay": two_way},
    )
    return group


async def remove(session: AsyncSession, actor: Viewer | None, synonym_id: int | None) -> None:
    group = await session.get(SearchSynonym, synonym_id) if synonym_id is not None else None
    if group is None:
        raise DomainError.of(ErrorCode.NOT_FOUND, "No such synonym group.", "id")
    before = {"terms": list(group.terms), "twoWay": group.two_way}
    await session.execute(delete(SearchSynonymTerm).where(SearchSynonymTerm.synonym_id == group.id))
    await session.delete(group)
    await _touch(session)
    audit.record(session, actor, "search.synonym_changed", subject_id=synonym_id, change="deleted", before=before)


# --- query time --------------------------------------------------------------


@dataclass(frozen=True)
class Expansions:
    """What each folded term also finds; the token of the state it was read at ("" : no groups)."""

    token: str = ""
    also: dict[str, frozenset[str]] = field(default_factory=dict)
    longest: int = 0  # words in the longest term

    def find(self, words: Sequence[str], start: int) -> tuple[int, frozenset[str]] | None:
        """The longest term at ``words[start:]``: (its length in words, what it also finds)."""
        for length in range(min(self.longest, len(words) - start), 0, -1):
            found = self.also.get(" ".join(words[start : start + length]))
            if found:
                return length, found
        return None


_copy = Expansions()


def cached() -> Expansions:
    return _copy


async def load(session: AsyncSession) -> Expansions:
    """Reads every group into this process's copy (after a change, once)."""
    global _copy
    token = await session.scalar(select(SearchSynonymState.token).where(SearchSynonymState.id == STATE_ID)) or ""
    rows = (
        await session.execute(
            select(SearchSynonymTerm.synonym_id, SearchSynonymTerm.term, SearchSynonym.two_way)
            .join(SearchSynonym, SearchSynonym.id == SearchSynonymTerm.synonym_id)
            .order_by(SearchSynonymTerm.synonym_id, SearchSynonymTerm.position)
        )
    ).all()
    groups: dict[int, tuple[list[str], bool]] = {}
    for synonym_id, term, two_way in rows:
        groups.setdefault(synonym_id, ([], two_way))[0].append(term)
    also: dict[str, set[str]] = {}
    for terms, two_way in groups.values():
        finders = terms if two_way else terms[:1]
        for term in finders:
            also.setdefault(term, set()).update(other for other in terms if other != term)
    _copy = Expansions(
        token=token,
        also={term: frozenset(found) for term, found in also.items()},
        longest=max((len(term.split()) for term in also), default=0),
    )
    return _copy


async def count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(SearchSynonym)) or 0)
