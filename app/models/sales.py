"""Sales counts for the search's tie-breaks, per calendar month (kept by app.catalog.sales)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, CustomerFk


class ProductSales(Base):
    """Units of a product the whole shop ordered in a month (``month``: year * 100 + month)."""

    __tablename__ = "product_sales"

    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), primary_key=True)
    month: Mapped[int] = mapped_column(Integer, primary_key=True)
    units: Mapped[int] = mapped_column(Integer, default=0)


class CustomerPurchase(Base):
    """Units of a product one customer ordered in a month; keyed by customer first, so a
    search reads only this customer's rows (one index seek a candidate product)."""

    __tablename__ = "customer_purchases"
    __table_args__ = (Index("ix_customer_purchases_product_id", "product_id"),)

    customer_id: Mapped[CustomerFk] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), primary_key=True)
    month: Mapped[int] = mapped_column(Integer, primary_key=True)
    units: Mapped[int] = mapped_column(Integer, default=0)
