"""Money rules of carts and orders: NOK in Decimal, VAT 25 % on the subtotal, half-up to the øre."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

VAT_RATE = Decimal("0.25")
ORE = Decimal("0.01")
ZERO = Decimal("0.00")


def line_total(unit_price: Decimal, quantity: int) -> Decimal:
    return (unit_price * quantity).quantize(ORE)


@dataclass(frozen=True, slots=True)
class Totals:
    subtotal: Decimal
    vat: Decimal
    total: Decimal

    @classmethod
    def of_subtotal(cls, subtotal: Decimal) -> Totals:
        # VAT on the subtotal, not per line: per-line rounding drifts by øre on long orders.
        vat = (subtotal * VAT_RATE).quantize(ORE, rounding=ROUND_HALF_UP)
        return cls(subtotal=subtotal.quantize(ORE), vat=vat, total=subtotal.quantize(ORE) + vat)

    @classmethod
    def of_lines(cls, lines: Iterable[tuple[Decimal, int]]) -> Totals:
        return cls.of_subtotal(sum((line_total(price, quantity) for price, quantity in lines), ZERO))
