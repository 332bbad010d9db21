"""The catalogue: categories, products with images and documents, stock, agreement prices."""

from __future__ import annotations

import enum
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from app import clock
from app.models.base import Base, CustomerFk, Id, Timestamp, str_enum


class MoneyOre(TypeDecorator[Decimal]):
    """NOK as a Decimal in Python, stored exactly as whole øre (an integer) on both databases."""

    impl = Integer
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        ore = value * 100
        if ore != ore.to_integral_value():
            raise ValueError(f"{value} has fractions of an øre")
        return int(ore)

    def process_result_value(self, value: int | None, dialect: Dialect) -> Decimal | None:
        return None if value is None else (Decimal(value) / 100).quantize(Decimal("0.01"))


class ProductType(enum.Enum):
    STANDARD = "STANDARD"
    SPECIAL_ORDER = "SPECIAL_ORDER"  # skaffevare
    MADE_TO_ORDER = "MADE_TO_ORDER"  # bestillingsvare
    NUTRITION = "NUTRITION"  # ernæringsprodukt

    @property
    def returnable(self) -> bool:
        return self is ProductType.STANDARD


class DocumentKind(enum.Enum):
    PRODUCT_DATA_SHEET = "PRODUCT_DATA_SHEET"
    SAFETY_DATA_SHEET = "SAFETY_DATA_SHEET"
    USER_MANUAL = "USER_MANUAL"
    CERTIFICATE = "CERTIFICATE"
    OTHER = "OTHER"


class Category(Base):
    __tablename__ = "categories"
    __table_args__ = (UniqueConstraint("parent_id", "name", name="uq_categories_parent_name"),)

    id: Mapped[Id]
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(400), unique=True)
    # Ids from the root down, "/1/5/9/": descendants share the prefix.
    path: Mapped[str] = mapped_column(String(400), index=True)
    depth: Mapped[int] = mapped_column(Integer, default=0)


class Product(Base):
    __tablename__ = "products"
    __table_args__ = (
        Index("ix_products_category_active_name", "category_id", "active", "name"),
        # What a search result page reads of each match (app/catalog/search.py): an
        # index-only lookup on PostgreSQL instead of a visit to the table row.
        Index("ix_products_id_name_active", "id", "name", "active"),
        # The few inactive products, which search leaves out, read without a scan.
        Index("ix_products_inactive", "id", postgresql_where=text("NOT active"), sqlite_where=text("NOT active")),
        # The shelf's pages in order (app/catalog/listing.py): by name, and newest first (read backwards);
        # over the active products only, as each dialect writes the shelf's filter (migration 0013).
        Index("ix_products_shelf_name", "name", "id", postgresql_where=text("active"), sqlite_where=text("active = 1")),
        Index(
            "ix_products_shelf_newest",
            "created_at",
            "id",
            postgresql_where=text("active"),
            sqlite_where=text("active = 1"),
        ),
    )

    id: Mapped[Id]
    # Code point order on both databases (SQLite's BINARY is the default): what the shelf and search sort by.
    sku: Mapped[str] = mapped_column(String(64).with_variant(String(64, collation="C"), "postgresql"), unique=True)
    name: Mapped[str] = mapped_column(String(300).with_variant(String(300, collation="C"), "postgresql"))
    description: Mapped[str | None] = mapped_column(Text)
    manufacturer: Mapped[str | None] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(50))
    pack_size: Mapped[int | None] = mapped_column(Integer)
    list_price: Mapped[Decimal] = mapped_column(MoneyOre)
    product_type: Mapped[ProductType] = mapped_column(
        str_enum(ProductType, "product_type"), default=ProductType.STANDARD
    )
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    stock_quantity: Mapped[int] = mapped_column(Integer, default=0)
    # Hash of what the ERP last sent: a repeat of the same data is "unchanged".
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[Timestamp]
    updated_at: Mapped[Timestamp] = mapped_column(onupdate=clock.now)


class CategoryProductCount(Base):
    """Active products directly in a category (and those of them in stock), kept by the database.

    Triggers (alembic/versions/0012_category_counts.py) add and subtract as products are inserted,
    deleted, activated, moved or run out of stock, in the same statement as the change, so a count
    commits or rolls back with it. Race-safe: each change is an ``UPDATE ... SET active = active + d``,
    which PostgreSQL applies under the count row's lock to the latest committed value (a concurrent
    change waits, then adds to the new value: no lost update); SQLite has one writer at a time. The
    delta comes from the trigger's OLD and NEW row, which the product row's own lock keeps exact.
    Reading the facets or a total is then a read of one row per category, whatever the catalogue's size.
    A row per category, made by a trigger when the category is.
    """

    __tablename__ = "category_product_counts"

    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True)
    active: Mapped[int] = mapped_column(Integer, default=0)
    in_stock: Mapped[int] = mapped_column(Integer, default=0)


class ProductImage(Base):
    __tablename__ = "product_images"

    id: Mapped[Id]
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    url: Mapped[str] = mapped_column(String(2000))
    alt: Mapped[str | None] = mapped_column(String(300))


class ProductDocument(Base):
    __tablename__ = "product_documents"

    id: Mapped[Id]
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[DocumentKind] = mapped_column(str_enum(DocumentKind, "document_kind"))
    title: Mapped[str] = mapped_column(String(300))
    url: Mapped[str] = mapped_column(String(2000))


class AgreementPrice(Base):
    """A customer's agreed price ("avtalepris") for one product, excluding VAT."""

    __tablename__ = "agreement_prices"

    customer_id: Mapped[CustomerFk] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), primary_key=True, index=True)
    price: Mapped[Decimal] = mapped_column(MoneyOre)
    updated_at: Mapped[Timestamp] = mapped_column(onupdate=clock.now)


# Index keys compare byte-wise on PostgreSQL as they do on SQLite, so prefix
# ranges and B-tree lookups behave the same (and ignore the server's locale).
IndexKey = String(100).with_variant(String(100, collation="C"), "postgresql")


class SearchTerm(Base):
    """The search index: one row per (term, product), maintained with the product.

    Terms are normalised Norwegian stems and their suffixes (so a word inside a
    compound is found); ``weight`` says where the term came from (SKU, name,
    manufacturer, category, description) and drives the ranking.
    """

    __tablename__ = "search_terms"
    __table_args__ = (Index("ix_search_terms_product", "product_id"),)

    term: Mapped[str] = mapped_column(IndexKey, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), primary_key=True)
    weight: Mapped[int] = mapped_column(Integer)


class SearchWord(Base):
    """Vocabulary for typo tolerance: each indexed word and its one-letter deletions."""

    __tablename__ = "search_words"

    variant: Mapped[str] = mapped_column(IndexKey, primary_key=True)
    word: Mapped[str] = mapped_column(IndexKey, primary_key=True)
