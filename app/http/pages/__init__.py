"""The HTML pages the API serves itself: GraphiQL for support staff, and the
page that the reset and invitation emails link to.

Every script and style comes from our own origin (``/static/``): GraphiQL and
React are pinned in ``graphiql/package-lock.json`` and copied here by
``make install`` (``static/vendor/``, not committed), our own scripts live in
``static/``. Each ``<script>`` and ``<link>`` carries an SRI hash; the vendor
files' hashes are pinned below, so a changed file on disk is refused rather
than served. The pages send a CSP with no inline script and no other origin.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Any

from graphql import GraphQLSchema, OperationDefinitionNode, parse, print_ast
from graphql.language import NonNullTypeNode
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
VENDOR = STATIC / "vendor"

# sha384 of the files `make install` copies from the npm packages pinned in
# graphiql/package-lock.json (graphiql 3.8.3, react and react-dom 18.3.1).
# Bumping a version there means updating these (tests/http/test_pages.py says which).
VENDOR_SRI: dict[str, str] = {
    "react.production.min.js": "sha384-DGyLxAyjq0f9SPpVevD6IgztCFlnMF6oW/XQGmfe+IsZ8TqEiDrcHkMLKI6fiB/Z",
    "react-dom.production.min.js": "sha384-gTGxhz21lVGYNMcdJOyq01Edg0jhn/c22nsx0kyqP0TxaV5WVdsSH1fSDUf5YJj1",
    "graphiql.min.js": "sha384-HbRVEFG0JGJZeAHCJ9Xm2+tpknBQ7QZmNlO/DgZtkZ0aJSypT96YYGRNod99l9Ie",
    "graphiql.min.css": "sha384-Mq3vbRBY71jfjQAt/DcjxUIYY33ksal4cgdRt9U/hNPvHBCaT2JfJ/PTRiPKf0aM",
}

# No inline script, no other origin, no framing. Styles: GraphiQL's own
# stylesheet only; fonts and icons in it are data: URLs. The one inline
# <style> GraphiQL tries to add (a scroll lock while its settings dialog is
# open) is refused, which changes nothing on a page that does not scroll.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    # The reset page's URL holds a one-time token: it must not leak onwards.
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}

log = logging.getLogger("app.pages")


def sri_of_bytes(content: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(content).digest()).decode()


def sri(path: Path) -> str:
    stat = path.stat()
    return _sri(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=64)
def _sri(path: str, _mtime_ns: int, _size: int) -> str:
    # Hashing GraphiQL's 3.5 MB once per file version, not once per app (tests make many).
    return sri_of_bytes(Path(path).read_bytes())


class AssetsMissing(Exception):
    """The vendor files are absent or not the pinned ones."""


def vendor_integrity() -> dict[str, str]:
    """The pinned hashes, after checking the files on disk carry them."""
    for name, expected in VENDOR_SRI.items():
        path = VENDOR / name
        if not path.is_file():
            raise AssetsMissing(f"{path} is missing: run `make install` (npm ci in graphiql/).")
        if sri(path) != expected:
            raise AssetsMissing(f"{path} is not the pinned file: run `make install` again.")
    return dict(VENDOR_SRI)


def _tag_attrs(name: str, integrity: str) -> str:
    return f'src="/static/{name}" integrity="{integrity}"'


@dataclass(frozen=True, slots=True)
class Example:
    query: str
    variables: dict[str, Any]


START_QUERY = """# Sign in with the box above: every request then carries your token.
# Run this (Ctrl-Enter) to see who you are; the other tabs hold the
# support operations of the client contract.
query Me {
  me {
    email
    name
    isSupport
  }
}
"""


def _placeholder(schema: GraphQLSchema, type_name: str) -> Any:
    if type_name == "Boolean":
        return False
    if type_name == "Int":
        return 20
    named = schema.get_type(type_name)
    values = getattr(named, "values", None)
    if values:
        return next(iter(values))
    return ""


def support_examples(schema: GraphQLSchema) -> list[Example]:
    """One example per operation in ``support_examples.graphql`` (the contract's
    support.graphql), with its comment, and variables to fill in."""
    source = (HERE / "support_examples.graphql").read_text(encoding="utf-8")
    examples = [Example(START_QUERY, {})]
    lines = source.splitlines(keepends=True)
    document = parse(source)
    for node in document.definitions:
        if not isinstance(node, OperationDefinitionNode) or node.name is None or node.loc is None:
            continue
        start_line = node.loc.start_token.line - 1
        # The comment block right above an operation explains its rules: keep it.
        while start_line > 0 and lines[start_line - 1].startswith("#"):
            start_line -= 1
        comment = "".join(lines[start_line : node.loc.start_token.line - 1])
        variables: dict[str, Any] = {}
        for definition in node.variable_definitions or ():
            name = definition.variable.name.value
            if isinstance(definition.type, NonNullTypeNode):
                variables[name] = _placeholder(schema, print_ast(definition.type.type))
            elif name == "first":
                variables[name] = 20
        examples.append(Example(comment + print_ast(node) + "\n", variables))
    return examples


def _render(template: str, **values: str) -> str:
    return Template((HERE / template).read_text(encoding="utf-8")).substitute(values)


class Pages:
    """Renders the pages once at start-up; answers them with the security headers."""

    def __init__(self, schema: GraphQLSchema, graphiql: bool) -> None:
        own = {name: sri(STATIC / name) for name in ("support.js", "support.css", "reset_password.js", "page.css")}
        self.graphiql_html: str | None = None
        self.graphiql_problem: str | None = None
        if graphiql:
            try:
                vendor = vendor_integrity()
            except AssetsMissing as problem:
                # The API works without its IDE; say why the page is missing.
                log.error("GraphiQL is unavailable: %s", problem)
                self.graphiql_problem = str(problem)
            else:
                tabs = [
                    {"query": e.query, "variables": json.dumps(e.variables, indent=2)} for e in support_examples(schema)
                ]
                self.graphiql_html = _render(
                    "graphiql.html",
                    react=_tag_attrs("vendor/react.production.min.js", vendor["react.production.min.js"]),
                    react_dom=_tag_attrs("vendor/react-dom.production.min.js", vendor["react-dom.production.min.js"]),
                    graphiql=_tag_attrs("vendor/graphiql.min.js", vendor["graphiql.min.js"]),
                    graphiql_css=f'href="/static/vendor/graphiql.min.css" integrity="{vendor["graphiql.min.css"]}"',
                    page_css=f'href="/static/page.css" integrity="{own["page.css"]}"',
                    support_css=f'href="/static/support.css" integrity="{own["support.css"]}"',
                    support=_tag_attrs("support.js", own["support.js"]),
                    # A JSON data block is not executed, so the CSP allows it; no "<" can end it early.
                    examples=json.dumps(tabs).replace("<", "\\u003c"),
                )
        self.reset_html = _render(
            "reset_password.html",
            page_css=f'href="/static/page.css" integrity="{own["page.css"]}"',
            script=_tag_attrs("reset_password.js", own["reset_password.js"]),
        )

    def graphiql(self) -> Response:
        if self.graphiql_html is None:
            return PlainTextResponse(
                f"GraphiQL is unavailable: {self.graphiql_problem}", status_code=503, headers=PAGE_HEADERS
            )
        return HTMLResponse(self.graphiql_html, headers=PAGE_HEADERS)

    async def reset_password(self, _request: Request) -> Response:
        return HTMLResponse(self.reset_html, headers=PAGE_HEADERS)
