"""The inspector's page in a real browser (headless Chromium over the DevTools protocol, see ``cdp``): deliveries
sent with ``send`` appear live with their verdicts, hostile ones render inert and bounded, replay reaches a receiver.
Set INSPECTOR_SCREENSHOT=FILE.png to keep a screenshot of the page (how docs/ gets its pictures)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import receivers as r
from cdp import Tab, chromium
from command_line import Listening, inspector_url, listening
from receivers.signatures import Verifying

from horneross_conformance import canonical_bytes, sign
from horneross_conformance.cli.main import main
from horneross_conformance.core.events import sample_event
from horneross_conformance.transport.client import post
from horneross_conformance.transport.endpoints import parse_endpoint
from horneross_conformance.transport.server import serve

pytestmark = pytest.mark.slow  # each drives Chromium

SECRET_ENV = {"HORNEROSS_WEBHOOK_SECRET": r.SECRET}
HOSTILE = (
    '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"><a href="javascript:alert(1)">x</a>'
    "<style>body{display:none}</style>\x1b[31mred\x1b]8;;http://x\x07"
)


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Listening, Tab, Path]]:
    folder = tmp_path_factory.mktemp("browser")
    with listening("--ui", "--db", "history.sqlite3", cwd=folder, env=SECRET_ENV) as listener, chromium() as open_tab:
        tab = open_tab(inspector_url(listener))
        tab.wait_for("document.getElementById('connection').textContent === 'live'")
        yield listener, tab, folder
        listener.stop()


def _send(url: str, event: dict[str, Any], folder: Path, monkeypatch: pytest.MonkeyPatch, *extra: str) -> int:
    monkeypatch.setenv("HORNEROSS_WEBHOOK_SECRET", r.SECRET)
    path = folder / f"{event['id']}.json"
    path.write_text(json.dumps(event), encoding="utf-8")
    return main(["send", url, "--file", str(path), *extra])


def _row(tab: Tab, event_id: str, signature: str) -> Any:
    return tab.wait_for(
        f"[...document.querySelectorAll('#deliveries tbody tr')].map(tr => [...tr.cells].map(c => c.textContent))"
        f".find(cells => cells[5] === {json.dumps(event_id)} && cells[7] === {json.dumps(signature)})"
    )


def test_a_delivery_sent_with_send_appears_live_with_its_verdicts_and_a_forged_one_as_wrong(
    page: tuple[Listening, Tab, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    listener, tab, folder = page
    good, forged = sample_event("lead.captured"), sample_event("conversation.created")
    assert _send(listener.url + "hooks", good, folder, monkeypatch) == 0
    assert _send(listener.url + "hooks", forged, folder, monkeypatch, "--signature", "wrong") == 0  # refused, rightly
    cells = _row(tab, good["id"], "signature ok")
    assert cells[3:] == ["POST /hooks", "lead.captured", good["id"], "1", "signature ok", "schema ok", "answered 200"]
    assert _row(tab, forged["id"], "signature WRONG")[-1] == "answered 401"
    assert _send(listener.url + "hooks", good, folder, monkeypatch) == 0  # the same event again: its attempt 2
    tab.wait_for("[...document.querySelectorAll('#deliveries tbody tr')].some(tr => tr.cells[6].textContent === '2')")
    tab.evaluate("document.querySelector('#deliveries tbody tr:nth-child(1)').click()")
    attempts = tab.wait_for(
        "[...document.querySelectorAll('#detail li')].map(li => li.textContent).filter(t => t.includes('attempt'))"
    )
    assert len(attempts) == 2 and "attempt 2" in attempts[1] and "(schedule: 60 s)" in attempts[1]


def test_a_hostile_delivery_renders_inert_and_a_10_mb_one_bounded(
    page: tuple[Listening, Tab, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    listener, tab, _ = page
    hostile = sample_event("conversation.message.created")
    hostile["data"]["content"] = HOSTILE
    body = canonical_bytes(hostile)
    target = parse_endpoint(listener.url + "%3Cscript%3Ejavascript:alert(1)")
    post(target, body, {"X-Horneross-Signature": sign(body, r.SECRET), "X-Evil": "<b>bold</b>\x1b[2J"}, 10)
    huge = sample_event("conversation.message.created")
    huge["data"]["content"] = "<b>" + "x" * (10 * 1024 * 1024) + "</b>"
    huge_body = canonical_bytes(huge)
    post(parse_endpoint(listener.url), huge_body, {"X-Horneross-Signature": sign(huge_body, r.SECRET)}, 30)
    tab.wait_for(  # a body too large for the listing is named by its size there, by its event once opened
        "[...document.querySelectorAll('#deliveries tbody tr')].some(tr => tr.cells[4].textContent === "
        "'(large body: open it)' && tr.cells[7].textContent === 'signature ok')"
    )
    tab.evaluate("document.querySelector('#deliveries tbody tr:nth-child(2)').click()")
    detail = tab.wait_for(
        f"document.querySelector('#detail h2')?.textContent.includes({json.dumps(hostile['id'])}) && "
        "document.getElementById('detail').textContent"
    )
    assert "<script>window.__pwned=1</script>" in detail and "<b>bold</b>" in detail
    assert "\x1b" not in detail and "X-Evil: <b>bold</b>\\u001b[2J" in detail  # a terminal escape, shown as one
    assert tab.evaluate("window.__pwned === undefined")
    assert tab.evaluate("document.querySelectorAll('script').length") == 1  # app.js, the page's own
    assert tab.evaluate("document.querySelectorAll('a, img, iframe, style, b').length") == 0
    assert tab.evaluate("getComputedStyle(document.body).display") == "block"
    if os.environ.get("INSPECTOR_SCREENSHOT"):
        Path(os.environ["INSPECTOR_SCREENSHOT"]).write_bytes(tab.screenshot())
    tab.evaluate("document.querySelector('#deliveries tbody tr:nth-child(1)').click()")
    shown = tab.wait_for(
        f"document.querySelector('#detail h2')?.textContent.includes({json.dumps(huge['id'])}) && "
        "document.getElementById('detail').textContent.length"
    )
    assert shown < 400_000  # the 10 MB body is shown by its start, not whole
    assert "body as received (its start only)" in tab.evaluate("document.getElementById('detail').textContent")


def test_replay_from_the_page_reaches_a_test_endpoint(
    page: tuple[Listening, Tab, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    listener, tab, folder = page
    event = sample_event("conversation.status.changed")
    assert _send(listener.url + "hooks", event, folder, monkeypatch) == 0
    _row(tab, event["id"], "signature ok")
    receiver = Verifying(r.SECRET)
    with serve(receiver) as app:
        tab.evaluate(
            f"document.getElementById('replay-to').value = {json.dumps(app + '/in')};"
            "document.querySelector('#deliveries tbody tr:nth-child(1) input').click();"
            "document.getElementById('replay-selected').click();"
        )
        result = tab.wait_for(
            "document.getElementById('replay-results').textContent.includes('answered 200') && "
            "document.getElementById('replay-results').textContent"
        )
    assert ": 1 answered 200" in result and "captured answered 200, now 200 OK" in result
    assert [json.loads(body)["id"] for body, _ in receiver.received] == [event["id"]]
