"""Chat French read the way a French reader reads it: "jai" is "j'ai", "chui dispo" is "je suis
disponible", "personnes agees" is "personnes âgées".

`normalise()` runs once per message, before the pseudonymiser and the understanding, so that
neither mistakes an everyday word for a name nor misses an answer for its spelling. The
candidate's own words are never lost: a `ChatText` keeps both spellings piece by piece, and any
span of the normalised text maps back to the candidate's original words (quotes, evidence).

What is rewritten, in this order, word by word:
1. chat abbreviations that no dictionary can guess (`CHAT_FORMS`: jsp, chui, pk, bcp, qqn…);
2. a missing apostrophe: "jai" → "j'ai", "cest" → "c'est", "lhopital" → "l'hôpital",
   "j ai" → "j'ai", and "je" dropped before a consonant: "jpeux" → "je peux";
3. missing or wrong accents: "agees" → "âgées", "deja" → "déjà";
4. letters repeated for emphasis: "ouiii" → "oui";
5. one dropped final letter: "je vien" → "je viens", "pa" → "pas".
Steps 2 to 5 are decided by the standard French lexicon (`chatbot.lexicon`): a word already
standard is never touched, nor is a capitalised word that is a known first name.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache, cached_property

from spacy.lang.fr.stop_words import STOP_WORDS

from chatbot import lexicon
from chatbot.rubric import Rubric
from chatbot.text import fold

# Chat forms a reader expands from habit, not from spelling. Keys are lowercase, accents folded.
CHAT_FORMS: dict[str, str] = {
    # je suis, je sais, je peux…
    **dict.fromkeys(["chui", "chuis", "chu", "jsui", "jsuis", "jss"], "je suis"),
    "sui": "suis",
    **dict.fromkeys(
        ["jsp", "jspa", "jsaispas", "chepa", "chaipa", "chaispas", "jsépa"], "je sais pas"
    ),
    **dict.fromkeys(["chais", "chai", "jsai", "jsais"], "je sais"),
    **dict.fromkeys(["ché", "che", "chè"], "chez"),  # "ché pas" is "je sais pas" (SAIS_PAS)
    **dict.fromkeys(["ve", "vé"], "vais"),  # only after "je" (JE_BEFORE)
    **dict.fromkeys(["jpeu", "jpeux", "jpx"], "je peux"),
    **dict.fromkeys(["jveu", "jveux"], "je veux"),
    "g": "j'ai",
    "jé": "j'ai",
    **{f"j'{w}": f"je {w}" for w in ("me", "te", "le", "la", "les", "lui", "ne")},
    **dict.fromkeys(["j'sais", "j'sai"], "je sais"),
    **dict.fromkeys(["j'suis", "j'sui"], "je suis"),
    **dict.fromkeys(["j'peux", "j'peu"], "je peux"),
    **dict.fromkeys(["j'veux", "j'veu"], "je veux"),
    **dict.fromkeys(["jlai", "jl'ai", "j'l'ai"], "je l'ai"),
    "avt": "avant",
    "jen": "j'en",
    "jy": "j'y",
    # c'est, il y a
    **dict.fromkeys(["c", "cé", "ce"], "c'est"),  # "ce" only when CE_IS_CEST says so
    **dict.fromkeys(["ct", "cété", "cetait"], "c'était"),
    **dict.fromkeys(["ya", "yà", "yna"], "il y a"),
    "yavait": "il y avait",
    "yaura": "il y aura",
    "yen": "il y en",
    # question words
    **dict.fromkeys(["pk", "pq", "pkoi", "pourkoi", "prq"], "pourquoi"),
    **dict.fromkeys(["pcq", "pck", "paske", "pasque", "parske", "parceque", "pke"], "parce que"),
    **dict.fromkeys(["koi", "kwa", "quoa"], "quoi"),
    "kel": "quel",
    "kelle": "quelle",
    "kels": "quels",
    "kelles": "quelles",
    "ki": "qui",
    "ke": "que",
    "sa": "ça",  # only when SA_IS_CA says so
    "ca": "ça",
    **dict.fromkeys(["keske", "kesk", "kesque", "qesque"], "qu'est-ce que"),
    **dict.fromkeys(["kan", "qd", "qnd", "kand", "quan"], "quand"),
    **dict.fromkeys(["kom", "cm"], "comme"),
    **dict.fromkeys(["komment", "koment", "komen", "koman", "cmt", "cmnt"], "comment"),
    **dict.fromkeys(["cb1", "combi1"], "combien"),
    # everyday abbreviations
    **dict.fromkeys(["tt", "tou"], "tout"),
    "tte": "toute",
    **dict.fromkeys(["tts", "ts"], "tous"),
    **dict.fromkeys(["tlj", "tljrs"], "tous les jours"),
    **dict.fromkeys(["dpuis", "dps", "dep", "dpui", "depui"], "depuis"),
    **dict.fromkeys(["apre", "apr", "aprè", "apré"], "après"),
    **dict.fromkeys(["kelke", "kelkes", "qlq", "qques"], "quelques"),
    "mmt": "moment",
    **dict.fromkeys(["dj", "dja", "deja"], "déjà"),
    **dict.fromkeys(["fe", "fé", "fet"], "fait"),
    **dict.fromkeys(
        ["evidemen", "evidement", "évidement", "evidemmen", "evidamment"], "évidemment"
    ),
    **dict.fromkeys(["ac", "avk"], "avec"),
    **dict.fromkeys(["p'tit", "ptit"], "petit"),
    **dict.fromkeys(["p'tite", "ptite"], "petite"),
    **dict.fromkeys(["tjr", "tjrs", "tjs", "toujour"], "toujours"),
    **dict.fromkeys(["bcp", "bcq", "bocou", "boku", "bcoup"], "beaucoup"),
    **dict.fromkeys(["qqn", "qqun", "qqu", "kelkun", "quelquun", "quelqun", "qlqun"], "quelqu'un"),
    **dict.fromkeys(["qqch", "qqc", "qqchose", "kelkechose"], "quelque chose"),
    **dict.fromkeys(["qq", "qqs"], "quelques"),
    **dict.fromkeys(["dac", "dacc", "dak", "dakor", "daccor", "dacor", "dacodac"], "d'accord"),
    "stp": "s'il te plaît",
    "svp": "s'il vous plaît",
    **dict.fromkeys(["mtn", "mnt", "maint", "maintenan"], "maintenant"),
    **dict.fromkeys(["dsl", "dslé", "dsl2"], "désolé"),
    **dict.fromkeys(["ptet", "ptetre", "ptêtre", "ptt"], "peut-être"),
    "pr": "pour",
    "ds": "dans",
    "ns": "nous",
    **dict.fromkeys(["ms", "mé", "mè"], "mais"),
    "tps": "temps",
    **dict.fromkeys(["pb", "pbm", "pblm", "prob", "pbs"], "problème"),
    "rdv": "rendez-vous",
    **dict.fromkeys(
        ["auj", "ajd", "aujd", "ojd", "auj'", "aujourdhui", "aujourdui"], "aujourd'hui"
    ),
    "bi1": "bien",
    **dict.fromkeys(["mwa", "moa"], "moi"),
    **dict.fromkeys(["twa", "toa"], "toi"),
    **dict.fromkeys(
        ["oué", "oue", "ouai", "ouai", "wai", "wé", "wè", "ouep", "ouaip", "ouaii"], "ouais"
    ),
    **dict.fromkeys(["wi", "ui", "uii", "ouii"], "oui"),
    "we": "ouais",  # "le we" is the week-end (WEEKEND_BEFORE)
    **dict.fromkeys(["dsuite", "d'suite"], "de suite"),
    **dict.fromkeys(["tdsuite", "tdsuit", "tdesuite"], "tout de suite"),
    "dan": "dans",  # only before what follows "dans" (DANS_BEFORE)
    **dict.fromkeys(["vou", "vs"], "vous"),
    "o": "au",  # only before a word ("o chômage")
    **dict.fromkeys(["enkor", "ankor", "encor", "encoe"], "encore"),
    **dict.fromkeys(["aprem", "aprm", "aprèm", "aprés-midi", "apres midi"], "après-midi"),
    **dict.fromkeys(["mem", "mm"], "même"),  # "mm" only after "quand" (MEME_AFTER)
    **dict.fromkeys(["nn", "nan", "nop", "nope"], "non"),
    **dict.fromkeys(["tkt", "tqt"], "t'inquiète"),
    **dict.fromkeys(["vrmt", "vrm", "vraimen", "vrément"], "vraiment"),
    **dict.fromkeys(["oki", "okk", "oké", "okay", "okey"], "ok"),
    **dict.fromkeys(["merki", "mrc", "mci", "mercii"], "merci"),
    "dc": "donc",
    "pdt": "pendant",
    "avc": "avec",
    "jms": "jamais",
    "fo": "faut",
    "tro": "trop",
    "bo": "beau",
    "lé": "les",
    "dé": "des",
    "é": "et",
    **dict.fromkeys(["enfaite", "enfait"], "en fait"),
    "biensur": "bien sûr",
    "parcontre": "par contre",
    "msg": "message",
    "slt": "salut",
    **dict.fromkeys(["bjr", "bjour", "bnjr", "bonjoure"], "bonjour"),
    **dict.fromkeys(["orevoir", "arvoir", "aurevoir", "o revoir"], "au revoir"),
    **dict.fromkeys(["ossi", "ausi", "aussie"], "aussi"),
    **dict.fromkeys(["sava", "cava", "çava"], "ça va"),
    **dict.fromkeys(["jusk", "jusko", "jusqua"], "jusqu'à"),
    "bsr": "bonsoir",
    "jvais": "je vais",
    "cad": "c'est-à-dire",
    "infos": "informations",
    "info": "information",
    "dispo": "disponible",
    "dispos": "disponibles",
}
# Interjections and chat words that are words, not names, and need no rewriting.
CHAT_WORDS = frozenset(
    [
        "ben",
        "bah",
        "bof",
        "euh",
        "heu",
        "hein",
        "hum",
        "hmm",
        "mmh",
        "ouais",
        "ok",
        "mdr",
        "ptdr",
        "lol",
        "wesh",
        "oklm",
        "voila",
        "bon",
        "ah",
        "oh",
        "eh",
        "ouf",
        "coucou",
        "cc",
        "re",
        "yes",
    ]
)
LONGEST_WORD = 30  # beyond, a "word" is noise ("xxxxxxxx…") and stays as typed
ELISIONS = ("qu", "j", "l", "d", "n", "m", "s", "t", "c")
VERB_ELISIONS = frozenset("jnmst")
# "c" is a licence category and a CACES or grade letter: never "c'est" after these words.
LETTER_CONTEXT = re.compile(
    r"(?:^|\W)(?:permis|categorie|cat|caces|type|niveau|classe|groupe|option|[a-e]|et|ou)\s*$"
    r"|[,/+-]\s*$"
)
# "ce" is a demonstrative; it means "c'est" only before what follows "c'est" ("ce bon", "ce quoi").
CE_IS_CEST = re.compile(r"\s+(?:quoi|bon|ok|pas|vrai|possible|payé|paye|ca|ça|oui|non)\b")
LICENCE_BEFORE = re.compile(r"\b(?:permis|categorie|cat|caces|type)\s*$")
# "le we", "ce we": the week-end; "we" alone is "ouais".
WEEKEND_BEFORE = re.compile(r"\b(?:le|ce|du|les|chaque|tous les|bon)\s*$")
# "dan" is a first name; before a number, an article or a time word it is "dans".
DANS_BEFORE = re.compile(
    r"\s+(?:\d|le|la|les|l'|un|une|deux|trois|quelques|mon|ma|mes|ce|cette|sa|son|ses"
    r"|leur|l|1|2|3)\b"
)
# "sa" is a possessive; before a verb it is "ça" ("sa va", "sa me dérange pas").
SA_IS_CA = re.compile(
    r"\s+(?:va|vas|marche|depend|dépend|me|m'|fait|ira|irait|roule|derange|dérange|gene|gêne"
    r"|pose|peut|doit|devrait|passe|ne|n'|dure|prend|recrute|embauche|tombe|paye|paie|plait"
    r"|plaît|change|commence|arrive|coute|coûte|suffit|compte|sert|ressemble|te|m)\b"
)
# After these, a word is a name and stays as typed ("je m'appelle jaime").
NAME_CUE = re.compile(r"(?i)(?:appel+e?s?|nom|pr[ée]nom|moi\s*,?\s*c['’ ]?\s*est|nomme)\s*:?\s*$")
SUBJECT_BEFORE = re.compile(r"(?i)(?:^|[\s'’])(?:je|j|tu|il|elle|on|ne|n)['’\s]\s*$")
WORD = re.compile(
    r"<[A-Z_]+_\d+>"  # a placeholder left by the pseudonymiser: never touched
    r"|(?<![\w@./\\-])[^\W\d_]+(?:['’][^\W\d_]+)*(?![\w@]|[./\\-]\w)"
)


@dataclass(frozen=True)
class ChatText:
    """A message in two spellings, piece by piece: (candidate's words, normalised words)."""

    pieces: tuple[tuple[str, str], ...]

    @cached_property
    def text(self) -> str:
        """The normalised message: what the pseudonymiser and the understanding read."""
        return "".join(norm for _, norm in self.pieces)

    @cached_property
    def original(self) -> str:
        """The candidate's own words."""
        return "".join(orig for orig, _ in self.pieces)

    @cached_property
    def _starts(self) -> tuple[list[int], list[int]]:
        norm, orig, n, o = [], [], 0, 0
        for original, normalised in self.pieces:
            norm.append(n)
            orig.append(o)
            n, o = n + len(normalised), o + len(original)
        return norm, orig

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """The span of the candidate's words behind text[start:end]; a rewritten word is
        taken whole."""
        if start >= end:
            position = self._position(start, True)
            return position, position
        return self._position(start, True), self._position(end, False)

    def _position(self, offset: int, is_start: bool) -> int:
        norm_starts, orig_starts = self._starts
        index = bisect_right(norm_starts, offset if is_start else offset - 1) - 1
        if index < 0:
            return 0
        original, normalised = self.pieces[index]
        inside = offset - norm_starts[index]
        if original == normalised:
            return orig_starts[index] + inside
        return orig_starts[index] + (0 if is_start else len(original))

    def quote(self, evidence: str) -> str:
        """The candidate's own words for a verbatim span of the normalised text (else as is)."""
        at = self.text.find(evidence) if evidence else -1
        if at < 0:
            return evidence
        start, end = self.to_original(at, at + len(evidence))
        return self.original[start:end]

    def replaced(self, spans: list[tuple[int, int, str]]) -> ChatText:
        """Both spellings with each span of the normalised text (start, end, replacement)
        replaced, e.g. by the pseudonymiser's placeholders."""
        pieces = list(self.pieces)
        for start, end, replacement in sorted(spans, reverse=True):
            pieces = _replace(pieces, start, end, replacement)
        return ChatText(tuple(pieces))


def _replace(pieces: list[tuple[str, str]], start: int, end: int, replacement: str):
    out, position, placed = [], 0, False
    for original, normalised in pieces:
        lo, hi = position, position + len(normalised)
        position = hi
        if hi <= start or lo >= end:
            if lo >= end and not placed:
                out.append((replacement, replacement))
                placed = True
            out.append((original, normalised))
            continue
        if original == normalised:  # plain text: cut exactly
            if lo < start:
                out.append((original[: start - lo], original[: start - lo]))
            if not placed:
                out.append((replacement, replacement))
                placed = True
            if hi > end:
                out.append((original[end - lo :], original[end - lo :]))
        elif not placed:  # a rewritten word goes whole
            out.append((replacement, replacement))
            placed = True
    if not placed:
        out.append((replacement, replacement))
    return out


def normalise(text: str) -> ChatText:
    """The message read as French. A message mostly in another language ("Ignoriere alle…")
    is left as typed: its words are not French words misspelt."""
    pieces: list[tuple[str, str]] = []
    cursor, skip_until, french, words = 0, -1, 0, 0
    matches = list(WORD.finditer(text))
    for index, match in enumerate(matches):
        if match.start() < skip_until or match.group().startswith("<"):
            continue
        words += 1
        if _acronym(text, match.group()):  # "CHU", "SAI" in a sentence in lower case
            french += 1
            continue
        following = matches[index + 1] if index + 1 < len(matches) else None
        joined = _joined(text, match, following)
        if joined is not None:
            end, norm = joined
            skip_until = end
        else:
            end, norm = match.end(), _word(text, match)
        if norm is None or norm == text[match.start() : end]:
            french += _standard(match.group()) or fold(match.group()) in CHAT_WORDS
            continue
        french += 1
        if match.start() > cursor:
            pieces.append((text[cursor : match.start()],) * 2)
        pieces.append((text[match.start() : end], norm))
        cursor = end
    if 2 * french < words:
        return ChatText(((text, text),))
    if cursor < len(text):
        pieces.append((text[cursor:],) * 2)
    return ChatText(tuple(pieces))


def _acronym(text: str, word: str) -> bool:
    return len(word) > 1 and word.isupper() and sum(c.islower() for c in text) > len(text) // 4


def _joined(text: str, match: re.Match, following: re.Match | None) -> tuple[int, str] | None:
    """Two words a reader joins: "j ai" → "j'ai", "c est" → "c'est", "bien sur" → "bien sûr"."""
    if following is None or not re.fullmatch(r"[ \t]+", text[match.end() : following.start()]):
        return None
    first, second = match.group(), following.group()
    low = fold(first)
    if (
        low in ELISIONS
        and second[:1].lower() in "aeiouyhâàéèêîïôûœ"
        and _standard(second)
        and fold(second) not in {"et", "ou", "y", "un", "une", "au", "aux", "on"}
        and (fold(second) != "en" or low in {"j", "n", "qu", "m", "t", "s"})  # "qu en juin"
        and (fold(second) != "a" or low in {"m", "l", "t", "n", "qu"})
        and not LETTER_CONTEXT.search(fold(text[max(0, match.start() - 20) : match.start()]))
    ):
        return following.end(), _cased(first, low) + "'" + second
    if low == "bien" and fold(second) == "sur":
        return following.end(), first + " " + _cased(second, "sûr")
    if low == "en" and fold(second) in {"faite", "fete", "fet", "fais"}:  # "en faite" is "en fait"
        return following.end(), first + " " + _cased(second, "fait")
    compound = None if low in STOP_WORDS else lexicon.accented(f"{low}-{fold(second)}")
    if (
        compound and lexicon.is_standard(compound) and "-" in compound
    ):  # "grand mere", not "chez moi"
        return following.end(), _cased(first, compound)
    spelled = second.lower()
    if fold(spelled) == spelled:  # "conseillere" is "conseillère", no participle
        spelled = lexicon.accented(spelled) or spelled
    if low == "ma" and PARTICIPLE.search(spelled) and lexicon.is_verb_form(second):
        return following.end(), _cased(first, "m'a") + " " + second  # "ça ma plu"
    return None


PARTICIPLE = re.compile(r"(?:é|i|u|is|it)$")


def _word(text: str, match: re.Match) -> str | None:
    word = match.group()
    low = word.lower().replace("’", "'")
    key = low if low in CHAT_FORMS else fold(low)  # "cé" as typed; "oue" for "oué"
    before = fold(text[max(0, match.start() - 20) : match.start()])
    if key == "we" and WEEKEND_BEFORE.search(before):
        return _cased(word, "week-end")
    if key in {"ché", "che", "chè"} and re.match(r"\s*pa", text[match.end() :]):
        return _cased(word, "je sais")
    if fixed := _by_grammar(low, text[max(0, match.start() - 20) : match.start()].lower()):
        return _cased(word, fixed)
    if key in CHAT_FORMS and _chat_form_applies(text, match, key):
        return _cased(word, CHAT_FORMS[key])
    if "'" in low or len(low) > LONGEST_WORD or _standard(low) or key in CHAT_WORDS:
        return None
    if NAME_CUE.search(text[max(0, match.start() - 30) : match.start()]):
        return None
    named = _named(text, match)
    elided = _elided(low, named)
    if elided or named:
        return elided and _cased(word, elided)
    english = lexicon.is_english(low)  # "email" is no "émail"
    for candidate in (
        _dropped_je(low),
        _squeezed(low),
        _heard(low),
        _accented(low, english),
        _completed(low),
        None if english or not word.islower() or len(low) < 4 else _slip_fixed(low),
    ):
        if candidate:
            return _cased(word, candidate)
    return None


def _named(text: str, match: re.Match) -> bool:
    """A first name stays as typed when capitalised or common ("laura" is not "l'aura"), unless
    a subject comes just before it ("je vien" is a verb)."""
    word = match.group()
    weight = lexicon.name_weight(word)
    if not weight or SUBJECT_BEFORE.search(text[max(0, match.start() - 12) : match.start()]):
        return False
    return word[:1].isupper() or weight >= 4


AUXILIARY_BEFORE = re.compile(
    r"(?:\bj'?ai|\bjé|\bg|\b(?:ai|as|avons|avez|ont|avais|avait|avaient|aurai|aurais)"
    r"|\b[lmtn]['\s]a|\b(?:il|elle|on) a)\s+$"  # "on me l a retire"
)
INFINITIVE_BEFORE = re.compile(
    r"\b(?:j?veu[xt]?|j?peu[xt]?|doi[st]?|vai[st]?|voudr(?:ai[st]?|é)|pourr(?:ai[st]?|é)"
    r"|aimer(?:ai[st]?|é)|faut|pour|pr|sans|aller|va|vas)\s+$"
)


# Nouns of the locutions "avoir envie, honte…": "j'ai envie" is no participle.
AVOIR_NOUNS = frozenset({"envie", "honte", "hate", "hâte", "confiance", "marre", "besoin", "peur"})


def _by_grammar(low: str, before: str) -> str | None:
    """A verb written as heard: "j'ai aider" is "j'ai aidé", "j'ai garde" is "j'ai gardé", "je
    veux travaille" is "je veux travailler"."""
    if (
        AUXILIARY_BEFORE.search(before)
        and re.search(r"(?:er|e|ez)$", low)
        and low not in AVOIR_NOUNS
    ):
        participle = re.sub(r"(?:er|e|ez)$", "é", low)
        if participle != low and lexicon.is_standard(participle):
            return participle
    if INFINITIVE_BEFORE.search(before) and re.search(r"(?:é|e|ez|ais|ait)$", low):
        infinitive = re.sub(r"(?:é|e|ez|ais|ait)$", "er", low)
        if (
            infinitive != low
            and infinitive.endswith("er")
            and lexicon.is_verb_form(infinitive)
            and lexicon.is_frequent(infinitive)  # "sans voiture" is no "voiturer"
        ):
            return infinitive if lexicon.is_standard(infinitive) else None
    return None


def _chat_form_applies(text: str, match: re.Match, key: str) -> bool:
    before = fold(text[max(0, match.start() - 20) : match.start()])
    after = text[match.end() : match.end() + 24]
    if key == "c":
        return not LETTER_CONTEXT.search(before) and not after.startswith(("'", "’"))
    if key == "ce":
        return bool(CE_IS_CEST.match(after))
    if key == "sa":
        return bool(SA_IS_CA.match(after))
    if key == "dan":
        return bool(DANS_BEFORE.match(after))
    if key in {"ché", "che", "chè"}:
        return not re.match(r"\s*pa", after)
    if key in {"ve", "vé"}:
        return bool(re.search(r"\b(?:je|j)\s*$", before))
    if key in {"fe", "fé", "fet", "ac"}:
        return bool(re.match(r"\s+\w", after)) or bool(re.search(r"\b(?:j'ai|ai|a)\s*$", before))
    if key == "mm":
        return bool(re.search(r"\b(?:quand|qd|kan|meme|quand meme)\s*$", before))
    if key == "o":
        return bool(re.match(r"\s+[^\W\d_]", after)) and not LETTER_CONTEXT.search(before)
    if key == "g":
        return not LICENCE_BEFORE.search(before) and bool(re.match(r"\s+\w", after))
    if key in {
        "ke",
        "ki",
        "kan",
        "kom",
        "cm",
        "ms",
        "ds",
        "pr",
        "vs",
        "vou",
        "ns",
        "é",
        "lé",
        "dé",
    }:
        return bool(re.match(r"\s*\w", after)) or key in {"ke", "ki"}
    return True


@cache
def _standard(word: str) -> bool:
    return lexicon.is_standard(word) or fold(word) in CHAT_WORDS


def _elided(low: str, named: bool) -> str | None:
    """ "jai" → "j'ai", "lhopital" → "l'hôpital", "quil" → "qu'il". Before a verb only for
    j', n', m', t', s' ("sami" is no "s'ami"); a common first name gives way only to a frequent
    first-person verb ("jaime bien" is "j'aime bien", "james" stays)."""
    for prefix in ELISIONS:
        rest = low[len(prefix) :]
        if not low.startswith(prefix) or len(rest) < 2 or rest[0] not in "aeiouyhâàéèêîôû":
            continue
        readings = [rest if _standard(rest) else lexicon.accented(rest), _completed(rest)]
        readings = [r for r in readings if r and fold(r) not in {"ou", "et"}]
        if not readings:
            continue
        verbs = [r for r in readings if lexicon.is_verb_form(r) or r in {"en", "y"}]
        spelt, verb = (verbs[0], True) if verbs else (readings[0], False)
        if (
            (prefix in VERB_ELISIONS and not verb)
            or (prefix == "c" and fold(spelt) not in {"est", "etait", "etaient"})
            or (named and (prefix not in "jn" or lexicon.frequency(spelt) < 20_000))
        ):
            return None
        return f"{prefix}'{spelt}"
    return None


# Words the trainers wrote in the rubrics in use ("caces", "cesu", "mettis"): words, not slips.
_RUBRIC_WORDS: set[str] = set()


def learn_words(rubric: Rubric) -> None:
    if rubric.version not in _LEARNT:
        _RUBRIC_WORDS.update(fold(w.lower()) for w in WORD.findall(rubric.model_dump_json()))
        _LEARNT.add(rubric.version)


_LEARNT: set[str] = set()


def _accented(low: str, english: bool) -> str | None:
    """ "agees" → "âgées"; an English word keeps its spelling ("email" is no "émail") unless the
    French word is common ("mere" is "mère")."""
    found = lexicon.accented(low)
    if found and english and lexicon.frequency(found) < COMMON_COMPLETION:
        return None
    return found


def _slip_fixed(low: str) -> str | None:
    """A typing slip ("niut" → "nuit"), also behind a bare j ("jiame" → "j'aime")."""
    if fold(low) in _RUBRIC_WORDS:
        return None
    if fixed := lexicon.slip_fixed(low):
        return fixed
    rest = lexicon.slip_fixed(low[1:]) if low.startswith("j") else None
    if rest and lexicon.is_verb_form(rest):
        return ("j'" if rest[0] in "aeiouyhâàéèêîôû" else "je ") + rest
    return None


def _dropped_je(low: str) -> str | None:
    """ "jpense" → "je pense", "jme" → "je me": "je" written as a bare j before a consonant."""
    rest = low[1:]
    if not low.startswith("j") or len(rest) < 2 or rest[0] in "aeiouyhéè":
        return None
    if rest in {"me", "te", "le", "la", "les", "lui", "leur", "ne"} or lexicon.is_verb_form(rest):
        return f"je {rest}"
    completed = _completed(rest)  # "jparl"
    return f"je {completed}" if completed and lexicon.is_verb_form(completed) else None


def _squeezed(low: str) -> str | None:
    """ "ouiii" → "oui", "troop" → "trop": letters repeated for emphasis."""
    if not re.search(r"(\w)\1", low):
        return None
    for form in (re.sub(r"(\w)\1{2,}", r"\1\1", low), re.sub(r"(\w)\1+", r"\1", low)):
        chat = (
            CHAT_FORMS.get(form)
            or CHAT_FORMS.get(fold(form))
            or (fold(form) in CHAT_WORDS and form)
        )
        if form != low and chat:
            return chat  # "ouiii", "ouéé", "wii": a stretched yes
        stretched = re.search(r"(\w)\1\1", low)  # a double letter is spelling ("maggie")
        if form != low and stretched and _standard(form):
            return form
    return None


def _heard(low: str) -> str | None:
    """A final "é" written for what sounds like it ("voulé" → "voulez", "jamé" → "jamais")."""
    if not low.endswith("é") or len(low) < 3:
        return None
    found = [(lexicon.frequency(low[:-1] + end), low[:-1] + end) for end in SOUNDS_LIKE_E]
    count, word = max(found)
    return word if count >= COMMON_COMPLETION else None


COMMON_COMPLETION = 5_000  # "vien" → "viens", "previen" → "préviens"; not rarer words


SOUNDS_LIKE_E = ("ez", "er", "ais", "ait", "et", "ès", "é")


def _completed(low: str) -> str | None:
    """One dropped final letter ("vien" → "viens", "pa" → "pas"), when the result is a common word."""
    if len(low) < 2 or not low.isalpha():
        return None
    found = []
    for end in "stxedn":
        for word in {low + end, lexicon.accented(low + end) or low + end}:
            found.append((lexicon.frequency(word), word))
    count, word = max(found)
    return word if count >= COMMON_COMPLETION else None


COMMON_COMPLETION = 5_000  # "vien" → "viens", "previen" → "préviens"; not rarer words


def _cased(model: str, word: str) -> str:
    if model.isupper() and len(model) > 1:
        return word.upper()
    if model[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def is_chat_word(word: str) -> bool:
    """A chat spelling of French words ("jai", "chui", "jpense", "vien") or a chat interjection."""
    key = fold(word)
    return key in CHAT_FORMS or key in CHAT_WORDS or normalise(word).text != word
