"""Declarative base, naming conventions and column types shared by all models."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar

from sqlalchemy import DateTime, Enum, ForeignKey, MetaData, Table
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, mapped_column
from sqlalchemy.types import TypeDecorator

from app import clock

# Stable constraint names, so migrations can drop what they created.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime, stored in UTC on both databases.

    SQLite has no time zones: values go in as naive UTC and come back aware,
    so comparisons and arithmetic behave the same on both backends.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use app.clock.now()")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    # Every point in time is stored one way: a Mapped[datetime] column is UTCDateTime.
    type_annotation_map = {datetime: UTCDateTime}
    # Every model maps one table (no model maps a join or a select), so the
    # declarative base's FromClause narrows to Table, which bulk writes need.
    __table__: ClassVar[Table]


def str_enum(enum_class: type[enum.Enum], name: str) -> Enum:
    """A portable enum column: VARCHAR with a CHECK constraint on its values."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum_class),
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


# Columns that recur across tables, declared once (SQLAlchemy's whole-column
# declarations in Annotated), so each kind keeps one policy everywhere. An
# attribute may add to one: ``Mapped[CustomerFk] = mapped_column(index=True)``.
Id = Annotated[int, mapped_column(primary_key=True)]
# When the row was written or last changed; the app's clock, not the database's, so tests can move it.
Timestamp = Annotated[datetime, mapped_column(default=clock.now)]
# A customer's own row (cart, order, address, ...): it goes when the customer goes.
CustomerFk = Annotated[int, mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))]
# Who did something (created, approved, handled): the row outlives its user, who becomes unknown (null).
ActorFk = Annotated[int | None, mapped_column(ForeignKey("users.id", ondelete="SET NULL"))]
