"""What the webhook tests share: the contract's operations, keys, endpoints and the sender."""

from __future__ import annotations

from typing import Any

import httpx
from graphql import OperationDefinitionNode, parse, print_ast

from app.db import Database
from tests.erp.helpers import make_key
from tests.helpers.contract import CONTRACT
from tests.helpers.graphql import gql

_CONTRACT = CONTRACT / "erp-webhooks.graphql"
_FALLBACK = {
    "CreateWebhookEndpoint": """mutation CreateWebhookEndpoint($input: WebhookEndpointInput!) {
  createWebhookEndpoint(input: $input) { endpoint { id url events enabled } secret errors { code field message } }
}""",
    "WebhookEndpoints": """query WebhookEndpoints($first: Int) {
  webhookEndpoints { id url events enabled failingSince deliveries(first: $first) {
    edges { node { id event status attempts responseCode lastAttemptAt } } pageInfo { hasNextPage endCursor } } }
}""",
    "DeleteWebhookEndpoint": """mutation DeleteWebhookEndpoint($id: ID!) {
  deleteWebhookEndpoint(id: $id) { ok errors { code message } }
}""",
    "ReplayWebhookDelivery": """mutation ReplayWebhookDelivery($deliveryId: ID!) {
  replayWebhookDelivery(deliveryId: $deliveryId) { delivery { id status } errors { code message } }
}""",
}


def _operations() -> dict[str, str]:
    """The operations exactly as ../shared/contract/erp-webhooks.graphql sends them (a copy without it)."""
    if not _CONTRACT.is_file():
        return _FALLBACK
    document = parse(_CONTRACT.read_text(encoding="utf-8"))
    return {
        d.name.value: print_ast(d) for d in document.definitions if isinstance(d, OperationDefinitionNode) and d.name
    }


OPS = _operations()
CREATE = OPS["CreateWebhookEndpoint"]
ENDPOINTS = OPS["WebhookEndpoints"]
DELETE = OPS["DeleteWebhookEndpoint"]
REPLAY = OPS["ReplayWebhookDelivery"]

ALL_EVENTS = [
    "ORDER_SUBMITTED",
    "ORDER_APPROVED",
    "ORDER_REJECTED",
    "ORDER_STATUS_CHANGED",
    "RETURN_REQUESTED",
    "RETURN_STATUS_CHANGED",
    "PRODUCT_OUT_OF_STOCK",
]


async def webhook_key(database: Database, name: str = "erp-hooks", *scopes: str) -> str:
    return await make_key(database, "webhooks:write", *scopes, name=name)


async def create(client: httpx.AsyncClient, token: str, url: str, events: list[str] | None = None) -> dict[str, Any]:
    result = await gql(
        client, CREATE, {"input": {"url": url, "events": ALL_EVENTS if events is None else events}}, token=token
    )
    assert "errors" not in result, result
    return result["data"]["createWebhookEndpoint"]


async def endpoints(client: httpx.AsyncClient, token: str, first: int | None = None) -> list[dict[str, Any]]:
    result = await gql(client, ENDPOINTS, {"first": first}, token=token)
    assert "errors" not in result, result
    return result["data"]["webhookEndpoints"]
