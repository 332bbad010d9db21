"""Per-request dataloaders: related objects load in batches, never one by one.

A ``Loaders`` registry lives in the request context; each loader is made on
first use. Batches run on the request's unit of work, whose lock keeps two
batches that dispatch in the same tick from sharing the session at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from functools import cached_property
from typing import Any

from aiodataloader import DataLoader
from sqlalchemy import bindparam, select
from sqlalchemy.orm import InstrumentedAttribute

from app.catalog.product_rows import ProductRow, Wanted, read_products_by
from app.models import (
    AgreementPrice,
    CartLine,
    Customer,
    DeliveryAddress,
    Membership,
    MembershipStatus,
    Order,
    OrderEvent,
    OrderLine,
    Product,
    ProductDocument,
    ProductImage,
    ReturnLine,
    Shipment,
    ShoppingListItem,
    User,
)
from app.ordering.returns import returned_so_far
from app.pagination import Page, SortKey, cursor_of, page_of
from app.unit_of_work import UnitOfWork

# A customer's users by name: the first page (a loader) and the next ones (``paginate``) share it.
USERS_BY_NAME = (SortKey(User.name), SortKey(User.id))


_CART_LINES = (
    select(
        CartLine.id, CartLine.cart_id, CartLine.product_id, CartLine.quantity, CartLine.unit_price, CartLine.created_at
    )
    .where(CartLine.cart_id.in_(bindparam("cart_ids", expanding=True)))
    .order_by(CartLine.id)
)


class Loaders:
    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow
        # The viewer's own user row as the session lookup read it (queries only): ``me`` answers with it, and
        # the user loader starts with it, so a query needs no statement for the viewer's user.
        self.viewer_user: User | None = None
        self._first_users: dict[tuple[MembershipStatus | None, int], DataLoader] = {}
        self._product_rows: dict[tuple[str, Wanted], DataLoader] = {}

    def one_by(self, column: InstrumentedAttribute[Any]) -> DataLoader:
        """A loader of the row whose ``column`` equals each key (None when missing)."""

        async def batch(keys: Sequence[Hashable]) -> list[Any]:
            async with self._uow.session() as session:
                rows = (await session.scalars(select(column.class_).where(column.in_(keys)))).all()
            index = {getattr(row, column.key): row for row in rows}
            return [index.get(key) for key in keys]

        return DataLoader(batch)

    def many_by(self, column: InstrumentedAttribute[Any], order_by: Any = None) -> DataLoader:
        """A loader of every row whose ``column`` equals each key, in ``order_by`` order."""

        async def batch(keys: Sequence[Hashable]) -> list[list[Any]]:
            query = select(column.class_).where(column.in_(keys))
            if order_by is not None:
                query = query.order_by(order_by)
            async with self._uow.session() as session:
                rows = (await session.scalars(query)).all()
            groups: dict[Hashable, list[Any]] = defaultdict(list)
            for row in rows:
                groups[getattr(row, column.key)].append(row)
            return [groups.get(key, []) for key in keys]

        return DataLoader(batch)

    @cached_property
    def user(self) -> DataLoader:
        loader = self.one_by(User.id)
        if self.viewer_user is not None:
            # Primed when first made, not with every request: most queries never load a user.
            loader.prime(self.viewer_user.id, self.viewer_user)
        return loader

    @cached_property
    def customer(self) -> DataLoader:
        return self.one_by(Customer.id)

    @cached_property
    def customer_by_number(self) -> DataLoader:
        return self.one_by(Customer.number)

    @cached_property
    def memberships_of_user(self) -> DataLoader:
        return self.many_by(Membership.user_id, order_by=Membership.id)

    @cached_property
    def product(self) -> DataLoader:
        return self.one_by(Product.id)

    def product_rows_by_sku(self, wanted: Wanted) -> DataLoader:
        """SKU -> ``ProductRow`` with what ``wanted`` asks for (None when unknown), several SKUs in one statement."""
        return self._product_rows_by(Product.sku, wanted)

    @cached_property
    def product_row(self) -> DataLoader:
        """Product id -> ``ProductRow`` (description included: what ``ProductObject`` shows), None when removed.

        For the lines of carts and orders: Core rows, not ORM objects, as a
        cart of 20 lines is read on every change of it."""
        return self._product_rows_by(Product.id, Wanted(description=True))

    def _product_rows_by(self, key: InstrumentedAttribute[Any], wanted: Wanted) -> DataLoader:
        if (key.key, wanted) not in self._product_rows:

            async def batch(keys: Sequence[Any]) -> list[ProductRow | None]:
                async with self._uow.connection() as connection:
                    rows = await read_products_by(connection, wanted, key, keys)
                    index = {getattr(row, key.key): row for row in rows}
                return [index.get(value) for value in keys]

            self._product_rows[(key.key, wanted)] = DataLoader(batch)
        return self._product_rows[(key.key, wanted)]

    @cached_property
    def images_of_product(self) -> DataLoader:
        return self.many_by(ProductImage.product_id, order_by=ProductImage.position)

    @cached_property
    def documents_of_product(self) -> DataLoader:
        return self.many_by(ProductDocument.product_id, order_by=ProductDocument.position)

    @cached_property
    def agreement_price(self) -> DataLoader:
        """(customer id, product id) -> the agreed price, or None."""

        async def batch(keys: Sequence[tuple[int, int]]) -> list[Any]:
            customers = {customer_id for customer_id, _ in keys}
            products = {product_id for _, product_id in keys}
            async with self._uow.session() as session:
                rows = await session.execute(
                    select(AgreementPrice.customer_id, AgreementPrice.product_id, AgreementPrice.price).where(
                        AgreementPrice.customer_id.in_(customers), AgreementPrice.product_id.in_(products)
                    )
                )
                prices = {(c, p): price for c, p, price in rows}
            return [prices.get(key) for key in keys]

        return DataLoader(batch)

    @cached_property
    def delivery_address(self) -> DataLoader:
        return self.one_by(DeliveryAddress.id)

    @cached_property
    def lines_of_cart(self) -> DataLoader:
        """cart id -> its lines as Core rows (id, product_id, quantity, unit_price, created_at), in id order:
        a cart is read after each change of it, and its lines build no ORM objects for that."""

        async def batch(cart_ids: Sequence[int]) -> list[list[Any]]:
            async with self._uow.session() as session:
                connection = await session.connection()
                rows = (await connection.execute(_CART_LINES, {"cart_ids": list(cart_ids)})).all()
            groups: dict[int, list[Any]] = defaultdict(list)
            for row in rows:
                groups[row.cart_id].append(row)
            return [groups.get(key, []) for key in cart_ids]

        return DataLoader(batch)

    @cached_property
    def items_of_shopping_list(self) -> DataLoader:
        return self.many_by(ShoppingListItem.list_id, order_by=ShoppingListItem.id)

    @cached_property
    def lines_of_order(self) -> DataLoader:
        return self.many_by(OrderLine.order_id, order_by=OrderLine.position)

    @cached_property
    def shipments_of_order(self) -> DataLoader:
        return self.many_by(Shipment.order_id, order_by=Shipment.id)

    @cached_property
    def history_of_order(self) -> DataLoader:
        return self.many_by(OrderEvent.order_id, order_by=OrderEvent.id)

    @cached_property
    def order(self) -> DataLoader:
        return self.one_by(Order.id)

    @cached_property
    def lines_of_return(self) -> DataLoader:
        """return id -> [(ReturnLine, OrderLine)] by the order line's position: one join for many returns."""

        async def batch(return_ids: Sequence[int]) -> list[list[Any]]:
            query = (
                select(ReturnLine, OrderLine)
                .join(OrderLine, OrderLine.id == ReturnLine.order_line_id)
                .where(ReturnLine.return_id.in_(return_ids))
                .order_by(ReturnLine.return_id, OrderLine.position)
            )
            async with self._uow.session() as session:
                rows = (await session.execute(query)).all()
            groups: dict[int, list[Any]] = defaultdict(list)
            for returned, line in rows:
                groups[returned.return_id].append((returned, line))
            return [groups.get(key, []) for key in return_ids]

        return DataLoader(batch)

    @cached_property
    def returned_of_order_line(self) -> DataLoader:
        """order line id -> the quantity its returns not REJECTED cover (0 when none)."""

        async def batch(line_ids: Sequence[int]) -> list[int]:
            async with self._uow.session() as session:
                returned = await returned_so_far(session, list(line_ids))
            return [returned.get(key, 0) for key in line_ids]

        return DataLoader(batch)

    def first_users_of_customer(self, status: MembershipStatus | None, size: int) -> DataLoader:
        """customer id -> the first page of its users by name (``Page``), for many customers at once.

        A list of customers that each show ``users(first: N)`` (support's
        customer search) then costs one query, not two per customer. The whole
        membership list is read and cut here: customers have tens of users.
        """
        key = (status, size)
        if key not in self._first_users:

            async def batch(customer_ids: Sequence[int]) -> list[Page[User]]:
                query = (
                    select(Membership.customer_id, User)
                    .join(User, User.id == Membership.user_id)
                    .where(Membership.customer_id.in_(customer_ids))
                    .order_by(Membership.customer_id, User.name, User.id)
                )
                if status is not None:
                    query = query.where(Membership.status == status)
                async with self._uow.session() as session:
                    rows = (await session.execute(query)).all()
                groups: dict[int, list[User]] = defaultdict(list)
                for customer_id, user in rows:
                    groups[customer_id].append(user)
                return [
                    page_of(users, size, lambda user: cursor_of(USERS_BY_NAME, user), len(users))
                    for users in (groups.get(customer_id, []) for customer_id in customer_ids)
                ]

            self._first_users[key] = DataLoader(batch)
        return self._first_users[key]
