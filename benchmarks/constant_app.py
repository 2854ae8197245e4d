"""The serving baseline: the same uvicorn answering one constant body, as a Starlette app.

Answers ``GET /feed.atom`` with the bytes of BODY_FILE and the given ETag,
and ``304`` to a matching ``If-None-Match``, with the headers our app sends;
nothing is looked up or rendered.  ``benchmarks.extras serve`` runs ``wrk``
against it and against ``aggregator run``.

    python -m benchmarks.constant_app PORT BODY_FILE ETAG
"""

from __future__ import annotations

import sys
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


def make_app(body: bytes, etag: str) -> Starlette:
    headers = {"ETag": etag, "Cache-Control": "public, max-age=60",
               "Last-Modified": "Thu, 26 Nov 2026 00:00:00 GMT",
               "Vary": "Accept, Accept-Encoding"}

    async def feed(request: Request) -> Response:
        match = request.headers.get("if-none-match")
        if match is not None and etag.removeprefix("W/") in {
                t.strip().removeprefix("W/") for t in match.split(",")}:
            return Response(status_code=304, headers=headers)
        return Response(body, media_type="application/atom+xml; charset=utf-8",
                        headers=headers)

    return Starlette(routes=[Route("/feed.atom", feed, methods=["GET", "HEAD"])])


def main() -> None:
    port, body_file, etag = int(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    # As ``aggregator run`` serves: asyncio's own loop (it never uses uvloop), uvicorn's
    # default HTTP implementation, no access log, no Server header.
    uvicorn.run(make_app(body_file.read_bytes(), etag), host="127.0.0.1", port=port,
                loop="asyncio", log_level="warning", access_log=False, lifespan="off",
                server_header=False)


if __name__ == "__main__":
    main()
