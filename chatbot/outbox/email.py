"""E-mail through SMTP (settings `SCREENING_SMTP_*`): one connection for a batch of messages."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid

from chatbot.settings import Settings


class Mailer:
    """`with Mailer(settings) as mailer: mailer.send(...)`; the connection opens on first use."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *_exc) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except smtplib.SMTPException:
                self._smtp.close()
            self._smtp = None

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is None:
            s = self.settings
            if s.smtp_ssl:
                smtp = smtplib.SMTP_SSL(
                    s.smtp_host,
                    s.smtp_port,
                    timeout=s.smtp_timeout,
                    context=ssl.create_default_context(),
                )
            else:
                smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout)
                if s.smtp_starttls:
                    smtp.starttls(context=ssl.create_default_context())
            if s.smtp_username:
                smtp.login(s.smtp_username, s.smtp_password or "")
            self._smtp = smtp
        return self._smtp

    def send(self, to: str, subject: str, body: str, *, unsubscribe: str | None = None) -> None:
        message = EmailMessage()
        message["From"] = self.settings.smtp_sender
        message["To"] = to
        message["Subject"] = subject
        message["Message-ID"] = make_msgid(domain="screening.local")
        if unsubscribe:  # RFC 8058: mail clients show a one-click "unsubscribe"
            message["List-Unsubscribe"] = f"<{unsubscribe}>"
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        message.set_content(body)
        try:
            self._connection().send_message(message)
        except smtplib.SMTPServerDisconnected:
            self._smtp = None  # reconnect once: servers drop idle connections
            self._connection().send_message(message)
