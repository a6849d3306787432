"""The one ASGI app: /healthz, the counsellor dashboard (/conseiller/, /api/), the chat at /.

Chainlit reads its settings (.chainlit/config.toml, chainlit_fr-FR.md, public/) from
CHAINLIT_APP_ROOT at import time, so that variable is set before the first import of chainlit, to
a copy of the shipped files in the data directory (chatbot/resources.py). Chainlit is mounted
last: its catch-all route would hide any later route.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlparse

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from chatbot.resources import chainlit_root
from chatbot.settings import Settings, get_settings
from chatbot.web import security

log = logging.getLogger(__name__)


def allowed_origins(settings: Settings) -> list[str]:
    """The configured origins plus the public address' own."""
    public = urlparse(settings.public_url)
    origins = [o.rstrip("/") for o in settings.allowed_origins]
    if public.scheme and public.netloc:
        origins.append(f"{public.scheme}://{public.netloc}")
    return sorted(set(origins))


def socket_origin_check(origins: list[str]):
    """For the chat's websocket: an allowed origin, or the very address the page came from."""

    def allowed(origin: str | None, environ: dict) -> bool:
        if origin is None or origin in origins:
            return True
        scheme = environ.get("wsgi.url_scheme", "http")
        return origin == f"{scheme}://{environ.get('HTTP_HOST', '')}"

    return allowed


def _chainlit_app(origins: list[str], data_dir: Path):
    os.environ.setdefault("CHAINLIT_APP_ROOT", str(chainlit_root(data_dir)))
    from chainlit.config import config

    config.project.allow_origins = origins  # read when chainlit.server is first imported
    from chainlit.server import app, sio

    from chatbot.web import chat  # importing registers the chat's handlers
    from chatbot.web.chat_guard import guard_socket

    sio.eio.cors_allowed_origins = socket_origin_check(origins)
    sio.eio.max_http_buffer_size = chat.MAX_SOCKET_BYTES  # above the message limit: answered
    if not getattr(sio, "guarded", False):  # once per process: tests build several apps
        guard_socket(sio)
        sio.guarded = True
    return app


def _health() -> dict:
    from storage.db import check_health, get_engine

    check_health(get_engine())  # the schema is there and a write can be made
    return {"status": "ok"}


# Threads for the chat's blocking work (`asyncio.to_thread`: parsing, PII, database). One process
# runs Python on one core at a time: more threads only wait for each other. At 200 candidates on
# PostgreSQL, p95 was 165-509 ms with 3 threads against 940-1 185 ms with asyncio's default 6
# (docs/evaluation.md §5); a database round trip still overlaps another turn's parsing.
WORKER_THREADS = 3


@asynccontextmanager
async def lifespan(_app: FastAPI):
    from chatbot.web import screenings

    asyncio.get_running_loop().set_default_executor(
        ThreadPoolExecutor(WORKER_THREADS, thread_name_prefix="chat")
    )
    # Fail closed: no chat without the pseudonymiser (raises PseudonymizerUnavailable).
    await asyncio.to_thread(_warm_up_pii)
    await asyncio.to_thread(screenings.prepare)
    await asyncio.to_thread(_warm_up_chat)
    screenings.report_skipped_rubrics()  # skipped: the other trainings keep working
    every = get_settings().remind_every_minutes
    reminders = asyncio.create_task(_remind_every(every * 60)) if every else None
    yield
    if reminders is not None:
        reminders.cancel()


async def _remind_every(seconds: float) -> None:
    """`screening remind` on a schedule, inside the server (SCREENING_REMIND_EVERY_MINUTES)."""
    from chatbot.campaigns import remind
    from storage.db import session_scope

    def once() -> None:
        with session_scope() as db:
            remind(db, get_settings())

    own_thread = ThreadPoolExecutor(1, thread_name_prefix="reminders")  # not one of the chat's
    while True:
        await asyncio.sleep(seconds)
        try:
            await asyncio.get_running_loop().run_in_executor(own_thread, once)
        except Exception:
            log.exception("scheduled reminders failed")


def _warm_up_pii() -> None:
    """Load the PII models (seconds) before the first message; raise if they cannot load."""
    import pii

    pii.warm_up()


def _warm_up_chat() -> None:
    """Read a few chat messages offline (word lists, lemma tables, date reader), then set the
    loaded objects aside from the garbage collector: with ~700 MB of models and word lists on
    the heap, every full collection walked them all and stalled every turn in progress."""
    import datetime as dt

    from chatbot.conversation import Conversation
    from chatbot.web.screenings import rubrics

    for rubric in list(rubrics().values())[:1]:
        conversation, _ = Conversation.begin(rubric)
        for text in ("jai 23 ans", "ouais chui dispo des janvier", "c quoi le salaire"):
            conversation.handle(text, dt.date.today())
    gc.collect()
    gc.freeze()


def include_dashboard(app: FastAPI) -> None:
    """The counsellor dashboard's routes, added before the chat catches every other path.

    The dashboard package provides `chatbot.web.dashboard.include_dashboard(app)`; until it does,
    /conseiller/ and /api/ refuse everyone (chatbot/web/closed.py).
    """
    import importlib

    try:
        dashboard = importlib.import_module("chatbot.web.dashboard")
    except ModuleNotFoundError as missing:
        if missing.name != "chatbot.web.dashboard":
            raise
        dashboard = None
    if dashboard is not None and hasattr(dashboard, "include_dashboard"):
        dashboard.include_dashboard(app)
        return
    from chatbot.web import closed

    closed.include_dashboard(app)


def build_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    origins = allowed_origins(settings)
    app = FastAPI(
        title="screening",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )

    @app.get("/healthz", include_in_schema=False)
    async def healthz():
        from chatbot.web.screenings import skipped_rubrics

        try:
            health = await asyncio.to_thread(_health)
        except Exception:
            log.exception("health check failed")
            return JSONResponse({"status": "database unavailable"}, status_code=503)
        return health | {"skipped_rubrics": skipped_rubrics()}  # files that did not load

    include_dashboard(app)
    from chatbot.web import optout

    app.include_router(optout.router)

    @app.api_route("/conseiller/{rest:path}", methods=["GET", "POST"], include_in_schema=False)
    @app.api_route("/api/{rest:path}", methods=["GET", "POST"], include_in_schema=False)
    async def not_the_chat(rest: str):
        """Unknown counsellor paths end here, not in the chat's catch-all page."""
        return JSONResponse({"detail": "introuvable"}, status_code=404)

    chat = _chainlit_app(origins, settings.data_dir)

    @app.get("/", include_in_schema=False)
    async def chat_page():
        """Chainlit's page, without third-party fonts and styles (chatbot/web/security.py)."""
        return HTMLResponse(security.chat_page().html)

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon():  # browsers ask for it on every page, the dashboard's too
        return RedirectResponse("/favicon", status_code=308)

    app.mount("/", chat)
    _harden(app, settings)
    return app


def _harden(app: FastAPI, settings: Settings) -> None:
    """Outermost first: access log, headers, chat routes, body limit, the chat's button clicks."""
    from chatbot.signing import secret_key
    from chatbot.web.chat_guard import ActionGuard
    from storage.db import private_dir

    private_dir(settings.data_dir)
    security.quiet_uvicorn_query_strings()
    secret_key(settings)  # made now, or refused now if too short: not at the first login
    headers = security.HeaderPolicy(
        https=settings.public_url.startswith("https://"), chat_csp=security.chat_page().csp
    )
    app.add_middleware(ActionGuard)
    app.add_middleware(security.BodyLimit)
    app.add_middleware(security.ChatRoutes)
    app.add_middleware(security.SecurityHeaders, policy=headers)
    app.add_middleware(security.AccessLog)


def serve(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Raises PseudonymizerUnavailable (French message) before listening if PII cannot load."""
    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    _warm_up_pii()  # refused here with a plain message, not as uvicorn's startup traceback
    # Our own access log (chatbot/web/security.py): uvicorn's prints query strings, and so tokens.
    # uvloop: at 200 candidates the event loop's share of a turn's CPU fell by about a fifth.
    uvicorn.run(
        build_app(), host=host, port=port, loop="uvloop", log_level="info", access_log=False
    )
