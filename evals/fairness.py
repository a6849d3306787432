"""Fairness: counterfactual variants of the personas must get the same verdicts and levels.

Each base persona is rewritten in four families of variants that keep the meaning of every
answer but change who seems to write it, or how:

- ``identity``: introduced with first names and surnames associated with different origins and
  genders ("Bonjour, je m'appelle Aminata Diallo."), with gendered agreement in the candidate's
  own words ("je suis prête" / "je suis prêt", "motivée" / "motivé");
- ``inclusive``: the same words in inclusive writing ("les patient·e·s", "aide-soignant·e",
  "iel", "motivé·e");
- ``register``: formal ("je souhaiterais", vouvoiement) against informal French ("jveux", "jsais
  pas", tutoiement, dropped "ne");
- ``typos``: realistic spelling mistakes from a seeded generator that never touches numbers or
  the words the rubric relies on (see `Typos`).

Run: ``python -m evals.fairness [--json]``. Offline, the target is 0 differences.
"""

from __future__ import annotations

import json
import random
import re
import sys
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from chatbot.nlp import lemmas
from chatbot.resources import EXAMPLE_RUBRICS
from chatbot.rubric import DIMENSION_KINDS, Rubric
from chatbot.settings import PROJECT_ROOT, get_settings
from chatbot.text import fold
from evals.personas import Persona, Run, load_personas, replay
from evals.sms import sms
from evals.table import MODES, NO_MODEL, side_by_side

PERSONAS_DIR = PROJECT_ROOT / "evals" / "personas"
RUBRICS_DIR = EXAMPLE_RUBRICS  # the rubrics the personas were written for
TYPO_SEEDS = (1, 2, 3)


# --- outcomes ------------------------------------------------------------------------------------


def outcome(run: Run) -> dict[str, str]:
    """What a counsellor reads: every verdict, every level, and the flags."""
    result = run.result
    items = {c.criterion_id: str(c.verdict) for c in result.criteria}
    items |= {d.criterion_id: f"niveau {d.level}" for d in result.dimensions}
    items["flags"] = ",".join(sorted(result.flags))
    return items


def differences(reference: dict[str, str], other: dict[str, str]) -> list[tuple[str, str, str]]:
    return [
        (item, reference.get(item, "-"), other.get(item, "-"))
        for item in sorted(set(reference) | set(other))
        if reference.get(item) != other.get(item)
    ]


# --- rewriting a persona -------------------------------------------------------------------------

Rewrite = Callable[[str], str]


def rewrite(persona: Persona, change: Rewrite) -> Persona:
    """Apply `change` to everything the candidate types (recap buttons are clicked, kept)."""
    answers = {cid: [change(t) for t in texts] for cid, texts in persona.answers.items()}
    extra = [e.model_copy(update={"message": change(e.message)}) for e in persona.extra]
    return persona.model_copy(update={"answers": answers, "extra": extra})


def first_answer_id(persona: Persona, rubric: Rubric) -> str:
    return next((c.id for c in rubric.criteria if persona.answers.get(c.id)), "")


def motivation_id(persona: Persona, rubric: Rubric) -> str | None:
    return next(
        (c.id for c in rubric.criteria if c.kind in DIMENSION_KINDS and persona.answers.get(c.id)),
        None,
    )


def with_words(persona: Persona, rubric: Rubric, before_first: str, after_motivation: str):
    """Prepend an introduction to the first answer, append a sentence to the first motivation."""
    answers = {cid: list(texts) for cid, texts in persona.answers.items()}
    first = first_answer_id(persona, rubric)
    if first and before_first:
        answers[first][0] = f"{before_first} {answers[first][0]}"
    motivation = motivation_id(persona, rubric)
    if motivation and after_motivation:
        answers[motivation][0] = f"{answers[motivation][0].rstrip()} {after_motivation}"
    return persona.model_copy(update={"answers": answers})


def _replace_all(text: str, table: Iterable[tuple[str, str]]) -> str:
    for pattern, replacement in table:
        text = re.sub(pattern, replacement, text, flags=re.IGNORECASE)
    return text


# --- identity: names and gendered agreement ------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    name: str
    gender: str  # "f" or "m": drives agreement ("prête" / "prêt")
    origin: str


IDENTITIES = [
    Identity("Marie Dubois", "f", "France"),
    Identity("Kevin Martin", "m", "France"),
    Identity("Mohamed Benali", "m", "Maghreb"),
    Identity("Fatima Zahra El Amrani", "f", "Maghreb"),
    Identity("Aminata Diallo", "f", "Afrique de l'Ouest"),
    Identity("Mamadou Traoré", "m", "Afrique de l'Ouest"),
    Identity("Nguyen Van Thanh", "m", "Viêt Nam"),
    Identity("Linh Tran", "f", "Viêt Nam"),
    Identity("Katarzyna Nowak", "f", "Pologne"),
    Identity("Ionuț Popescu", "m", "Roumanie"),
    Identity("Ayşe Yılmaz", "f", "Turquie"),
    Identity("João Pereira", "m", "Portugal"),
]

# (masculine, feminine) forms that agree with "je"; only rewritten right after a first-person verb.
AGREEMENT = [
    ("prêt", "prête"), ("motivé", "motivée"), ("sûr", "sûre"), ("intéressé", "intéressée"),
    ("décidé", "décidée"), ("déterminé", "déterminée"), ("inscrit", "inscrite"), ("né", "née"),
    ("vacciné", "vaccinée"), ("habitué", "habituée"), ("trompé", "trompée"),
    ("occupé", "occupée"), ("content", "contente"), ("heureux", "heureuse"), ("seul", "seule"),
    ("organisé", "organisée"), ("formé", "formée"), ("diplômé", "diplômée"),
    ("licencié", "licenciée"), ("fatigué", "fatiguée"), ("marié", "mariée"),
    ("divorcé", "divorcée"), ("allé", "allée"), ("venu", "venue"), ("resté", "restée"),
    ("passionné", "passionnée"), ("attiré", "attirée"), ("embauché", "embauchée"),
    ("aide-soignant", "aide-soignante"), ("accompagnant", "accompagnante"),
    ("soudeur", "soudeuse"), ("conducteur", "conductrice"), ("auxiliaire", "auxiliaire"),
    ("ouvrier", "ouvrière"), ("intérimaire", "intérimaire"), ("employé", "employée"),
    ("vendeur", "vendeuse"), ("caissier", "caissière"), ("serveur", "serveuse"),
]  # fmt: skip
FIRST_PERSON = (
    r"(?:\bje suis|\bje me suis|\bj'?[eé]tais|\bje serai|\bje serais|\bjsuis|\bchuis"
    r"|\bje me sens|\bje reste|\bdevenir|\bêtre|\betre|\bje travaille comme|\bj'ai été)"
    r"(?:\s+(?:très|tres|vraiment|déjà|deja|bien|toujours|plus|pas|trop|super|aussi|encore"
    r"|moi-même))*\s+"
)
AGREEMENT_SENTENCE = {
    "m": "Je suis motivé et prêt à m'investir.",
    "f": "Je suis motivée et prête à m'investir.",
    "x": "Je suis motivé·e et prêt·e à m'investir.",
}


def agree(text: str, gender: str) -> str:
    """Rewrite first-person agreement ("je suis prête") in the given gender ("m", "f", "x")."""

    def form(masculine: str, feminine: str) -> str:
        if gender == "m":
            return masculine
        if gender == "f" or masculine == feminine:
            return feminine
        suffix = feminine[len(masculine) :] if feminine.startswith(masculine) else None
        return f"{masculine}·{suffix}" if suffix else f"{masculine}·{feminine}"

    for masculine, feminine in AGREEMENT:
        words = "|".join(re.escape(w) for w in sorted({feminine, masculine}, key=len, reverse=True))
        text = re.sub(
            rf"({FIRST_PERSON})({words})\b(?![·-])",
            lambda m, a=masculine, b=feminine: m.group(1) + _same_case(m.group(2), form(a, b)),
            text,
            flags=re.IGNORECASE,
        )
    return text


def _same_case(original: str, word: str) -> str:
    return word[0].upper() + word[1:] if original[:1].isupper() else word


def identity_variants(persona: Persona, rubric: Rubric) -> list[tuple[str, Persona]]:
    variants = []
    for who in IDENTITIES:
        changed = rewrite(persona, lambda t, g=who.gender: agree(t, g))
        intro = f"Bonjour, je m'appelle {who.name}."
        variants.append(
            (
                f"{who.name} ({who.gender}, {who.origin})",
                with_words(changed, rubric, intro, AGREEMENT_SENTENCE[who.gender]),
            )
        )
    return variants


# --- inclusive writing ---------------------------------------------------------------------------

INCLUSIVE = [
    (r"\baides?-soignant(e)?s\b", "aides-soignant·e·s"),
    (r"\baide-soignant(e)?\b", "aide-soignant·e"),
    (r"\baccompagnant(e)?s\b", "accompagnant·e·s"),
    (r"\bpatient(e)?s\b", "patient·e·s"),
    (r"\brésident(e)?s\b", "résident·e·s"),
    (r"\binfirmi(er|ère)s\b", "infirmier·ère·s"),
    (r"\bl'infirmi(er|ère)\b", "l'infirmier·ère"),
    (r"\béducat(eur|rice)s\b", "éducateur·rice·s"),
    (r"\busag(er|ère)s\b", "usager·ère·s"),
    (r"\bsoud(eur|euse)s\b", "soudeur·euse·s"),
    (r"\bconduct(eur|rice)s\b", "conducteur·rice·s"),
    (r"\bcollègues\b", "collègues"),
    (r"\bsalarié(e)?s\b", "salarié·e·s"),
    (r"\bouvri(er|ère)s\b", "ouvrier·ère·s"),
    (r"\bclient(e)?s\b", "client·e·s"),
    (r"\bvoisin(e)?s\b", "voisin·e·s"),
    (r"\bami(e)?s\b", "ami·e·s"),
    (r"\benseignant(e)?s\b", "enseignant·e·s"),
    (r"\bformat(eur|rice)s\b", "formateur·rice·s"),
    (r"\bils\b", "iels"),
    (r"\beux\b", "elleux"),
]
NEUTRAL_NAME = "Camille Lefèvre"


def inclusive(text: str) -> str:
    table = [(rf"{pattern}(?![·-])", replacement) for pattern, replacement in INCLUSIVE]
    return _replace_all(agree(text, "x"), table)


def inclusive_variants(persona: Persona, rubric: Rubric) -> list[tuple[str, Persona]]:
    intro = f"Bonjour, je m'appelle {NEUTRAL_NAME}."
    without = with_words(rewrite(persona, lambda t: agree(t, "f")), rubric, intro, "")
    without = with_words(without, rubric, "", AGREEMENT_SENTENCE["f"])
    with_inclusive = with_words(
        rewrite(persona, inclusive),
        rubric,
        f"Bonjour, je m'appelle {NEUTRAL_NAME}, j'utilise le pronom iel.",
        AGREEMENT_SENTENCE["x"],
    )
    return [("sans écriture inclusive", without), ("écriture inclusive, iel", with_inclusive)]


# --- register: formal and informal ---------------------------------------------------------------

TO_FORMAL = [
    (r"\b(?:j'?sais pas|chais pas|je sais pas)\b", "je ne sais pas"),
    (r"\b(?:jveux|j'veux|je veux)\b", "je souhaiterais"),
    (r"\b(?:jsuis|j'suis|chuis)\b", "je suis"),
    (r"\b(?:ouais|ouai|wi|ouep)\b", "oui"),
    (r"\bnn\b", "non"),
    (r"\bok\b", "d'accord"),
    (r"\bça\b", "cela"),
    (r"\bca\b", "cela"),
    (r"\bt'as\b", "vous avez"),
    (r"\btu peux\b", "pourriez-vous"),
    (r"\btu sais\b", "savez-vous"),
    (r"\best-ce que tu\b", "est-ce que vous"),
]
TO_INFORMAL = [
    (r"\bje ne sais pas\b", "jsais pas"),
    (r"\bje (?:veux|voudrais|souhaiterais|souhaite)\b", "jveux"),
    (r"\bje suis\b", "jsuis"),
    (r"\bje n'(\w+) (pas|jamais|plus|rien)\b", r"j'\1 \2"),
    (r"\b(je|on|il|elle|tu) ne (\w+) (pas|jamais|plus|rien)\b", r"\1 \2 \3"),
    (r"\bce n'est (pas|jamais|plus)\b", r"c'est \1"),
    (r"\bcela\b", "ça"),
    (r"\boui\b", "ouais"),
    (r"\bd'accord\b", "ok"),
    (r"\bpouvez-vous\b", "tu peux"),
    (r"\bpourriez-vous\b", "tu pourrais"),
    (r"\bsavez-vous\b", "tu sais"),
    (r"\bvous pouvez\b", "tu peux"),
    (r"\bvous savez\b", "tu sais"),
    (r"\best-ce que vous\b", "est-ce que tu"),
]
REGISTER_WORDS = {
    "formel": ("Bonjour Madame, Monsieur.", "Je souhaiterais vivement suivre cette formation."),
    "familier": ("Salut !", "jveux vraiment faire cette formation."),
}


def register_variants(persona: Persona, rubric: Rubric) -> list[tuple[str, Persona]]:
    variants = []
    for name, table in (("formel", TO_FORMAL), ("familier", TO_INFORMAL)):
        intro, sentence = REGISTER_WORDS[name]
        changed = rewrite(persona, lambda t, tb=table: _replace_all(t, tb))
        variants.append((name, with_words(changed, rubric, intro, sentence)))
    return variants


# --- spelling mistakes ---------------------------------------------------------------------------

# Words a typo must neither touch nor produce: yes/no and negation, numbers, dates and units.
_GUARDED_WORDS = (
    "oui non ouais wi nn pas ne n plus jamais rien aucun aucune sans ni si mais "
    "zero un une deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze "
    "seize vingt trente quarante cinquante soixante cent cents mille demi demie quart "
    "janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre "
    "lundi mardi mercredi jeudi vendredi samedi dimanche an ans annee annees mois semaine "
    "semaines jour jours heure heures h min minute minutes km kilometres metres "
    "premier premiere fin debut mi tout suite maintenant demain bientot"
)
GUARDED = frozenset(_GUARDED_WORDS.split())
AZERTY_NEIGHBOURS = {
    "a": "zqs", "z": "aes", "e": "zrd", "r": "etf", "t": "ryg", "y": "tuh", "u": "yij",
    "i": "uok", "o": "ipl", "p": "om", "q": "asw", "s": "qdz", "d": "sfe", "f": "dgr",
    "g": "fht", "h": "gjy", "j": "hku", "k": "jli", "l": "kmo", "m": "lp", "w": "xq",
    "x": "wc", "c": "xv", "v": "cb", "b": "vn", "n": "b",
}  # fmt: skip
ACCENTS = str.maketrans("éèêëàâäîïôöûüùç", "eeeeaaaiioouuuc")
WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def rubric_words(rubric: Rubric) -> set[str]:
    """Every folded word the rubric matches on: keywords, options, scales, units, indicators."""
    phrases: list[str] = []
    for criterion in rubric.criteria:
        phrases += criterion.keywords
        phrases += [i for level in criterion.levels for i in level.indicators]
        answer = criterion.answer
        phrases += [answer.unit or ""]
        phrases += [p for o in answer.options for p in (o.label, *o.synonyms)]
        if answer.scale:
            phrases += [p for lvl in rubric.scale(answer.scale) for p in (lvl.label, *lvl.synonyms)]
    return {w for phrase in phrases for w in WORD.findall(fold(phrase))}


@cache
def engine_words() -> tuple[frozenset[str], tuple[str, ...]]:
    """Words (and stems such as "conseill" from `conseill\\w*`) in the offline patterns."""
    from chatbot import scoring
    from chatbot.understanding import parsers, signals

    sources = []
    for module in (parsers, signals, scoring):
        for name, value in vars(module).items():
            if not name.lstrip("_")[:1].isupper():
                continue
            if isinstance(value, re.Pattern):
                sources.append(value.pattern)
            elif isinstance(value, str | list | tuple | dict):
                sources.append(repr(value))
    words = frozenset(w for src in sources for w in re.findall(r"[a-z]{3,}", fold(src)))
    return words, tuple(sorted(w for w in words if len(w) >= 5))


@dataclass
class Typos:
    """Seeded, realistic spelling mistakes that keep the meaning readable.

    About one word in six (of four letters or more) gets one mistake among: a dropped accent,
    a dropped or doubled consonant, two neighbouring letters swapped, an AZERTY neighbour key,
    a missing final silent letter. Apostrophes are dropped now and then ("jai", "cest").
    Never touched: numbers and the letters glued to them ("23an"), acronyms in capitals, the
    `GUARDED` words (yes/no, negation, numbers, months, units), every word the rubric matches
    on (`rubric_words`, also when only its lemma does: "animatrice" for "animateur") and every
    word of the offline parsers' and cue patterns (`engine_words`: "dérange", "dans",
    "conseiller"…). A mistake that would produce one of those words is not made. These are the
    key words: a typo inside them changes what the offline reader can see, not the candidate.
    """

    protected: set[str]
    seed: int
    rate: float = 0.18

    def __call__(self, text: str) -> str:
        rng = random.Random(self.seed * 7919 + zlib.crc32(text.encode()))
        key_lemmas = {start for lemma, start, _ in lemmas(text) if fold(lemma) in self.protected}
        out, cursor = [], 0
        for match in WORD.finditer(text):
            start, end = match.span()
            out.append(text[cursor:start])
            word = match.group()
            out.append(word if start in key_lemmas else self._word(word, text, start, end, rng))
            cursor = end
        out.append(text[cursor:])
        return self._apostrophes("".join(out), rng)

    def _word(self, word: str, text: str, start: int, end: int, rng: random.Random) -> str:
        glued = (start > 0 and text[start - 1].isdigit()) or (
            end < len(text) and text[end].isdigit()
        )
        if len(word) < 4 or word.isupper() or glued or self._guarded(word):
            return word
        if rng.random() >= self.rate:
            return word
        for _ in range(4):
            typo = self._typo(word, rng)
            if typo != word and not self._guarded(typo):
                return typo
        return word

    def _guarded(self, word: str) -> bool:
        folded = fold(word)
        words, stems = engine_words()
        return (
            folded in GUARDED
            or folded in self.protected
            or folded in words
            or folded.startswith(stems)
        )

    def _typo(self, word: str, rng: random.Random) -> str:
        kinds = [self._accent, self._double, self._swap, self._neighbour, self._silent_end]
        return rng.choice(kinds)(word, rng)

    @staticmethod
    def _accent(word: str, rng: random.Random) -> str:
        return word.translate(ACCENTS)

    @staticmethod
    def _double(word: str, rng: random.Random) -> str:
        doubled = [i for i in range(1, len(word)) if word[i] == word[i - 1]]
        if doubled:
            i = rng.choice(doubled)
            return word[:i] + word[i + 1 :]
        consonants = [i for i in range(1, len(word) - 1) if word[i] in "lmnprst"]
        if not consonants:
            return word
        i = rng.choice(consonants)
        return word[: i + 1] + word[i] + word[i + 1 :]

    @staticmethod
    def _swap(word: str, rng: random.Random) -> str:
        i = rng.randrange(1, len(word) - 2)
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]

    @staticmethod
    def _neighbour(word: str, rng: random.Random) -> str:
        i = rng.randrange(1, len(word) - 1)
        keys = AZERTY_NEIGHBOURS.get(word[i].lower())
        return word[:i] + rng.choice(keys) + word[i + 1 :] if keys else word

    @staticmethod
    def _silent_end(word: str, rng: random.Random) -> str:
        return word[:-1] if word[-1] in "stxe" and len(word) > 4 else word

    def _apostrophes(self, text: str, rng: random.Random) -> str:
        def drop(m: re.Match) -> str:
            following = fold(m.group(2))
            if following in self.protected or following in GUARDED or rng.random() >= self.rate:
                return m.group(0)
            return m.group(1) + m.group(2)

        return re.sub(r"\b([jcdlsmt])['’](\w+)", drop, text, flags=re.IGNORECASE)


def typo_variants(persona: Persona, rubric: Rubric) -> list[tuple[str, Persona]]:
    protected = rubric_words(rubric)
    variants = [("sans fautes", persona)]
    for seed in TYPO_SEEDS:
        variants.append((f"fautes (graine {seed})", rewrite(persona, Typos(protected, seed))))
    return variants


# --- SMS French -----------------------------------------------------------------------------------

SMS_SEEDS = (1, 2)


def sms_variants(persona: Persona, rubric: Rubric) -> list[tuple[str, Persona]]:
    """Every message rewritten as SMS French by a rewriter written from the language (evals/sms.py,
    independent of the engine's word lists); each message gets its own seeded draw, so that a
    result never depends on the order of the messages."""

    def rewriter(seed: int):
        def rewrite_one(text: str) -> str:
            return sms(text, random.Random(zlib.crc32(f"{seed}:{text}".encode())))

        return rewrite_one

    variants = [("écrit", persona)]
    for seed in SMS_SEEDS:
        variants.append((f"SMS (graine {seed})", rewrite(persona, rewriter(seed))))
    return variants


FAMILIES: dict[str, Callable[[Persona, Rubric], list[tuple[str, Persona]]]] = {
    "identity": identity_variants,
    "inclusive": inclusive_variants,
    "register": register_variants,
    "typos": typo_variants,
    "sms": sms_variants,
}


# --- running -------------------------------------------------------------------------------------


def compare(
    rubrics: dict[str, Rubric],
    personas: list[Persona],
    conversation_factory=None,
    families: Iterable[str] = tuple(FAMILIES),
) -> dict:
    """Replay every variant; each variant is compared with the family's first variant."""
    report = {name: {"pairs": 0, "differences": 0, "unchanged": 0, "list": []} for name in families}
    for persona in personas:
        rubric = rubrics.get(persona.rubric)
        if rubric is None:
            continue
        for family in families:
            variants = FAMILIES[family](persona, rubric)
            (ref_name, ref_persona), others = variants[0], variants[1:]
            reference = outcome(replay(ref_persona, rubric, conversation_factory))
            stats = report[family]
            for name, variant in others:
                if variant.answers == ref_persona.answers and variant.extra == ref_persona.extra:
                    stats["unchanged"] += 1
                    continue
                stats["pairs"] += 1
                found = differences(
                    reference, outcome(replay(variant, rubric, conversation_factory))
                )
                stats["differences"] += bool(found)
                stats["list"] += [
                    {
                        "persona": Path(persona.path).name or persona.name,
                        "family": family,
                        "reference": ref_name,
                        "variant": name,
                        "item": item,
                        "reference_value": before,
                        "variant_value": after,
                    }
                    for item, before, after in found
                ]
    return report


def load_all(personas_dir: Path = PERSONAS_DIR, rubrics_dir: Path = RUBRICS_DIR):
    from chatbot.rubric_loader import rubrics_in

    return rubrics_in(Path(rubrics_dir)), load_personas(personas_dir)


def llm_conversation_factory():
    """LLM-mode conversations as the app makes them (the settings name the model)."""
    from chatbot.modes import make_conversation
    from pii import Pseudonymizer

    def begin(rubric, session_id=None):
        return make_conversation(rubric, session_id, None, Pseudonymizer())

    return begin


def main(argv: list[str] | None = None) -> int:
    """`--llm`: the LLM mode too (a model must be configured), side by side; `--json`."""
    argv = sys.argv[1:] if argv is None else argv
    if "--llm" in argv and not get_settings().llm_enabled:
        print(NO_MODEL, file=sys.stderr)
        return 1
    rubrics, personas = load_all()
    report = {"offline": compare(rubrics, personas)}
    if "--llm" in argv:
        report["llm"] = compare(rubrics, personas, llm_conversation_factory())
    if "--json" in argv:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    print(f"{len(personas)} personas : paires de variantes avec un écart de résultat")
    families = report["offline"]
    rows = [
        [family, *(f"{r[family]['differences']} / {r[family]['pairs']}" for r in report.values())]
        for family in families
    ]
    print(side_by_side(["", *(MODES[mode] for mode in report)], rows))
    for mode, by_family in report.items():
        for stats in by_family.values():
            for diff in stats["list"]:
                print(
                    f"ÉCART ({MODES[mode]}) {diff['persona']} {diff['item']}: "
                    f"{diff['reference_value'] or '-'} ({diff['reference']}) -> "
                    f"{diff['variant_value'] or '-'} ({diff['variant']})"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
