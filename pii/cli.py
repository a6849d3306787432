"""What `screening pii` prints: scrubbed text and the replaced entities, as JSON."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator

from pii.pseudonymizer import Pseudonymizer

log = logging.getLogger(__name__)


def scrub_to_dict(text: str, pseudonymizer: Pseudonymizer | None = None) -> dict:
    pseudonymizer = pseudonymizer or Pseudonymizer()
    scrubbed = pseudonymizer.scrub(text)
    return {
        "text": str(scrubbed),
        "entities": [e.as_dict() for e in pseudonymizer.entities_of_last_scrub],
    }


def scrub_to_json(text: str) -> str:
    return json.dumps(scrub_to_dict(text), ensure_ascii=False)


def scrub_jsonl(lines: Iterable[str]) -> Iterator[str]:
    """One JSON string per input line -> one JSON object per output line; each line is its own
    text (fresh placeholders). Blank lines are skipped; a line that is not a JSON string gets
    {"error": ...} so that output lines stay aligned with input lines."""
    for line in lines:
        if not line.strip():
            continue
        try:
            text = json.loads(line)
        except json.JSONDecodeError as exc:
            yield json.dumps({"error": f"JSON invalide : {exc.msg}"}, ensure_ascii=False)
            continue
        if not isinstance(text, str):
            yield json.dumps({"error": "une chaîne JSON est attendue"}, ensure_ascii=False)
            continue
        try:
            yield scrub_to_json(text)
        except Exception as error:  # one bad line must not stop the batch
            log.error("pseudonymisation failed on one line: %s", type(error).__name__)
            yield json.dumps({"error": "texte non traité, erreur interne"}, ensure_ascii=False)
