"""The client contract (../shared/contract/) against our schema.

Every document parses. The operations of features already built validate;
those still to come are listed in PENDING, and a listed document that already
validates fails this test, so the list only shrinks. A user's clone has no
shared/ folder: then there is nothing to check and the test says so.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import build_schema, parse, validate

from app.schema.schema import schema
from tests.helpers.contract import CONTRACT

# Documents whose features are not built yet.
PENDING: set[str] = set()

DOCUMENTS = sorted(CONTRACT.glob("*.graphql")) if CONTRACT.is_dir() else []

pytestmark = pytest.mark.skipif(not DOCUMENTS, reason=f"no contract folder at {CONTRACT}")


def _errors(path: Path) -> list[str]:
    document = parse(path.read_text(encoding="utf-8"))
    return [error.message for error in validate(schema._schema, document)]


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_contract_document(path: Path) -> None:
    errors = _errors(path)
    if path.name in PENDING:
        assert errors, f"{path.name} validates now: take it off PENDING"
    else:
        assert errors == [], f"{path.name} no longer validates:\n" + "\n".join(errors)


def test_pending_names_exist() -> None:
    assert PENDING <= {p.name for p in DOCUMENTS}


def test_contract_inputs_match_schema() -> None:
    """Input types in inputs.graphqls exist with the same fields and types."""
    contract = build_schema(
        (CONTRACT / "inputs.graphqls").read_text(encoding="utf-8")
        + "\nscalar Date\nscalar DateTime\nscalar Decimal\n"
        + "enum Role { MAIN_USER PURCHASER ASSISTANT }\n"
        + "enum ReturnReason { WRONG_ITEM WRONG_QUANTITY DAMAGED NOT_NEEDED OTHER }\n"
        + "enum DocumentKind { PRODUCT_DATA_SHEET SAFETY_DATA_SHEET USER_MANUAL CERTIFICATE OTHER }\n"
        + "enum ProductType { STANDARD SPECIAL_ORDER MADE_TO_ORDER NUTRITION }\n"
        + "enum OrderStatus { PENDING_APPROVAL REJECTED SUBMITTED IN_PROGRESS SHIPPED DELIVERED CANCELLED }\n"
        + "type Query { ok: Boolean }",
        assume_valid=True,
    )
    ours = schema._schema.type_map
    for name, contract_type in contract.type_map.items():
        if not hasattr(contract_type, "fields") or name.startswith("__") or name == "Query":
            continue
        if contract_type.ast_node is None or contract_type.ast_node.kind != "input_object_type_definition":
            continue
        if name not in ours:
            continue  # built with its feature; the documents above catch a missing one in use
        our_fields = ours[name].fields  # type: ignore[union-attr]
        for field_name, field in contract_type.fields.items():
            assert field_name in our_fields, f"{name}.{field_name} is missing"
            assert str(our_fields[field_name].type) == str(field.type), f"{name}.{field_name} has another type"
