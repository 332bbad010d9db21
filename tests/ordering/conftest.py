"""Fixtures of the ordering tests (the shop itself is in tests/ordering/shop.py)."""

from tests.ordering.returns_shop import rshop
from tests.ordering.shop import shop

__all__ = ["rshop", "shop"]
