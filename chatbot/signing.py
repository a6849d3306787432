"""The server's secret key: it signs invitation links and counsellor cookies, and keys the hashes
that stand for revoked links.

SCREENING_SECRET_KEY, or a key generated on first use and kept in the data folder (0600). The file
is written whole under a temporary name and then linked into place, so a concurrent first start
never reads a half-written or empty key; a key shorter than 32 bytes is refused, never used.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from pathlib import Path

from chatbot.settings import MIN_SECRET_BYTES, Settings, get_settings
from storage.db import PRIVATE_FILE_MODE, private_dir

SECRET_FILE = "secret_key"


class SecretKeyError(RuntimeError):
    """The key on disk cannot be trusted; the message says what to do."""


def secret_key(settings: Settings | None = None) -> str:
    settings = settings or get_settings()
    if settings.secret_key:
        return settings.secret_key  # its length is checked by the settings
    path = Path(settings.data_dir) / SECRET_FILE
    if not path.exists():
        _create(path)
    key = path.read_text().strip()
    if len(key.encode()) < MIN_SECRET_BYTES:
        raise SecretKeyError(
            f"{path} holds a key shorter than {MIN_SECRET_BYTES} bytes: delete it to have a new "
            "one generated (every link and session signed with it stops working)"
        )
    return key


def _create(path: Path) -> None:
    folder = private_dir(path.parent)
    descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=".secret-")
    try:
        os.fchmod(descriptor, PRIVATE_FILE_MODE)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(48))
            file.flush()
            os.fsync(file.fileno())
        with contextlib.suppress(FileExistsError):  # another process was first: keep theirs
            os.link(temporary, path)
    finally:
        os.unlink(temporary)
