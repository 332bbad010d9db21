"""The category tree ("produktmenyen"), read whole in one query and walked in memory."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Category, CategoryProductCount


@dataclass(slots=True)
class CategoryNode:
    id: int
    parent_id: int | None
    name: str
    slug: str
    path: str
    depth: int
    children: list[CategoryNode] = field(default_factory=list)

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to the parent."""
        return [int(part) for part in self.path.strip("/").split("/")[:-1] if part]


@dataclass(slots=True)
class CategoryTree:
    roots: list[CategoryNode]
    by_id: dict[int, CategoryNode]

    def ancestors(self, node: CategoryNode) -> list[CategoryNode]:
        return [self.by_id[i] for i in node.ancestor_ids if i in self.by_id]


# Built once; read in Core on the session's connection (rows, never ORM objects): search's facets
# and every category field read the tree, and the ORM's execution cost more than the rows.
_TREE = select(Category.id, Category.parent_id, Category.name, Category.slug, Category.path, Category.depth).order_by(
    Category.name, Category.id
)


async def load_tree(session: AsyncSession) -> CategoryTree:
    connection = await session.connection()
    rows = (await connection.execute(_TREE)).all()
    by_id = {row[0]: CategoryNode(*row) for row in rows}
    roots: list[CategoryNode] = []
    for node in by_id.values():
        parent = by_id.get(node.parent_id) if node.parent_id is not None else None
        (parent.children if parent is not None else roots).append(node)
    return CategoryTree(roots, by_id)


async def active_product_counts(session: AsyncSession, tree: CategoryTree) -> dict[int, int]:
    """Active products per category, each counted in its category and every ancestor (from the counts
    the database keeps per category: no count over the products)."""
    direct = (
        await session.execute(
            select(CategoryProductCount.category_id, CategoryProductCount.active).where(CategoryProductCount.active > 0)
        )
    ).all()
    totals: dict[int, int] = dict.fromkeys(tree.by_id, 0)
    for category_id, count in direct:
        node = tree.by_id.get(category_id)
        if node is None:
            continue
        for ancestor_id in [*node.ancestor_ids, node.id]:
            if ancestor_id in totals:
                totals[ancestor_id] += count
    return totals
