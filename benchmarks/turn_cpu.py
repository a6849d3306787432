"""Where a turn's CPU goes, measured inside a running server: `python -m benchmarks.turn_cpu
serve --port N` is `screening serve` with a few functions wrapped to count their thread CPU time.

Categories (exclusive time: a database call made inside the PII step counts as database):

- pii: the pseudonymiser (Presidio, spaCy NER, our recognizers);
- understanding: chat-French normalisation, the offline understander, the engine, the result;
- database: repository functions and SQLAlchemy session calls;
- chat work, other: the rest of the chat's worker-thread calls (open, consent, turn: rendering,
  state (de)serialisation);
- socket.io / Chainlit / uvicorn: the process's CPU time minus all of the above (event loop,
  websocket frames, Chainlit's messages and steps, HTTP, logging, garbage collection).

`kill -USR1 PID` writes the cumulative totals (CPU seconds) as JSON to the file named by
SCREENING_CPU_PROFILE; benchmarks/load.py reads them before and after a run. Only benchmarks
use this module: the product never imports it.
"""

from __future__ import annotations

import functools
import json
import os
import signal
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

TOTALS: dict[str, float] = defaultdict(float)
_LOCK = threading.Lock()
_STACK = threading.local()


def timed(category: str, function):
    """`function`, with its thread CPU time (minus that of timed calls inside it) added to
    `category`."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        stack = _STACK.__dict__.setdefault("frames", [])
        stack.append(0.0)  # CPU time of timed calls nested in this one
        start = time.thread_time()
        try:
            return function(*args, **kwargs)
        finally:
            elapsed = time.thread_time() - start
            nested = stack.pop()
            if stack:
                stack[-1] += elapsed
            with _LOCK:
                TOTALS[category] += elapsed - nested

    return wrapper


def _wrap(owner, name: str, category: str) -> None:
    setattr(owner, name, timed(category, getattr(owner, name)))


def install() -> None:
    import sqlalchemy.orm

    import chatbot.conversation
    import chatbot.engine
    import chatbot.web.screenings as screenings
    import storage.repo
    from chatbot.understanding.offline import OfflineUnderstander
    from pii.pseudonymizer import Pseudonymizer

    for name in ("scrub", "scrub_chat"):
        _wrap(Pseudonymizer, name, "pii")
    _wrap(chatbot.conversation, "normalise", "understanding")
    _wrap(OfflineUnderstander, "understand", "understanding")
    _wrap(chatbot.engine, "step", "understanding")
    _wrap(chatbot.conversation.Conversation, "result", "understanding")
    for name, value in list(vars(storage.repo).items()):
        own = getattr(value, "__module__", None) == "storage.repo"
        if own and callable(value) and not isinstance(value, type) and not name.startswith("_"):
            _wrap(storage.repo, name, "database")
    for name in ("execute", "scalar", "scalars", "get", "flush", "commit", "refresh", "close"):
        _wrap(sqlalchemy.orm.Session, name, "database")
    for name in ("open_screening", "accept", "take_turn", "decline", "new_scrubber", "prepare"):
        _wrap(screenings, name, "chat work, other")
    signal.signal(signal.SIGUSR1, _dump)


def snapshot() -> dict[str, float]:
    times = os.times()
    with _LOCK:
        totals = dict(TOTALS)
    return {"process": times.user + times.system, **totals}


def _dump(_signum, _frame) -> None:
    path = Path(os.environ["SCREENING_CPU_PROFILE"])
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(snapshot()))
    temporary.replace(path)  # the reader never sees half a file


def main() -> None:
    install()
    from chatbot.cli import app

    sys.argv[0] = "screening"
    app()


if __name__ == "__main__":
    main()
