"""Fields declared ``ready_when`` answer from the object when it holds the answer, else through their resolver."""

from __future__ import annotations

import asyncio
from typing import Any

import strawberry
from graphql import ExecutionResult, execute, parse

from app.http.execution import execute_plain
from app.schema.ready import NOT_READY, ready_when

calls: list[str] = []


def _known_label(thing: Thing, arguments: dict[str, Any], context: Any) -> str | object:
    calls.append("answer")
    if thing.label is None:
        return NOT_READY
    return thing.label + (arguments.get("suffix") or "") + context["mark"]


@strawberry.type
class Label:
    text: str


@strawberry.type
class Thing:
    label: strawberry.Private[str | None]

    @strawberry.field(metadata=ready_when(_known_label))
    async def text(self, info: strawberry.Info, suffix: str | None = None) -> str:
        calls.append("resolver")
        known = _known_label(self, {"suffix": suffix}, info.context)
        return "loaded" if known is NOT_READY else known  # type: ignore[return-value]

    @strawberry.field(metadata=ready_when(lambda thing, _arguments, _context: Label(text=thing.label or "?")))
    def boxed(self) -> Label:
        calls.append("boxed resolver")
        return Label(text=self.label or "?")


@strawberry.type
class Query:
    @strawberry.field
    def things(self) -> list[Thing]:
        return [Thing(label="a"), Thing(label=None)]


SCHEMA = strawberry.Schema(query=Query)._schema
DOCUMENT = parse("query($s: String) { things { text(suffix: $s) boxed { text } } }")


def run(executed: Any) -> ExecutionResult:
    async def go() -> ExecutionResult:
        return await executed if asyncio.iscoroutine(executed) else executed

    return asyncio.run(go())


def test_a_ready_answer_skips_the_resolver_and_both_roads_agree() -> None:
    context, variables = {"mark": "!"}, {"s": "-s"}
    theirs = run(execute(SCHEMA, DOCUMENT, context_value=context, variable_values=variables))
    calls.clear()
    ours = run(execute_plain(SCHEMA, DOCUMENT, context, variables, None))
    expected = {"things": [{"text": "a-s!", "boxed": {"text": "a"}}, {"text": "loaded", "boxed": {"text": "?"}}]}
    assert ours.data == theirs.data == expected
    # The labelled thing is answered at once; the other goes to its resolver, which asks again.
    assert calls == ["answer", "answer", "resolver", "answer"]
