"""JSON responses that always encode.

Starlette encodes JSON as UTF-8 without escaping, which fails on a lone
surrogate; one can still reach an answer inside an error message that quotes
the request (a GraphQL syntax error, an unknown operation name). Such an
answer is then written with ASCII escapes instead of failing with a 500.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import JSONResponse


class ApiJSONResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        try:
            return super().render(content)
        except UnicodeEncodeError:
            return json.dumps(content, ensure_ascii=True, separators=(",", ":")).encode("ascii")
