"""The understanding interface: one candidate message in, a list of commands out."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Protocol

from chatbot.commands import Command
from chatbot.engine import ScreeningState
from chatbot.rubric import Criterion, Rubric
from pii import Scrubbed

MAX_CHARS = 2000


@dataclass(frozen=True)
class TurnContext:
    rubric: Rubric
    state: ScreeningState
    now: dt.date

    @property
    def pending(self) -> Criterion | None:
        pending = self.state.pending
        return self.rubric.criterion(pending) if pending else None


class Understander(Protocol):
    """Reads only scrubbed text: what an understander may send to a model has no personal data.
    (The offline one accepts any `str`, which a checker allows: it sends nothing anywhere.)"""

    def understand(self, text: Scrubbed, context: TurnContext) -> list[Command]: ...


def clean_message(text: str) -> str:
    """Drop control characters and squeeze spaces; done before scrubbing, storing or parsing."""
    kept = "".join(
        ch if ch in "\n\t" or not unicodedata.category(ch).startswith("C") else " " for ch in text
    )
    return re.sub(r"[ \t]+", " ", kept).strip()
