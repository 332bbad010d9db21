"""Validation rules that refuse abusive documents before anything executes.

Depth counts nested selection sets through fragments; aliases are counted per
field name and in total. The token limit is enforced by the parser itself.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from graphql import (
    ASTValidationRule,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
)
from graphql.validation import ASTValidationContext

from app import settings as limits


class _LimitError(GraphQLError):
    """A validation error that says which limit was exceeded."""


def _fragments(context: ASTValidationContext) -> dict[str, FragmentDefinitionNode]:
    return {
        definition.name.value: definition
        for definition in context.document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }


def _depth(
    selection_set: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    memo: dict[str, int],
    visiting: set[str],
) -> int:
    """Deepest field nesting below ``selection_set``.

    Each fragment's depth is computed once and memoised: without that, fragments
    that each spread the previous one twice take 2**n steps for n fragments.
    """
    if selection_set is None:
        return 0
    deepest = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            if selection.selection_set is None:
                deepest = max(deepest, 1)
            else:
                deepest = max(deepest, 1 + _depth(selection.selection_set, fragments, memo, visiting))
        elif isinstance(selection, InlineFragmentNode):
            deepest = max(deepest, _depth(selection.selection_set, fragments, memo, visiting))
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name not in memo:
                fragment = fragments.get(name)
                # Cycles and unknown fragments are reported by the standard rules.
                if fragment is None or name in visiting:
                    continue
                visiting.add(name)
                memo[name] = _depth(fragment.selection_set, fragments, memo, visiting)
                visiting.discard(name)
            deepest = max(deepest, memo[name])
    return deepest


class MaxDepthRule(ASTValidationRule):
    def enter_operation_definition(self, node: OperationDefinitionNode, *_args: Any) -> None:
        depth = _depth(node.selection_set, _fragments(self.context), {}, set())
        if depth > limits.MAX_QUERY_DEPTH:
            name = node.name.value if node.name else "anonymous"
            self.report_error(
                _LimitError(
                    f"Operation '{name}' nests fields more than {limits.MAX_QUERY_DEPTH} levels deep; "
                    f"the limit is {limits.MAX_QUERY_DEPTH}.",
                    node,
                    extensions={"code": "QUERY_TOO_DEEP"},
                )
            )


class MaxAliasesRule(ASTValidationRule):
    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        self.per_field: Counter[str] = Counter()
        self.total = 0

    def enter_field(self, node: FieldNode, *_args: Any) -> None:
        if node.alias is not None:
            self.per_field[node.name.value] += 1
            self.total += 1

    def leave_document(self, node: Any, *_args: Any) -> None:
        worst = self.per_field.most_common(1)
        if worst and worst[0][1] > limits.MAX_ALIASES_PER_FIELD:
            field, count = worst[0]
            self.report_error(
                _LimitError(
                    f"Field '{field}' is aliased {count} times; the limit is {limits.MAX_ALIASES_PER_FIELD}.",
                    extensions={"code": "TOO_MANY_ALIASES"},
                )
            )
        elif self.total > limits.MAX_ALIASES_TOTAL:
            self.report_error(
                _LimitError(
                    f"The document uses {self.total} aliases; the limit is {limits.MAX_ALIASES_TOTAL}.",
                    extensions={"code": "TOO_MANY_ALIASES"},
                )
            )


LIMIT_RULES = (MaxDepthRule, MaxAliasesRule)
