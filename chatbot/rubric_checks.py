"""Checks that relate the fields of a rubric to one another, and the fair-questioning check.

They work on the raw YAML data, piece by piece, so that they still run (and report) when another
part of the file is broken: a trainer sees every problem of a file at once.
Each check yields `(path, message)`; the loader turns paths into file lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from chatbot.rubric import DIMENSION_KINDS, AnswerType, Criterion, Kind, ScaleLevel, Session
from chatbot.scales import BUILTIN_SCALES
from chatbot.text import fold

Path = tuple[str | int, ...]
Issue = tuple[Path, str]

# Which rule keys make sense for which answer type.
RULE_KEYS: dict[AnswerType, set[str]] = {
    AnswerType.yes_no: {"equals"},
    AnswerType.number: {"min", "max"},
    AnswerType.duration: {"min", "max"},
    AnswerType.level: {"min", "max"},
    AnswerType.date: {"before", "after"},
    AnswerType.choice: {"any_of", "none_of"},
    AnswerType.multi_choice: {"any_of", "none_of"},
    AnswerType.free_text: set(),
}
WEIGHT_KINDS = {
    "prerequisites": Kind.prerequisite,
    "motivation": Kind.motivation,
    "readiness": Kind.readiness,
    "mobility": Kind.mobility,
    "availability": Kind.availability,
}

# Grounds that French law (Code du travail L1132-1, L1221-6) and the CNIL's recruitment guidance
# rule out, unless the criterion carries a written `justification`. Patterns run on text without
# accents, in lower case.
PROTECTED_GROUNDS: dict[str, str] = {
    "la situation de famille": (
        r"\b(marie|mariee|celibataire|divorce|pacse|concubin|conjoint|situation (familiale|de famille)"
        r"|vos enfants|des enfants a charge|enfants? a charge|avez[- ]vous des enfants"
        r"|nombre d.enfants|garde d.enfants|mode de garde|garder vos enfants)\b"
    ),
    "la grossesse ou le projet d'enfant": (
        r"\b(enceinte|grossesse|projet d.enfant|avoir un enfant|bebe|maternite)\b"
    ),
    "l'origine": (r"\b(origine|nationalite|ethni\w*|pays de naissance|couleur de peau|race)\b"),
    "la religion": r"\b(religion|religieu\w*|croyance|culte|priere|ramadan|voile|foulard|halal)\b",
    "les opinions politiques ou syndicales": (
        r"\b(politique|syndica\w*|syndique|parti politique|vote[rz]?|greve)\b"
    ),
    "la santé (au-delà d'un certificat d'aptitude ou d'une vaccination)": (
        r"\b(maladie|malade|handicap\w*|invalidite|traitement|medicament\w*|probleme\w* de sante"
        r"|etat de sante|votre sante|depression|psychiatr\w*|mal de dos|arret maladie|rqth)\b"
    ),
    "le numéro de sécurité sociale": r"\b(securite sociale|secu|nir|carte vitale)\b",
    "les coordonnées bancaires": (
        r"\b(iban|rib|coordonnees bancaires|compte bancaire|numero de carte|carte bancaire)\b"
    ),
}
HEALTH_ALLOWED = re.compile(r"\b(vaccin\w*|certificat medical|aptitude|apte)\b")


def protected_grounds(text: str) -> list[str]:
    folded = fold(text)
    found = [ground for ground, pattern in PROTECTED_GROUNDS.items() if re.search(pattern, folded)]
    if HEALTH_ALLOWED.search(folded):
        found = [g for g in found if not g.startswith("la santé")]
    return found


def _valid(model: type[BaseModel], raw: Any) -> Any | None:
    try:
        return TypeAdapter(model).validate_python(raw)
    except ValidationError:
        return None  # already reported by the structural validation


def _items(raw: Any, key: str) -> list[Any]:
    value = raw.get(key) if isinstance(raw, dict) else None
    return value if isinstance(value, list) else []


def check(raw: Any) -> Iterator[Issue]:
    if not isinstance(raw, dict):
        return
    yield from _unique_ids(("criteria",), _items(raw, "criteria"), "critère")
    training = raw.get("training") if isinstance(raw.get("training"), dict) else {}
    yield from _unique_ids(("training", "sessions"), _items(training, "sessions"), "session")
    for index, item in enumerate(_items(training, "sessions")):
        if (session := _valid(Session, item)) and session.end <= session.start:
            yield (
                ("training", "sessions", index, "end"),
                (
                    f"la session « {session.id} » finit le {session.end:%d/%m/%Y}, "
                    f"avant ou le jour de son début ({session.start:%d/%m/%Y})"
                ),
            )
    scales = _scales(raw)
    criteria = []
    for index, item in enumerate(_items(raw, "criteria")):
        if criterion := _valid(Criterion, item):
            criteria.append(criterion)
            yield from _check_criterion(("criteria", index), criterion, scales)
    if isinstance(raw.get("weights"), dict):
        yield from _check_weights(raw["weights"], criteria)


def _scales(raw: dict) -> dict[str, list[str]]:
    scales = {name: [level.id for level in levels] for name, levels in BUILTIN_SCALES.items()}
    for name, levels in (
        (raw.get("scales") or {}).items() if isinstance(raw.get("scales"), dict) else []
    ):
        valid = [lvl for lvl in levels or [] if _valid(ScaleLevel, lvl)]
        scales[name] = [lvl["id"] for lvl in valid]
    return scales


def _unique_ids(path: Path, items: list[Any], what: str) -> Iterator[Issue]:
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        ident = item.get("id") if isinstance(item, dict) else None
        if not isinstance(ident, str):
            continue
        if ident in seen:
            yield (
                (*path, index, "id"),
                (
                    f"l'identifiant de {what} « {ident} » est déjà utilisé (élément n° {seen[ident] + 1}) ;"
                    " chaque identifiant doit être unique"
                ),
            )
        else:
            seen[ident] = index


def _check_criterion(path: Path, c: Criterion, scales: dict[str, list[str]]) -> Iterator[Issue]:
    yield from _check_fairness(path, c)
    if c.kind in DIMENSION_KINDS:
        yield from _check_dimension(path, c)
        return
    if c.levels:
        yield (
            (*path, "levels"),
            ("seuls les critères de motivation ou de préparation ont des niveaux (`levels`)"),
        )
    answer = c.answer
    if answer.type in (AnswerType.choice, AnswerType.multi_choice) and not answer.options:
        yield (*path, "answer"), "une réponse à choix doit lister ses options (`options`)"
    if answer.type == AnswerType.level and answer.scale is None:
        yield (*path, "answer"), "une réponse de type `level` doit nommer son échelle (`scale`)"
    if answer.scale is not None and answer.scale not in scales:
        yield (
            (*path, "answer", "scale"),
            (
                f"l'échelle « {answer.scale} » n'existe pas ; échelles connues : {', '.join(sorted(scales))}"
            ),
        )
    if answer.min is not None and answer.max is not None and answer.min > answer.max:
        yield (*path, "answer", "min"), "la borne `min` est plus grande que la borne `max`"
    yield from _unique_ids(
        (*path, "answer", "options"), [o.model_dump() for o in answer.options], "option"
    )
    if c.rule is None:
        if c.kind == Kind.prerequisite:
            yield (
                (*path, "rule"),
                "un prérequis doit avoir une règle (`rule`) qui dit ce qui est attendu",
            )
        return
    yield from _check_rule(path, c, scales.get(answer.scale or "", []))


def _check_rule(path: Path, c: Criterion, scale: list[str]) -> Iterator[Issue]:
    rule = c.rule
    used = {key for key, value in rule.model_dump().items() if value is not None}
    allowed = RULE_KEYS[c.answer.type]
    if not used:
        yield (*path, "rule"), "la règle est vide"
    for key in sorted(used - allowed):
        hint = ", ".join(f"`{k}`" for k in sorted(allowed)) or "aucune règle"
        yield (
            (*path, "rule", key),
            (
                f"la règle `{key}` ne convient pas à une réponse de type `{c.answer.type}` "
                f"(possible : {hint})"
            ),
        )
    for key in ("min", "max"):
        value = getattr(rule, key)
        if value is None or key not in allowed:
            continue
        if c.answer.type == AnswerType.level:
            if value not in scale:
                yield (
                    (*path, "rule", key),
                    (
                        f"le niveau « {value} » n'est pas dans l'échelle « {c.answer.scale} » "
                        f"({', '.join(scale)})"
                    ),
                )
        elif not isinstance(value, int | float):
            yield (*path, "rule", key), f"la règle `{key}` attend un nombre, pas « {value} »"
    options = {o.id for o in c.answer.options}
    for key in ("any_of", "none_of"):
        for ref in getattr(rule, key) or []:
            if ref not in options:
                yield (
                    (*path, "rule", key),
                    (
                        f"l'option « {ref} » n'existe pas dans `answer.options` "
                        f"({', '.join(sorted(options)) or 'aucune option'})"
                    ),
                )


def _check_dimension(path: Path, c: Criterion) -> Iterator[Issue]:
    if c.answer.type != AnswerType.free_text:
        yield (
            (*path, "answer", "type"),
            "une question de motivation ou de préparation est en texte libre",
        )
    if c.rule is not None:
        yield (
            (*path, "rule"),
            (
                "une dimension de motivation ou de préparation n'a pas de règle : elle est notée "
                "avec ses niveaux (`levels`)"
            ),
        )
    levels = [lvl.level for lvl in c.levels]
    if len(levels) < 2:
        yield (*path, "levels"), "il faut au moins deux niveaux décrits (par exemple 0 à 3)"
        return
    expected = list(range(len(levels)))
    if sorted(levels) != expected:
        missing = sorted(set(range(max(levels) + 1)) - set(levels))
        detail = (
            f"il manque le niveau {', '.join(map(str, missing))}" if missing else "niveau en double"
        )
        yield (
            (*path, "levels"),
            (
                f"les niveaux doivent se suivre à partir de 0 sans trou : {detail} "
                f"(niveaux trouvés : {', '.join(map(str, levels))})"
            ),
        )
    elif levels != expected:
        yield (*path, "levels"), "écrivez les niveaux dans l'ordre, du plus bas au plus haut"


def _check_fairness(path: Path, c: Criterion) -> Iterator[Issue]:
    if c.justification:
        return
    texts: list[tuple[Path, str]] = [((*path, "question"), c.question)]
    texts += [
        ((*path, field), getattr(c, field)) for field in ("help", "follow_up") if getattr(c, field)
    ]
    for i, option in enumerate(c.answer.options):
        texts.append(((*path, "answer", "options", i), " ".join([option.label, *option.synonyms])))
    for text_path, text in texts:
        for ground in protected_grounds(text):
            yield (
                text_path,
                (
                    f"cette question touche à {ground}, un motif qu'on ne peut pas demander à un "
                    "candidat. Retirez-la, ou ajoutez au critère une `justification` écrite "
                    "(par exemple une obligation légale pour cette formation)"
                ),
            )


def _check_weights(raw_weights: dict, criteria: list[Criterion]) -> Iterator[Issue]:
    values = {k: v for k, v in raw_weights.items() if isinstance(v, int | float)}
    if len(values) != len(raw_weights):
        return
    total = sum(values.values())
    if abs(total - 100) > 0.01:
        yield (
            ("weights",),
            (f"les poids sont des pourcentages et doivent faire 100 au total (ils font {total:g})"),
        )
    kinds = {c.kind for c in criteria}
    for key, kind in WEIGHT_KINDS.items():
        if values.get(key, 0) > 0 and kind not in kinds and criteria:
            yield (
                ("weights", key),
                (f"le poids `{key}` est de {values[key]:g} mais aucun critère n'est de ce type"),
            )
