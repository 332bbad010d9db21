"""The catalogue as the API shows it: categories, products, prices, search."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Annotated, Any

import strawberry
from strawberry.types.nodes import SelectedField, Selection

import app.schema.enums  # noqa: F401 - registers ProductType and DocumentKind
from app.catalog.product_rows import ProductRow, Wanted
from app.catalog.search import TOTAL_CAP, ProductSort
from app.catalog.tree import CategoryNode
from app.context import Context, Info
from app.models import DocumentKind, Product, ProductDocument, ProductImage, ProductType
from app.pagination import Page
from app.resolvers import catalog as resolve
from app.schema.objects import copied, node_id
from app.schema.pagination import PageInfo, edges, total_count
from app.schema.ready import NOT_READY, ready_when

CURRENCY = "NOK"

ProductSortEnum = strawberry.enum(
    ProductSort, name="ProductSort", description="RELEVANCE is the default with search text, NAME without."
)


@strawberry.type(description="An amount of money. Prices exclude VAT.")
class Money:
    amount: Decimal = strawberry.field(description='A decimal string such as "1234.50".')
    currency: str

    @classmethod
    def nok(cls, amount: Decimal) -> Money:
        return cls(amount=amount, currency=CURRENCY)


@strawberry.type(name="Category")
class CategoryType:
    id: strawberry.ID
    name: str
    slug: str
    children: list[CategoryType]
    node: strawberry.Private[CategoryNode]

    @strawberry.field(description="Active products in this category and its descendants.")
    async def product_count(self, info: Info) -> int:
        return await resolve.product_count(info.context, self.node.id)

    @strawberry.field(description="From the root down to the parent (empty for a top-level category).")
    async def ancestors(self, info: Info) -> list[CategoryType]:
        tree = await resolve.category_tree(info.context)
        return [CategoryType.of(node, with_children=False) for node in tree.ancestors(self.node)]

    @classmethod
    def of(cls, node: CategoryNode, *, with_children: bool = True) -> CategoryType:
        return copied(
            cls,
            node,
            id=node_id("Category", node.id),
            children=[cls.of(child) for child in node.children] if with_children else [],
            node=node,
        )


@strawberry.type(name="ProductImage")
class ProductImageType:
    url: str
    alt: str | None


@strawberry.type(name="ProductDocument", description="Product and safety data sheets and other documents.")
class ProductDocumentType:
    kind: DocumentKind
    title: str
    url: str


# What a product read for a page already holds (see app/schema/ready.py); NOT_READY: its resolver loads it.
def _known_thumbnail(product: ProductObject, *_: Any) -> str | None | object:
    return NOT_READY if product.thumbnail is False else product.thumbnail


def _known_category(product: ProductObject, *_: Any) -> CategoryType | None | object:
    return NOT_READY if product.known_category is False else product.known_category


def _known_price(product: ProductObject, arguments: dict[str, Any], context: Context) -> Money | object:
    number = arguments.get("customerNumber")
    if number is None:
        return product.list_price
    # Read with the product only for customer numbers the viewer is an active member of.
    known = product.prices.get(context.viewer.customer_ids.get(number, 0)) if product.prices else None
    return NOT_READY if known is None else Money.nok(known)


@strawberry.type(name="Product")
class ProductObject:
    id: strawberry.ID
    sku: str
    name: str
    description: str | None
    unit: str
    pack_size: int | None
    manufacturer: str | None
    product_type: ProductType
    active: bool = strawberry.field(description="false: no longer sold; hidden from search, not addable to carts.")
    returnable: bool = strawberry.field(
        description="false for SPECIAL_ORDER (skaffevare), MADE_TO_ORDER (bestillingsvare) and NUTRITION."
    )
    in_stock: bool
    stock_quantity: int
    list_price: Money
    pk: strawberry.Private[int]
    category_pk: strawberry.Private[int]
    # Read with the product where the resolver that made it knew them; False: not read yet.
    # Their fields are then answered at once: a resolver that returns a plain value costs
    # graphql-core far less than one that has to be awaited (no task a field and product).
    thumbnail: strawberry.Private[str | None | bool]
    known_category: strawberry.Private[CategoryType | None | bool]
    # customer id -> the price it pays, read with the product for the customer numbers the query names.
    prices: strawberry.Private[dict[int, Decimal]]

    @strawberry.field(description="The first image's URL.", metadata=ready_when(_known_thumbnail))
    def thumbnail_url(self, info: Info) -> str | None:
        known = _known_thumbnail(self)
        return self._thumbnail_url(info) if known is NOT_READY else known  # type: ignore[return-value]  # awaited

    async def _thumbnail_url(self, info: Info) -> str | None:
        images: list[ProductImage] = await info.context.loaders.images_of_product.load(self.pk)
        return images[0].url if images else None

    @strawberry.field
    async def images(self, info: Info) -> list[ProductImageType]:
        images: list[ProductImage] = await info.context.loaders.images_of_product.load(self.pk)
        return [ProductImageType(url=i.url, alt=i.alt) for i in images]

    @strawberry.field
    async def documents(self, info: Info) -> list[ProductDocumentType]:
        documents: list[ProductDocument] = await info.context.loaders.documents_of_product.load(self.pk)
        return [ProductDocumentType(kind=d.kind, title=d.title, url=d.url) for d in documents]

    @strawberry.field(metadata=ready_when(_known_category))
    def category(self, info: Info) -> CategoryType | None:
        known = _known_category(self)
        return self._category(info) if known is NOT_READY else known  # type: ignore[return-value]  # awaited

    async def _category(self, info: Info) -> CategoryType | None:
        tree = await resolve.category_tree(info.context)
        node = tree.by_id.get(self.category_pk)
        return CategoryType.of(node, with_children=False) if node is not None else None

    @strawberry.field(
        description=(
            "Excluding VAT. With customerNumber: the customer's agreement price where one exists, else the list "
            "price. A customer number you are not an active member of answers null with a FORBIDDEN error."
        ),
        metadata=ready_when(_known_price),
    )
    def price(self, info: Info, customer_number: str | None = None) -> Money | None:
        known = _known_price(self, {"customerNumber": customer_number}, info.context)
        return self._price(info, customer_number) if known is NOT_READY else known  # type: ignore[arg-type, return-value]

    async def _price(self, info: Info, customer_number: str) -> Money | None:
        return Money.nok(await resolve.price_for(info, self.pk, self.list_price.amount, customer_number))

    @classmethod
    def of(
        cls, product: Product, thumbnail: str | None | bool = False, category: CategoryType | None | bool = False
    ) -> ProductObject:
        return cls._of(product, thumbnail, category, prices={})

    @classmethod
    def of_row(cls, row: ProductRow, category: CategoryType | None | bool = False) -> ProductObject:
        """From a row of ``app.catalog.product_rows`` (its description only where it was read)."""
        return cls._of(row, row.thumbnail, category, row.prices)

    @classmethod
    def _of(
        cls,
        product: Product | ProductRow,
        thumbnail: str | None | bool,
        category: CategoryType | None | bool,
        prices: dict[int, Decimal],
    ) -> ProductObject:
        return copied(
            cls,
            product,
            id=node_id("Product", product.id),
            returnable=product.product_type.returnable,
            in_stock=product.stock_quantity > 0,
            list_price=Money.nok(product.list_price),
            pk=product.id,
            category_pk=product.category_id,
            thumbnail=thumbnail,
            known_category=category,
            prices=prices,
        )


@strawberry.type
class CategoryFacet:
    category: CategoryType
    count: int = strawberry.field(description="Matching products directly in this category.")


@strawberry.type
class ProductEdge:
    cursor: str
    node: ProductObject


@strawberry.type
class ProductConnection:
    """The shared connection (app/schema/pagination.py) with search's extra fields."""

    total_count: int = strawberry.field(
        resolver=total_count,
        description=(
            f"How many products match. A search text's matches are counted up to {TOTAL_CAP:,} unless facets "
            f"are selected (they count every match): beyond that it is {TOTAL_CAP:,} and totalCountIsExact is false."
        ),
    )
    total_count_is_exact: bool = strawberry.field(
        default=True,
        description=(
            f"False when a search text matched more than {TOTAL_CAP:,} products and totalCount is {TOTAL_CAP:,} "
            f"({TOTAL_CAP:,} or more): counting every match of a common word in a large catalogue costs more than "
            "the page."
        ),
    )
    edges: list[ProductEdge]
    page_info: PageInfo
    facets: list[CategoryFacet] = strawberry.field(
        description="Counts per category for the same search (all pages), most products first."
    )
    did_you_mean: str | None = strawberry.field(
        default=None,
        description=(
            "When every word must match and nothing does: the text with each word the catalogue does not know "
            "replaced by a catalogue word one letter away (the one in most products), as products spell it; "
            "null when none is better, and whenever the text as typed finds something."
        ),
    )
    relaxed: bool = strawberry.field(
        default=False,
        description=(
            "True when nothing matched every word and the edges (and totalCount, facets) are the results of "
            "the relaxed query: any word instead of all, products with more of the words first."
        ),
    )
    page: strawberry.Private[Page[Any]]


def _selected(info: Info, *path: str) -> list[SelectedField]:
    """The subfields at ``path`` below this field (``"edges", "node", "category"``; fragments included)."""

    def fields(selections: Sequence[Selection], name: str) -> list[SelectedField]:
        found: list[SelectedField] = []
        for selection in selections:
            if isinstance(selection, SelectedField):
                if selection.name == name:
                    found.append(selection)
            else:
                found.extend(fields(selection.selections, name))
        return found

    level = [field for field in info.selected_fields if isinstance(field, SelectedField)]
    for name in path:
        level = fields([child for field in level for child in field.selections], name)
    return level


def selects(info: Info, *path: str) -> bool:
    """Whether the client asked for the subfield at ``path``."""
    return bool(_selected(info, *path))


def _columns(info: Info, *node: str) -> Wanted:
    """What to read with the products at ``node`` (the path to a Product): only what is selected,
    and the agreement prices of the customer numbers its ``price`` fields name (variables resolved)."""
    return resolve.wanted(
        info.context.viewer,
        description=selects(info, *node, "description"),
        thumbnail=selects(info, *node, "thumbnailUrl"),
        category=selects(info, *node, "category"),
        price_numbers=[field.arguments.get("customerNumber") for field in _selected(info, *node, "price")],
    )


@strawberry.type
class CatalogQuery:
    @strawberry.field(description="The product menu: the whole category tree, top level first, by name.")
    async def categories(self, info: Info) -> list[CategoryType]:
        tree = await resolve.categories(info)
        return [CategoryType.of(node) for node in tree.roots]

    @strawberry.field(
        description=(
            'Search ("markedets beste søk") over SKU, name, description, manufacturer and category names, '
            "Norwegian-aware (Bokmål and Nynorsk forms, typed compounds split into the catalogue's words, "
            "synonyms managed by support), tolerant of one typo in words of five letters or more; words combine "
            "as AND. An exact SKU ranks first; what a product is (its category) above what its name mentions, "
            "name matches above description matches; equal scores by the customer's own purchases, the shop's "
            "sales, stock (never by name). Without search text: the "
            "active products of the category (descendants included), by name. Inactive products never appear."
        )
    )
    async def products(
        self,
        info: Info,
        search: str | None = None,
        category_id: strawberry.ID | None = None,
        in_stock_only: bool = False,
        sort: ProductSort | None = None,
        first: int | None = None,
        after: str | None = None,
        customer_number: Annotated[
            str | None,
            strawberry.argument(
                description=(
                    "Whose purchases break ties in relevance (products it ordered in the last 12 months first, "
                    "then the shop's best sellers, then in stock): a customer number the viewer is an active member "
                    "of. Without it, the viewer's only customer number; a number out of reach counts as none."
                )
            ),
        ] = None,
    ) -> ProductConnection:
        columns = _columns(info, "edges", "node")
        page = await resolve.search_products(
            info,
            customer_number=customer_number,
            text=search,
            category_id=category_id,
            in_stock_only=in_stock_only,
            sort=sort,
            first=first,
            after=after,
            with_facets=selects(info, "facets"),
            with_total=selects(info, "totalCount") or selects(info, "totalCountIsExact"),
            columns=columns,
        )
        # The products' categories came with them; facets name other categories too.
        tree = await resolve.category_tree(info.context) if page.facets else None
        categories: dict[int, CategoryType | None] = {}

        def category(category_id: int, node: CategoryNode | None | bool = False) -> CategoryType | None:
            if category_id not in categories:
                if node is False:
                    node = tree.by_id.get(category_id) if tree is not None else None
                found = CategoryType.of(node, with_children=False) if isinstance(node, CategoryNode) else None
                categories[category_id] = found
            return categories[category_id]

        facets = (
            [
                CategoryFacet(category=found, count=count)
                for cid, count in sorted(page.facets.items(), key=lambda item: (-item[1], item[0]))
                if (found := category(cid)) is not None
            ]
            if page.facets
            else []
        )

        def node(placed: resolve.Placed) -> ProductObject:
            row = placed[1]
            return ProductObject.of_row(row, category(row.category_id, row.category) if columns.category else False)

        return ProductConnection(
            edges=edges(page.page, node, ProductEdge),
            page_info=PageInfo.of(page.page),
            facets=facets,
            did_you_mean=page.did_you_mean,
            relaxed=page.relaxed,
            total_count_is_exact=page.total_is_exact,
            page=page.page,
        )

    @strawberry.field(description='The product page ("Produktinformasjon"), by SKU; null when unknown.')
    async def product(self, info: Info, sku: str) -> ProductObject | None:
        columns = _columns(info)
        found = await resolve.product(info, sku, columns)
        if found is None:
            return None
        category = found.category
        return ProductObject.of_row(
            found, CategoryType.of(category, with_children=False) if isinstance(category, CategoryNode) else category
        )
