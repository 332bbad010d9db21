"""SQLAlchemy models. Importing this package registers every table on ``Base.metadata``."""

from app.models.auth import ApiKey, LoginThrottle, OneTimeToken, TokenPurpose, UserSession
from app.models.base import Base
from app.models.catalog import (
    AgreementPrice,
    Category,
    CategoryProductCount,
    DocumentKind,
    Product,
    ProductDocument,
    ProductImage,
    ProductType,
    SearchTerm,
    SearchWord,
)
from app.models.delivery import DeliveryAddress, DeliverySchedule
from app.models.identity import Customer, Membership, MembershipStatus, Role, User
from app.models.ordering import (
    Cart,
    CartLine,
    CartStatus,
    Counter,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    Shipment,
)
from app.models.outbox import OutboxMessage, OutboxStatus
from app.models.returns import ReturnLine, ReturnReason, ReturnRequest, ReturnStatus
from app.models.sales import CustomerPurchase, ProductSales
from app.models.search_synonyms import SearchSynonym, SearchSynonymState, SearchSynonymTerm
from app.models.shopping_lists import ShoppingList, ShoppingListItem
from app.models.support import AccountRequest, AccountRequestStatus, AuditEntry
from app.models.webhooks import DeliveryStatus, WebhookDelivery, WebhookEndpoint

__all__ = [
    "CustomerPurchase",
    "ProductSales",
    "SearchSynonym",
    "SearchSynonymState",
    "SearchSynonymTerm",
    "Cart",
    "CartLine",
    "CartStatus",
    "Counter",
    "Order",
    "OrderEvent",
    "OrderLine",
    "OrderStatus",
    "Shipment",
    "ShoppingList",
    "ShoppingListItem",
    "AgreementPrice",
    "Category",
    "CategoryProductCount",
    "DeliveryAddress",
    "DeliverySchedule",
    "DocumentKind",
    "Product",
    "ProductDocument",
    "ProductImage",
    "ProductType",
    "SearchTerm",
    "SearchWord",
    "AccountRequest",
    "AccountRequestStatus",
    "AuditEntry",
    "LoginThrottle",
    "OneTimeToken",
    "TokenPurpose",
    "ApiKey",
    "Base",
    "Customer",
    "Membership",
    "MembershipStatus",
    "OutboxMessage",
    "OutboxStatus",
    "ReturnLine",
    "ReturnReason",
    "ReturnRequest",
    "ReturnStatus",
    "Role",
    "User",
    "UserSession",
    "DeliveryStatus",
    "WebhookDelivery",
    "WebhookEndpoint",
]
