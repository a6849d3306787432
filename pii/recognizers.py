"""French recognizers for Presidio: one class per identifier, regex + validation + context."""

from __future__ import annotations

import re
from functools import cache, partial

import regex
from presidio_analyzer import (
    EntityRecognizer,
    Pattern,
    PatternRecognizer,
    RecognizerResult,
)
from presidio_analyzer.predefined_recognizers import (
    CreditCardRecognizer,
    EmailRecognizer,
    IbanRecognizer,
    SpacyRecognizer,
)
from stdnum.fr import nir as stdnum_nir

from chatbot import lexicon
from chatbot.chat_french import CHAT_WORDS, is_chat_word, normalise
from pii import policy
from pii.lexicon import (
    COMMON_ENGLISH,
    COMMON_WORD,
    first_names,
    is_dictionary_word,
    is_word,
    near_french_word,
    stop_words,
)

LANG = "fr"
SEP = r"[ .\-]?"  # separators people put between digit groups


def compact(value: str) -> str:
    return re.sub(r"[\s.\-/]", "", value).upper()


class FrNirRecognizer(PatternRecognizer):
    """Numéro de sécurité sociale: 13 digits (+ 2-digit key), Corsica 2A/2B, any separators."""

    PATTERNS = [
        Pattern(
            "NIR",
            r"(?<![\w])[1-478]"
            + SEP
            + r"\d{2}"
            + SEP
            + r"(?:0[1-9]|1[0-2]|[2-9]\d)"
            + SEP
            + r"(?:\d{2}|2[ABab])"
            + SEP
            + r"\d{3}"
            + SEP
            + r"\d{3}(?:"
            + SEP
            + r"\d{2})?(?![\w])",
            0.5,
        )
    ]
    CONTEXT = ["sécu", "secu", "sécurité", "securite", "sociale", "nir", "insee", "vitale", "ss"]

    def __init__(self):
        super().__init__(
            "FR_NIR",
            patterns=self.PATTERNS,
            context=self.CONTEXT,
            supported_language=LANG,
            name="FrNirRecognizer",
        )

    def validate_result(self, pattern_text: str) -> bool | None:
        # A valid key makes it certain; a wrong key (a typo) still leaves a personal number.
        return True if stdnum_nir.is_valid(compact(pattern_text)) else None


class FrPhoneRecognizer(PatternRecognizer):
    """French phone numbers: 0X XX XX XX XX with spaces, dots, dashes or nothing; +33 / 0033."""

    PATTERNS = [
        Pattern(
            "FR phone",
            r"(?<![\w+])(?:(?:\+|00)\s?33\s?(?:\(0\)\s?)?|0)[1-9](?:[ .\-]?\d){8}"
            r"(?!\d)",
            0.7,
        )
    ]
    CONTEXT = [
        "tel",
        "tél",
        "téléphone",
        "telephone",
        "portable",
        "numéro",
        "numero",
        "joindre",
        "appeler",
        "mobile",
        "fixe",
        "num",
        "06",
        "07",
    ]

    def __init__(self):
        super().__init__(
            "PHONE_NUMBER",
            patterns=self.PATTERNS,
            context=self.CONTEXT,
            supported_language=LANG,
            name="FrPhoneRecognizer",
        )


class FranceTravailIdRecognizer(PatternRecognizer):
    """Identifiant demandeur d'emploi: 7 digits + a letter or digit, and the 11-character form."""

    PATTERNS = [
        Pattern("FT id 7 digits + letter", r"(?<![\w])\d{7}[A-Za-z](?![\w])", 0.6),
        Pattern("FT id 8 digits", r"(?<![\w])\d{8}(?![\w])", 0.45),
        Pattern("FT id 11 chars", r"(?<![\w])\d{7}[A-Za-z0-9]\d{3}(?![\w])", 0.45),
        Pattern("FT id 10 digits + letter", r"(?<![\w])\d{10}[A-Za-z](?![\w])", 0.45),
    ]
    CONTEXT = [
        "identifiant",
        "id",
        "ft",
        "france",
        "travail",
        "pôle",
        "pole",
        "emploi",
        "inscription",
        "demandeur",
        "dossier",
        "matricule",
    ]

    def __init__(self):
        super().__init__(
            "FR_FRANCE_TRAVAIL_ID",
            patterns=self.PATTERNS,
            context=self.CONTEXT,
            supported_language=LANG,
            name="FranceTravailIdRecognizer",
        )


class FrIdDocumentRecognizer(PatternRecognizer):
    """Carte d'identité (12 digits, or 9 characters since 2021), passport, titre de séjour."""

    PATTERNS = [
        Pattern("passport", r"(?<![\w])\d{2}[A-Za-z]{2}\d{5}(?![\w])", 0.6),
        Pattern("CNI 1988-2021", r"(?<![\w])\d{12}(?![\w])", 0.4),
        Pattern(
            "CNI since 2021",
            r"(?<![\w])(?=[A-Za-z]*\d)(?=\d*[A-Za-z])[A-Za-z0-9]{9}(?![\w])",
            0.1,
        ),
        Pattern("titre de séjour", r"(?<![\w])\d{10}(?![\w])", 0.1),
    ]
    CONTEXT = [
        "identité",
        "identite",
        "cni",
        "passeport",
        "séjour",
        "sejour",
        "pièce",
        "piece",
        "titre",
        "carte",
    ]

    def __init__(self):
        super().__init__(
            "FR_ID_DOCUMENT",
            patterns=self.PATTERNS,
            context=self.CONTEXT,
            supported_language=LANG,
            name="FrIdDocumentRecognizer",
        )


@cache
def _offline_tld_extract():
    import tldextract

    # Bundled public-suffix snapshot only: no download, no cache written to disk.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)


class FrEmailRecognizer(EmailRecognizer):
    """Presidio's email pattern, validated against the bundled public-suffix list (offline)."""

    def __init__(self):
        super().__init__(
            context=["mail", "email", "courriel", "adresse", "@"],
            supported_language=LANG,
            name="FrEmailRecognizer",
        )

    def validate_result(self, pattern_text: str) -> bool:
        return _offline_tld_extract()(pattern_text).fqdn != ""


def iban_recognizer() -> IbanRecognizer:
    # Chat text is often all lowercase: "fr76 3000 ...".
    return IbanRecognizer(
        supported_language=LANG,
        context=["iban", "rib", "bancaire", "banque", "compte", "virement"],
        regex_flags=regex.DOTALL | regex.MULTILINE | regex.IGNORECASE,
    )


class FrCreditCardRecognizer(CreditCardRecognizer):
    """Presidio's Luhn check over any 13 to 19 digits (its pattern misses the 2-series
    Mastercard numbers), grouped as people type them."""

    PATTERNS = [
        Pattern("card", r"(?<![\w])\d(?:[ .\-]?\d){12,18}(?!\d)", 0.3),
        # the same when another number follows ("… 7893 3 fois"): unbroken, or four groups of four
        Pattern("card unbroken", r"(?<![\w])\d{13,19}(?!\d)", 0.3),
        Pattern("card in groups", r"(?<!\d)\d{4}(?:[ .\-]\d{4}){3}(?![.\-]?\d)", 0.3),
    ]

    def __init__(self):
        super().__init__(
            patterns=self.PATTERNS,
            supported_language=LANG,
            context=[
                "carte",
                "bancaire",
                "cb",
                "visa",
                "mastercard",
                "crédit",
                "credit",
                "paiement",
            ],
            replacement_pairs=[("-", ""), (" ", ""), (".", "")],
        )


STREET_TYPES = (
    r"rue|avenue|av\.?|bd|boulevard|blvd|chemin|ch\.|impasse|imp\.?|all[ée]e|place|pl\.|route|rte|"
    r"quai|cours|square|r[ée]sidence|r[ée]s\.?|lotissement|lot\.|cit[ée]|faubourg|fbg|voie|"
    r"sentier|passage|ruelle|esplanade|promenade|mont[ée]e|chauss[ée]e|hameau|lieu[- ]dit|"
    r"domaine|clos|parc|zac|za|zi|rond[- ]point|venelle|villa|port|tour"
)
_STOP_IN_STREET = (
    r"à|a|et|je|j|mon|ma|mes|au|dans|depuis|pour|avec|chez|sur|tel|tél|mais|ou|donc|car|c|"
    r"est|suis|il|elle|on|nous|vous|en|y|qui|que|quand|merci|mail|email|portable|code|cp|"
    r"appartement|appt|apt|bat|bât|bâtiment|batiment|étage|etage"
)
_WORD = r"(?:(?!(?:" + _STOP_IN_STREET + r")\b)[^\W\d_][\w'’\-]*)"
_CONNECTOR = r"(?:de\s+la|de\s+l'|d'|de|du|des|la|le|les|l'|aux|au|saint|st\.?|ste\.?|sainte)"
ADDRESS_RE = re.compile(
    r"(?<![\w])"
    r"(?:(?P<number>\d{1,4}\s?(?:bis|ter|quater|[a-dA-D](?![\w]))?)\s*,?\s*)?"
    r"(?P<type>(?i:" + STREET_TYPES + r"))\s+"
    r"(?P<name>(?i:"
    + _CONNECTOR
    + r")?\s*"
    + _WORD
    + r"(?:[ \t]+(?:(?i:"
    + _CONNECTOR
    + r")\s*)?"
    + _WORD
    + r"){0,5})"
    r"(?P<postcode>\s*,?\s*\d{2}\s?\d{3}(?!\d))?"
)
ADDRESS_CUE = re.compile(
    r"(?i)(?:habite|adresse|adrs?\w*|domicile|vis|r[ée]side|demeure)\W*(?:au|à|a)?\s*$"
)
_TRAILING_CONNECTOR = re.compile(r"(?i)(?:\s+" + _CONNECTOR + r")+$")


class FrAddressRecognizer(EntityRecognizer):
    """Street addresses: number (bis/ter), street type, name; the postal code that follows.

    Without a number, the street name must be capitalised ("rue de la Paix"), so that
    "je suis à la rue" stays. The commune after the postal code is kept (mobility check).
    """

    def __init__(self):
        super().__init__(["FR_ADDRESS"], supported_language=LANG, name="FrAddressRecognizer")

    def load(self) -> None:
        pass

    def analyze(self, text, entities, nlp_artifacts=None):
        results = []
        for match in ADDRESS_RE.finditer(text):
            name = match.group("name")
            first = name.split()[0].strip("'’").split("'")[-1] if name.split() else ""
            if not (
                match.group("number")
                or match.group("postcode")
                or first[:1].isupper()
                or ADDRESS_CUE.search(text[max(0, match.start() - 25) : match.start()])
            ):
                continue
            end = self._end_without_trailing_place(text, match)
            score = 0.85 if match.group("number") else 0.6
            results.append(RecognizerResult("FR_ADDRESS", match.start(), end, score))
        return results

    @staticmethod
    def _end_without_trailing_place(text: str, match: re.Match) -> int:
        """Give back a commune written right after the street name ("12 rue X Reims")."""
        if match.group("postcode"):
            return match.end()
        start, end = match.start("name"), match.end("name")
        words = text[start:end].split()
        while len(words) > 1 and policy.fold(words[-1].strip(".,")) in policy.place_words():
            before = " ".join(words[:-1])
            if _TRAILING_CONNECTOR.search(" " + before):
                break
            words.pop()
        return start + len(" ".join(words)) if words else end


MONTHS = (
    r"janvier|janv\.?|f[ée]vrier|f[ée]vr?\.?|mars|avril|avr\.?|mai|juin|juillet|juil\.?|ao[uû]t|"
    r"septembre|sept?\.?|octobre|oct\.?|novembre|nov\.?|d[ée]cembre|d[ée]c\.?"
)
DATE = (
    r"\d{1,2}\s?[/.\-]\s?\d{1,2}\s?[/.\-]\s?\d{2,4}|\d{4}-\d{2}-\d{2}|\d{8}|"
    r"(?:\d{1,2}|1er)\s+(?:" + MONTHS + r")(?:\s+\d{4}|\s+\d{2}(?!\d))?"
)
BIRTH_DATE_RE = re.compile(
    r"(?i)(?:\bn[ée]+e?s?\b(?:\s?\(e\))?|\bna[iî]?s{1,2}a\w*|\bddn\b|\banniv\w*)"
    r"[^\d\n]{0,20}?(?P<date>" + DATE + r")(?!\d)"
)


class FrBirthDateRecognizer(EntityRecognizer):
    """A date close after "né(e) le", "date de naissance"...; other dates are kept."""

    def __init__(self):
        super().__init__(["FR_BIRTH_DATE"], supported_language=LANG, name="FrBirthDateRecognizer")

    def load(self) -> None:
        pass

    def analyze(self, text, entities, nlp_artifacts=None):
        return [
            RecognizerResult("FR_BIRTH_DATE", m.start("date"), m.end("date"), 0.85)
            for m in BIRTH_DATE_RE.finditer(text)
        ]


class FrSpacyPersonRecognizer(SpacyRecognizer):
    """spaCy's PER entities, minus places, job words and diplomas it mistakes for names."""

    def __init__(self):
        super().__init__(
            supported_language=LANG, supported_entities=["PERSON"], name="FrSpacyPersonRecognizer"
        )

    def analyze(self, text, entities, nlp_artifacts=None):
        results = []
        for result in super().analyze(text, entities, nlp_artifacts):
            for start, end in _name_runs(text, result.start, result.end):
                start, end = _trim_name(text, start, end)
                name = text[start:end]
                if (
                    name
                    and not policy.is_kept(name)
                    and _plausible_name(name)
                    and (_has_first_name(name) or _cued(text, start))
                    and not (name.islower() and ARTICLE_BEFORE.search(text, 0, start))
                    and not (policy.fold(name) in CHAT_WORDS and not _cued(text, start))
                ):
                    results.append(RecognizerResult("PERSON", start, end, result.score))
        return results


def _name_runs(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A spaCy span cut at the lowercase common words inside it: "CACES R489 et Sofiane" holds
    "Sofiane"; "surely you can see that I…" holds no name."""
    runs, run = [], None
    for word in NAME_WORD_RE.finditer(text, start, end):
        if _inside_name_word(word.group()):
            run = None
            continue
        if run is None:
            run = [word.start(), word.end()]
            runs.append(run)
        run[1] = word.end()
    return [(a, b) for a, b in runs]


def _has_first_name(name: str) -> bool:
    """A first name known in France ("the", a first name in some country, is not one here)."""
    return any(lexicon.name_weight(w) for w in NAME_WORD_RE.findall(name))


def _cued(text: str, start: int) -> bool:
    """A name cue ends right before `start` ("Mme Durand", "je suis Benali")."""
    before = text[max(0, start - 40) : start]
    return any(
        m.end() == len(before)
        for cue in (STRONG_CUE, MEDIUM_CUE, WEAK_CUE)
        for m in cue.finditer(before)
    )


def _plausible_name(name: str) -> bool:
    """spaCy tags stray lowercase words, capitalised common words ("Bénévolat") and misspelt
    places as PER in chat text."""
    words = name.split()
    known = [w for w in words if policy.fold(w) in first_names()]
    if name.islower() and (not known or all(is_word(w) for w in words)):
        return False  # "ben", "rose": lowercase words of the language
    if not known and all(is_word(w) for w in words):
        return False
    if len(words) == 1 and not known:
        return not policy.looks_like_place(name)
    return True


def _inside_name_word(word: str) -> bool:
    """A lowercase common word, which no name holds ("you", "can", "et")."""
    if not word.islower() or word in PARTICLES or not is_word(word):
        return False
    english = lexicon.english_frequency(word) >= COMMON_ENGLISH
    return english or policy.fold(word) not in first_names()


def _trim_name(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop cue and filler words spaCy glues to a name ("c jordan", "Bonjour Fatima")."""
    words = list(NAME_WORD_RE.finditer(text, start, end))
    while words and (words[0].group().lower() in stop_words() or policy.is_kept(words[0].group())):
        words.pop(0)
    while words and (
        words[-1].group().lower() in stop_words() or policy.is_kept(words[-1].group())
    ):
        words.pop()
    return (words[0].start(), words[-1].end()) if words else (start, start)


AFTER_QUANTITY = re.compile(
    r"\d\s*(?:(?:km|kms|kilom\w*|m|min|mn|minutes?|h|heures?|ans?|mois|jours?|semaines?"
    r"|euros?|€|fois|%)\s+)?$",
    re.IGNORECASE,
)
NAME_WORD_RE = re.compile(r"[^\W\d_][^\W\d_'’\-]*(?:[\-'’][^\W\d_]+)*(?![\w@])")
STRONG_CUE = re.compile(
    r"(?i)\b(?:je\s*m['’ ]?\s*appel+e?s?|j['’ ]?\s*m['’ ]?\s*appel+e?|jm['’ ]?\s*appel+e?"
    r"|mon\s+(?:nom|pr[ée]nom)(?:\s+(?:de\s+famille|complet))?\s*(?:est|c['’ ]?\s*est|:)?"
    r"|(?:nom|pr[ée]nom|nom\s+de\s+famille)\s*:|je\s+me\s+nomme)\s*:?\s*"
)
MEDIUM_CUE = re.compile(
    r"(?i)(?:\bmoi\s*,?\s*c['’ ]?\s*est|\b(?:madame|monsieur|mademoiselle|mme|mlle|mr|m\.))\s+"
)
WEAK_CUE = re.compile(
    r"(?i)(?:\bc['’ ]?\s*est|\bc|\bje\s+suis|\bj['’ ]?\s*suis|\bici|\bcordialement|\bsign[ée]"
    r"|\bbonjour|\bsalut|\bmerci|\bbien\s+à\s+vous)\s*[,!.:]?\s+"
)
NAME_THEN_ICI = re.compile(r"(?i)(?<![\w'’])([^\W\d_][\w\-]*(?:[ \t]+[^\W\d_][\w\-]*)?)[ \t]+ici\b")
UPPERCASE_RUN = regex.compile(r"(?<![\w])\p{Lu}{2,}(?:[ \t\-]+\p{Lu}{2,}){1,2}(?![\w])")
PARTICLES = {
    "da",
    "de",
    "del",
    "della",
    "di",
    "do",
    "dos",
    "du",
    "van",
    "von",
    "ben",
    "el",
    "al",
    "le",
    "la",
}


def _common(word: str) -> bool:
    """A stop word, a kept word (place, job, diploma, chat word) or a lowercase word with an
    apostrophe ("d'accord", "p'tit"; names write it capitalised: "O'Brien")."""
    low = word.lower()
    if word.islower() and re.search(r"['’]", low):
        return True
    return low in stop_words() or policy.fold(word) in policy.kept_words()


def _acronym(word: str) -> bool:
    """ "AESH", "CAP" in a message not written in capitals."""
    return word.isupper() and len(word) > 1


def _is_first_name(word: str) -> bool:
    """A first name standing alone: known, and not also a word of the language nor a name
    particle ("del", "ben")."""
    return _is_cued_first_name(word) and not is_word(word) and word.lower() not in PARTICLES


def _is_cued_first_name(word: str) -> bool:
    """After a cue ("c", "je suis", "bonjour"), a known first name ("c joseph"); one that is also
    a word only when capitalised ("c Rose"), very common as a name ("c pierre") or rare as a
    word ("c maxime"): "je suis allé", "je suis marin", "c ben" are no introductions."""
    folded = policy.fold(word)
    if len(folded) < 3 or folded not in first_names() or _common(word) or is_chat_word(word):
        return False
    if not is_word(word) or (word[:1].isupper() and not _acronym(word)):
        return True
    if lexicon.english_frequency(word) >= COMMON_ENGLISH:
        return False  # "can", "may": English chat
    weight = lexicon.name_weight(word)
    return weight >= 8 or (weight >= 4 and lexicon.frequency(word) < COMMON_WORD)


def _signed_first_name(word: str) -> bool:
    """Before "ici" ("capucine wagner ici"), a known first name unless it is a common word."""
    spelt = lexicon.dictionary_spelling(word)
    return (
        policy.fold(word) in first_names()
        and not _common(word)
        and not is_chat_word(word)
        and (spelt is None or lexicon.frequency(spelt) < COMMON_WORD)
    )


def _is_name_continuation(word: str) -> bool:
    if _common(word) or is_chat_word(word):
        return False
    return word[:1].isupper() or policy.fold(word) in first_names() or not is_dictionary_word(word)


def _could_be_surname(word: str) -> bool:
    return (
        len(word) >= 2
        and not _common(word)
        and not is_chat_word(word)
        and not is_dictionary_word(word)
    )


def _surname_before(word: str) -> bool:
    """After a cue, a surname may come first even if it is a French word ("je suis jacquot
    sofiane", "c parent jessica")."""
    return len(word) >= 2 and not _common(word) and not re.search(r"['’]", word)


# "J'ai", "c'était", "qu'il": an elided word is no name ("N'Diaye", "D'Angelo" keep a capital).
ELIDED_WORD = re.compile(r"^(?:[A-Za-z]|[Qq]u)['’][a-zà-öø-ÿ]")


def _weak_cue_ok(word: str, shouting: bool = False) -> bool:
    """After "c", "je suis", "bonjour"…: a known first name or a word that is not a word of the
    language ("slt c ousmane"); never an adjective, a participle or an acronym ("je suis
    d'accord", "je suis allé", "je suis AESH" unless the whole message is in capitals)."""
    if _common(word) or ELIDED_WORD.match(word):
        return False
    if _is_cued_first_name(word):
        return True
    if JOB_SUFFIX.search(word.lower()):
        return False  # "je suis plaquiste", "je suis cariste"
    return len(word) >= 4 and not is_word(word) and (shouting or not _acronym(word))


# A chat word that is a verb or a filler ("jhabite", "jsui", "heu"), never a surname the way
# "loiseau" (l'oiseau) can be.
CHAT_VERB = re.compile(r"(?i)^(?:je |j'|n'|m'|t'|s'|c'|il y|ouais|oui|non|euh|heu|hmm|ben|bah)")
ARTICLE_BEFORE = re.compile(
    r"(?i)\b(?:au|aux|du|des|le|la|les|un|une|l'|ce|cet|cette|mon|ma|mes|ton|ta|son|sa|ses"
    r"|notre|votre|leur|leurs)\s+$"
)
JOB_SUFFIX = re.compile(r"(?:iste|eur|euse|trice|ateur|atrice|ien|ienne|ique)s?$")
INTRODUCTION = re.compile(r"(?i)\s*(?:c|c['’ ]?\s*est|je\s+suis|j['’ ]?\s*suis)\b")


def _weak_span_ok(text: str, start: int, end: int, cue: str) -> bool:
    """A first name that is also a French word (or close to one) needs the introduction to end
    right after it: "slt c laurent jsuis…", "c olivie jsuis" are names, "c clari pour moi" not."""
    words = text[start:end].split()
    word = words[0]
    if len(words) > 1 or word[:1].isupper() or (not is_word(word) and not near_french_word(word)):
        return True
    # "merci beacoup", "bonjour tt le monde": only an introduction ("c …", "je suis …") or a
    # very common first name ("bonjour, jean,") may name someone with a word that looks French.
    introduced = INTRODUCTION.match(cue) or lexicon.name_weight(word) >= 8
    return bool(introduced) and bool(CLAUSE_END.match(text, end))


class FrChatNameRecognizer(EntityRecognizer):
    """Names as typed in chat: lowercase, after "moi c'est", "je m'appelle", "c"..., before "ici",
    in capitals ("DIALLO YANIS"), or a known first name standing alone ("fatima benali 06...").
    spaCy misses most of these."""

    def __init__(self):
        super().__init__(["PERSON"], supported_language=LANG, name="FrChatNameRecognizer")

    def load(self) -> None:
        pass

    def analyze(self, text, entities, nlp_artifacts=None):
        spans: list[tuple[int, int, float]] = []
        shouting = not any(ch.islower() for ch in text)
        for cue, accept, score in (
            (STRONG_CUE, self._strong_ok, 0.85),
            (MEDIUM_CUE, self._medium_ok, 0.75),
            (WEAK_CUE, partial(_weak_cue_ok, shouting=shouting), 0.6),
        ):
            for m in cue.finditer(text):
                span = self._name_after(text, m.end(), accept)
                if span and (cue is not WEAK_CUE or _weak_span_ok(text, *span, m.group())):
                    spans.append((*span, score))
        for m in NAME_THEN_ICI.finditer(text):
            start, words = m.start(1), m.group(1).split()
            if len(words) == 2 and _common(words[0]):  # "3 mois Maryse ici"
                start, words = m.end(1) - len(words[1]), words[1:]
            if any(_signed_first_name(w) for w in words) and not any(_common(w) for w in words):
                spans.append((start, m.end(1), 0.6))
        for m in UPPERCASE_RUN.finditer(text):
            words = re.split(r"[ \t\-]+", m.group())
            if _uppercase_name(words):
                spans.append((m.start(), m.end(), 0.6))
        for m in NAME_WORD_RE.finditer(text):
            if span := self._lone_name(text, m):
                spans.append((*span, 0.5))
        return [RecognizerResult("PERSON", s, e, score) for s, e, score in spans]

    def _lone_name(self, text: str, m: re.Match) -> tuple[int, int] | None:
        """A first name without cue: one that is not a French word ("fatima"), or one that is
        but comes with a surname ("augustin meyer"); a surname just before it is included
        ("mansouri kenza"). Never right after a quantity ("10 km max", "2 h max")."""
        word = m.group()
        if word.islower() and AFTER_QUANTITY.search(text, 0, m.start()):
            return None
        if ARTICLE_BEFORE.search(text, 0, m.start()):
            return None  # "au fenwick", "la rose": a thing, not a person
        if not _is_first_name(word):
            nxt = _words_from(text, m.start(), 2)
            if not (
                _is_cued_first_name(word) and len(nxt) == 2 and _could_be_surname(nxt[1].group())
            ):
                return None
        span = self._name_after(text, m.start(), _is_cued_first_name)
        if span is None:
            return None
        start, end = span
        before = re.search(r"([^\W\d_][\w'’\-]*)[ \t]+$", text[: m.start()])
        if (
            before
            and _could_be_surname(before.group(1))
            and not re.search(r"['’]", before.group(1))
        ):
            start = before.start(1)
        return start, end

    @staticmethod
    def _strong_ok(word: str) -> bool:
        return (
            word.lower() not in stop_words()
            and policy.fold(word) not in policy.kept_words() - policy.place_words()
        )

    @staticmethod
    def _medium_ok(word: str) -> bool:
        """After "madame", "monsieur": a name, not a verb or a filler ("madame charger…",
        "monsieur heu")."""
        if _common(word) or CHAT_VERB.match(normalise(word).text):
            return False
        return word[:1].isupper() or _is_cued_first_name(word) or not is_dictionary_word(word)

    @staticmethod
    def _name_after(text: str, pos: int, accept) -> tuple[int, int] | None:
        """The name at pos: a first word accept() likes (or a surname followed by one, as in
        "cordialement TRAORE Emile"), and up to two more name words."""
        words = _words_from(text, pos, 4)
        lead = None
        if words and words[0].group().lower() in PARTICLES:
            if len(words) == 1:
                return None  # a particle alone is no name ("ben", "del")
            lead, words = words[0].start(), words[1:]  # "moi c'est da capucine"
        if not words:
            return None
        if not accept(words[0].group()) and not (
            len(words) > 1 and _surname_before(words[0].group()) and accept(words[1].group())
        ):
            return None
        start, end = lead if lead is not None else words[0].start(), words[0].end()
        rest = words[1:]
        while rest:
            nxt = rest.pop(0)
            if nxt.group().lower() in PARTICLES and rest and _is_name_continuation(rest[0].group()):
                nxt = rest.pop(0)  # "da costa", "de la fontaine"
            elif not (_is_name_continuation(nxt.group()) or _ends_clause(text, nxt)):
                break
            end = nxt.end()
        return start, end


def _ends_clause(text: str, word: re.Match) -> bool:
    """A lowercase French word right after a first name and closing the clause is most likely
    a surname ("je suis astrid martel, ...")."""
    if re.search(r"['’]", word.group()):  # "j'ai", "l'an": never part of a name
        return False
    return not _common(word.group()) and bool(CLAUSE_END.match(text, word.end()))


# What may follow a name: the end of the clause, or the next words of an introduction
# ("je suis sylvie bonnet j'ai 30 ans", "... bonnet 06 12 ...").
CLAUSE_END = re.compile(
    r"\s*(?:$|[,.;!?\n]|et\b|j['’ ]|je\b|jsuis|jai|ici\b|moi\b|mon\b|ma\b|mes\b|t[ée]l\b|mail\b"
    r"|portable\b|num[ée]ro\b|\d)"
)


def _uppercase_name(words: list[str]) -> bool:
    """ "DIALLO YANIS", "BOULAY CHRISTINE" (a surname that is also a commune), not "CAP AEPE"."""
    vetoed = [w for w in words if _common(w)]
    if any(_is_cued_first_name(w) for w in words):
        return all(policy.fold(w) in policy.place_words() for w in vetoed)
    return not vetoed and all(
        len(w) >= 4 and not is_dictionary_word(w) and not is_chat_word(w) for w in words
    )


def _words_from(text: str, pos: int, n: int) -> list[re.Match]:
    """Up to n name-like words starting at pos, separated by spaces or tabs only."""
    words = []
    while len(words) < n:
        m = NAME_WORD_RE.match(text, pos)
        if not m:
            break
        words.append(m)
        gap = re.match(r"[ \t]+", text[m.end() :])
        if not gap:
            break
        pos = m.end() + len(gap.group())
    return words
