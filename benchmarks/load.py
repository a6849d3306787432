"""Load: N simulated candidates chatting at once with the real server, through socket.io as the
browser does. Prints turn latency percentiles, errors, memory per conversation and a database
check (every candidate turn stored, every screening completed).

    python benchmarks/load.py --db sqlite --concurrency 10 50 200
    python benchmarks/load.py --db postgresql --concurrency 10 50 200
    python benchmarks/load.py --db sqlite --concurrency 50 --think 0      # stress: no think time

Each level starts a fresh server (`screening serve`, offline mode) on a free loopback port with a
fresh database (a temporary SQLite file, or a new PostgreSQL database `load_<hex>` dropped
afterwards), warms it up (/healthz, then one full conversation so the PII models are loaded),
then runs N candidates at once. Each candidate opens its invitation link, accepts the consent,
replays one persona of evals/personas/ (the messages the offline engine needs to finish, replayed
beforehand with the same pseudonymiser and today's date), confirms the recap and leaves. Between
two messages a candidate "reads and types" for a think time drawn uniformly in --think MIN MAX
seconds (default 1 3, seeded per candidate).

Turn latency = message emitted -> the assistant's reply to it received (timestamped in the
socket event handler). Errors = apology messages, replies not received within --reply-timeout,
unexpected disconnects, client exceptions, and ERROR lines in the server log.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import random
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx
import socketio
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chatbot.settings import Settings  # noqa: E402
from chatbot.web.texts import ACCEPTED, APOLOGY, CONSENT, NOT_STORED  # noqa: E402

CONSENT_QUESTION = CONSENT.rsplit("\n", 1)[-1]
HOST = "127.0.0.1"
PG_ADMIN_URL = os.environ.get(
    "SCREENING_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
START_TIMEOUT_S = 180
WARM_UP_REF = "LOAD-WARMUP"


# --- what each candidate says --------------------------------------------------------------------


@dataclass(frozen=True)
class Script:
    persona: str
    training_id: str
    session_id: str | None
    messages: tuple[str, ...]


def persona_scripts() -> list[Script]:
    """One script per persona: its candidate messages, replayed offline as the server will."""
    from chatbot.conversation import Conversation
    from chatbot.rubric_loader import rubrics_in
    from chatbot.web.screenings import DeferredRestore
    from evals.personas import load_personas, replay
    from pii import Pseudonymizer

    rubrics = rubrics_in(ROOT / "rubrics")
    today = dt.date.today()

    def begin(rubric, session_id):
        return Conversation.begin(rubric, session_id, scrubber=DeferredRestore(Pseudonymizer()))

    scripts = []
    for persona in load_personas(ROOT / "evals" / "personas"):
        if persona.rubric not in rubrics:
            continue
        run = replay(persona.model_copy(update={"today": today}), rubrics[persona.rubric], begin)
        if not run.result.complete:
            continue
        said = tuple(text for who, text in run.transcript if who == "candidate")
        name = Path(persona.path).stem
        scripts.append(Script(name, persona.rubric, persona.session, said))
    return scripts


# --- the server ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    base_url: str
    database_url: str
    settings: Settings
    log_path: Path

    def rss_kb(self) -> int:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        line = next(x for x in status.splitlines() if x.startswith("VmRSS:"))
        return int(line.split()[1])

    def log_errors(self) -> list[str]:
        lines = self.log_path.read_text(errors="replace").splitlines()
        return [x for x in lines if " ERROR " in x or x.startswith("Traceback")]


@contextlib.contextmanager
def fresh_database(kind: str, data_dir: Path):
    """A SQLite file in `data_dir`, or a new PostgreSQL database dropped on exit."""
    if kind == "sqlite":
        yield f"sqlite:///{data_dir / 'screening.db'}"
        return
    admin_url = sa.make_url(PG_ADMIN_URL).set(database="postgres")
    name = f"load_{secrets.token_hex(4)}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextlib.contextmanager
def running_server(kind: str, served_url=None):
    """`screening serve` in a subprocess, offline, with its own data dir and database.
    `served_url(url)` gives the database address the server uses (a proxy's, in fault tests)."""
    data_dir = Path(tempfile.mkdtemp(prefix="load-"))
    try:
        with fresh_database(kind, data_dir) as database_url:
            port = free_port()
            base_url = f"http://{HOST}:{port}"
            settings = Settings(
                data_dir=data_dir,
                database_url=database_url,
                secret_key=secrets.token_urlsafe(32),
                public_url=base_url,
            )
            env = {k: v for k, v in os.environ.items() if not k.startswith("SCREENING_")}
            env.update(
                SCREENING_DATA_DIR=str(data_dir),
                SCREENING_DATABASE_URL=served_url(database_url) if served_url else database_url,
                SCREENING_SECRET_KEY=settings.secret_key,
                SCREENING_PUBLIC_URL=base_url,
                SCREENING_ALLOWED_ORIGINS=json.dumps([base_url]),
            )
            log_path = data_dir / "server.log"
            command = [*_screening_command(), "serve", "--host", HOST, "--port", str(port)]
            with log_path.open("w") as log:
                process = subprocess.Popen(
                    command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
                )
            server = Server(process, base_url, database_url, settings, log_path)
            try:
                _wait_healthy(server)
                yield server
            finally:
                process.terminate()
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(10)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def _screening_command() -> list[str]:
    """`screening`, from this checkout (the installed entry point may be another's)."""
    return [sys.executable, "-m", "chatbot.cli"]


def _wait_healthy(server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited: {server.log_path.read_text()[-2000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{server.base_url}/healthz", timeout=2).status_code == 200:
                return
        time.sleep(0.5)
    raise TimeoutError("server not healthy in time")


def invitation_link(server: Server, ref: str, script: Script) -> str:
    from chatbot.web.invitations import Invitation, invitation_url

    invitation = Invitation(ref, script.training_id, script.session_id)
    return invitation_url(invitation, server.settings)


# --- one candidate ---------------------------------------------------------------------------------


@dataclass
class Outcome:
    ref: str
    sent: int = 0
    latencies: list[float] = field(default_factory=list)
    open_latency: float | None = None
    apologies: int = 0
    timeouts: int = 0
    disconnects: int = 0
    exception: str | None = None
    finished: bool = False


class Candidate:
    """A browser tab: socket.io with the invitation page as Referer, messages typed by hand."""

    def __init__(self, base_url: str, link: str, ref: str, reply_timeout: float):
        self.base_url, self.link, self.reply_timeout = base_url, link, reply_timeout
        self.session_id = str(uuid.uuid4())
        self.outcome = Outcome(ref)
        self.inbox: asyncio.Queue = asyncio.Queue()
        self.actions: list[dict] = []
        self.sio = socketio.AsyncClient(reconnection=False)
        self.sio.on("new_message", self._on_message)
        self.sio.on("action", lambda data: self.actions.append(data))
        self.sio.on("disconnect", self._on_disconnect)

    async def _on_message(self, data: dict) -> None:
        if data.get("type") != "assistant_message":
            return  # the candidate's own words echoed, or a "run" step
        output = data.get("output", "")
        if APOLOGY in output or NOT_STORED in output:  # an error, or a message not stored
            self.outcome.apologies += 1
        self.actions.extend(data.get("actions") or [])
        await self.inbox.put((time.perf_counter(), output))

    def _on_disconnect(self, *_args) -> None:
        if not self.outcome.finished:
            self.outcome.disconnects += 1

    async def run(self, http: httpx.AsyncClient, messages, think) -> Outcome:
        try:
            await self._open(http)
            for text in messages:
                await asyncio.sleep(think())
                await self._say(text)
            self.outcome.finished = True
        except TimeoutError:
            self.outcome.timeouts += 1
        except Exception as problem:  # reported, never raised: one failure must not stop the run
            self.outcome.exception = repr(problem)[:300]
        finally:
            with contextlib.suppress(Exception):
                await self.sio.disconnect()
        return self.outcome

    async def _open(self, http: httpx.AsyncClient) -> None:
        start = time.perf_counter()
        await self.sio.connect(
            self.base_url,
            socketio_path="/ws/socket.io",
            transports=["websocket"],
            headers={"Referer": self.link, "Origin": self.base_url},
            auth={
                "sessionId": self.session_id,
                "clientType": "webapp",
                "userEnv": "{}",
                "chatProfile": None,
                "threadId": None,
            },
            wait_timeout=self.reply_timeout,
        )
        await self.sio.emit("connection_successful")
        await self._until(lambda text: CONSENT_QUESTION in text)
        self.outcome.open_latency = time.perf_counter() - start
        accept = await self._consent_action()
        response = await http.post(
            f"{self.base_url}/project/action",
            json={"sessionId": self.session_id, "action": accept},
            headers={"Referer": self.link},  # a click counts only from its invitation's page
        )
        response.raise_for_status()
        await self._until(lambda text: text.startswith(ACCEPTED))
        await self._until(lambda text: True)  # the first question

    async def _consent_action(self) -> dict:
        async with asyncio.timeout(self.reply_timeout):
            while True:
                for action in self.actions:
                    if action.get("name") == "consent" and action["payload"].get("accept"):
                        return action
                await asyncio.sleep(0.02)

    async def _say(self, text: str) -> None:
        message = {
            "id": str(uuid.uuid4()),
            "threadId": "",
            "output": text,
            "name": "User",
            "type": "user_message",
            "createdAt": "",
        }
        sent = time.perf_counter()
        await self.sio.emit("client_message", {"message": message, "fileReferences": None})
        self.outcome.sent += 1
        received, _ = await self._until(lambda _text: True)
        self.outcome.latencies.append(received - sent)

    async def _until(self, wanted) -> tuple[float, str]:
        async with asyncio.timeout(self.reply_timeout):
            while True:
                received, text = await self.inbox.get()
                if wanted(text):
                    return received, text


# --- one level ------------------------------------------------------------------------------------


@dataclass
class Level:
    db: str
    concurrency: int
    think: tuple[float, float]
    completed: int
    turns: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    open_p95_ms: float
    errors: int
    error_detail: dict
    lost_turns: int
    incomplete_screenings: int
    rss_before_mb: float
    rss_peak_mb: float
    mb_per_conversation: float
    client_lag_p95_ms: float
    load_avg: tuple[float, float]
    wall_s: float


def run_level(
    kind: str,
    concurrency: int,
    think: tuple[float, float] = (1.0, 3.0),
    seed: int = 1,
    reply_timeout: float = 30.0,
    scripts: list[Script] | None = None,
) -> Level:
    scripts = scripts or persona_scripts()
    with running_server(kind) as server:
        asyncio.run(_warm_up(server, scripts[0], reply_timeout))
        assignment = [scripts[i % len(scripts)] for i in range(concurrency)]
        refs = [f"LOAD-{i:04d}" for i in range(concurrency)]
        links = [invitation_link(server, ref, s) for ref, s in zip(refs, assignment, strict=True)]
        rss_before = server.rss_kb()
        print(
            f"{kind}: server pid {server.process.pid} warm, {concurrency} candidates",
            file=sys.stderr,
        )
        load_start = os.getloadavg()[0]
        started = time.perf_counter()
        outcomes, rss_peak, lags = asyncio.run(
            _run_candidates(server, links, refs, assignment, think, seed, reply_timeout)
        )
        wall = time.perf_counter() - started
        load_end = os.getloadavg()[0]
        lost, incomplete = check_database(server.database_url, outcomes)
        log_errors = server.log_errors()
    return _summarise(
        kind,
        concurrency,
        think,
        outcomes,
        (lost, incomplete),
        (rss_before, rss_peak),
        lags,
        log_errors,
        (load_start, load_end),
        wall,
    )


async def _warm_up(server: Server, script: Script, reply_timeout: float) -> None:
    link = invitation_link(server, WARM_UP_REF, script)
    async with httpx.AsyncClient(timeout=reply_timeout) as http:
        # The first turns wait for the PII models: allow them the server's start time.
        candidate = Candidate(server.base_url, link, WARM_UP_REF, START_TIMEOUT_S)
        outcome = await candidate.run(http, script.messages, lambda: 0.0)
    if not outcome.finished:
        raise RuntimeError(f"warm-up conversation failed: {outcome}")


async def _run_candidates(server, links, refs, assignment, think, seed, reply_timeout):
    rss_peak = server.rss_kb()
    lags: list[float] = []
    stop = asyncio.Event()

    async def watch() -> None:
        """Server memory peak, and the client's own event-loop lag (it inflates latencies)."""
        nonlocal rss_peak
        while not stop.is_set():
            before = time.perf_counter()
            await asyncio.sleep(0.1)
            lags.append(time.perf_counter() - before - 0.1)
            rss_peak = max(rss_peak, server.rss_kb())

    budget = sum(len(s.messages) for s in assignment) / len(assignment)
    overall_timeout = 120 + budget * (think[1] + reply_timeout) * 2
    limits = httpx.Limits(max_connections=len(links) + 10)
    async with httpx.AsyncClient(timeout=reply_timeout, limits=limits) as http:
        watcher = asyncio.create_task(watch())
        candidates = [
            Candidate(server.base_url, link, ref, reply_timeout)
            for link, ref in zip(links, refs, strict=True)
        ]
        runs = [
            c.run(http, s.messages, _think_time(think, seed, i))
            for i, (c, s) in enumerate(zip(candidates, assignment, strict=True))
        ]
        try:
            outcomes = await asyncio.wait_for(asyncio.gather(*runs), overall_timeout)
        finally:
            stop.set()
            await watcher
    return outcomes, rss_peak, lags


def _think_time(think: tuple[float, float], seed: int, index: int):
    low, high = think
    rng = random.Random(seed * 1_000_003 + index)
    return lambda: rng.uniform(low, high) if high > 0 else 0.0


def check_database(database_url: str, outcomes: list[Outcome]) -> tuple[int, int]:
    """(candidate turns sent but not stored, screenings not completed) for these candidates."""
    from storage.models import Candidate as CandidateRow
    from storage.models import Role, Screening, ScreeningStatus, Turn

    engine = sa.create_engine(database_url)
    refs = [o.ref for o in outcomes]
    try:
        with engine.connect() as connection:
            stored = dict(
                connection.execute(
                    sa.select(CandidateRow.ref, sa.func.count(Turn.id))
                    .join(Screening, Screening.candidate_id == CandidateRow.id)
                    .join(Turn, Turn.screening_id == Screening.id)
                    .where(CandidateRow.ref.in_(refs), Turn.role == Role.candidate)
                    .group_by(CandidateRow.ref)
                ).all()
            )
            completed = connection.execute(
                sa.select(sa.func.count(Screening.id))
                .join(CandidateRow, Screening.candidate_id == CandidateRow.id)
                .where(CandidateRow.ref.in_(refs), Screening.status == ScreeningStatus.completed)
            ).scalar_one()
    finally:
        engine.dispose()
    lost = sum(max(0, o.sent - stored.get(o.ref, 0)) for o in outcomes)
    return lost, len(outcomes) - completed


def _percentile(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] * 1000 if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000


def _summarise(kind, concurrency, think, outcomes, db_check, rss, lags, log_errors, load, wall):
    latencies = [x for o in outcomes for x in o.latencies]
    opens = [o.open_latency for o in outcomes if o.open_latency is not None]
    detail = {
        "apologies": sum(o.apologies for o in outcomes),
        "timeouts": sum(o.timeouts for o in outcomes),
        "disconnects": sum(o.disconnects for o in outcomes),
        "exceptions": sum(o.exception is not None for o in outcomes),
        "server_log_errors": len(log_errors),
    }
    examples = [o.exception for o in outcomes if o.exception][:3] + log_errors[:3]
    if examples:
        detail["examples"] = examples
    rss_before, rss_peak = rss
    return Level(
        db=kind,
        concurrency=concurrency,
        think=think,
        completed=sum(o.finished for o in outcomes),
        turns=len(latencies),
        p50_ms=_percentile(latencies, 50),
        p95_ms=_percentile(latencies, 95),
        p99_ms=_percentile(latencies, 99),
        max_ms=max(latencies, default=float("nan")) * 1000,
        open_p95_ms=_percentile(opens, 95),
        errors=sum(v for k, v in detail.items() if k != "examples"),
        error_detail=detail,
        lost_turns=db_check[0],
        incomplete_screenings=db_check[1],
        rss_before_mb=rss_before / 1024,
        rss_peak_mb=rss_peak / 1024,
        mb_per_conversation=(rss_peak - rss_before) / 1024 / concurrency,
        client_lag_p95_ms=_percentile(lags, 95),
        load_avg=load,
        wall_s=wall,
    )


# --- command line ---------------------------------------------------------------------------------

COLUMNS = (
    ("db", "{}"),
    ("N", "{}"),
    ("think s", "{}"),
    ("done", "{}"),
    ("turns", "{}"),
    ("p50 ms", "{:.0f}"),
    ("p95 ms", "{:.0f}"),
    ("p99 ms", "{:.0f}"),
    ("max ms", "{:.0f}"),
    ("open p95 ms", "{:.0f}"),
    ("errors", "{}"),
    ("lost turns", "{}"),
    ("incomplete", "{}"),
    ("RSS MB", "{}"),
    ("MB/conv", "{:.2f}"),
    ("client lag p95 ms", "{:.0f}"),
    ("load 1m", "{}"),
    ("wall s", "{:.0f}"),
)


def row(level: Level) -> list[str]:
    values = [
        level.db,
        level.concurrency,
        "{:g}-{:g}".format(*level.think),
        level.completed,
        level.turns,
        level.p50_ms,
        level.p95_ms,
        level.p99_ms,
        level.max_ms,
        level.open_p95_ms,
        level.errors,
        level.lost_turns,
        level.incomplete_screenings,
        f"{level.rss_before_mb:.0f}→{level.rss_peak_mb:.0f}",
        level.mb_per_conversation,
        level.client_lag_p95_ms,
        "{:.1f}→{:.1f}".format(*level.load_avg),
        level.wall_s,
    ]
    return [fmt.format(v) for (_, fmt), v in zip(COLUMNS, values, strict=True)]


def print_table(levels: list[Level]) -> None:
    header = "| " + " | ".join(name for name, _ in COLUMNS) + " |"
    print(header)
    print("|" + "---|" * len(COLUMNS))
    for level in levels:
        print("| " + " | ".join(row(level)) + " |")
    for level in levels:
        if level.errors:
            print(f"errors at {level.db} N={level.concurrency}: {level.error_detail}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[10, 50, 200])
    parser.add_argument("--think", type=float, nargs="+", default=[1.0, 3.0], help="MIN [MAX]")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reply-timeout", type=float, default=30.0)
    parser.add_argument("--json", action="store_true", help="one JSON object per level")
    args = parser.parse_args()
    think = (args.think[0], args.think[-1])
    scripts = persona_scripts()
    print(
        f"{len(scripts)} persona scripts, "
        f"{statistics.mean(len(s.messages) for s in scripts):.1f} messages each on average; "
        f"{os.cpu_count()} CPUs",
        file=sys.stderr,
    )
    levels = []
    for n in args.concurrency:
        level = run_level(args.db, n, think, args.seed, args.reply_timeout, scripts)
        levels.append(level)
        if args.json:
            print(json.dumps(asdict(level), ensure_ascii=False))
    if not args.json:
        print_table(levels)


if __name__ == "__main__":
    main()
