"""Small French text helpers shared by the understanding, the scoring, the checks and PII."""

import re
import unicodedata
from functools import lru_cache

# "infirmier·ère·s", "aide-soignant.e.s", "motivé·e": the inclusive suffixes after a word.
INCLUSIVE = re.compile(
    r"(?<=\w{3})[·•.∙](?:e|es|ère|ères|ere|eres|ice|ices|rice|rices|trice|trices|euse|euses|ne|nes"
    r"|le|les|fe|fes|ve|ves)(?:[·•.∙](s))?\b",
    re.IGNORECASE,
)


@lru_cache(maxsize=65536)  # called on the same words hundreds of thousands of times
def fold(text: str) -> str:
    """Lower case without accents, for matching French words however they are typed."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("’", "'")


def without_inclusive_suffixes(text: str) -> str:
    """Keep the first form of an inclusive word ("infirmier·ère·s" → "infirmiers")."""
    return INCLUSIVE.sub(lambda m: m.group(1) or "", text)
