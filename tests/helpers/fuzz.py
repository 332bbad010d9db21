"""A schema-aware generator of GraphQL operations, for fuzzing the endpoint.

It walks the schema with graphql-core: a root field, its arguments (every
required one, each optional one half the time) as literals or as variables,
and a random selection of the returned type's fields a few levels deep.
Values come from pools of the inputs that break services: empty and oversized
strings, NUL, lone surrogates, non-ASCII digits, int32 and int64 edges,
negative quantities, dates in year 1 and 9999, ids of every type with keys
that exist, do not exist or cannot exist. A seeded ``random.Random`` makes a
run repeatable; a few hundred microseconds per document (hypothesis-graphql
took 20 to 60 ms, too slow for 2,000 cases in CI).
"""

from __future__ import annotations

import json
import random
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    get_named_type,
)

from app import settings as limits
from app.ids import encode_id

TYPES = ["Order", "Cart", "CartLine", "Product", "Category", "User", "DeliveryAddress", "AccountRequest", "Customer"]
STRINGS = [
    "",
    " ",
    "10001",
    "10002",
    "NH-100",
    "KO-200",
    "hansker",
    "main@example.test",
    "purchaser@example.test",
    "nobody@example.test",
    "not an email",
    "Ærlig øl på Ål",
    "a\x00b",
    "\ud800",
    "x\udfffy",
    "\U0001f9ea" * 3,
    "'; DROP TABLE users; --",
    "%_\\",
    "\u0661\u0662\u0663",
    "14:00",
    "25:61",
    "2026-12-02",
    "x" * 300,
    "y" * (limits.MAX_STRING_VARIABLE_CHARS + 1),
    "https://example.test/a.pdf",
    "javascript:alert(1)",
]
INTS = [0, 1, 2, 3, 5, 7, 20, 100, 101, -1, -100, 2**31 - 1, 2**31, -(2**31) - 1, 2**53, 10**18]
DATES = [
    "2026-12-02",
    "2026-12-03",
    "2026-12-31",
    "2027-06-01",
    "2025-01-01",
    "0001-01-01",
    "9999-12-31",
    "2026-02-30",
    "2026-12-2",
    "",
]
DATETIMES = [
    "2026-12-01T10:00:00+01:00",
    "2026-11-30T08:00:00Z",
    "2026-12-01T10:00:00",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-12:00",
    "yesterday",
]
DECIMALS = ["1.00", "0", "-1", "0.001", "12.345", "1e9999", "NaN", "Infinity", "99999999999999999999.99", "abc", 5]


class Generator:
    def __init__(self, schema: GraphQLSchema, rng: random.Random) -> None:
        self.schema = schema
        self.rng = rng

    # --- values ---------------------------------------------------------------

    def _id(self) -> str:
        pk = self.rng.choice([1, 2, 3, 4, 5, 6, 8, 12, 0, -1, 2**31, 2**63, 10**30])
        if self.rng.random() < 0.1:
            return self.rng.choice(["", "not-an-id", "T3JkZXI6\u0661", "==", "A" * 150])
        return encode_id(self.rng.choice(TYPES), pk)

    def value(self, type_: GraphQLInputType, depth: int = 0) -> Any:
        """A JSON-able value for ``type_``; mostly valid in shape, rarely null where null is not allowed."""
        nullable = not isinstance(type_, GraphQLNonNull)
        inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
        if (nullable and self.rng.random() < 0.15) or self.rng.random() < 0.01:
            return None
        if isinstance(inner, GraphQLList):
            count = self.rng.choice([0, 1, 1, 2, 3]) if depth < 3 else 0
            return [self.value(inner.of_type, depth + 1) for _ in range(count)]
        if isinstance(inner, GraphQLEnumType):
            names = list(inner.values)
            return self.rng.choice(names) if self.rng.random() < 0.95 else "NO_SUCH_VALUE"
        if isinstance(inner, GraphQLInputObjectType):
            fields = {}
            for name, field in inner.fields.items():
                if isinstance(field.type, GraphQLNonNull) or self.rng.random() < 0.5:
                    fields[name] = self.value(field.type, depth + 1)
            if self.rng.random() < 0.03:
                fields["noSuchField"] = 1
            return fields
        assert isinstance(inner, GraphQLScalarType)
        return self.scalar(inner.name)

    def scalar(self, name: str) -> Any:
        rng = self.rng
        if rng.random() < 0.03:  # the wrong kind altogether
            return rng.choice([True, 1.5, "text", 7, [], {}])
        match name:
            case "String":
                return rng.choice(STRINGS)
            case "Int":
                return rng.choice(INTS)
            case "Float":
                return rng.choice([0.0, -1.5, 1e308, 3.14])
            case "Boolean":
                return rng.random() < 0.5
            case "ID":
                return self._id()
            case "Date":
                return rng.choice(DATES)
            case "DateTime":
                return rng.choice(DATETIMES)
            case "Decimal":
                return rng.choice(DECIMALS)
            case _:
                return rng.choice(STRINGS)

    # --- documents ------------------------------------------------------------

    def literal(self, value: Any) -> str:
        """``value`` as a GraphQL literal (enum values bare)."""
        if value is None:
            return "null"
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return json.dumps(value)
        if isinstance(value, str):
            if value.isupper() and value.replace("_", "").isalpha():
                return value  # an enum value
            return json.dumps(value)  # JSON escapes are GraphQL escapes
        if isinstance(value, list):
            return "[" + ", ".join(self.literal(v) for v in value) + "]"
        return "{" + ", ".join(f"{k}: {self.literal(v)}" for k, v in value.items()) + "}"

    def selection(self, type_: Any, depth: int) -> str:
        named = get_named_type(type_)
        if not isinstance(named, GraphQLObjectType):
            return ""
        fields = list(named.fields.items())
        scalars = [(n, f) for n, f in fields if not isinstance(get_named_type(f.type), GraphQLObjectType)]
        objects = [(n, f) for n, f in fields if isinstance(get_named_type(f.type), GraphQLObjectType)]
        chosen = self.rng.sample(scalars, k=min(len(scalars), self.rng.randint(1, 4))) if scalars else []
        if depth < 4 and objects:
            chosen += self.rng.sample(objects, k=min(len(objects), self.rng.randint(0, 3)))
        if not chosen:
            chosen = [("__typename", None)]
        parts = []
        for name, field in chosen:
            if field is None:
                parts.append(name)
                continue
            args = self.arguments(field, None)
            inner = self.selection(field.type, depth + 1)
            if isinstance(get_named_type(field.type), GraphQLObjectType) and not inner:
                inner = "{ __typename }"
            parts.append(f"{name}{args} {inner}".strip())
        return "{ " + " ".join(parts) + " }"

    def arguments(self, field: GraphQLField, variables: dict[str, tuple[str, Any]] | None) -> str:
        parts = []
        for name, argument in field.args.items():
            if not isinstance(argument.type, GraphQLNonNull) and self.rng.random() < 0.5:
                continue
            value = self.value(argument.type)
            if variables is not None and self.rng.random() < 0.6:
                variable = f"v{len(variables)}"
                variables[variable] = (str(argument.type), value)
                parts.append(f"{name}: ${variable}")
            else:
                parts.append(f"{name}: {self.literal(value)}")
        return f"({', '.join(parts)})" if parts else ""

    def operation(self, mutation: bool, exclude: frozenset[str] = frozenset()) -> tuple[str, dict[str, Any]]:
        """One document and its variables: a root field (sometimes two) with a selection."""
        root = self.schema.mutation_type if mutation else self.schema.query_type
        assert root is not None
        names = sorted(set(root.fields) - exclude)
        variables: dict[str, tuple[str, Any]] = {}
        parts = []
        for index in range(1 if self.rng.random() < 0.85 else 2):
            name = self.rng.choice(names)
            field = root.fields[name]
            args = self.arguments(field, variables)
            parts.append(f"f{index}: {name}{args} {self.selection(field.type, 1)}".strip())
        definitions = ", ".join(f"${n}: {t}" for n, (t, _) in variables.items())
        head = ("mutation" if mutation else "query") + (f" Fuzz({definitions})" if definitions else " Fuzz")
        return f"{head} {{ {' '.join(parts)} }}", {n: v for n, (_, v) in variables.items()}
