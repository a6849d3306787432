"""Offline readers for French answers of a given type (yes/no, number, date, duration, choice, level).

Every parser is pure and deterministic and returns `Parsed | None`: None means "no answer of this
type can be read here" and the engine re-asks. `Parsed.evidence` is always a verbatim slice of the
input (`text[start:end]`), so the counsellor sees the candidate's own words.

Matching runs on a folded copy of the text (lower case, no accents, numbers in digits thanks to
text2num) with a map back to the original offsets.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache, partial
from typing import Protocol

from rapidfuzz import process
from rapidfuzz.distance import OSA
from text_to_num import alpha2digit

from chatbot.lexicon import is_participle, lemma
from chatbot.text import fold

MAX_CHARS = 2000  # longer messages are read on their first MAX_CHARS characters only


@dataclass(frozen=True)
class Parsed:
    value: object
    start: int  # text[start:end] == evidence
    end: int
    confidence: float
    note: str | None = None
    evidence: str = ""


class _Choice(Protocol):
    id: str
    label: str
    synonyms: list[str]


# --- text preparation ---------------------------------------------------------------------------


# "une trentaine de kilomètres", "une quinzaine de jours": a round number, said as such.
ABOUT = {"dizaine": 10, "douzaine": 12, "quinzaine": 15, "vingtaine": 20, "trentaine": 30,
         "quarantaine": 40, "cinquantaine": 50, "soixantaine": 60, "centaine": 100}  # fmt: skip
ABOUT_N = re.compile(r"\b(?:une\s+|1\s+)?(" + "|".join(ABOUT) + r")(?:\s+de\b|\s+d')?")


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    return fold(ch)


class _Text:
    """The original text, its folded form and (lazily) a digits form, with offset maps back."""

    def __init__(self, text: str, dates: bool = False):
        self.original = text[:MAX_CHARS]
        self._dates = dates
        if self.original.isascii():
            self.folded = self.original.lower().replace("’", "'")
            self._origin = None
        else:
            parts, origin = [], []
            for i, ch in enumerate(self.original):
                f = _fold_char(ch)
                parts.append(f)
                origin.extend([i] * len(f))
            self.folded = "".join(parts)
            self._origin = origin
        self._digits: str | None = None
        self._opcodes: list | None = None

    @property
    def digits(self) -> str:
        """The folded text with number words written as digits ("vingt-deux" -> "22")."""
        if self._digits is None:
            source = self.folded
            if self._dates:  # "sept" is also seven: keep it a month after a day or "en"
                source = SEPT_MONTH.sub(r"\1\2septembre", source)
            try:
                self._digits = alpha2digit(source, "fr", threshold=0)
            except Exception:  # text2num is a native extension: never let it break a turn
                self._digits = self.folded
            self._digits = ABOUT_N.sub(lambda m: str(ABOUT[m.group(1)]), self._digits)
        return self._digits

    def span_from_folded(self, start: int, end: int) -> tuple[int, int]:
        if self._origin is None:
            return start, end
        if start >= len(self._origin):
            return len(self.original), len(self.original)
        last = self._origin[max(start, end - 1)]
        return self._origin[start], last + 1

    def span_from_digits(self, start: int, end: int) -> tuple[int, int]:
        if self.digits == self.folded:
            return self.span_from_folded(start, end)
        if self._opcodes is None:
            self._opcodes = SequenceMatcher(
                None, self.folded, self.digits, autojunk=False
            ).get_opcodes()
        return self.span_from_folded(self._to_folded(start, True), self._to_folded(end, False))

    def _to_folded(self, pos: int, is_start: bool) -> int:
        for tag, i1, i2, j1, j2 in self._opcodes or []:
            if j1 <= pos < j2 or (pos == j2 and not is_start):
                if tag == "equal":
                    return i1 + (pos - j1)
                return i1 if is_start else i2
        return len(self.folded)

    def parsed(self, value, fstart: int, fend: int, confidence: float, note=None, digits=False):
        start, end = (self.span_from_digits if digits else self.span_from_folded)(fstart, fend)
        # Never quote surrounding blanks or punctuation.
        while start < end and self.original[start] in BLANK:
            start += 1
        while (
            end > start and self.original[end - 1] in BLANK and self.original[end - 1] not in "'’"
        ):
            end -= 1
        return Parsed(value, start, end, round(confidence, 2), note, self.original[start:end])


SEPT_MONTH = re.compile(
    r"\b(\d+|en|debut|fin|mi|courant|des|le)([\s-]+)sept\b"
    r"(?!\s+(?:h|heures?|minutes?|min|jours?|semaines?|mois|ans)\b)"
)
BLANK = set(" \t\r\n\u00a0,;.!?:()[]{}\"«»-–—…*_/\\'’")
CLAUSE_BREAK = re.compile(
    r"\s*[,;.!?\n:()]+\s*|\s+(?:mais|par contre|sauf que|sauf|cependant|pourtant|et|ou bien)\s+"
)
CONTRAST = re.compile(r"mais|par contre|sauf|cependant|pourtant")


def _clauses(folded: str) -> list[tuple[int, int, str]]:
    """(start, end, separator before) for each clause of the folded text."""
    out, pos, sep = [], 0, ""
    for m in CLAUSE_BREAK.finditer(folded):
        if m.start() > pos:
            out.append((pos, m.start(), sep))
        pos, sep = m.end(), m.group().strip()
    if pos < len(folded):
        out.append((pos, len(folded), sep))
    return out


def _trim(folded: str, start: int, end: int) -> tuple[int, int]:
    while start < end and folded[start].isspace():
        start += 1
    while end > start and folded[end - 1].isspace():
        end -= 1
    return start, end


# --- don't know ---------------------------------------------------------------------------------

DONT_KNOW = re.compile(
    r"\b(?:je\s+(?:ne\s+)?(?:sais|sait|sai|c|say)\s+(?:pas|plus|rien)|j(?:e\s*)?sais\s+pas|"
    r"jsp|jsais|chais\s+pas|che\s+pas|chepa|ch'?sais\s+pas|sais\s+pas|"
    r"aucune\s+idee|pas\s+d'idee|j'en\s+sais\s+rien|(?:je\s+)?n'en\s+sais\s+rien|"
    r"je\s+(?:ne\s+)?(?:suis|sais)\s+pas\s+(?:trop\s+|vraiment\s+)?(?:sur|sure)|"
    r"je\s+ne\s+saurais\s+(?:pas\s+)?(?:le\s+)?dire|idk|no\s+idea)\b"
)


def is_dont_know(text: str) -> bool:
    """True when the candidate says they do not know ("je sais pas", "jsp", "aucune idée")."""
    return bool(DONT_KNOW.search(_Text(text).folded))


# --- yes / no -----------------------------------------------------------------------------------

_NEG = r"(?:pas|plus|jamais|point|rien|aucun|aucune|ni)"
_UNKNOWN = (
    r"peut[\s-]?etre|ptet|p[\s.-]?e|bof|ca\s+depend|sa\s+depend|depend|on\s+verra|je\s+verrai|"
    r"a\s+voir|je\s+(?:vais|dois)\s+(?:voir|reflechir|verifier)|pas\s+sur|pas\s+sure|"
    r"pas\s+certaine?|plus\s+ou\s+moins|moyen|j'hesite|hesite"
)
_NO = (
    r"(?:j'?\s*ai|je\s+l'?\s*ai|l'?\s*ai|g)\s+(?:rate|echoue|loupe|foire)\w*|"  # "je l'ai raté"
    r"absolument\s+pas|pas\s+du\s+tout|(?:bien\s+sur|evidemment|certainement|surtout)\s+(?:que\s+)?(?:pas|non)|"
    r"pas\s+question|hors\s+de\s+question|non\s+merci|jamais|nope|nan+|non+|no|nn|impossible|"
    r"pas\s+possible|plutot\s+non|pas\s+vraiment|ni|je\s+(?:ne\s+)?(?:pense|crois)\s+pas|"
    r"(?:ne\s+|n')?\w*\s*pas\s+(?:tout\s+a\s+fait\s+)?(?:d'accord|ok|okay|possible|pret|prete|"
    r"disponible|dispo|libre|a\s+jour|vaccine\w*|capable|en\s+mesure)"
)
_DOUBLE_NEGATION = (
    r"(?:n'?\s*)?(?:est|c'est)?\s*pas\s+(?:un\s+)?(?:probleme|souci|soucis|impossible|genant)|"
    r"(?:ne|n')\s*(?:me|m'|nous)?\s*(?:derange|gene|genera|derangera|embete|pose)\w*\s+(?:pas|aucun)|"
    r"(?:ca|sa)?\s*(?:me\s+)?(?:derange|gene|embete)\s+pas|je\s+(?:ne\s+)?dis\s+pas\s+non|"
    r"(?:pas|aucun|sans)\s+(?:de\s+)?(?:souci|soucis|probleme|problemes|pb|pbs|pbm|blem)"
)
_YES = (
    r"oui+|ouais+|ouai|ouep|ouaip|oe|ui|wi|yes|yep|yeah|si(?=\s*(?:[,!.]|$))|bien\s+sur|biensur|"
    r"absolument|evidemment|evidement|tout\s+a\s+fait|exactement|ok|okay|oki|okk|d'?accord|dac+|"
    r"ca\s+marche|sa\s+marche|bien\s+entendu|certainement|carrement|volontiers|avec\s+plaisir|"
    r"effectivement|affirmatif|c'est\s+bon|c\s+bon|c\s+ok|ca\s+me\s+va|je\s+veux\s+bien|sans\s+probleme|"
    r"bien\s+sure|of\s+course|plutot\s+oui|c'est\s+le\s+cas|👍|✅"
)
_STATEMENT = (
    r"j'?\s*ai|g|je\s+l'?\s*ai|je\s+les\s+ai|je\s+suis|je\s+peux|je\s+pourrai|je\s+possede|"
    r"c'est\s+possible|possible|j'accepte|dispo\w*|pret|prete|a\s+jour|vaccine\w*|"
    r"je\s+(?:le\s+|la\s+)?fais|je\s+(?:le\s+|la\s+)?ferai"
)
# (pattern, value, confidence, note, strong). The first pattern to claim a span wins, so the
# compounds ("pas de souci", "absolument pas", "je ne sais pas") come before the words they contain.
# Weak markers (bare negation, "j'ai", "je suis") count only when no strong marker is present.
YES_NO_PATTERNS: list[tuple[str, bool | None, float, str | None, bool]] = [
    (r"non\s+seulement", None, 0, "ignore", False),
    (DONT_KNOW.pattern, None, 0, None, True),
    (_UNKNOWN, None, 0, None, True),
    (r"pas\s+encore|toujours\s+pas", False, 0.7, "pas encore", True),
    (
        r"en\s+cours|en\s+train\s+de|je\s+(?:le\s+|la\s+|les\s+)?passe|je\s+(?:le\s+)?prepare|"
        r"bientot|prochainement",
        False,
        0.7,
        "en cours",
        True,
    ),
    (
        r"plus\s+maintenant|(?:ne\s+|n')(?:\w+'?\s*){1,3}?plus|plus\s+depuis|"
        r"(?:j'?\s*ai|l'?\s*ai|les\s+ai)\s+plus(?!\s+(?:de|d'|du|que|qu'|qu|d))",
        False,
        0.85,
        "plus maintenant",
        True,
    ),
    (_DOUBLE_NEGATION, True, 0.9, None, True),
    (_NO, False, 1.0, None, True),
    (
        r"pourquoi\s+pas|mouais|je\s+pense|je\s+crois|normalement|en\s+principe|a\s+priori",
        True,
        0.6,
        None,
        True,
    ),
    (r"(?:ca|sa)\s+(?:me\s+)?(?:derange|gene|embete)|complique|difficile", False, 0.7, None, True),
    (_YES, True, 1.0, None, True),
    (r"(?:ne|n')\s*(?:\w+'?\s*){0,3}?" + _NEG + r"|pas|sans|aucune?", False, 0.9, None, False),
    (_STATEMENT, True, 0.8, None, False),
]
_YES_NO_RES = [
    (re.compile(r"(?<![\w'])(?:" + p + r")(?!\w)"), v, c, n, s) for p, v, c, n, s in YES_NO_PATTERNS
]
CORRECTION = re.compile(
    r"\b(?:en\s+fait|enfin|finalement|ou\s+plutot|pardon|je\s+me\s+suis\s+trompe\w*|ah)\b"
)


@dataclass
class _Marker:
    start: int
    end: int
    value: bool | None
    confidence: float
    note: str | None
    strong: bool


@dataclass
class _Polarity:
    value: bool | None
    confidence: float
    note: str | None
    position: int


def _markers(folded: str, start: int, end: int, asked: frozenset[str] | None) -> list[_Marker]:
    claimed: list[_Marker] = []
    for rx, value, conf, note, strong in _YES_NO_RES:
        for m in rx.finditer(folded, start, end):
            if m.end() == m.start() or any(
                m.start() < c.end and c.start < m.end() for c in claimed
            ):
                continue
            claimed.append(_Marker(m.start(), m.end(), value, conf, note, strong))
    kept = [m for m in claimed if m.note != "ignore" and not _elsewhere(folded, m, asked)]
    return sorted(kept, key=lambda m: m.start)


HAVE = re.compile(r"(?:j'?\s*ai|g)\s+(\d+(?:[.,]\d+)?\s+)?(\w+)")
PARTICIPLE = re.compile(r"\w+(?:e|es|i|is|it|u|us|ert|int)")
# "J'ai eu / passé / obtenu (le permis)" says yes to a question about having something.
ACHIEVED = frozenset(
    {
        "eu",
        "obtenu",
        "passe",
        "fait",
        "fais",
        "recu",
        "valide",
        "reussi",
        "termine",
        "fini",
        "garde",
    }
)


def _elsewhere(folded: str, marker: _Marker, asked: frozenset[str] | None) -> bool:
    """ "J'ai travaillé 3 ans en maison de retraite" or "j'ai 3 ans d'expérience" to "Avez-vous
    le permis B ?": "j'ai" is about something the question does not ask, not "yes, I have it"."""
    if asked is None or marker.strong:
        return False
    said = HAVE.match(folded, marker.start)
    if said is None:
        return False
    count, word = said.groups()
    if word in asked or lemma(word) in asked:  # "j'ai travaillé…" to "Pouvez-vous travailler…"
        return False
    if count:  # "j'ai 23 ans", "j'ai 2 enfants"
        return True
    return word not in ACHIEVED and bool(PARTICIPLE.fullmatch(word)) and is_participle(word)


def _polarity(
    folded: str, start: int, end: int, asked: frozenset[str] | None = None
) -> _Polarity | None:
    """What a span of text says, yes or no; None when it says neither (or "je ne sais pas").
    With `asked` (the folded words of the question), "j'ai" before another verb is no answer."""
    markers = _markers(folded, start, end, asked)
    strong = [m for m in markers if m.strong]
    if not strong:
        weak = [m for m in markers if m.value is False] or markers
        return _Polarity(weak[0].value, weak[0].confidence, None, weak[0].start) if weak else None
    decided = [m for m in strong if m.value is not None]
    if not decided:  # "je ne sais pas", "peut-être": an explicit non-answer
        return _Polarity(None, 0.0, None, strong[0].start)
    chosen = decided[0]
    corrected = CORRECTION.search(folded, start, end)
    if corrected and decided[-1].start > corrected.start():
        chosen = decided[-1]
    confidence, note = chosen.confidence, chosen.note
    nuance = next((m for m in decided if m.note and m.value == chosen.value), None)
    if nuance:
        confidence, note = min(confidence, nuance.confidence), nuance.note
    if any(m.value != chosen.value for m in decided if m is not chosen and not corrected):
        confidence, note = min(confidence, 0.6), note or "réponse nuancée"
    elif any(m.value is None for m in strong) or any(
        m.value is not None and m.value != chosen.value for m in markers if not m.strong
    ):
        confidence, note = min(confidence, 0.8), note or "réponse nuancée"
    return _Polarity(chosen.value, confidence, note, chosen.start)


def _keyword_re(about: Sequence[str]) -> re.Pattern[str] | None:
    words = [re.escape(fold(w).strip()) for w in about if w and fold(w).strip()]
    if not words:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(words) + r")")


def parse_yes_no(text: str, about: Sequence[str] = (), asked: str | None = None) -> Parsed | None:
    """Read a yes/no answer. With `about`, read only the clause that mentions one of the keywords.
    With `asked` (the question), a clause about another action says neither yes nor no."""
    t = _Text(text)
    if about:
        return _yes_no_about(t, about)
    words = None if asked is None else frozenset(re.findall(r"\w+", fold(asked)))
    said = _polarity(t.folded, 0, len(t.folded), words)
    if said is None or said.value is None:
        return None
    cstart, cend = _clause_around(t.folded, said.position)
    return t.parsed(said.value, cstart, cend, said.confidence, said.note)


def _clause_around(folded: str, pos: int) -> tuple[int, int]:
    for start, end, _ in _clauses(folded):
        if start <= pos < end:
            return _trim(folded, start, end)
    return _trim(folded, 0, len(folded))


def _yes_no_about(t: _Text, about: Sequence[str]) -> Parsed | None:
    keyword = _keyword_re(about)
    if keyword is None:
        return None
    clauses = _clauses(t.folded)
    for index, (start, end, _) in enumerate(clauses):
        if not keyword.search(t.folded, start, end):
            continue
        cstart, cend = _trim(t.folded, start, end)
        said = _polarity(t.folded, start, end)
        if said is not None:
            if said.value is None:
                return None
            return t.parsed(said.value, cstart, cend, said.confidence, said.note)
        # "le permis, je l'ai pas encore": the next clause says it about the topic.
        following = _following(t.folded, clauses, index)
        if following is not None:
            return t.parsed(
                following.value, cstart, cend, following.confidence * 0.9, following.note
            )
        inherited = _inherit(t.folded, clauses, index)
        if inherited is not None:
            return t.parsed(inherited.value, cstart, cend, inherited.confidence * 0.9)
        # The candidate names the thing without any verb or negation ("permis B").
        return t.parsed(True, cstart, cend, 0.6)
    return None


def _following(folded: str, clauses: list[tuple[int, int, str]], index: int) -> _Polarity | None:
    if index + 1 >= len(clauses) or CONTRAST.fullmatch(clauses[index + 1][2]):
        return None
    start, end, _ = clauses[index + 1]
    said = _polarity(folded, start, end)
    return said if said is not None and said.value is not None else None


def _inherit(folded: str, clauses: list[tuple[int, int, str]], index: int) -> _Polarity | None:
    """Polarity carried over from an earlier clause ("j'ai 23 ans, le permis et une voiture")."""
    flip = False
    for i in range(index, 0, -1):
        if CONTRAST.fullmatch(clauses[i][2]):
            flip = not flip
        start, end, _ = clauses[i - 1]
        said = _polarity(folded, start, end)
        if said is not None and said.value is not None:
            return _Polarity(said.value != flip, said.confidence, None, said.position)
    return None


# --- numbers ------------------------------------------------------------------------------------

UNIT_ALIASES = {
    "an": ("an", "ans", "annee", "annees", "balais", "piges"),
    "km": ("km", "kilometre", "kilometres", "kms", "bornes"),
    "minute": ("min", "mn", "minute", "minutes", "mins"),
    "heure": ("h", "heure", "heures", "hr", "hrs"),
    "euro": ("€", "euro", "euros", "eur", "balles"),
    "mois": ("mois",),
    "enfant": ("enfant", "enfants", "gosse", "gosses"),
}
# Words that may follow a bare number without making it a count of something else.
AFTER_NUMBER = frozenset(
    [
        "et",
        "ou",
        "mais",
        "je",
        "j",
        "depuis",
        "bientot",
        "passe",
        "passes",
        "revolus",
        "revolu",
        "environ",
        "a",
        "au",
        "cette",
        "cet",
        "ce",
        "c",
        "donc",
        "alors",
        "merci",
        "svp",
        "oui",
        "non",
        "voila",
        "hein",
        "bon",
        "en",
        "le",
        "la",
        "les",
        "l",
        "dans",
        "tout",
        "pile",
        "juste",
        "maintenant",
        "aujourd",
        "qu",
    ]
)
NUMBER = re.compile(r"(?<![\w.,])(\d+(?:[.,]\d+)?)(?!\d)(?!\s*(?:e|eme|ieme|er|ere|nd|nde|°)\b)")
WORD = re.compile(r"\s*(€|\w+)")
HALF = re.compile(r"\s+et\s+demie?\b")
HEDGES = re.compile(
    r"\b(bientot|presque|environ|a\s+peu\s+pres|pas\s+loin\s+de|vers|dans\s+les)\s+$"
)
HEDGE_NOTES = {"bientot": "bientôt", "a peu pres": "à peu près"}


# How many of the first unit one of the second makes.
CONVERSIONS = {("an", "mois"): 1 / 12, ("mois", "an"): 12, ("heure", "minute"): 1 / 60,
               ("minute", "heure"): 60}  # fmt: skip


def _unit_key(word: str) -> str | None:
    """The unit a word names ("années" -> "an"), among UNIT_ALIASES."""
    u = fold(word).strip()
    return next((k for k, aliases in UNIT_ALIASES.items() if u == k or u in aliases), None)


def _unit_words(unit: str) -> tuple[str, ...]:
    key = _unit_key(unit)
    u = fold(unit).strip()
    return UNIT_ALIASES[key] if key else (u, u.rstrip("s"), u + "s")


def parse_number(text: str, unit: str | None = None) -> Parsed | None:
    """Read a number in digits or words ("vingt-deux ans"); with `unit`, only that unit's number."""
    t = _Text(text)
    digits = t.digits
    units = _unit_words(unit) if unit else ()
    bare: Parsed | None = None
    for m in NUMBER.finditer(digits):
        value = float(m.group(1).replace(",", "."))
        nxt = WORD.match(digits, m.end())
        word = nxt.group(1) if nxt else ""
        ratio = unit and CONVERSIONS.get((_unit_key(unit), _unit_key(word)))
        if nxt and ratio:  # "6 mois" asked in years
            return _number(t, round(value * ratio, 2), m.start(), nxt.end(), 0.9)
        if nxt and word in units:
            end = nxt.end()
            half = HALF.match(digits, end)
            if half:
                value, end = value + 0.5, half.end()
            return _number(t, value, m.start(), end, 1.0)
        if word and word not in AFTER_NUMBER and not word.isdigit():
            if not units and not _from_article(t, m.start(), m.end()):
                return _number(t, value, m.start(), nxt.end(), 0.9)
            continue  # "2 enfants" when asked for an age
        if bare is None and not _from_article(t, m.start(), m.end()):
            bare = _number(t, value, m.start(), m.end(), 0.85 if units else 1.0)
    return bare


def _from_article(t: _Text, start: int, end: int) -> bool:
    """ "un"/"une" read as 1 is usually an article ("j'ai un CAP")."""
    s, e = t.span_from_digits(start, end)
    return fold(t.original[s:e]) in ("un", "une")


def _number(t: _Text, value: float, start: int, end: int, confidence: float) -> Parsed:
    hedge = HEDGES.search(t.digits, max(0, start - 20), start)
    note = None
    if hedge:
        note = HEDGE_NOTES.get(re.sub(r"\s+", " ", hedge.group(1)), hedge.group(1))
        start, confidence = hedge.start(), min(confidence, 0.7)
    number: float = int(value) if value.is_integer() else value
    return t.parsed(number, start, end, confidence, note, digits=True)


# --- durations ----------------------------------------------------------------------------------

_H = r"(?:h|heures?|hrs?)"
_M = r"(?:minutes?|mins?|mn|m|')"
DURATION_PATTERNS: list[tuple[re.Pattern[str], object, float, str | None]] = [
    (
        re.compile(rf"(?:entre\s+)?(\d+)\s*{_M}?\s*(?:et|a|-|ou)\s*(\d+)\s*({_M}|{_H})(?!\w)"),
        "range",
        0.85,
        None,
    ),
    (re.compile(rf"(\d+)\s*{_H}\s*(?:et\s+)?(\d{{1,2}})\s*(?:{_M})?(?![\w\d])"), "hm", 1.0, None),
    (re.compile(rf"(\d+)\s*{_H}\s+et\s+demie?"), "h+30", 1.0, None),
    (re.compile(rf"(\d+)\s*{_H}\s+et\s+quart"), "h+15", 1.0, None),
    (re.compile(rf"(\d+)\s*{_H}\s+moins\s+(?:le\s+)?quart"), "h-15", 1.0, None),
    (re.compile(r"(?:3|trois)\s*(?:quarts?|/4)\s*(?:d'\s*|de\s+)?(?:heure|h)"), 45, 1.0, None),
    (re.compile(r"(?:1|un)\s*quart\s*(?:d'\s*|de\s+)?heure"), 15, 1.0, None),
    (re.compile(r"(?:1\s*|une\s+)?demi[\s-]*heure|1/2\s*(?:heure|h)"), 30, 1.0, None),
    (re.compile(r"1\s+petite?\s+heure"), 60, 0.7, "un peu moins d'une heure"),
    (re.compile(r"1\s+bonne\s+heure"), 60, 0.8, "un peu plus d'une heure"),
    (
        re.compile(r"(?:(?:un|1)\s+peu\s+)?plus\s+d'\s*(?:1|une)\s*(?:heure|h)\b"),
        60,
        0.7,
        "un peu plus d'une heure",
    ),
    (
        re.compile(r"(?:(?:un|1)\s+peu\s+)?moins\s+d'\s*(?:1|une)\s*(?:heure|h)\b"),
        60,
        0.7,
        "moins d'une heure",
    ),
    (re.compile(rf"(\d+(?:[.,]\d+)?)\s*{_H}(?!\w)"), "h", 1.0, None),
    (re.compile(rf"(\d+)\s*{_M}(?!\w)"), "m", 1.0, None),
]
APPROX = re.compile(
    r"\b(a\s+peu\s+pres|environ|a\s+peine|max(?:imum)?|moins\s+de|plus\s+de|presque|genre)\s+$"
)
DURATION_HINT = re.compile(r"\d|heure|quart|demi")


def parse_duration(text: str) -> Parsed | None:
    """Read a duration in minutes ("1h30", "trois quarts d'heure", "une petite heure")."""
    t = _Text(text)
    if not DURATION_HINT.search(t.digits):
        return None
    digits = t.digits
    for rx, kind, confidence, note in DURATION_PATTERNS:
        m = rx.search(digits)
        if not m:
            continue
        minutes, note = _minutes(m, kind, note)
        if minutes is None or not 0 < minutes <= 24 * 60:
            continue
        start = m.start()
        approx = APPROX.search(digits, max(0, start - 20), start)
        if approx:
            start, confidence = approx.start(), min(confidence, 0.9)
        return t.parsed(minutes, start, m.end(), confidence, note, digits=True)
    return None


def _minutes(m: re.Match[str], kind: object, note: str | None) -> tuple[int | None, str | None]:
    if isinstance(kind, int):
        return kind, note
    g = m.groups()
    if kind == "range":
        low, high = int(g[0]), int(g[1])
        if high <= low:
            return None, None
        factor = 60 if re.fullmatch(_H, g[2]) else 1
        return high * factor, f"entre {low} et {high}"
    if kind == "hm":
        return (int(g[0]) * 60 + int(g[1]), note) if int(g[1]) < 60 else (None, None)
    if kind == "h":
        return round(float(g[0].replace(",", ".")) * 60), note
    hours = int(g[0]) * 60
    return {"h+30": hours + 30, "h+15": hours + 15, "h-15": hours - 15, "m": int(g[0])}[kind], note


# --- dates --------------------------------------------------------------------------------------

MONTHS = {
    "janvier": 1, "janv": 1, "fevrier": 2, "fev": 2, "fevr": 2, "mars": 3, "avril": 4, "avr": 4,
    "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "aout": 8, "septembre": 9, "sept": 9,
    "octobre": 10, "oct": 10, "novembre": 11, "nov": 11, "decembre": 12, "dec": 12,
}  # fmt: skip
WEEKDAYS = {
    "lundi": 0,
    "mardi": 1,
    "mercredi": 2,
    "jeudi": 3,
    "vendredi": 4,
    "samedi": 5,
    "dimanche": 6,
}
SEASONS = {"printemps": (3, 20), "ete": (6, 21), "automne": (9, 22), "hiver": (12, 21)}
_MONTH = r"(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"(?:\s+(20\d\d))?"

NOW_CUES = re.compile(
    r"\b(?:tout\s+de\s+suite|toute\s+suite|des\s+maintenant|immediatement|des\s+que\s+possible|"
    r"asap|maintenant|quand\s+(?:vous|tu|je|on)\s+(?:voul\w*|veux|veut|le\s+souhaitez)|n'importe\s+quand|"
    r"des\s+aujourd'hui|aujourd'hui|deja\s+(?:disponible|dispo|libre)|"
    r"je\s+suis\s+(?:disponible|dispo|libre)|de\s+suite|sur\s+le\s+champ|demain)\b"
)
NEGATED_AVAILABILITY = re.compile(
    r"\b(?:pas|plus|jamais)\s+(?:(?:tout\s+de\s+suite|encore|vraiment)\s+)?(?:disponible|dispo|libre)|"
    r"\bpas\s+(?:maintenant|tout\s+de\s+suite|de\s+suite|immediatement|avant)\b"
)
# A date in the past is what happened, not when the candidate can start: "au chômage depuis
# juin", "j'ai fini il y a 2 mois", "en mars dernier", "licenciée en 2023".
PAST_DATE = re.compile(
    r"\b(?:depuis|il\s+y\s+a|ya)\s+(?:(?:le|la|l'|les|debut|fin|mi|mois\s+de|de|d')\s*)*"
    r"(?:\d{1,2}\s+)?(?:"
    + _MONTH
    + _YEAR
    + r"|(?:19|20)\d\d|\d+\s*(?:ans?|annees?|mois|semaines?|jours?))"
    r"|\b" + _MONTH + r"\s+(?:dernier|derniere)\b"
    # "mon contrat s'est arrêté en octobre", "j'ai été licenciée en juin"
    r"|\b(?:ai|avons|ont|s'est|se\s+sont|etait)\s+(?:\w+\s+){0,2}?"
    r"\w+(?:e|es|ee|ees|i|is|ie|ies|u|us|ue|ues)\s+(?:en|le|fin|debut|mi|au\s+mois\s+d')\s*-?\s*"
    r"(?:\d{1,2}\s+)?" + _MONTH
)
AVAILABLE_BEFORE = re.compile(r"\b(?:dispo\w*|libre)\s+(?:\w+\s+)?$")


def _past_blanked(digits: str, m: re.Match[str]) -> str:
    """Blanked, offsets kept; "dispo depuis mars", or "depuis mars" alone as the answer, still
    says since when one is available."""
    alone = not digits[: m.start()].strip() and not digits[m.end() :].strip(" .!")
    if alone or AVAILABLE_BEFORE.search(digits, max(0, m.start() - 25), m.start()):
        return m.group()
    return " " * len(m.group())


# Words before a date that belong in the quote; "pas avant"/"après" also become the note.
DATE_PREFIX = re.compile(
    r"(?:\b(?:pas\s+(?:\w+\s+){0,2}avant|apres|a\s+partir\s+du|a\s+partir\s+de|a\s+compter\s+du|"
    r"des|en|vers|pour|courant|au\s+mois\s+de|d'ici|le|la|l')\s+)+$"
)
RELATIVE = re.compile(
    r"\bdans\s+(\d+)\s*(jours?|j|semaines?|sem|mois|ans?|annees?)\b|\bdans\s+(quinze|15)\s+jours\b"
)
NEXT_PERIOD = re.compile(
    r"\b(?:la\s+)?semaine\s+pro(?:chaine)?\b|\ble\s+mois\s+pro(?:chain)?\b|\bmois\s+prochain\b|"
    r"\bl'annee\s+pro(?:chaine)?\b|\bfin\s+(?:du|de\s+ce)\s+mois\b|\bl'an\s+prochain\b|\bapres[\s-]demain\b|\b(?:a\s+)?la\s+rentree\b"
)
# Text that dateparser might read and the cues above did not: a numeric date, a year, a period.
DATE_HINT = re.compile(
    r"\d{1,2}\s*[/.-]\s*\d|\b(?:19|20)\d\d\b|\b(?:prochain|prochaine|semaine|mois|jours?|annee)\b"
)


def parse_date(text: str, now: dt.date) -> Parsed | None:
    """Read the date from which the candidate is available; never a date before `now`."""
    if isinstance(now, dt.datetime):
        now = now.date()  # comparing a datetime with a date raises
    t = _Text(text, dates=True)
    digits = PAST_DATE.sub(partial(_past_blanked, t.digits), t.digits)
    readers = (_explicit_date, _month_date, _relative_date, _weekday_date, _season_date)
    if not NEGATED_AVAILABILITY.search(digits):
        readers += (_now_date,)
    for reader in readers:
        found = reader(digits, now)
        if found:
            date, start, end, confidence, note = found
            date, note, confidence = _not_past(date, now, note, confidence)
            prefix = DATE_PREFIX.search(digits, max(0, start - 30), start)
            if prefix:
                start = prefix.start()
                cue = re.match(r"pas\s+(?:\w+\s+){0,2}avant|apres", prefix.group())
                if cue and note is None:
                    note = re.sub(r"\s+", " ", cue.group()).replace("apres", "après")
            return t.parsed(date, start, end, confidence, note, digits=True)
    if NEGATED_AVAILABILITY.search(digits) or not DATE_HINT.search(digits):
        return None
    return _dateparser_date(t, now)


def _not_past(date: dt.date, now: dt.date, note: str | None, confidence: float):
    if date < now:
        return now, note or "date passée : disponible dès maintenant", min(confidence, 0.6)
    return date, note, confidence


def _next(year: str | None, month: int, day: int, now: dt.date, month_only=False) -> dt.date | None:
    """The date `day/month` on or after `now` (this year or a later one) unless the year is given."""
    if year:
        return _valid_date(int(year), month, day)
    for y in range(now.year, now.year + 5):  # five years: 29 February
        date = _valid_date(y, month, day)
        if date is None:
            continue
        if date >= now:
            return date
        if month_only and month == now.month:
            return now  # "en septembre" said in September
    return None


def _valid_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:  # "31/02"
        return None


def _explicit_date(s: str, now: dt.date):
    m = re.search(r"\b(\d{1,2})(?:er)?\s+" + _MONTH + _YEAR + r"(?!\w)", s)
    if m and 1 <= int(m.group(1)) <= 31:
        date = _next(m.group(3), MONTHS[m.group(2)], int(m.group(1)), now)
        if date:
            return date, m.start(), m.end(), 1.0, None
    m = re.search(r"(?<![\d/.,])(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}|\d{2}))?(?![\d/])", s)
    if m and 1 <= int(m.group(2)) <= 12 and 1 <= int(m.group(1)) <= 31:
        year = m.group(3)
        if year and len(year) == 2:
            year = "20" + year
        date = _next(year, int(m.group(2)), int(m.group(1)), now)
        if date:
            return date, m.start(), m.end(), 0.95, None
    return None


def _month_date(s: str, now: dt.date):
    m = re.search(
        r"\b(?:(debut|fin|mi|courant|milieu)(?:\s+|-)(?:de\s+|d')?)?" + _MONTH + _YEAR + r"(?!\w)",
        s,
    )
    if not m:
        return None
    part, month, year = m.group(1), MONTHS[m.group(2)], m.group(3)
    if part == "fin":
        day = calendar.monthrange(int(year) if year else now.year, month)[1]
    else:
        day = 15 if part in ("mi", "milieu") else 1
    date = _next(year, month, day, now, month_only=part != "fin")
    note = {"fin": "fin de mois", "mi": "mi-mois", "milieu": "mi-mois"}.get(part or "")
    return (date, m.start(), m.end(), 0.9, note) if date else None


def _relative_date(s: str, now: dt.date):
    m = RELATIVE.search(s)
    if m:
        n = int(m.group(1) or 15)
        unit = m.group(2) or "jours"
        if n > 120:
            return None
        if unit.startswith("j"):
            date = now + dt.timedelta(days=n)
        elif unit.startswith("sem"):
            date = now + dt.timedelta(weeks=n)
        else:
            date = _add_months(now, n if unit == "mois" else 12 * n)
        return date, m.start(), m.end(), 0.95, None
    m = NEXT_PERIOD.search(s)
    if not m:
        return None
    word = m.group()
    if "semaine" in word:
        date = now + dt.timedelta(days=7 - now.weekday())
    elif "fin" in word:
        date = now.replace(day=calendar.monthrange(now.year, now.month)[1])
    elif "mois" in word:
        date = _add_months(now.replace(day=1), 1)
    elif "demain" in word:
        date = now + dt.timedelta(days=2)
    elif "rentree" in word:
        date = _next(None, 9, 1, now, month_only=True)
    else:
        date = dt.date(now.year + 1, 1, 1)
    return date, m.start(), m.end(), 0.9, None


def _add_months(date: dt.date, months: int) -> dt.date:
    index = date.month - 1 + months
    year, month = date.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(date.day, calendar.monthrange(year, month)[1]))


def _weekday_date(s: str, now: dt.date):
    m = re.search(r"\b(" + "|".join(WEEKDAYS) + r")(\s+pro(?:chain)?)?\b", s)
    if not m:
        return None
    ahead = (WEEKDAYS[m.group(1)] - now.weekday()) % 7 or 7
    return now + dt.timedelta(days=ahead), m.start(), m.end(), 0.9 if m.group(2) else 0.8, None


def _season_date(s: str, now: dt.date):
    m = re.search(
        r"\b(au\s+|a\s+l'|en\s+|cet\s+|ce\s+|cette\s+)?(printemps|ete|automne|hiver)(?!\w)", s
    )
    if not m or (m.group(2) == "ete" and not m.group(1)):
        return None  # "été" is also a past participle
    month, day = SEASONS[m.group(2)]
    return _next(None, month, day, now), m.start(), m.end(), 0.7, "saison"


def _now_date(s: str, now: dt.date):
    m = NOW_CUES.search(s)
    if not m:
        return None
    if m.group() == "demain":
        return now + dt.timedelta(days=1), m.start(), m.end(), 1.0, None
    return now, m.start(), m.end(), 0.95, None


def _dateparser_date(t: _Text, now: dt.date) -> Parsed | None:
    """Last resort for forms the cues above miss; dateparser is slow, so only on short date-like text."""
    if len(t.folded) > 60:
        return None
    import dateparser  # slow import, rarely needed

    base = dt.datetime.combine(now, dt.time())
    settings = {"PREFER_DATES_FROM": "future", "RELATIVE_BASE": base}
    try:
        found = dateparser.parse(t.original.strip(), languages=["fr"], settings=settings)
    except Exception:  # dateparser raises on odd input (overflows, regex errors)
        return None
    if found is None:
        return None
    date, note, confidence = _not_past(found.date(), now, None, 0.7)
    return t.parsed(date, 0, len(t.folded), confidence, note)


# --- choices and levels -------------------------------------------------------------------------

NEGATIONS = re.compile(r"\b(?:pas|sans|ni|jamais|plus|aucun|aucune|non|rien)\b|\bn'|\bne\b")
NEGATIVE_PHRASE = re.compile(r"\b(?:pas|sans|ni|jamais|aucun|aucune|rien|non)\b|\bn'")
# A few synonyms are also common French words: these contexts mean the common word.
FALSE_FRIENDS = {
    "car": re.compile(
        r"car\s+(?:je|j'|il|elle|on|c'|ce|le|la|les|mon|ma|mes|nous|vous|ils|elles|y|en|sinon|pour|"
        r"comme|si|quand|ca|sa|au|a|pas|plus|trop|tres|cela|ils|l')"
    ),
    "but": re.compile(
        r"(?:mon|le|un|ce|du|son|notre|votre|leur|dans\s+le)\s+but\b|but\s+(?:est|c'est|de|d')"
    ),
    "marche": re.compile(r"(?:ca|sa|cela|ce\s+qui)\s+marche|marche\s+pas"),
    "rien": re.compile(r"rien\s+(?:de\s+special|d'autre|a\s+voir)|(?:de|pour)\s+rien"),
}


@dataclass
class _Hit:
    id: str
    rank: int  # position of the option or level in its list
    start: int
    end: int
    confidence: float


@dataclass(frozen=True)
class _Phrase:
    rank: int  # position of the option or level in its list
    id: str
    text: str  # folded (and, for levels, with digits)
    confidence: float
    pattern: re.Pattern[str]
    negative: bool  # the phrase itself is negative ("pas de solution"): no negation check
    first: str  # first token, for a cheap check before the regex


def _phrase_re(phrase: str) -> re.Pattern[str]:
    tokens = [re.escape(tok) for tok in re.findall(r"\w+|[^\w\s]", phrase)]
    return re.compile(r"(?<!\w)" + r"[\s\-]*".join(tokens) + r"(?!\w)")


@lru_cache(maxsize=512)
def _catalogue(
    key: tuple[tuple[str, str, tuple[str, ...]], ...], digits: bool
) -> tuple[_Phrase, ...]:
    """Every phrase that names an option or level (id, label, synonyms), compiled once per list."""
    phrases, seen = [], set()
    for rank, (item_id, label, synonyms) in enumerate(key):
        raw = [(item_id.replace("-", " ").replace("_", " "), 1.0), (label, 0.95)]
        raw += [(s, 0.95) for s in synonyms]
        for phrase, confidence in raw:
            folded = fold(phrase).strip()
            if digits:
                folded = alpha2digit(folded, "fr", threshold=0)
            if not re.search(r"\w", folded) or (item_id, folded) in seen:
                continue
            seen.add((item_id, folded))
            negative = bool(NEGATIVE_PHRASE.search(folded))
            first = re.findall(r"\w+|[^\w\s]", folded)[0]
            phrases.append(
                _Phrase(rank, item_id, folded, confidence, _phrase_re(folded), negative, first)
            )
    return tuple(phrases)


def _catalogue_of(items: Sequence, digits: bool) -> tuple[_Phrase, ...]:
    key = tuple((i.id, i.label, tuple(i.synonyms)) for i in items)
    return _catalogue(key, digits)


def _exact_hits(text: str, phrases: Sequence[_Phrase]) -> list[_Hit]:
    hits = []
    for p in phrases:
        if p.first not in text:
            continue
        for m in p.pattern.finditer(text):
            if _kept(text, p, m.start()):
                hits.append(_Hit(p.id, p.rank, m.start(), m.end(), p.confidence))
    return hits


def _kept(text: str, phrase: _Phrase, start: int) -> bool:
    if not phrase.negative and _negated(text, start):
        return False
    rx = FALSE_FRIENDS.get(phrase.text)
    if rx is None:
        return True
    window = rx.finditer(text, max(0, start - 12), start + 40)
    return not any(m.start() <= start < m.end() for m in window)


def _negated(text: str, start: int) -> bool:
    """A negation among the four words before the phrase, in the same clause ("pas de voiture")."""
    window = text[max(0, start - 50) : start]
    breaks = list(CLAUSE_BREAK.finditer(window))
    if breaks:
        window = window[breaks[-1].end() :]
    return bool(NEGATIONS.search(" ".join(window.split()[-4:])))


WORD_SPAN = re.compile(r"[a-z0-9]+(?:['+][a-z0-9]+)*")


def _fuzzy_hits(text: str, phrases: Sequence[_Phrase]) -> list[_Hit]:
    """Typos ("voitrue", "tramwai"): one edit for phrases of 5 to 8 letters, two beyond.

    Shorter phrases never match fuzzily: "bus" is one edit from "but", "cap" from "car".
    """
    words = [(m.start(), m.end(), m.group()) for m in WORD_SPAN.finditer(text)][:300]
    grams: dict[int, tuple[list[str], list[tuple[int, int]]]] = {}
    hits = []
    for p in phrases:
        n = p.text.count(" ") + 1
        if len(p.text) < 5 or n > 4 or n > len(words):
            continue
        if n not in grams:
            spans = [(words[i][0], words[i + n - 1][1]) for i in range(len(words) - n + 1)]
            strings = [" ".join(w for _, _, w in words[i : i + n]) for i in range(len(spans))]
            grams[n] = (strings, spans)
        strings, spans = grams[n]
        allowed = 1 if len(p.text) < 9 else 2
        found = process.extract(
            p.text, strings, scorer=OSA.distance, score_cutoff=allowed, limit=None
        )
        for candidate, _, index in found:
            start, end = spans[index]
            if candidate[0] == p.text[0] and _kept(text, p, start):
                hits.append(_Hit(p.id, p.rank, start, end, 0.75))
    return hits


def _hits(text: str, items: Sequence, digits: bool = False) -> list[_Hit]:
    phrases = _catalogue_of(items, digits)
    exact = _exact_hits(text, phrases)
    # Typo matches never overlap an exact match nor a "je ne sais pas" ("aucune idée" is no "aucun").
    taken = [(e.start, e.end) for e in exact] + [m.span() for m in DONT_KNOW.finditer(text)]
    fuzzy = [
        h
        for h in _fuzzy_hits(text, phrases)
        if not any(s < h.end and h.start < e for s, e in taken)
    ]
    return exact + fuzzy


BUTTON = re.compile(r"\s*(?:n°|no|numero|choix|option|le|la)?\s*(\d)\s*[.)]?\s*")


def _button(t: _Text, items: Sequence) -> _Hit | None:
    m = BUTTON.fullmatch(t.folded)
    if m and 1 <= int(m.group(1)) <= len(items):
        rank = int(m.group(1)) - 1
        return _Hit(items[rank].id, rank, m.start(1), m.end(1), 0.9)
    return None


def parse_choice(text: str, options: Sequence[_Choice], multi: bool = False) -> Parsed | None:
    """Read one option id (or, when `multi`, the list of option ids in option order)."""
    t = _Text(text)
    if not options:
        return None
    button = _button(t, options)
    hits = [button] if button else _hits(t.folded, options)
    if not hits:
        return None
    if multi:
        ids = [o.id for o in options if any(h.id == o.id for h in hits)]
        start, end = min(h.start for h in hits), max(h.end for h in hits)
        return t.parsed(ids, start, end, min(h.confidence for h in hits))
    best = max(hits, key=lambda h: (h.end - h.start, -h.start))
    if {h.id for h in hits} != {best.id}:
        return t.parsed(
            best.id, best.start, best.end, min(best.confidence, 0.6), "plusieurs choix cités"
        )
    return t.parsed(best.id, best.start, best.end, best.confidence)


# School-leaving phrases for the diploma scale, and everyday phrases for the CEFR scale.
LEFT_SCHOOL = re.compile(
    r"\b(?:arrete|quitte|stoppe|lache|fini|termine)\w*\s+(?:l'ecole\s+|les\s+etudes\s+|mes\s+etudes\s+|les\s+cours\s+)?"
    r"(?:en|a|au|apres\s+(?:la|le))\s+(?:la\s+)?(?:\d+\s*(?:e|eme|ieme)|troisieme|quatrieme|cinquieme|"
    r"seconde|premiere|terminale|college|lycee)\b|\bquitte\s+l'ecole\b"
)
CEFR_CUES: list[tuple[re.Pattern[str], str, float]] = [
    (
        re.compile(
            r"\bma\s+langue|\bnatif|\bnative|\bfrancais\s+de\s+naissance|\bje\s+suis\s+nee?\s+en\s+france"
        ),
        "c2",
        0.8,
    ),
    (
        re.compile(r"\b(?:pas\s+du\s+tout|tres\s+peu|presque\s+pas|quelques\s+mots|rien)\b"),
        "a1",
        0.5,
    ),
    (re.compile(r"\b(?:moyen|moyennement|correctement|assez\s+bien|pas\s+mal)\b"), "b1", 0.5),
    (re.compile(r"\b(?:un\s+peu|pas\s+tres\s+bien|pas\s+bien|difficilement|mal)\b"), "a2", 0.5),
    (re.compile(r"\b(?:tres\s+bien|parfaitement)\b"), "c1", 0.5),
    (re.compile(r"\b(?:couramment|bien|bon\s+niveau|facilement)\b"), "b2", 0.5),
]
IN_PROGRESS = re.compile(
    r"\b(?:en\s+cours|je\s+(?:le\s+|la\s+)?(?:passe|prepare)|je\s+suis\s+en|pas\s+fini|"
    r"pas\s+eu|rate|loupe|echoue)\b"
)


# "CACES 3", "catégorie 1A": a level named by a head word and a code.
CODED = re.compile(r"(.*\S)\s+([0-9][0-9a-z]?|[a-z][0-9])")
SHORT_ANSWER = 8  # words


def _codes(text: str, scale: Sequence[_Choice], named: bool) -> list[_Hit]:
    """Levels said by their code alone, the head word understood: "le caces 3 et le 5" (after a
    level named in full), "le 1A et le 3" (a short answer to "lequel ?"). Only a code that
    belongs to one level ("3" is no code on a scale with "niveau 3" and "bac + 3")."""
    if not named and len(text.split()) > SHORT_ANSWER:
        return []
    owners: dict[str, set[int]] = {}
    for rank, level in enumerate(scale):
        for phrase in (level.label, *level.synonyms):
            if m := CODED.fullmatch(fold(phrase)):
                owners.setdefault(m.group(2), set()).add(rank)
    hits = []
    for code, ranks in owners.items():
        if len(ranks) != 1:
            continue
        rank = ranks.pop()
        said = rf"(?:\b(?:le|la|les|du|et|ou)\s+|\bl'|,\s*)({re.escape(code)})(?!\w|[.,]\d)"
        for m in re.finditer(said + UNIT_AFTER, text):
            if not _negated(text, m.start(1)):  # "le 3 mais pas le 5"
                hits.append(_Hit(scale[rank].id, rank, m.start(1), m.end(1), 0.8))
    return hits


UNIT_AFTER = r"(?!\s*(?:ans?|annees?|mois|semaines?|jours?|h|heures?|min\w*|km|kilo\w*|euros?|%))"


def _overlaps_any(hit: _Hit, hits: list[_Hit]) -> bool:
    return any(hit.start < h.end and h.start < hit.end for h in hits)


def parse_level(text: str, scale: Sequence[_Choice]) -> Parsed | None:
    """Read a level id on an ordered scale (lowest first); several levels → the highest."""
    t = _Text(text)
    if not scale:
        return None
    hits = _hits(t.digits, scale, digits=True)
    hits += [c for c in _codes(t.digits, scale, bool(hits)) if not _overlaps_any(c, hits)]
    if hits:
        best = max(hits, key=lambda h: (h.rank, h.end - h.start))
        note, confidence = None, best.confidence
        cstart, cend = _clause_around(t.digits, best.start)
        if IN_PROGRESS.search(t.digits, cstart, cend):
            note, confidence = "en cours ou non obtenu", min(confidence, 0.5)
        return t.parsed(best.id, best.start, best.end, confidence, note, digits=True)
    ids = {level.id for level in scale}
    if "aucun" in ids:
        m = LEFT_SCHOOL.search(t.digits)
        if m:
            return t.parsed(
                "aucun", m.start(), m.end(), 0.6, "a arrêté l'école sans diplôme", digits=True
            )
    if {"a1", "b1", "c2"} <= ids:
        for rx, level, confidence in CEFR_CUES:
            m = rx.search(t.folded)
            if m:
                return t.parsed(
                    level, m.start(), m.end(), confidence, "niveau estimé d'après la réponse"
                )
    return None
