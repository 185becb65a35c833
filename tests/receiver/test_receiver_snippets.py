"""The README's Express, FastAPI, Flask and Django receivers, served as written, are conformant; and a FastAPI receiver
ported from the documentation's Node code is told, in one step, to verify the raw body with ``await request.body()``.

Each receiver runs in a process of its own (Node for Express, uvicorn for FastAPI, the toolkit's threaded WSGI
server for Flask and Django), on a loopback port chosen by the system, and the receiver suite runs once against it."""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import receivers as r
from documentation import documentation
from peers import ROOT, first_line_of, listening_port, node_binary
from suite_runner import run_suite

README = documentation()
STARTUP_LIMIT = 30  # seconds; Django and FastAPI import in about one

# Serves the module named on the command line: prints its base URL on the first line, then serves until ended.
SERVE = """
import importlib
import socket
import sys
import threading

kind, module = sys.argv[1], sys.argv[2]
if kind == "asgi":
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)  # connections wait in the backlog until uvicorn serves them
    print(f"http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
    server = uvicorn.Server(uvicorn.Config(importlib.import_module(module).app, log_level="error"))
    server.run(sockets=[sock])
else:
    from horneross_conformance.transport.server import serve

    if kind == "django":
        import django
        from django.conf import settings

        settings.configure(
            DEBUG=False,
            SECRET_KEY="tests-only",
            ALLOWED_HOSTS=["127.0.0.1"],
            ROOT_URLCONF="urls",
            MIDDLEWARE=["django.middleware.common.CommonMiddleware", "django.middleware.csrf.CsrfViewMiddleware"],
        )
        django.setup()
        from django.core.wsgi import get_wsgi_application

        app = get_wsgi_application()
    else:
        app = importlib.import_module(module).app
    with serve(app) as base:
        print(base, flush=True)
        threading.Event().wait()
"""

DJANGO_URLS = """
from django.urls import path

import receiver

urlpatterns = [path("webhooks/horneross", receiver.horneross_webhook)]
"""

# The documentation's Express receiver, ported line by line to FastAPI: JSON.stringify(req.body) became
# json.dumps(await request.json()), which writes other bytes for every event.
PORTED_FROM_NODE = """
import hashlib
import hmac
import json
import os

from fastapi import FastAPI, Request, Response

app = FastAPI()


def verificar_webhook(payload, signature, secret):
    expected = hmac.new(secret.encode(), json.dumps(payload).encode(), hashlib.sha256).hexdigest()
    return signature == expected


@app.post("/webhooks/horneross")
async def webhook(request: Request):
    signature = request.headers.get("x-horneross-signature")
    if not verificar_webhook(await request.json(), signature, os.environ["HORNEROSS_WEBHOOK_SECRET"]):
        return Response("Firma inválida", status_code=401)
    return Response("OK", status_code=200)
"""


def readme_example(name: str) -> str:
    example = re.search(rf"<!-- example:{name} -->\n```(?:python|js)\n(.+?)```", README, re.S)
    assert example is not None, name
    return example.group(1)


@contextlib.contextmanager
def served(folder: Path, kind: str, source: str) -> Iterator[str]:
    """Write ``source`` as ``receiver.py`` in ``folder`` and serve it in a process of its own; yields its URL."""
    if kind == "express":
        with express_served(folder, source) as url:
            yield url
        return
    (folder / "receiver.py").write_text(source, encoding="utf-8")
    (folder / "serve_receiver.py").write_text(SERVE, encoding="utf-8")
    if kind == "django":
        (folder / "urls.py").write_text(DJANGO_URLS, encoding="utf-8")
    path = os.pathsep.join(filter(None, [str(folder), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path, "HORNEROSS_WEBHOOK_SECRET": r.SECRET}
    command = [sys.executable, str(folder / "serve_receiver.py"), kind, "receiver"]
    with first_line_of(command, f"the {kind} receiver", folder, env, STARTUP_LIMIT) as base:
        assert base.startswith("http://127.0.0.1:"), f"the {kind} receiver did not start"
        yield f"{base}/webhooks/horneross"


@contextlib.contextmanager
def express_served(folder: Path, source: str) -> Iterator[str]:
    """The README's Express receiver in real Node, with the project's node_modules; it prints its port itself."""
    (folder / "receiver.js").write_text(source, encoding="utf-8")
    env = {**os.environ, "HORNEROSS_WEBHOOK_SECRET": r.SECRET, "PORT": "0", "NODE_PATH": str(ROOT / "node_modules")}
    what = "the Express receiver"
    with first_line_of([node_binary(), str(folder / "receiver.js")], what, folder, env, STARTUP_LIMIT) as first:
        yield f"http://127.0.0.1:{listening_port(first, what)}/webhooks/horneross"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("example", "kind"),
    [
        ("receiver-express", "express"),
        ("receiver-fastapi", "asgi"),
        ("receiver-flask", "wsgi"),
        ("receiver-django", "django"),
    ],
)
def test_readme_receiver_is_conformant(pytester: pytest.Pytester, example: str, kind: str) -> None:
    with served(pytester.path, kind, readme_example(example)) as url:
        run = run_suite(pytester, url, "--horneross-strict")
    assert run.ret == 0, run.stdout
    assert run.report["verdict"] == "conformant"
    # every MUST and SHOULD passes; RCV-12, informational, says "no": they verify the bytes as they arrive
    assert {k for k, v in run.outcomes().items() if v != "passed"} == {"RCV-12"}, run.stdout


@pytest.mark.slow
def test_a_fastapi_port_of_the_documentation_is_told_to_read_the_raw_body(pytester: pytest.Pytester) -> None:
    with served(pytester.path, "asgi", PORTED_FROM_NODE) as url:
        run = run_suite(pytester, url, "-k", "RCV-ACK")
    assert run.failed() == {"RCV-01"}, run.stdout
    [cause] = run.report["causes"]  # said once, for every check it explains
    assert "This endpoint looks like FastAPI/Starlette: verify with await request.body()." in cause["fix"], cause
    assert "verify the HMAC over the raw request body, before any parsing" in cause["fix"]
    assert "Python's json.dumps" in cause["headline"]  # json.dumps(await request.json()): its writer, named
    first = run.details("RCV-01").split("; RCV-ACK-")[0]  # the first failing check's message: one line about it
    assert f"root cause [{cause['id']}]" in first, first
