"""JSON responses that always encode, with orjson.

orjson encodes a page of 100 products in about 6 µs where the standard
library took 100 (bench/compare.py's first100). It refuses what the standard
library would still write: a lone surrogate (which can reach an answer inside
an error message that quotes the request: a GraphQL syntax error, an unknown
operation name), an integer past 64 bits, a key that is not a string. Such an
answer is then written by the standard library with ASCII escapes instead of
failing with a 500.
"""

from __future__ import annotations

import json
from typing import Any

import orjson
from starlette.responses import JSONResponse


def dumps(content: Any) -> bytes:
    """UTF-8 JSON, compact. (No NaN gets here: GraphQL's Float refuses to serialize it.)"""
    try:
        return orjson.dumps(content)
    except TypeError:  # orjson.JSONEncodeError
        return json.dumps(content, ensure_ascii=True, allow_nan=False, separators=(",", ":")).encode("ascii")


class ApiJSONResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        return dumps(content)
