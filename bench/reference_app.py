"""The framework's ceiling: a bare Starlette app on the same uvicorn settings as loyalty-api.

One POST route on ``/api.php`` that reads the whole form body (the same bytes loyalty-api receives) and answers a
fixed XML document of exactly the size of a ``campaign_update`` success, with the same content type and the same
``cache-control`` header.  It parses nothing, checks nothing and stores nothing: every request/s loyalty-api reaches
is measured as a share of what this app reaches on the same machine in the same run.

Run by the suite as ``uvicorn bench.reference_app:app --http httptools --loop uvloop --workers 1 --no-access-log``.
"""

from __future__ import annotations

from typing import Final

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

__all__ = ["REFERENCE_BODY", "app"]

# Same bytes, byte for byte, as loyalty-api's answer to the suite's campaign_update (tests/unit/test_bench.py
# checks it).
REFERENCE_BODY: Final = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<response status="updated"><campaign><id>1234567890123451</id></campaign></response>'
)
_HEADERS: Final = {"cache-control": "no-store"}


async def _api(request: Request) -> Response:
    await request.body()
    return Response(REFERENCE_BODY, media_type="text/xml; charset=utf-8", headers=_HEADERS)


app = Starlette(routes=[Route("/api.php", _api, methods=["POST"])])
