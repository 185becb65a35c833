"""The web stacks the toolkit knows, and how each reads a request's raw body: the fix for a receiver that verifies
the signature over anything else. Named with ``--horneross-stack``, or recognised from an answer's headers."""

from __future__ import annotations

# How each stack reads the raw request body, in the order the message lists them.
RAW_BODY_IDIOMS = (
    ("Express", "express.raw({ type: 'application/json' }) on the route, then req.body (a Buffer)"),
    ("Fastify", "a content-type parser with { parseAs: 'buffer' } for application/json, then request.body"),
    ("Koa", "await getRawBody(ctx.req) (raw-body), before any body parser"),
    ("FastAPI/Starlette", "await request.body()"),
    ("Flask", "request.get_data()"),
    ("Django", "request.body"),
    ("aiohttp", "await request.read()"),
    ("Go", "io.ReadAll(r.Body)"),
    ("Gin", "c.GetRawData()"),
    ("PHP", "file_get_contents('php://input')"),
    ("Laravel", "$request->getContent()"),
    ("Ruby", "request.body.read"),
    ("Rails", "request.raw_post"),
    ("Spring", "a @RequestBody byte[] (or String) parameter"),
    ("ASP.NET", "Request.EnableBuffering(), then read Request.Body to the end"),
)
STACKS = tuple(name for name, _ in RAW_BODY_IDIOMS)


def stack_named(name: str) -> str | None:
    """The known stack ``name`` names, whatever its case; ``None`` for an unknown one."""
    return next((stack for stack in STACKS if stack.lower() == name.strip().lower()), None)
