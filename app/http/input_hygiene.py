"""Strings a request may carry: no NUL, no lone surrogate, not too long.

NUL cannot be stored in a PostgreSQL text column and a lone surrogate cannot
be encoded as UTF-8 (for the database, a password hash or an email), so
either one would fail deep inside a resolver, possibly after something was
counted (a failed login), and answer INTERNAL. They are refused here, before
anything executes: in variables (values and the keys of JSON objects) by
``check_variables``, and in the document's string literals by
``StringLiteralRule`` (the parser turns ``"\\u0000"`` into a NUL).
"""

from __future__ import annotations

from typing import Any

from graphql import ASTValidationRule, GraphQLError, StringValueNode

from app import settings as limits


def string_problem(value: str) -> str | None:
    """Why ``value`` may not enter the service; None when it may."""
    if len(value) > limits.MAX_STRING_VARIABLE_CHARS:
        return f"is longer than {limits.MAX_STRING_VARIABLE_CHARS:,} characters"
    if "\x00" in value:
        return "contains a NUL character"
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "contains a lone surrogate (not valid Unicode text)"
    return None


def variables_problem(value: Any, path: str = "variables") -> str | None:
    """The first unacceptable string in a JSON value, as ``path: why``; None when all are fine."""
    stack: list[tuple[str, Any]] = [(path, value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, str):
            if (why := string_problem(item)) is not None:
                return f"{where} {why}."
        elif isinstance(item, dict):
            for key, child in item.items():
                if (why := string_problem(key)) is not None:
                    return f"A key in {where} {why}."
                stack.append((f"{where}.{key}", child))
        elif isinstance(item, list):
            stack.extend((f"{where}.{i}", child) for i, child in enumerate(item))
    return None


class StringLiteralRule(ASTValidationRule):
    """String literals in the document obey the same rules as variables."""

    def enter_string_value(self, node: StringValueNode, *_args: Any) -> None:
        if (why := string_problem(node.value)) is not None:
            self.report_error(GraphQLError(f"A string literal {why}.", node, extensions={"code": "INVALID_INPUT"}))
