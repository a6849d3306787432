"""The chat against the real server (`screening serve`, socket.io as the browser does): a session
is bound to its invitation, unused socket events do nothing, and the server's log of a whole
scripted screening holds none of the candidate's words nor their invitation (issue 13, findings
2, 3 and 13)."""

from __future__ import annotations

import asyncio
import importlib.util
import sys
import uuid
from pathlib import Path

import httpx
import pytest
import socketio
import sqlalchemy as sa

from chatbot.web.invitations import token_in_url
from storage.models import Candidate as CandidateRow
from storage.models import Screening, ScreeningStatus, Turn

LOAD_SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "load.py"
TIMEOUT = 120.0  # the first turns wait for the PII models
PLANTED = "Au fait, je suis Gaëlle Plantevigne, 06 47 12 38 95, j'ai une hernie discale."


@pytest.fixture(scope="module")
def load():
    spec = importlib.util.spec_from_file_location("load_benchmark", LOAD_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def server(load):
    with load.running_server("sqlite") as running:
        yield running


@pytest.fixture(scope="module")
def script(load):
    return next(s for s in load.persona_scripts() if s.training_id == "soudeur")


def _candidate(load, server, script, ref: str):
    link = load.invitation_link(server, ref, script)
    return load.Candidate(server.base_url, link, ref, TIMEOUT)


def _screening(server, ref: str) -> tuple[ScreeningStatus, int]:
    engine = sa.create_engine(server.database_url)
    try:
        with engine.connect() as connection:
            status, turns = connection.execute(
                sa.select(Screening.status, sa.func.count(Turn.id))
                .join(CandidateRow, Screening.candidate_id == CandidateRow.id)
                .outerjoin(Turn, Turn.screening_id == Screening.id)
                .where(CandidateRow.ref == ref)
                .group_by(Screening.id)
            ).one()
    finally:
        engine.dispose()
    return ScreeningStatus(status), turns


async def _connect(base_url: str, session_id: str, referer: str | None) -> socketio.AsyncClient:
    client = socketio.AsyncClient(reconnection=False)
    headers = {"Origin": base_url} | ({"Referer": referer} if referer else {})
    await client.connect(
        base_url,
        socketio_path="/ws/socket.io",
        transports=["websocket"],
        headers=headers,
        auth={"sessionId": session_id, "clientType": "webapp", "userEnv": "{}"},
        wait_timeout=10,
    )
    return client


def test_a_session_resumes_only_with_its_own_invitation(load, server, script):
    async def scenario():
        owner = _candidate(load, server, script, "GUARD-OWNER")
        async with httpx.AsyncClient(timeout=TIMEOUT) as http:
            await owner._open(http)
        await owner.sio.disconnect()
        other = load.invitation_link(server, "GUARD-OTHER", script)
        for referer in (other, None, server.base_url + "/"):
            with pytest.raises(socketio.exceptions.ConnectionError):
                await _connect(server.base_url, owner.session_id, referer)
        back = await _connect(server.base_url, owner.session_id, owner.link)
        await back.disconnect()

    asyncio.run(scenario())


def test_a_button_click_counts_only_from_its_invitations_page(load, server, script):
    async def scenario():
        owner = _candidate(load, server, script, "GUARD-CLICK")
        owner._new_socket()
        await owner.sio.connect(
            server.base_url,
            socketio_path="/ws/socket.io",
            transports=["websocket"],
            headers={"Referer": owner.link, "Origin": server.base_url},
            auth={"sessionId": owner.session_id, "clientType": "webapp", "userEnv": "{}"},
            wait_timeout=10,
        )
        await owner.sio.emit("connection_successful")
        accept = await owner._consent_action()
        body = {"sessionId": owner.session_id, "action": accept}
        other = load.invitation_link(server, "GUARD-STRANGER", script)
        async with httpx.AsyncClient(timeout=TIMEOUT) as http:
            url = f"{server.base_url}/project/action"
            for referer in ({"Referer": other}, {}):
                assert (await http.post(url, json=body, headers=referer)).status_code == 403
            status, _ = _screening(server, "GUARD-CLICK")
            assert status == ScreeningStatus.invited
            assert (await http.post(url, json=body, headers={"Referer": owner.link})).is_success
        await owner.sio.disconnect()

    asyncio.run(scenario())


def test_editing_a_sent_message_over_the_socket_does_nothing(load, server, script):
    async def scenario():
        candidate = _candidate(load, server, script, "GUARD-EDIT")
        async with httpx.AsyncClient(timeout=TIMEOUT) as http:
            await candidate._open(http)
        message_id = str(uuid.uuid4())
        sent = {"id": message_id, "threadId": "", "output": script.messages[0]}
        sent |= {"name": "User", "type": "user_message", "createdAt": ""}
        await candidate.sio.emit("client_message", {"message": sent, "fileReferences": None})
        await candidate._until(lambda _text: True)
        before = _screening(server, "GUARD-EDIT")
        edited = sent | {"output": "Non, finalement non"}
        for event in ("edit_message", "stop", "chat_settings_change", "window_message"):
            await candidate.sio.emit(event, {"message": edited})
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(3):
                await candidate.inbox.get()
        assert _screening(server, "GUARD-EDIT") == before
        await candidate.sio.disconnect()

    asyncio.run(scenario())


def test_the_server_log_of_a_whole_screening_holds_no_candidate_word_nor_token(
    load, server, script
):
    ref = "PLANTED-REF-7731"
    messages = [f"{text} {PLANTED}" if len(text) > 40 else text for text in script.messages]
    candidate = _candidate(load, server, script, ref)

    async def screening():
        async with httpx.AsyncClient(timeout=TIMEOUT) as http:
            assert (await http.get(candidate.link)).status_code == 200  # the page, as a browser
            return await candidate.run(http, messages, lambda: 0.0)

    outcome = asyncio.run(screening())
    assert outcome.finished and outcome.apologies == 0, outcome
    assert _screening(server, ref)[0] == ScreeningStatus.completed
    token = token_in_url(candidate.link)
    planted = [ref, token, *token.split("."), "Plantevigne", "06 47 12 38 95", "hernie"]
    planted += [text for text in messages if len(text) > 20]
    log = server.log_path.read_text(errors="replace")
    assert "/healthz" in log  # this server's log, written to
    assert [value for value in planted if value in log] == []
    assert "WebSocket /ws/socket.io/" in log and "EIO=" not in log  # no query string at all


def test_fifty_megabytes_sent_to_the_upload_route_never_reach_the_servers_memory(server):
    before = server.rss_kb()

    def body():
        for _ in range(50):
            yield b"x" * (1024 * 1024)

    for path in ("/project/file?session_id=x", "/conseiller/connexion"):
        try:
            answer = httpx.post(server.base_url + path, content=body(), timeout=30)
        except httpx.TransportError:
            continue  # the server answered and closed before the body was all sent
        assert 400 <= answer.status_code < 500, path  # refused, whatever the reason
    assert server.rss_kb() - before < 20 * 1024  # the audit saw +500 MB for 500 MB
