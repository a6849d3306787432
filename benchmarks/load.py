"""Load: N simulated candidates chatting at once with the real server, through socket.io as the
browser does. Prints turn latency percentiles, errors, memory, CPU per turn and a database check
(every candidate turn stored once, every screening completed).

    python benchmarks/load.py --db sqlite --concurrency 10 50 200
    python benchmarks/load.py --db postgresql --concurrency 10 50 200
    python benchmarks/load.py --db sqlite --concurrency 50 --think 0      # stress: no think time
    python benchmarks/load.py --db postgresql --concurrency 200 --profile # CPU ms per turn, by part
    python benchmarks/load.py --instances 2 --concurrency 200 400        # behind HAProxy

Each level starts fresh servers (`python -m chatbot.cli serve` from this checkout, offline mode)
on free loopback ports with a fresh database (a temporary SQLite file, or a new PostgreSQL
database `load_<hex>` dropped afterwards) migrated once with `db upgrade`, warms each up
(/healthz, then one full conversation so the PII models are loaded), then runs N candidates at
once. With --instances N (PostgreSQL), N servers share the database behind HAProxy
(/usr/sbin/haproxy, Debian's package) with a sticky cookie, as in docs/deploiement.md; each
candidate first loads its invitation page through the proxy (which picks its server and sets the
cookie), then talks to that server only. --kill-after F kills (SIGKILL) the first instance once a
fraction F of the messages has been sent: its candidates reconnect through the proxy, see their
history from the database, and resend their last message only if it was not stored.

Each candidate opens its invitation link, accepts the consent, replays one persona of
evals/personas/ (the messages the offline engine needs to finish, replayed beforehand with the
same pseudonymiser and today's date), confirms the recap and leaves. Between two messages a
candidate "reads and types" for a think time drawn uniformly in --think MIN MAX seconds
(default 1 3, seeded per candidate).

Turn latency = message emitted -> the assistant's reply to it received (timestamped in the
socket event handler). Errors = apology messages, replies not received within --reply-timeout,
unexpected disconnects (except those of a killed instance), client exceptions, and ERROR lines in
the server logs. CPU ms per turn = the servers' CPU time during the run (/proc) divided by the
candidate messages answered; it includes opening the link and the consent. On a shared machine
it is the robust figure: latency depends on what else runs.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import http.cookiejar
import json
import os
import random
import secrets
import shutil
import signal
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
from chatbot.web.texts import (  # noqa: E402
    ACCEPTED,
    ALREADY_COMPLETED,
    APOLOGY,
    CONSENT,
    NOT_STORED,
    WELCOME_BACK,
)

CONSENT_QUESTION = CONSENT.rsplit("\n", 1)[-1]
ALREADY_COMPLETED_START = ALREADY_COMPLETED.split("{", 1)[0]
COOKIE = "SCREENING_SERVER"  # HAProxy's sticky-session cookie
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


def persona_scripts(one_per_training: bool = False) -> list[Script]:
    """One script per persona (or for the first persona of each training, quicker to make):
    its candidate messages, replayed offline as the server will."""
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
    done: set[str] = set()
    for persona in load_personas(ROOT / "evals" / "personas"):
        if persona.rubric not in rubrics or (one_per_training and persona.rubric in done):
            continue
        run = replay(persona.model_copy(update={"today": today}), rubrics[persona.rubric], begin)
        if not run.result.complete:
            continue
        said = tuple(text for who, text in run.transcript if who == "candidate")
        name = Path(persona.path).stem
        scripts.append(Script(name, persona.rubric, persona.session, said))
        done.add(persona.rubric)
    return scripts


# --- the servers -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    name: str
    process: subprocess.Popen
    base_url: str  # its own address (warm-up, health); candidates go through the deployment's
    log_path: Path
    profile_path: Path | None = None
    killed: bool = False

    def rss_kb(self) -> int:
        if self.killed or self.process.poll() is not None:
            return 0
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        line = next((x for x in status.splitlines() if x.startswith("VmRSS:")), "VmRSS: 0 kB")
        return int(line.split()[1])

    def cpu_s(self) -> float:
        """User + system CPU seconds of the process so far (0 once it is gone)."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def cpu_parts(self) -> dict[str, float]:
        """The --profile totals (benchmarks/turn_cpu.py), asked for with SIGUSR1."""
        if self.profile_path is None or self.process.poll() is not None:
            return {}
        with contextlib.suppress(FileNotFoundError):
            self.profile_path.unlink()
        self.process.send_signal(signal.SIGUSR1)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(FileNotFoundError, json.JSONDecodeError):
                return json.loads(self.profile_path.read_text())
            time.sleep(0.05)
        return {}

    def log_errors(self) -> list[str]:
        lines = self.log_path.read_text(errors="replace").splitlines()
        return [x for x in lines if " ERROR " in x or x.startswith("Traceback")]

    def kill(self) -> None:
        self.killed = True
        self.process.kill()


@dataclass
class Deployment:
    """One server, or several behind HAProxy; `base_url` is where candidates go."""

    base_url: str
    database_url: str
    settings: Settings
    servers: list[Server]
    proxy: subprocess.Popen | None = None

    @property
    def log_path(self) -> Path:  # one server: its log
        return self.servers[0].log_path

    def rss_kb(self) -> int:
        return sum(server.rss_kb() for server in self.servers)


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


def screening_command(*args: str, profile: bool = False) -> list[str]:
    """This checkout's CLI (not whichever `screening` is installed), run from ROOT."""
    module = "benchmarks.turn_cpu" if profile else "chatbot.cli"
    return [sys.executable, "-m", module, *args]


HAPROXY = "/usr/sbin/haproxy"
HAPROXY_CONFIG = """\
global
    maxconn 8000
defaults
    mode http
    option redispatch
    retries 3
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout tunnel 1h
frontend chat
    bind {host}:{port}
    default_backend screening
backend screening
    balance roundrobin
    option httpchk GET /healthz
    cookie SCREENING_SERVER insert indirect nocache httponly
{servers}
"""


def haproxy_config(host: str, port: int, servers: list[Server]) -> str:
    lines = [
        f"    server {s.name} {s.base_url.removeprefix('http://')} "
        f"check inter 1s fall 2 rise 2 cookie {s.name}"
        for s in servers
    ]
    return HAPROXY_CONFIG.format(host=host, port=port, servers="\n".join(lines))


@contextlib.contextmanager
def deployment(kind: str, instances: int = 1, profile: bool = False, served_url=None):
    """`instances` servers in subprocesses, offline, one database migrated once, behind HAProxy
    when there are several. `served_url(url)` gives the database address the servers use (a
    proxy's, in fault tests)."""
    if instances > 1 and kind != "postgresql":
        raise ValueError("several instances share one PostgreSQL database (--db postgresql)")
    data_dir = Path(tempfile.mkdtemp(prefix="load-"))
    try:
        with fresh_database(kind, data_dir) as database_url:
            ports = [free_port() for _ in range(instances)]
            proxy_port = free_port() if instances > 1 else ports[0]
            base_url = f"http://{HOST}:{proxy_port}"
            secret_key = secrets.token_urlsafe(32)
            settings = Settings(
                data_dir=data_dir,
                database_url=database_url,
                secret_key=secret_key,
                public_url=base_url,
            )
            env = {k: v for k, v in os.environ.items() if not k.startswith("SCREENING_")}
            env.update(
                SCREENING_DATABASE_URL=served_url(database_url) if served_url else database_url,
                SCREENING_SECRET_KEY=secret_key,  # the same on every instance: links, sessions
                SCREENING_PUBLIC_URL=base_url,
                SCREENING_ALLOWED_ORIGINS=json.dumps([base_url]),
            )
            subprocess.run(
                screening_command("db", "upgrade"),
                env={
                    **env,
                    "SCREENING_DATA_DIR": str(data_dir),
                    "SCREENING_DATABASE_URL": database_url,
                },
                cwd=ROOT,
                check=True,
                capture_output=True,
            )
            with contextlib.ExitStack() as stack:
                servers = [
                    stack.enter_context(_server(f"s{i + 1}", port, data_dir, env, profile))
                    for i, port in enumerate(ports)
                ]
                for server in servers:
                    _wait_healthy(server)
                proxy = None
                if instances > 1:
                    proxy = stack.enter_context(_haproxy(proxy_port, servers, data_dir))
                    _wait_proxy(base_url, instances)
                yield Deployment(base_url, database_url, settings, servers, proxy)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


running_server = deployment  # one server: tests/test_records.py, tests/test_chat_guard.py


@contextlib.contextmanager
def _server(name: str, port: int, data_dir: Path, env: dict, profile: bool):
    own_dir = data_dir / name  # Chainlit's files are copied there at start
    own_dir.mkdir()
    log_path = own_dir / "server.log"
    profile_path = own_dir / "cpu.json" if profile else None
    env = {**env, "SCREENING_DATA_DIR": str(own_dir)}
    if profile_path:
        env["SCREENING_CPU_PROFILE"] = str(profile_path)
    command = screening_command("serve", "--host", HOST, "--port", str(port), profile=profile)
    with log_path.open("w") as log:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    server = Server(name, process, f"http://{HOST}:{port}", log_path, profile_path)
    try:
        yield server
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


@contextlib.contextmanager
def _haproxy(port: int, servers: list[Server], data_dir: Path):
    if not Path(HAPROXY).exists():
        raise RuntimeError(f"{HAPROXY} is missing (apt-get install haproxy)")
    config = data_dir / "haproxy.cfg"
    config.write_text(haproxy_config(HOST, port, servers))
    subprocess.run([HAPROXY, "-c", "-q", "-f", str(config)], check=True)
    log = (data_dir / "haproxy.log").open("w")
    process = subprocess.Popen([HAPROXY, "-db", "-f", str(config)], stdout=log, stderr=log)
    try:
        yield process
    finally:
        process.terminate()
        process.wait(10)
        log.close()


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


def _wait_proxy(base_url: str, instances: int) -> None:
    """Until HAProxy's health checks have seen every server up (each answers once)."""
    deadline = time.monotonic() + 30
    seen: set[str] = set()
    while time.monotonic() < deadline and len(seen) < instances:
        with contextlib.suppress(httpx.HTTPError):
            response = httpx.get(f"{base_url}/healthz", timeout=2)
            if response.status_code == 200 and (name := response.cookies.get(COOKIE)):
                seen.add(name)
        time.sleep(0.2)
    if len(seen) < instances:
        raise TimeoutError(f"the proxy reached {sorted(seen)} only")


def invitation_link(deployment: Deployment, ref: str, script: Script) -> str:
    from chatbot.web.invitations import Invitation, invitation_url

    invitation = Invitation(ref, script.training_id, script.session_id)
    return invitation_url(invitation, deployment.settings)


# --- one candidate ---------------------------------------------------------------------------------


class Disconnected(Exception):
    """The socket closed while the candidate waited for a reply."""


@dataclass
class Outcome:
    ref: str
    server: str = ""  # the instance that answered last (HAProxy's cookie), "" without a proxy
    sent: int = 0
    latencies: list[float] = field(default_factory=list)
    sent_at: list[float] = field(default_factory=list)  # perf_counter() of each latency's message
    open_latency: float | None = None
    apologies: int = 0
    timeouts: int = 0
    disconnects: int = 0
    reconnects: int = 0
    resent: int = 0
    exception: str | None = None
    finished: bool = False


class Candidate:
    """A browser tab: socket.io with the invitation page as Referer, messages typed by hand.
    Behind a proxy it first loads the page (the proxy's cookie picks its server). With `resume`,
    a lost connection is opened again (the tab reloaded): the history the server puts on the
    page (`resume_thread`) says which of its messages were stored, and only a message that was
    not is sent again."""

    def __init__(
        self, base_url: str, link: str, ref: str, reply_timeout: float, proxied: bool = False
    ):
        self.base_url, self.link, self.reply_timeout = base_url, link, reply_timeout
        self.proxied = proxied
        self.outcome = Outcome(ref)
        self.cookie = ""
        self.resume = False

    def _new_socket(self) -> None:
        """A socket whose events go to a queue of its own (a dead socket's never mix in)."""
        self.session_id = str(uuid.uuid4())
        self.inbox = inbox = asyncio.Queue()
        self.actions = actions = []
        self.sio = socketio.AsyncClient(reconnection=False)

        async def on_message(data: dict) -> None:
            kind = data.get("type")
            if kind not in ("assistant_message", "user_message"):
                return  # a "run" step
            output = data.get("output", "")
            if kind == "assistant_message":
                if APOLOGY in output or NOT_STORED in output:  # an error, or not stored
                    self.outcome.apologies += 1
                actions.extend(data.get("actions") or [])
            await inbox.put((time.perf_counter(), kind, output))

        def on_history(thread: dict) -> None:
            """Opening the page replaces it by the stored history (Chainlit's `resume_thread`):
            its candidate messages are the ones the server stored."""
            steps = thread.get("steps") or []
            stored = sum(1 for step in steps if step.get("type") == "user_message")
            inbox.put_nowait((time.perf_counter(), "history", str(stored)))

        def on_disconnect(*_args) -> None:
            if not self.outcome.finished:
                inbox.put_nowait((time.perf_counter(), "disconnect", ""))

        self.sio.on("new_message", on_message)
        self.sio.on("resume_thread", on_history)
        self.sio.on("action", actions.append)
        self.sio.on("disconnect", on_disconnect)

    async def run(self, http: httpx.AsyncClient, messages, think) -> Outcome:
        try:
            await self._open(http)
            index = 0
            while index < len(messages):
                await asyncio.sleep(think())
                try:
                    await self._say(messages[index])
                    index += 1
                except Disconnected:
                    if not self.resume:
                        raise
                    self.outcome.reconnects += 1
                    index = await self._reopen(http)
            self.outcome.finished = True
        except TimeoutError:
            self.outcome.timeouts += 1
        except Disconnected:
            self.outcome.disconnects += 1
        except Exception as problem:  # reported, never raised: one failure must not stop the run
            self.outcome.exception = repr(problem)[:300]
        finally:
            with contextlib.suppress(Exception):
                await self.sio.disconnect()
        return self.outcome

    async def _load_page(self, http: httpx.AsyncClient) -> None:
        """The invitation page through the proxy: its cookie names the server to stick to."""
        headers = {"Cookie": self.cookie} if self.cookie else {}
        response = await http.get(self.link, headers=headers)
        response.raise_for_status()
        if name := response.cookies.get(COOKIE):
            self.cookie = f"{COOKIE}={name}"
        self.outcome.server = self.cookie.partition("=")[2]

    async def _connect(self, http: httpx.AsyncClient) -> None:
        self._new_socket()
        if self.proxied:
            await self._load_page(http)
        headers = {"Referer": self.link, "Origin": self.base_url}
        if self.cookie:
            headers["Cookie"] = self.cookie
        await self.sio.connect(
            self.base_url,
            socketio_path="/ws/socket.io",
            transports=["websocket"],
            headers=headers,
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

    async def _open(self, http: httpx.AsyncClient) -> None:
        start = time.perf_counter()
        await self._connect(http)
        await self._until(lambda text: CONSENT_QUESTION in text)
        self.outcome.open_latency = time.perf_counter() - start
        accept = await self._consent_action()
        headers = {"Referer": self.link}  # a click counts only from its invitation's page
        if self.cookie:
            headers["Cookie"] = self.cookie
        response = await http.post(
            f"{self.base_url}/project/action",
            json={"sessionId": self.session_id, "action": accept},
            headers=headers,
        )
        response.raise_for_status()
        await self._until(lambda text: text.startswith(ACCEPTED))
        await self._until(lambda text: True)  # the first question

    async def _reopen(self, http: httpx.AsyncClient) -> int:
        """Reload the page until a server answers; return how many messages it has stored."""
        deadline = time.monotonic() + self.reply_timeout
        while True:
            with contextlib.suppress(Exception):
                await self.sio.disconnect()
            try:
                await self._connect(http)
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.5)
        stored = 0
        async with asyncio.timeout(self.reply_timeout):
            while True:  # the history, then "welcome back" and the pending question
                _, kind, text = await self.inbox.get()
                if kind == "disconnect":
                    raise Disconnected
                if kind == "history":  # the page's messages, replaced at once
                    stored = int(text)
                elif kind != "assistant_message":
                    continue
                elif text == WELCOME_BACK:
                    break
                elif ALREADY_COMPLETED_START in text:
                    return 1 << 30  # the last message finished it
            await self._until(lambda text: True)
        if stored < self.outcome.sent:
            self.outcome.resent += self.outcome.sent - stored
            self.outcome.sent = stored
        return stored

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
        try:
            await self.sio.emit("client_message", {"message": message, "fileReferences": None})
        except socketio.exceptions.BadNamespaceError:  # closed before the event said so
            raise Disconnected from None
        self.outcome.sent += 1
        received, _ = await self._until(lambda _text: True)
        self.outcome.latencies.append(received - sent)
        self.outcome.sent_at.append(sent)

    async def _until(self, wanted) -> tuple[float, str]:
        async with asyncio.timeout(self.reply_timeout):
            while True:
                received, kind, text = await self.inbox.get()
                if kind == "disconnect":
                    raise Disconnected
                if kind == "assistant_message" and wanted(text):
                    return received, text


# --- one level ------------------------------------------------------------------------------------


@dataclass
class InstanceFigures:
    name: str
    candidates: int
    turns: int
    p95_ms: float
    cpu_ms_per_turn: float
    rss_warm_mb: float
    rss_peak_mb: float
    killed: bool


@dataclass
class Level:
    db: str
    instances: int
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
    duplicated_turns: int
    incomplete_screenings: int
    reconnects: int
    rss_before_mb: float
    rss_peak_mb: float
    mb_per_conversation: float
    turns_per_s: float
    cpu_ms_per_turn: float
    cpu_parts_ms_per_turn: dict
    per_instance: list[InstanceFigures]
    client_lag_p95_ms: float
    client_cpu_ms_per_turn: float
    timeline: list[tuple[int, int, float, float]]  # window start s, turns, p50 ms, p95 ms
    load_avg: tuple[float, float]
    wall_s: float


def run_level(
    kind: str,
    concurrency: int,
    think: tuple[float, float] = (1.0, 3.0),
    seed: int = 1,
    reply_timeout: float = 30.0,
    scripts: list[Script] | None = None,
    instances: int = 1,
    profile: bool = False,
    kill_after: float | None = None,
    ramp: float = 0.0,
) -> Level:
    scripts = scripts or persona_scripts()
    with deployment(kind, instances, profile) as deployed:
        for server in deployed.servers:
            asyncio.run(_warm_up(deployed, server, scripts[0], reply_timeout))
        assignment = [scripts[i % len(scripts)] for i in range(concurrency)]
        refs = [f"LOAD-{i:04d}" for i in range(concurrency)]
        links = [invitation_link(deployed, ref, s) for ref, s in zip(refs, assignment, strict=True)]
        servers = deployed.servers
        rss_warm = [s.rss_kb() for s in servers]
        cpu_before = [s.cpu_s() for s in servers]
        parts_before = [s.cpu_parts() for s in servers]
        print(
            f"{kind}: {instances} server(s) warm (pids "
            f"{', '.join(str(s.process.pid) for s in servers)}), {concurrency} candidates",
            file=sys.stderr,
        )
        load_start = os.getloadavg()[0]
        client_cpu = time.process_time()
        started = time.perf_counter()
        outcomes, rss_peak, lags = asyncio.run(
            _run_candidates(
                deployed, links, refs, assignment, think, seed, reply_timeout, kill_after, ramp
            )
        )
        wall = time.perf_counter() - started
        client_cpu = time.process_time() - client_cpu
        load_end = os.getloadavg()[0]
        cpu = [s.cpu_s() - before for s, before in zip(servers, cpu_before, strict=True)]
        parts = [_difference(s.cpu_parts(), b) for s, b in zip(servers, parts_before, strict=True)]
        rss_end = [s.rss_kb() for s in servers]
        database = check_database(deployed.database_url, outcomes)
        log_errors = [x for s in servers if not s.killed for x in s.log_errors()]
        per_instance = _per_instance(servers, outcomes, cpu, rss_warm, rss_peak, rss_end)
    return _summarise(
        (kind, instances, concurrency, think),
        outcomes,
        database,
        (sum(rss_warm), sum(max(p, e) for p, e in zip(rss_peak, rss_end, strict=True))),
        (sum(cpu), _sum_parts(parts)),
        per_instance,
        (lags, client_cpu),
        log_errors,
        (load_start, load_end),
        wall,
    )


async def _warm_up(deployed: Deployment, server: Server, script: Script, reply_timeout) -> None:
    """One whole conversation with this server directly (not through the proxy)."""
    link = invitation_link(deployed, f"{WARM_UP_REF}-{server.name}", script)
    async with httpx.AsyncClient(timeout=reply_timeout) as http:
        # The first turns wait for the PII models: allow them the server's start time.
        ref = f"{WARM_UP_REF}-{server.name}"
        candidate = Candidate(server.base_url, link, ref, START_TIMEOUT_S, proxied=False)
        outcome = await candidate.run(http, script.messages, lambda: 0.0)
    if not outcome.finished:
        raise RuntimeError(f"warm-up conversation failed: {outcome}")


async def _run_candidates(
    deployed, links, refs, assignment, think, seed, reply_timeout, kill_after, ramp=0.0
):
    servers = deployed.servers
    rss_peak = [s.rss_kb() for s in servers]
    lags: list[float] = []
    stop = asyncio.Event()
    proxied = deployed.proxy is not None
    candidates = [
        Candidate(deployed.base_url, link, ref, reply_timeout, proxied)
        for link, ref in zip(links, refs, strict=True)
    ]
    total_messages = sum(len(s.messages) for s in assignment)

    async def watch() -> None:
        """Servers' memory peaks, the client's own event-loop lag (it inflates latencies), and
        the instance to kill once enough messages were sent."""
        while not stop.is_set():
            before = time.perf_counter()
            await asyncio.sleep(0.1)
            lags.append(time.perf_counter() - before - 0.1)
            for i, server in enumerate(servers):
                rss_peak[i] = max(rss_peak[i], server.rss_kb())
            sent = sum(c.outcome.sent for c in candidates)
            if (
                kill_after is not None
                and not servers[0].killed
                and sent >= kill_after * total_messages
            ):
                print(f"killing {servers[0].name} after {sent} messages", file=sys.stderr)
                servers[0].kill()

    for candidate in candidates:
        candidate.resume = kill_after is not None
    budget = total_messages / len(assignment)
    overall_timeout = 120 + budget * (think[1] + reply_timeout) * 2
    limits = httpx.Limits(max_connections=len(links) + 10)
    # No shared cookie jar: each candidate keeps its own proxy cookie, as its browser would.
    no_cookies = http.cookiejar.CookieJar(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    async with httpx.AsyncClient(
        timeout=reply_timeout, limits=limits, cookies=no_cookies
    ) as client:
        watcher = asyncio.create_task(watch())
        runs = [
            _after(
                ramp * i / len(candidates), c.run(client, s.messages, _think_time(think, seed, i))
            )
            for i, (c, s) in enumerate(zip(candidates, assignment, strict=True))
        ]
        try:
            outcomes = await asyncio.wait_for(asyncio.gather(*runs), overall_timeout)
        finally:
            stop.set()
            await watcher
    return outcomes, rss_peak, lags


async def _after(delay: float, run):
    """Candidates opening their link over `--ramp` seconds rather than all in the same instant."""
    await asyncio.sleep(delay)
    return await run


def _think_time(think: tuple[float, float], seed: int, index: int):
    low, high = think
    rng = random.Random(seed * 1_000_003 + index)
    return lambda: rng.uniform(low, high) if high > 0 else 0.0


def check_database(database_url: str, outcomes: list[Outcome]) -> tuple[int, int, int]:
    """(candidate turns sent but not stored, turns stored more often than sent, screenings not
    completed) for these candidates."""
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
    duplicated = sum(max(0, stored.get(o.ref, 0) - o.sent) for o in outcomes)
    return lost, duplicated, len(outcomes) - completed


def _percentile(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] * 1000 if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000


def _difference(after: dict, before: dict) -> dict:
    return {k: v - before.get(k, 0.0) for k, v in after.items()}


def _sum_parts(parts: list[dict]) -> dict:
    total: dict[str, float] = {}
    for one in parts:
        for k, v in one.items():
            total[k] = total.get(k, 0.0) + v
    return total


def _per_instance(servers, outcomes, cpu, rss_warm, rss_peak, rss_end) -> list[InstanceFigures]:
    figures = []
    for i, server in enumerate(servers):
        mine = [o for o in outcomes if o.server in ("", server.name)]
        latencies = [x for o in mine for x in o.latencies]
        figures.append(
            InstanceFigures(
                name=server.name,
                candidates=len(mine),
                turns=len(latencies),
                p95_ms=_percentile(latencies, 95),
                cpu_ms_per_turn=cpu[i] * 1000 / max(1, len(latencies)),
                rss_warm_mb=rss_warm[i] / 1024,
                rss_peak_mb=max(rss_peak[i], rss_end[i]) / 1024,
                killed=server.killed,
            )
        )
    return figures


def _summarise(what, outcomes, database, rss, cpu, per_instance, client, log_errors, load, wall):
    kind, instances, concurrency, think = what
    lags, client_cpu_s = client
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
    cpu_s, parts = cpu
    turns = max(1, len(latencies))
    parts_ms = {}
    if parts:
        process = parts.pop("process", cpu_s)
        parts_ms = {k: round(v * 1000 / turns, 2) for k, v in sorted(parts.items())}
        parts_ms["socket.io / Chainlit / uvicorn"] = round(
            (process - sum(parts.values())) * 1000 / turns, 2
        )
    return Level(
        db=kind,
        instances=instances,
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
        lost_turns=database[0],
        duplicated_turns=database[1],
        incomplete_screenings=database[2],
        reconnects=sum(o.reconnects for o in outcomes),
        rss_before_mb=rss_before / 1024,
        rss_peak_mb=rss_peak / 1024,
        mb_per_conversation=(rss_peak - rss_before) / 1024 / concurrency,
        turns_per_s=len(latencies) / wall,
        cpu_ms_per_turn=cpu_s * 1000 / turns,
        cpu_parts_ms_per_turn=parts_ms,
        per_instance=per_instance,
        client_lag_p95_ms=_percentile(lags, 95),
        client_cpu_ms_per_turn=client_cpu_s * 1000 / turns,
        timeline=_timeline(outcomes),
        load_avg=load,
        wall_s=wall,
    )


def _timeline(outcomes, window_s: int = 10) -> list[tuple[int, int, float, float]]:
    """Latency by window of the run: a saturated start (every link opened at once) or a
    saturated whole run read differently."""
    pairs = [(t, x) for o in outcomes for t, x in zip(o.sent_at, o.latencies, strict=True)]
    if not pairs:
        return []
    start = min(t for t, _ in pairs)
    windows: dict[int, list[float]] = {}
    for t, x in pairs:
        windows.setdefault(int((t - start) // window_s) * window_s, []).append(x)
    return [
        (w, len(xs), _percentile(xs, 50), _percentile(xs, 95)) for w, xs in sorted(windows.items())
    ]


# --- command line ---------------------------------------------------------------------------------

COLUMNS = (
    ("db", "{}"),
    ("inst", "{}"),
    ("N", "{}"),
    ("think s", "{}"),
    ("done", "{}"),
    ("turns", "{}"),
    ("turns/s", "{:.1f}"),
    ("p50 ms", "{:.0f}"),
    ("p95 ms", "{:.0f}"),
    ("p99 ms", "{:.0f}"),
    ("max ms", "{:.0f}"),
    ("open p95 ms", "{:.0f}"),
    ("errors", "{}"),
    ("lost", "{}"),
    ("dup", "{}"),
    ("incomplete", "{}"),
    ("CPU ms/turn", "{:.1f}"),
    ("RSS MB", "{}"),
    ("MB/conv", "{:.2f}"),
    ("client lag p95 ms", "{:.0f}"),
    ("client CPU ms/turn", "{:.1f}"),
    ("load 1m", "{}"),
    ("wall s", "{:.0f}"),
)


def row(level: Level) -> list[str]:
    values = [
        level.db,
        level.instances,
        level.concurrency,
        "{:g}-{:g}".format(*level.think),
        level.completed,
        level.turns,
        level.turns_per_s,
        level.p50_ms,
        level.p95_ms,
        level.p99_ms,
        level.max_ms,
        level.open_p95_ms,
        level.errors,
        level.lost_turns,
        level.duplicated_turns,
        level.incomplete_screenings,
        level.cpu_ms_per_turn,
        f"{level.rss_before_mb:.0f}→{level.rss_peak_mb:.0f}",
        level.mb_per_conversation,
        level.client_lag_p95_ms,
        level.client_cpu_ms_per_turn,
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
        title = f"{level.db} N={level.concurrency}"
        if level.instances > 1:
            print(f"\nper instance at {title} (reconnects: {level.reconnects}):")
            print(
                "| instance | candidates | turns | p95 ms | CPU ms/turn | RSS warm→peak MB | killed |"
            )
            print("|---|---|---|---|---|---|---|")
            for one in level.per_instance:
                print(
                    f"| {one.name} | {one.candidates} | {one.turns} | {one.p95_ms:.0f} | "
                    f"{one.cpu_ms_per_turn:.1f} | {one.rss_warm_mb:.0f}→{one.rss_peak_mb:.0f} | "
                    f"{'yes' if one.killed else ''} |"
                )
        print(
            f"\nlatency by {title} window: "
            + ", ".join(
                f"{w}s: {n} turns p50 {p50:.0f} p95 {p95:.0f}" for w, n, p50, p95 in level.timeline
            )
        )
        if level.cpu_parts_ms_per_turn:
            print(f"\nCPU ms per turn at {title}:")
            for part, ms in level.cpu_parts_ms_per_turn.items():
                print(f"  {part:32} {ms:6.2f}")
        if level.errors:
            print(f"errors at {title}: {level.error_detail}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default=None)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[10, 50, 200])
    parser.add_argument("--think", type=float, nargs="+", default=[1.0, 3.0], help="MIN [MAX]")
    parser.add_argument("--instances", type=int, default=1, help="servers behind HAProxy")
    parser.add_argument("--profile", action="store_true", help="CPU per turn by part")
    parser.add_argument("--kill-after", type=float, help="kill one instance after this fraction")
    parser.add_argument("--ramp", type=float, default=0.0, help="open the links over S seconds")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reply-timeout", type=float, default=30.0)
    parser.add_argument("--json", action="store_true", help="one JSON object per level")
    args = parser.parse_args()
    kind = args.db or ("postgresql" if args.instances > 1 else "sqlite")
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
        level = run_level(
            kind,
            n,
            think,
            args.seed,
            args.reply_timeout,
            scripts,
            instances=args.instances,
            profile=args.profile,
            kill_after=args.kill_after,
            ramp=args.ramp,
        )
        levels.append(level)
        if args.json:
            print(json.dumps(asdict(level), ensure_ascii=False))
    if not args.json:
        print_table(levels)


if __name__ == "__main__":
    main()
