"""Real local servers for campaign tests: an SMTP server (aiosmtpd) and an SMS gateway that
records what it is asked to send, both on loopback."""

from __future__ import annotations

import base64
import email
import socket
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpSink:
    """aiosmtpd on 127.0.0.1: every message received, parsed."""

    def __init__(self):
        controller = pytest.importorskip("aiosmtpd.controller")  # a test dependency
        self.messages: list[EmailMessage] = []
        self.port = free_port()
        self._controller = controller.Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, _server, _session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append(email.message_from_bytes(envelope.content, policy=default))
        return "250 OK"

    def __enter__(self) -> SmtpSink:
        self._controller.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._controller.stop()

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    @property
    def env(self) -> dict[str, str]:
        return {
            "SCREENING_SMTP_HOST": "127.0.0.1",
            "SCREENING_SMTP_PORT": str(self.port),
            "SCREENING_SMTP_STARTTLS": "false",
        }


@dataclass
class SmsRequest:
    path: str
    authorization: str
    form: dict[str, str]


@dataclass
class SmsSink:
    """A stand-in for Twilio's REST API on 127.0.0.1: records each request, answers 201."""

    requests: list[SmsRequest] = field(default_factory=list)
    account_sid: str = "AC0123456789abcdef0123456789abcdef"
    auth_token: str = "test-auth-token-0123456789"

    def __enter__(self) -> SmsSink:
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                auth = self.headers.get("Authorization", "")
                sink.requests.append(SmsRequest(self.path, auth, form))
                body = b'{"sid": "SM0001", "status": "queued"}'
                self.send_response(201)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def env(self) -> dict[str, str]:
        return {
            "SCREENING_SMS_PROVIDER": "twilio",
            "SCREENING_SMS_API_URL": self.url,
            "SCREENING_SMS_ACCOUNT_SID": self.account_sid,
            "SCREENING_SMS_AUTH_TOKEN": self.auth_token,
        }

    def to(self, number: str) -> list[SmsRequest]:
        return [r for r in self.requests if r.form.get("To") == number]

    def expected_authorization(self) -> str:
        pair = f"{self.account_sid}:{self.auth_token}".encode()
        return "Basic " + base64.b64encode(pair).decode()
