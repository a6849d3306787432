"""Reversible pseudonymisation: the only place that creates `Scrubbed` text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pii import policy

if TYPE_CHECKING:
    from chatbot.chat_french import ChatText

_SCRUBBER_KEY = object()  # only this module holds it
PLACEHOLDER_RE = re.compile(r"<(" + "|".join(policy.ENTITY_PLACEHOLDERS.values()) + r")_(\d+)>")


class Scrubbed(str):
    """Text whose personal data has been replaced by placeholders.

    Only the scrubber creates it: `Scrubbed("...")` raises. Slicing or other string operations
    return plain `str`, so anything derived from it has to be scrubbed again.
    """

    __slots__ = ()

    def __new__(cls, text: str, *, _key: object = None):
        if _key is not _SCRUBBER_KEY:
            raise TypeError("Scrubbed text comes only from pii.scrub() or Pseudonymizer.scrub()")
        return super().__new__(cls, text)

    @classmethod
    def concat(cls, *parts: Scrubbed, sep: str = "") -> Scrubbed:
        """Joining scrubbed texts (and a separator with no personal data) stays scrubbed."""
        if not all(isinstance(p, Scrubbed) for p in parts):
            raise TypeError("Scrubbed.concat only joins Scrubbed values")
        if PLACEHOLDER_RE.sub("", sep) != sep or any(c.isdigit() for c in sep):
            raise ValueError("separator must be plain punctuation or whitespace")
        return cls(sep.join(parts), _key=_SCRUBBER_KEY)

    def __repr__(self) -> str:
        return f"Scrubbed({str.__repr__(self)})"


@dataclass(frozen=True)
class ScrubbedChat:
    """One message, scrubbed in both spellings: `understood` (normalised, for the understanding
    and the model) and `own_words` (the candidate's, for storage and quotes)."""

    understood: Scrubbed
    own_words: Scrubbed
    aligned: ChatText

    def quote(self, evidence: str) -> str:
        """The candidate's own words behind a verbatim span of `understood`."""
        return self.aligned.quote(evidence)


@dataclass(frozen=True)
class Entity:
    """One replaced span; start and end are offsets in the raw text."""

    type: str
    start: int
    end: int
    placeholder: str

    def as_dict(self) -> dict:
        return {
            "type": self.type,
            "start": self.start,
            "end": self.end,
            "placeholder": self.placeholder,
        }


def _value_key(entity_type: str, value: str) -> str:
    if entity_type == "PERSON":
        return " ".join(policy.fold(value).replace("-", " ").split())
    if entity_type in {"EMAIL_ADDRESS", "FR_ADDRESS", "FR_BIRTH_DATE"}:
        return " ".join(policy.fold(value).split())
    return re.sub(r"[^0-9A-Za-z]", "", value).upper()


def _name_parts(value: str) -> set[str]:
    from pii.lexicon import stop_words

    words = policy.fold(value).replace("-", " ").split()
    return {
        w for w in words if len(w) >= 3 and w not in stop_words() and w not in policy.kept_words()
    }


@dataclass
class Pseudonymizer:
    """One per conversation, in the live session only: the mapping is never stored or logged."""

    _by_key: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)
    _values: dict[str, str] = field(default_factory=dict, repr=False)
    _person_parts: dict[str, set[str]] = field(default_factory=dict, repr=False)
    _counts: dict[str, int] = field(default_factory=dict, repr=False)
    entities_of_last_scrub: list[Entity] = field(default_factory=list, repr=False)

    def __repr__(self) -> str:  # never show the mapping
        return f"Pseudonymizer({len(self._values)} placeholders)"

    def scrub(self, text: str) -> Scrubbed:
        from pii.analyzer import analyze

        spans = [(r.start, r.end, r.entity_type, r.score) for r in analyze(text)]
        spans += self._known_name_mentions(text)
        pieces, entities, cursor = [], [], 0
        for start, end, entity_type in _merge(spans):
            placeholder = self._placeholder(entity_type, text[start:end])
            pieces += [text[cursor:start], placeholder]
            entities.append(Entity(entity_type, start, end, placeholder))
            cursor = end
        pieces.append(text[cursor:])
        self.entities_of_last_scrub = entities
        return Scrubbed("".join(pieces), _key=_SCRUBBER_KEY)

    def scrub_chat(self, chat: ChatText) -> ScrubbedChat:
        """Scrub a normalised message (see chatbot.chat_french): the names and numbers are found
        in the normalised words and replaced by the same placeholders in the candidate's own."""
        understood = self.scrub(chat.text)
        aligned = chat.replaced(
            [(e.start, e.end, e.placeholder) for e in self.entities_of_last_scrub]
        )
        if aligned.text != understood:  # cannot happen; never store unscrubbed words if it does
            aligned = type(chat)(((str(understood), str(understood)),))
        own_words = Scrubbed(aligned.original, _key=_SCRUBBER_KEY)
        return ScrubbedChat(understood, own_words, aligned)

    def restore(self, text: str) -> str:
        """Put the candidate's own values back, for what the candidate is shown."""
        return PLACEHOLDER_RE.sub(lambda m: self._values.get(m.group(0), m.group(0)), text)

    def _placeholder(self, entity_type: str, value: str) -> str:
        key = (entity_type, _value_key(entity_type, value))
        if key in self._by_key:
            return self._by_key[key]
        if entity_type == "PERSON" and (same := self._same_person(value)):
            self._by_key[key] = same
            self._person_parts[same] |= _name_parts(value)
            return same
        stem = policy.ENTITY_PLACEHOLDERS[entity_type]
        self._counts[stem] = self._counts.get(stem, 0) + 1
        placeholder = f"<{stem}_{self._counts[stem]}>"
        self._by_key[key] = placeholder
        self._values[placeholder] = value
        if entity_type == "PERSON":
            self._person_parts[placeholder] = _name_parts(value)
        return placeholder

    def _same_person(self, value: str) -> str | None:
        """ "Fatima" after "Fatima Benali" (or the other way round) is the same person."""
        parts = _name_parts(value)
        if not parts:
            return None
        for placeholder, known in self._person_parts.items():
            if parts <= known or known <= parts:
                return placeholder
        return None

    def _known_name_mentions(self, text: str) -> list[tuple[int, int, str, float]]:
        """Later mentions of a name part already seen in this conversation, in any case."""
        parts = set().union(*self._person_parts.values()) if self._person_parts else set()
        if not parts:
            return []
        folded = policy.fold(text)
        if len(folded) != len(text):  # folding changed offsets (rare ligatures): skip
            return []
        pattern = r"(?<!\w)(?:" + "|".join(map(re.escape, sorted(parts))) + r")(?!\w)"
        return [(m.start(), m.end(), "PERSON", 0.9) for m in re.finditer(pattern, folded)]


def _merge(spans: list[tuple[int, int, str, float]]) -> list[tuple[int, int, str]]:
    """Overlapping detections become one span (so no fragment leaks), typed by the best one:
    the longest, then the highest score, then policy.PRIORITY."""
    merged: list[list] = []
    for start, end, entity_type, score in sorted(spans):
        rank = (end - start, score, -policy.PRIORITY.index(entity_type))
        if merged and start < merged[-1][1]:
            last = merged[-1]
            last[1] = max(last[1], end)
            if rank > last[3]:
                last[2], last[3] = entity_type, rank
        else:
            merged.append([start, end, entity_type, rank])
    return [(s, e, t) for s, e, t, _ in merged]


def scrub(text: str) -> Scrubbed:
    """Scrub a one-off text with a fresh pseudonymizer."""
    return Pseudonymizer().scrub(text)
