"""HTTP hardening of the one server, as pure ASGI middleware (websockets pass untouched):

- `ChatRoutes`: of Chainlit's routes, only those the candidate chat uses are reachable; every
  other path (file upload, docs, OpenAPI, MCP, sharing, elements, feedback…) is refused before a
  byte of its body is read.
- `BodyLimit`: no request body over `MAX_BODY_BYTES`, declared or streamed.
- `SecurityHeaders`: CSP (`frame-ancestors 'none'`), HSTS behind https, `no-store` on the
  dashboard and the API, and the referrer policy that keeps invitation tokens on this site.
- `AccessLog`: one line per request, path without its query string (invitation tokens travel
  in the query string).
- `chat_page()`: Chainlit's page without its third-party fonts and styles, and the CSP hashes of
  its inline scripts.

docs/security.md says what each one answers and what is left to the reverse proxy.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
import time
from dataclasses import dataclass
from functools import cache

log = logging.getLogger("screening.access")

MAX_BODY_BYTES = 64 * 1024
# A counsellor's list of candidates (chatbot/web/dashboard/campaign.py): 10,000 lines fit.
LIST_UPLOAD_BYTES = 2 * 1024 * 1024
LIST_UPLOAD_PATH = re.compile(
    r"^/conseiller/formations/[^/]+/sessions/[^/]+/campagne/(apercu|inviter)$"
)
OWN_PREFIXES = (
    "/conseiller",
    "/api",
    "/healthz",
    "/messages",
)  # our routes: the outer app answers them
NO_STORE_PREFIXES = ("/conseiller", "/api", "/messages")

# What the chat page asks of Chainlit, measured with Chromium over a whole screening (the list
# is checked by tests/e2e/test_third_party.py, which records every request of a real chat).
CHAT_EXACT = {
    ("GET", "/"),
    ("GET", "/favicon"),
    ("GET", "/favicon.ico"),  # answered by the outer app: a redirect to /favicon
    ("GET", "/logo"),
    ("GET", "/auth/config"),
    ("GET", "/user"),
    ("GET", "/project/translations"),
    ("GET", "/project/settings"),
    ("POST", "/set-session-cookie"),
    ("POST", "/project/action"),
}
CHAT_PREFIXES = {
    ("GET", "/assets/"),
    ("GET", "/public/"),
    ("GET", "/avatars/"),
    ("GET", "/ws/socket.io/"),
    ("POST", "/ws/socket.io/"),
}
SOCKET_PATH = "/ws/socket.io/"

_COMMON_CSP = (
    "default-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)
DASHBOARD_CSP = "; ".join((*_COMMON_CSP, "script-src 'self'", "style-src 'self'"))


def chat_route_allowed(method: str, path: str) -> bool:
    method = "GET" if method == "HEAD" else method
    if path.startswith(OWN_PREFIXES) or (method, path) in CHAT_EXACT:
        return True
    return any(method == m and path.startswith(prefix) for m, prefix in CHAT_PREFIXES)


async def _send_plain(send, status: int, text: str) -> None:
    body = text.encode()
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", b"%d" % len(body)),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class ChatRoutes:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "")
        if scope["type"] == "websocket" and not path.startswith(SOCKET_PATH):
            return await send({"type": "websocket.close", "code": 1008})
        if scope["type"] == "http" and not chat_route_allowed(scope["method"], path):
            return await _send_plain(send, 404, "introuvable")
        await self.app(scope, receive, send)


class BodyLimit:
    """Past the limit the client gets 413 at once, and the app is told the client left (its own
    late answer, if any, is dropped)."""

    def __init__(self, app, limit: int = MAX_BODY_BYTES):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = LIST_UPLOAD_BYTES if LIST_UPLOAD_PATH.match(scope["path"]) else self.limit
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            return await _send_plain(send, 413, "requête trop grande")
        received, started, refused = 0, False, False

        async def counted():
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                refused = True
                if not started:
                    await _send_plain(send, 413, "requête trop grande")
                return {"type": "http.disconnect"}
            return message

        async def tracked(message):
            nonlocal started
            if refused:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except Exception:
            if not refused:
                raise


@dataclass(frozen=True)
class HeaderPolicy:
    https: bool
    chat_csp: str

    def headers_for(self, path: str, existing: list[tuple[bytes, bytes]]) -> list:
        names = {name.lower() for name, _ in existing}
        headers = [
            # The invitation token is in the page address: never send it to another site.
            (b"referrer-policy", b"same-origin"),
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"cross-origin-opener-policy", b"same-origin"),
            (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
        ]
        if b"content-security-policy" not in names:
            csp = DASHBOARD_CSP if path.startswith(NO_STORE_PREFIXES) else self.chat_csp
            headers.append((b"content-security-policy", csp.encode()))
        if self.https:
            headers.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
        if path.startswith(NO_STORE_PREFIXES):
            existing[:] = [(n, v) for n, v in existing if n.lower() != b"cache-control"]
            headers.append((b"cache-control", b"no-store"))
        return headers


class SecurityHeaders:
    def __init__(self, app, policy: HeaderPolicy):
        self.app, self.policy = app, policy

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_headers(message):
            if message["type"] == "http.response.start":
                existing = list(message.get("headers", []))
                added = self.policy.headers_for(scope["path"], existing)
                message["headers"] = existing + added
            await send(message)

        await self.app(scope, receive, with_headers)


class AccessLog:
    """Replaces uvicorn's access log, which prints the query string (and so the invitation)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started, status = time.perf_counter(), 0

        async def noted(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, noted)
        finally:
            client = (scope.get("client") or ("-", 0))[0]
            elapsed = (time.perf_counter() - started) * 1000
            log.info(
                '%s "%s %s" %d %.0fms', client, scope["method"], scope["path"], status, elapsed
            )


class NoQueryStrings(logging.Filter):
    """uvicorn's own lines (websocket handshakes) print paths with their query string."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                arg.split("?", 1)[0] if isinstance(arg, str) and arg.startswith("/") else arg
                for arg in record.args
            )
        return True


def quiet_uvicorn_query_strings() -> None:
    for name in ("uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, NoQueryStrings) for f in logger.filters):
            logger.addFilter(NoQueryStrings())


# --- the chat page -------------------------------------------------------------------------------

_EXTERNAL_LINK = re.compile(r"<link\b[^>]*\bhref=\"https?://[^\"]*\"[^>]*>\s*", re.IGNORECASE)
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


@dataclass(frozen=True)
class ChatPage:
    html: str
    csp: str


def clean_chat_page(html: str) -> ChatPage:
    """No stylesheet or preconnect to another site (Chainlit's template asks Google Fonts and
    jsDelivr); inline scripts allowed by their hashes only."""
    html = _EXTERNAL_LINK.sub("", html)
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(code.encode()).digest()).decode() + "'"
        for code in _INLINE_SCRIPT.findall(html)
    ]
    # Chainlit's components (Radix, toasts, code highlighting) set <style> elements at run
    # time: styles stay open to inline ones; scripts do not.
    csp = "; ".join(
        (*_COMMON_CSP, "script-src 'self' " + " ".join(hashes), "style-src 'self' 'unsafe-inline'")
    )
    return ChatPage(html, csp)


@cache
def chat_page() -> ChatPage:
    from chainlit.server import get_html_template

    return clean_chat_page(get_html_template(""))
