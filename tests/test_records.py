"""Trustworthy records against the real server (`screening serve`, socket.io as the browser does),
on SQLite and PostgreSQL (issue 12): two tabs of one invitation never lose a message nor
acknowledge one that was not stored; a database outage mid-chat is said, rolled back and
recovered from at the right question; nothing is written after completion or erasure; a message
over the limit gets a French answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import os
import socket
import sqlite3
import sys
import threading
import uuid
from pathlib import Path

import httpx
import pytest
import socketio
import sqlalchemy as sa
from sqlmodel import select
from test_web import SOUDEUR_ANSWERS  # every soudeur question answered, the recap confirmed

from chatbot.web.chat import MAX_MESSAGE_CHARS
from chatbot.web.texts import (
    ACCEPTED,
    ALREADY_COMPLETED,
    CHOICE_NOT_STORED,
    CONSENT,
    ERASED,
    NOT_STORED,
    STALE,
    TOO_LONG,
    WELCOME_BACK,
)
from storage import repo
from storage.db import make_engine, session_scope
from storage.models import Role, Screening, ScreeningStatus, Turn

LOAD_SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "load.py"
TIMEOUT = 120.0  # the first turns wait for the PII models
ROUNDS = 20
CONSENT_QUESTION = CONSENT.rsplit("\n", 1)[-1]
CLOSED = (ALREADY_COMPLETED.split("{")[0], ERASED.split("{")[0])


def _kinds():
    kinds = ["sqlite"]
    if os.environ.get("SCREENING_TEST_POSTGRES_URL"):
        kinds.append("postgresql")
    return kinds


@pytest.fixture(scope="module")
def load():
    spec = importlib.util.spec_from_file_location("load_benchmark", LOAD_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module", params=_kinds())
def server(request, load):
    """One server per database for the whole module; PostgreSQL is reached through a proxy that
    the outage test cuts."""
    proxy = served_url = None
    if request.param == "postgresql":
        target = sa.make_url(os.environ["SCREENING_TEST_POSTGRES_URL"])
        proxy = Proxy((target.host or "127.0.0.1", target.port or 5432))
        proxy.up()

        def served_url(url: str) -> str:
            return sa.make_url(url).set(port=proxy.port).render_as_string(hide_password=False)

    with load.running_server(request.param, served_url=served_url) as running:
        running.kind, running.proxy = request.param, proxy
        yield running


class Tab:
    """One browser tab on an invitation: its own Chainlit session, the page as Referer."""

    def __init__(self, server, link: str):
        self.server, self.link = server, link
        self.session_id = str(uuid.uuid4())
        self.inbox: asyncio.Queue = asyncio.Queue()
        self.actions: list[dict] = []
        self.history: list[list[dict]] = []  # what `resume_thread` put on the page
        self.sio = socketio.AsyncClient(reconnection=False)
        self.sio.on("new_message", self._on_message)
        self.sio.on("action", lambda data: self.actions.append(data))
        self.sio.on("resume_thread", lambda thread: self.history.append(thread["steps"]))

    async def _on_message(self, data: dict) -> None:
        if data.get("type") == "assistant_message":
            await self.inbox.put(data.get("output", ""))

    async def open(self) -> str:
        """Connect; return the first assistant message (consent, welcome back, closed…)."""
        await self.sio.connect(
            self.server.base_url,
            socketio_path="/ws/socket.io",
            transports=["websocket"],
            headers={"Referer": self.link, "Origin": self.server.base_url},
            auth={"sessionId": self.session_id, "clientType": "webapp", "userEnv": "{}"},
            wait_timeout=TIMEOUT,
        )
        await self.sio.emit("connection_successful")
        return await self.next()

    async def consent(self, http: httpx.AsyncClient) -> str:
        """Accept; return the first question."""
        assert (await _click_accept(self, http)).startswith(ACCEPTED)
        return await self.next()

    async def say(self, text: str) -> list[str]:
        """Send a message; return what the assistant answered (two messages after STALE)."""
        message = {"id": str(uuid.uuid4()), "threadId": "", "output": text, "name": "User"}
        message |= {"type": "user_message", "createdAt": ""}
        await self.sio.emit("client_message", {"message": message, "fileReferences": None})
        replies = [await self.next()]
        if replies[0].startswith(STALE):
            replies.append(await self.next())  # the current question
        return replies

    async def next(self) -> str:
        async with asyncio.timeout(TIMEOUT):
            return await self.inbox.get()

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.sio.disconnect()


def _acknowledged(replies: list[str]) -> bool:
    return not (replies[0] in (NOT_STORED, TOO_LONG) or replies[0].startswith((STALE, *CLOSED)))


def _stored(database_url: str, ref: str) -> tuple[Screening, list[Turn]]:
    engine = make_engine(database_url)
    try:
        with session_scope(engine) as db:
            screening = repo.latest_screening(db, ref, "soudeur")
            return screening, repo.list_turns(db, screening.id)
    finally:
        engine.dispose()


async def _started(server, load, ref: str, http, answers: int = 0) -> Tab:
    link = load.invitation_link(server, ref, load.Script("", "soudeur", None, ()))
    tab = Tab(server, link)
    assert CONSENT_QUESTION in await tab.open()
    await tab.consent(http)
    for text in SOUDEUR_ANSWERS[:answers]:
        assert _acknowledged(await tab.say(text))
    return tab


# --- two tabs, one writer ------------------------------------------------------------------------


def test_two_tabs_sending_at_once_lose_nothing_and_acknowledge_only_what_is_stored(load, server):
    """Twenty rounds of two tabs sending at the same instant: each message is either stored and
    answered, or not stored and said so (the tab then shows the current question)."""

    async def scenario(server):
        async with httpx.AsyncClient(timeout=TIMEOUT) as http:
            first = await _started(server, load, "TABS-1", http)
            second = Tab(server, first.link)
            assert (await second.open()) == WELCOME_BACK
            await second.next()  # the current question
            sent = {}
            for round_ in range(ROUNDS):
                texts = [f"Question {tab}{round_} : c'est où la formation ?" for tab in "AB"]
                replies = await asyncio.gather(first.say(texts[0]), second.say(texts[1]))
                sent.update(zip(texts, replies, strict=True))
            await first.close()
            await second.close()
            return sent

    sent = asyncio.run(scenario(server))
    screening, turns = _stored(server.database_url, "TABS-1")
    acknowledged = {text for text, replies in sent.items() if _acknowledged(replies)}
    told = {text for text, replies in sent.items() if replies[0].startswith(STALE)}
    stored = [t.text for t in turns if t.role == Role.candidate]
    assert len(sent) == 2 * ROUNDS and acknowledged | told == set(sent)
    assert sorted(stored) == sorted(acknowledged)  # 0 lost, 0 false acknowledgements
    assert len(acknowledged) >= ROUNDS  # one of each pair at least
    assert [t.seq for t in turns] == list(range(1, len(turns) + 1))
    assert screening.state_json["turns"] == len(acknowledged)
    print(
        f"\n{server.kind}: {len(sent)} sent, {len(acknowledged)} stored, {len(told)} told not stored"
    )


# --- the database goes away mid-chat ---------------------------------------------------------------


class Proxy:
    """A TCP relay to PostgreSQL that the test can cut (every connection closed, new ones refused)
    and restore on the same port."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.port = _free_port()
        self.loop = asyncio.new_event_loop()
        self.server = None
        self.writers: set[asyncio.StreamWriter] = set()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()

    def _run(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(10)

    def up(self) -> None:
        self._run(self._listen())

    def down(self) -> None:
        self._run(self._close())

    async def _listen(self) -> None:
        self.server = await asyncio.start_server(self._relay, "127.0.0.1", self.port)

    async def _close(self) -> None:
        self.server.close()
        for writer in list(self.writers):
            writer.transport.abort()
        self.writers.clear()

    async def _relay(self, reader, writer) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        self.writers |= {writer, upstream_writer}

        async def pipe(source, sink):
            with contextlib.suppress(Exception):
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            sink.transport.abort()

        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def _outage(server):
    """PostgreSQL: the proxy cut. SQLite: another process holds the write lock (the server's
    writes wait for the busy timeout, then fail)."""
    if server.proxy is not None:
        server.proxy.down()
        try:
            yield
        finally:
            server.proxy.up()
        return
    holder = sqlite3.connect(sa.make_url(server.database_url).database, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_database_outage_mid_chat_is_said_rolled_back_and_recovered_from(load, server):
    async def scenario():
        async with httpx.AsyncClient(timeout=TIMEOUT) as http:
            tab = await _started(server, load, "OUTAGE-1", http, answers=2)
            with _outage(server):
                during = await tab.say(SOUDEUR_ANSWERS[2])
                if server.proxy is not None:  # quick failures: a second try is told too
                    during += await tab.say(SOUDEUR_ANSWERS[2])
            after = await tab.say(SOUDEUR_ANSWERS[2])  # the same answer, sent again
            following = await tab.say(SOUDEUR_ANSWERS[3])
            await tab.close()
            return during, after, following

    during, after, following = asyncio.run(scenario())
    screening, turns = _stored(server.database_url, "OUTAGE-1")
    assert set(during) == {NOT_STORED}  # never "bien enregistrée"
    assert _acknowledged(after) and "Question 4 sur 14" in after[0]
    assert _acknowledged(following) and "Question 5 sur 14" in following[0]
    candidate = [t.text for t in turns if t.role == Role.candidate]
    assert candidate == SOUDEUR_ANSWERS[:4]  # each acknowledged one, once, at its question
    assert screening.state_json["turns"] == 4 and len(turns) == 1 + 2 * 4


def test_consent_given_during_an_outage_is_said_and_its_buttons_stay(load, server):
    async def scenario():
        link = load.invitation_link(server, "OUTAGE-2", load.Script("", "soudeur", None, ()))
        tab = Tab(server, link)
        assert CONSENT_QUESTION in await tab.open()
        async with httpx.AsyncClient(timeout=TIMEOUT) as http:
            with _outage(server):
                refused = await _click_accept(tab, http)
            accepted = await _click_accept(tab, http)  # the same button, clicked again
            first_question = await tab.next()
        await tab.close()
        return refused, accepted, first_question

    refused, accepted, first_question = asyncio.run(scenario())
    screening, turns = _stored(server.database_url, "OUTAGE-2")
    assert refused == CHOICE_NOT_STORED
    assert accepted.startswith(ACCEPTED) and "Question 1 sur 14" in first_question
    assert screening.status == ScreeningStatus.in_progress and len(turns) == 1


async def _click_accept(tab: Tab, http: httpx.AsyncClient) -> str:
    """Click "J'accepte" (the button still on the page); return the answer."""
    async with asyncio.timeout(TIMEOUT):  # the buttons follow their message
        while not (accept := [a for a in tab.actions if a["payload"].get("accept")]):
            await asyncio.sleep(0.02)
    body = {"sessionId": tab.session_id, "action": accept[0]}
    url = f"{tab.server.base_url}/project/action"
    (await http.post(url, json=body, headers={"Referer": tab.link})).raise_for_status()
    return await tab.next()


# --- closed means closed ---------------------------------------------------------------------------


def test_nothing_is_written_after_completion_or_erasure(load, server):
    async def scenario():
        async with httpx.AsyncClient(timeout=TIMEOUT) as http:
            done = await _started(server, load, "CLOSED-DONE", http, answers=len(SOUDEUR_ANSWERS))
            erased = await _started(server, load, "CLOSED-ERASED", http, answers=2)
            engine = make_engine(server.database_url)
            with session_scope(engine) as db:
                finished = repo.latest_screening(db, "CLOSED-DONE", "soudeur")
                result = repo.load_result(db, finished.id)
                permit = next(c for c in result.criteria if "permis" in c.criterion_id)
                repo.record_override(
                    db, finished.id, permit.criterion_id, "not_met",
                    reason="Permis suspendu.", counsellor="c@ft.fr", ranking_score=10.0,
                )  # fmt: skip
            with session_scope(engine) as db:
                assert repo.erase_candidate(db, "CLOSED-ERASED", actor="cli") == 1
            engine.dispose()
            after_done = await done.say("Oui, j'ai le permis B")
            after_erasure = await erased.say(SOUDEUR_ANSWERS[2])
            reopened = Tab(server, done.link)
            again = await reopened.open()
            for tab in (done, erased, reopened):
                await tab.close()
            return after_done, after_erasure, again, permit.criterion_id

    after_done, after_erasure, again, permit = asyncio.run(scenario())
    engine = make_engine(server.database_url)
    with session_scope(engine) as db:
        finished = repo.latest_screening(db, "CLOSED-DONE", "soudeur")
        result = repo.load_result(db, finished.id)
        turns = repo.list_turns(db, finished.id)
        gone = db.exec(select(Screening).where(Screening.status == "erased")).all()
        erased_turns = db.exec(select(Turn).where(Turn.screening_id == gone[0].id)).all()
    engine.dispose()
    assert after_done[0].startswith(CLOSED[0]) and after_erasure[0].startswith(CLOSED[1])
    assert again.startswith(CLOSED[0])
    assert finished.status == ScreeningStatus.completed and finished.ranking_score == 10.0
    assert result.criterion(permit).verdict == "not_met"  # the counsellor's correction holds
    assert len(turns) == 1 + 2 * len(SOUDEUR_ANSWERS)
    assert len(gone) == 1 and gone[0].state_json is None and erased_turns == []


# --- limits and reconnects -------------------------------------------------------------------------


def test_an_oversized_message_gets_a_french_answer_and_history_is_replaced_not_repeated(
    load, server
):
    async def scenario():
        async with httpx.AsyncClient(timeout=TIMEOUT) as http:
            tab = await _started(server, load, "LIMITS-1", http, answers=1)
            too_long = await tab.say("a" * (MAX_MESSAGE_CHARS + 1))
            megabyte = await tab.say("x" * 1024 * 1024)  # the socket layer takes it
            await tab.close()
            back = Tab(server, tab.link)
            welcome = await back.open()
            await back.close()
            return too_long, megabyte, welcome, back.history

    too_long, megabyte, welcome, history = asyncio.run(scenario())
    _, turns = _stored(server.database_url, "LIMITS-1")
    limit = TOO_LONG.format(limit=f"{MAX_MESSAGE_CHARS:,}")
    assert too_long == [limit] and megabyte == [limit]
    assert [t.text for t in turns if t.role == Role.candidate] == ["Oui"]
    # Reopened: the stored history replaces the page's messages in one event, then "welcome back".
    assert welcome == WELCOME_BACK
    shown = [step["output"] for step in history[0] if step["type"] != "run"]
    assert shown == [t.text for t in turns]
