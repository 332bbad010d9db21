"""Jinja2 templates for email, in Norwegian Bokmål.

Each message ``name`` has three files in ``app/mail/templates/``:
``name.subject.txt``, ``name.txt`` (plain text) and ``name.html``.

Filters for both parts: ``nok`` (``Decimal("1234.5")`` -> ``"1 234,50 kr"``) and
``no_date`` (``date(2026, 12, 4)`` -> ``"fredag 4. desember 2026"``). Names are
hardcoded, so the output does not depend on the machine's locale.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, Undefined, select_autoescape


@dataclass(frozen=True, slots=True)
class RenderedMail:
    subject: str
    text: str
    html: str


NBSP = "\u00a0"
"""No-break space: between digit groups and before "kr", in text and HTML alike,
so an amount never wraps over two lines."""

_ORE = Decimal("0.01")
# "1,234.50" -> "1 234,50": no-break spaces between digit groups, a comma before the øre.
_NORWEGIAN_DIGITS = str.maketrans({",": NBSP, ".": ","})

WEEKDAYS = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")
MONTHS = (
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
)


def nok(amount: Decimal | int) -> str:
    """Norwegian kroner: ``Decimal("-1234.5")`` -> ``"-1 234,50 kr"`` (no-break spaces).

    Rounded half up to øre. Floats are refused: money is never a float here.
    """
    if isinstance(amount, Undefined):
        amount._fail_with_undefined_error()  # a missing parameter, not a wrong type
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int):
        raise TypeError(f"nok expects a Decimal or int, not {type(amount).__name__}")
    if not Decimal(amount).is_finite():
        raise ValueError(f"nok cannot format {amount}")
    value = Decimal(amount).quantize(_ORE, rounding=ROUND_HALF_UP)
    sign = "-" if value < 0 else ""  # never "-0,00 kr"
    # Two decimals already, so the format only groups (an order mail formats some 90 amounts).
    return f"{sign}{abs(value):,.2f}{NBSP}kr".translate(_NORWEGIAN_DIGITS)


def no_date(day: date) -> str:
    """Norwegian date with weekday: ``date(2026, 12, 4)`` -> ``"fredag 4. desember 2026"``."""
    if isinstance(day, Undefined):
        day._fail_with_undefined_error()
    if not isinstance(day, date):
        raise TypeError(f"no_date expects a date, not {type(day).__name__}")
    return f"{WEEKDAYS[day.weekday()]} {day.day}. {MONTHS[day.month - 1]} {day.year}"


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("app.mail", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["nok"] = nok
    env.filters["no_date"] = no_date
    return env


def render(template: str, /, **params: Any) -> RenderedMail:
    env = _environment()
    subject = env.get_template(f"{template}.subject.txt").render(**params)
    return RenderedMail(
        subject=" ".join(subject.split()),
        text=env.get_template(f"{template}.txt").render(**params),
        html=env.get_template(f"{template}.html").render(**params),
    )
