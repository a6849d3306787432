"""The chat socket bound to its invitation, and only the socket events the chat uses.

Chainlit resumes a browser session for whoever presents its session id. Here a session also
remembers a hash of the invitation it was opened with (`Session.invitation_hash`); a reconnect,
or a button click over HTTP (`/project/action`), must come from a page with the same invitation,
or it is refused. Events the candidate chat never sends (editing a sent message, favourites,
audio, settings, window messages, stop) are not run at all.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging

from chatbot.web.invitations import token_in_url

log = logging.getLogger(__name__)

USED_EVENTS = {"connect", "disconnect", "connection_successful", "client_message", "clear_session"}
ACTION_PATH = "/project/action"


def invitation_hash(referer: str | None) -> str:
    """A hash of the invitation token in the page address ('' hashes too: no invitation)."""
    return hashlib.sha256((token_in_url(referer) or "").encode()).hexdigest()


def _session(session_id: str | None):
    from chainlit.session import WebsocketSession

    return WebsocketSession.get_by_id(session_id) if session_id else None


def same_invitation(session, referer: str | None) -> bool:
    stored = getattr(session, "invitation_hash", None)
    return stored is not None and hmac.compare_digest(stored, invitation_hash(referer))


def guard_socket(sio) -> None:
    """Wrap Chainlit's connect handler and drop the handlers of unused events."""
    handlers = sio.handlers["/"]
    connect = handlers["connect"]

    async def bound_connect(sid, environ, auth):
        session_id = (auth or {}).get("sessionId")
        referer = environ.get("HTTP_REFERER")
        existing = _session(session_id)
        if existing is not None and not same_invitation(existing, referer):
            log.warning("socket refused: session resumed with another invitation")
            raise ConnectionRefusedError("invitation mismatch")
        accepted = await connect(sid, environ, auth)
        if existing is None and (created := _session(session_id)) is not None:
            created.invitation_hash = invitation_hash(referer)
        return accepted

    handlers["connect"] = bound_connect
    for event in set(handlers) - USED_EVENTS:
        del handlers[event]

    @sio.on("*")
    async def refused(event, sid, *_data):
        log.warning("socket event %r refused", event)


class ActionGuard:
    """A button click (`POST /project/action`) counts only from the page of the session's
    invitation. The body (JSON, small: BodyLimit runs first) is read here, then replayed."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if not (scope["type"] == "http" and scope["path"] == ACTION_PATH):
            return await self.app(scope, receive, send)
        messages, body = [], b""
        while True:
            message = await receive()
            messages.append(message)
            body += message.get("body", b"")
            if message["type"] != "http.request" or not message.get("more_body"):
                break
        headers = dict(scope.get("headers", []))
        referer = headers.get(b"referer", b"").decode("latin-1") or None
        if not same_invitation(_session(_session_id(body)), referer):
            body = b'{"detail":"refused"}'
            start = {"type": "http.response.start", "status": 403}
            start["headers"] = [(b"content-type", b"application/json")]
            await send(start)
            return await send({"type": "http.response.body", "body": body})

        async def replay():
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)


def _session_id(body: bytes) -> str | None:
    try:
        value = json.loads(body).get("sessionId")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None
