"""Shopping lists ("handlelister"): standing lists a customer number orders from again and again."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import ActorFk, Base, CustomerFk, Id, Timestamp


class ShoppingList(Base):
    """A customer number's shopping list; every active member may edit it.

    ``version`` rises by one with every change, in the conditional UPDATE that
    takes the row lock (see app/ordering/shopping_lists.py). ``item_count`` is
    kept with the items, so a page of lists never reads their items.
    """

    __tablename__ = "shopping_lists"
    __table_args__ = (Index("ix_shopping_lists_customer_updated", "customer_id", "updated_at"),)

    id: Mapped[Id]
    customer_id: Mapped[CustomerFk]
    title: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer, default=1)
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[ActorFk]
    updated_by_id: Mapped[ActorFk]
    created_at: Mapped[Timestamp]
    updated_at: Mapped[Timestamp]


class ShoppingListItem(Base):
    """One product on a list. One row per product (unique): adding it again adds to the quantity.

    Items are shown in the order they were added (``id``); a save writes them
    anew in the order given.
    """

    __tablename__ = "shopping_list_items"
    __table_args__ = (
        UniqueConstraint("list_id", "product_id", name="uq_shopping_list_items_list_product"),
        Index("ix_shopping_list_items_list", "list_id", "id"),
    )

    id: Mapped[Id]
    list_id: Mapped[int] = mapped_column(ForeignKey("shopping_lists.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[Timestamp]
