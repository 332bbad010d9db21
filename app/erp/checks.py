"""Item checks, declared once per input type.

An input type is declared as ``Fields``: its fields in order, each with a rule
(``Text``, ``Money``, ``Whole``, ``Url``, ``Each``, a nested ``Fields``...).
Checking an item runs every rule, collects the problems under the field's
path, made from the declaration ("items.3.listPrice", "items.0.images.2.url"),
and returns the item with its values normalized (trimmed, rounded, sorted).
A field without a rule is taken as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, Generic, Protocol, TypeVar

from app.errors import ErrorCode, Problem

T = TypeVar("T")

MAX_PRICE = Decimal("10000000.00")
MAX_URL = 2000

_CENT = Decimal("0.01")
# Control characters and lone surrogates ("\\ud800" in the JSON; no database can store one) are
# refused; tab and newlines are fine in a description.
_CONTROL = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# An absolute http(s) URL with a host; no whitespace, control characters or lone surrogates.
_URL = re.compile(
    r"https?://(?:[^\s\x00-\x1f\x7f\ud800-\udfff/?#@]+@)?[^\s\x00-\x1f\x7f\ud800-\udfff/?#@:]+(?::[0-9]{1,5})?"
    r"(?:[/?#][^\s\x00-\x1f\x7f\ud800-\udfff]*)?",
    re.IGNORECASE,
)


class Checks:
    """Collects the problems of one item; every path starts at ``prefix`` ("items.N")."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.problems: list[Problem] = []

    def fail(self, path: str | None, message: str, code: ErrorCode = ErrorCode.INVALID_INPUT) -> None:
        self.problems.append(Problem(code, message, f"{self.prefix}.{path}" if path else self.prefix))


class Rule(Protocol):
    def check(self, c: Checks, value: Any, path: str) -> Any:
        """The value normalized, or None after a problem (or when it was left out)."""


@dataclass(frozen=True, slots=True)
class Text:
    """Trimmed text; a blank optional one becomes ``blank`` ("" means "remove")."""

    what: str
    limit: int
    required: bool = True
    multiline: bool = False
    blank: str | None = ""

    def check(self, c: Checks, value: str | None, path: str) -> str | None:
        if value is None:
            return None
        value = value.strip()
        if not value:
            if self.required:
                c.fail(path, f"{self.what} is required.")
                return None
            return self.blank
        if len(value) > self.limit:
            c.fail(path, f"{self.what} can be at most {self.limit} characters.")
            return None
        if (_CONTROL_MULTILINE if self.multiline else _CONTROL).search(value):
            c.fail(path, f"{self.what} contains characters that are not allowed.")
            return None
        return value


@dataclass(frozen=True, slots=True)
class Money:
    """NOK from 0 to ``MAX_PRICE`` in whole øre."""

    what: str

    def check(self, c: Checks, value: Decimal | None, path: str) -> Decimal | None:
        if value is None:
            return None
        problem = _money_problem(value)
        if problem:
            c.fail(path, f"{self.what} {problem}")
            return None
        rounded = value.quantize(_CENT)
        return abs(rounded) if rounded == 0 else rounded  # no "-0.00"


def _money_problem(value: Decimal) -> str | None:
    if not value.is_finite():
        return "must be a number."
    if value < 0:
        return "cannot be negative."
    if value > MAX_PRICE:
        return f"can be at most {MAX_PRICE} NOK."
    if value.quantize(_CENT) != value:
        return "can have at most 2 decimals (whole øre)."
    return None


@dataclass(frozen=True, slots=True)
class Whole:
    """A whole number from ``low`` to ``high``."""

    what: str
    low: int
    high: int

    def check(self, c: Checks, value: int | None, path: str) -> int | None:
        if value is not None and not self.low <= value <= self.high:
            c.fail(path, f"{self.what} must be from {self.low:,} to {self.high:,}.")
            return None
        return value


@dataclass(frozen=True, slots=True)
class Url:
    """An absolute http(s) URL."""

    def check(self, c: Checks, value: str, path: str) -> str | None:
        value = value.strip()
        if not value:
            c.fail(path, "A URL is required.")
        elif len(value) > MAX_URL:
            c.fail(path, f"A URL can be at most {MAX_URL} characters.")
        elif not _URL.fullmatch(value):
            c.fail(path, "Give an absolute http or https URL.")
        else:
            return value
        return None


@dataclass(frozen=True, slots=True)
class Holds:
    """A value that passes ``test``, trimmed first when ``strip``."""

    test: Callable[[Any], bool]
    message: str
    strip: bool = False

    def check(self, c: Checks, value: Any, path: str) -> Any:
        if self.strip:
            value = (value or "").strip()
        if not self.test(value):
            c.fail(path, self.message)
            return None
        return value


@dataclass(frozen=True, slots=True)
class Flag:
    """A yes/no where left out means no."""

    def check(self, c: Checks, value: bool | None, path: str) -> bool:
        return bool(value)


def _nothing_more(_c: Checks, _values: Sequence[Any], _path: str) -> None:
    return None


@dataclass(frozen=True, slots=True)
class Each:
    """A list: each entry checked by ``entry`` (a rule or ``Fields``; None: taken as it is).

    Over ``most`` entries is a problem; then the first ``most`` are checked
    still, or none with ``check_first=False``. ``also`` checks the list as a
    whole, ``finish`` makes the normalized list of the checked entries.
    """

    entry: Rule | Fields[Any] | None
    most: int | None = None
    too_many: str = ""
    empty: str | None = None  # the problem when the list is empty; None: it may be
    check_first: bool = True
    also: Callable[[Checks, Sequence[Any], str], None] = _nothing_more
    finish: Callable[[list[Any]], Any] = list

    def check(self, c: Checks, values: Sequence[Any] | None, path: str) -> Any:
        if values is None:
            return None
        before = len(c.problems)
        if not values and self.empty:
            c.fail(path, self.empty)
        given = values
        if self.most is not None and len(values) > self.most:
            c.fail(path, self.too_many)
            if not self.check_first:
                return None
            values = values[: self.most]
        seen: set[Hashable] = set()  # the entries' keys, unique within the list
        checked = [self._entry(c, value, f"{path}.{position}", seen) for position, value in enumerate(values)]
        self.also(c, given, path)
        return self.finish(checked) if len(c.problems) == before else None  # a bad list is not normalized

    def _entry(self, c: Checks, value: Any, path: str, seen: set[Hashable]) -> Any:
        if self.entry is None:
            return value
        if isinstance(self.entry, Fields):
            return self.entry.check(c, value, path, seen)
        return self.entry.check(c, value, path)


@dataclass(frozen=True)  # no slots: Fields[X](...) sets __orig_class__
class Fields(Generic[T]):
    """An input type's declaration: (python field name, rule) in the order they are checked.

    The path of a field is its camelCase name below the item's. ``key`` names
    the fields that identify an item among its siblings (a batch, a list);
    they are declared first. A key counts once its fields passed their checks:
    when the same key counted before, ``duplicate`` (formatted with the
    checked key fields) is reported on the key's last field, right after it.
    """

    rules: tuple[tuple[str, Rule], ...]
    key: tuple[str, ...] = ()
    duplicate: str = ""
    _plan: tuple[tuple[str, str, Rule, bool], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # (name, path below the item, rule, whether the key is complete after it), made once.
        plan = tuple((name, _camel(name), rule, bool(self.key) and name == self.key[-1]) for name, rule in self.rules)
        object.__setattr__(self, "_plan", plan)

    def check(self, c: Checks, item: T | None, at: str = "", seen: set[Hashable] | None = None) -> T | None:
        if item is None:
            return None
        values: dict[str, Any] = {}
        before = len(c.problems)
        for name, camel, rule, keyed in self._plan:
            path = f"{at}.{camel}" if at else camel
            values[name] = rule.check(c, getattr(item, name), path)
            if keyed and seen is not None and len(c.problems) == before:
                self._once(c, values, path, seen)
        return replace(item, **values)  # type: ignore[type-var]

    def _once(self, c: Checks, values: dict[str, Any], path: str, seen: set[Hashable]) -> None:
        key = tuple(values[name] for name in self.key)
        if key in seen:
            c.fail(path, self.duplicate.format(**values))
        seen.add(key)


def check_items(fields: Fields[T], items: Sequence[T]) -> tuple[list[tuple[int, T]], list[Problem]]:
    """The good items, normalized, with their index, and the problems of the bad ones (in item order)."""
    good: list[tuple[int, T]] = []
    problems: list[Problem] = []
    seen: set[Hashable] = set()
    for index, item in enumerate(items):
        c = Checks(f"items.{index}")
        checked = fields.check(c, item, "", seen)
        if c.problems or checked is None:
            problems.extend(c.problems)
        else:
            good.append((index, checked))
    return good, problems


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)
