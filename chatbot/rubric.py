"""The rubric format: one YAML file per training, written by trainers.

These models describe the *structure* of a rubric (every key, its type, what is required).
The checks that relate fields to one another (unique ids, rules consistent with answer types,
contiguous levels, fair questioning…) live in `chatbot.rubric_checks`; the YAML reading and the
line-numbered error messages live in `chatbot.rubric_loader`.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, StringConstraints

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
RomeCode = Annotated[str, StringConstraints(pattern=r"^[A-N][0-9]{4}$")]


class Strict(BaseModel):
    """Unknown keys are errors: a typo such as `quesiton` must never pass silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Kind(StrEnum):
    prerequisite = "prerequisite"
    mobility = "mobility"
    availability = "availability"
    motivation = "motivation"
    readiness = "readiness"


DIMENSION_KINDS = (Kind.motivation, Kind.readiness)


class AnswerType(StrEnum):
    yes_no = "yes_no"
    number = "number"
    date = "date"
    duration = "duration"
    choice = "choice"
    multi_choice = "multi_choice"
    level = "level"
    free_text = "free_text"


class WhenUnclear(StrEnum):
    """What the result says when, after the allowed tries, the answer is still unclear."""

    counsellor_checks = "counsellor_checks"  # verdict `unclear`, flagged for the counsellor
    not_met = "not_met"
    met = "met"


class Option(Strict):
    id: Slug = Field(
        description="Identifiant de l'option : minuscules, chiffres et tirets (ex. en-cours)"
    )
    label: Text = Field(
        description="Texte de l'option, tel que le candidat le voit (ex. Je le passe en ce moment)"
    )
    synonyms: list[Text] = Field(
        default=[], description="Autres mots que le candidat peut écrire pour choisir cette option"
    )


class Certification(Strict):
    name: Text = Field(
        description="Nom complet du diplôme ou du titre (ex. Diplôme d'État d'aide-soignant)"
    )
    rncp: Annotated[str, StringConstraints(pattern=r"^RNCP[0-9]{3,6}$")] | None = Field(
        default=None, description="Code RNCP, si vous le connaissez (ex. RNCP35830)"
    )
    level: int | None = Field(
        default=None,
        ge=3,
        le=8,
        description="Niveau du cadre national (3 = CAP, 4 = bac, 5 = bac + 2…)",
    )


class Provider(Strict):
    name: Text = Field(description="Nom de l'organisme de formation (ex. Afpa, centre de Mulhouse)")
    contact: Text | None = Field(
        default=None, description="Comment joindre l'organisme (service, jours, heures)"
    )


class Site(Strict):
    address: Text = Field(description="Numéro et rue du lieu de formation")
    commune: Text = Field(description="Commune du lieu de formation")
    postal_code: Annotated[str, StringConstraints(pattern=r"^[0-9]{5}$")] = Field(
        description='Code postal à cinq chiffres, entre guillemets (ex. "57050")'
    )


class Session(Strict):
    id: Slug = Field(description="Identifiant de la session (ex. metz-2027-09)")
    start: dt.date = Field(description="Date de début, au format AAAA-MM-JJ (ex. 2027-09-13)")
    end: dt.date = Field(description="Date de fin, au format AAAA-MM-JJ, après la date de début")
    schedule: Text = Field(
        description="Rythme et horaires de la session (ex. 35 heures par semaine)"
    )
    seats: int = Field(gt=0, description="Nombre de places")


class Job(Strict):
    missions: list[Text] = Field(min_length=1, description="Les tâches du métier, une par ligne")
    working_conditions: Text = Field(
        description="Lieux, horaires, efforts physiques, travail en équipe"
    )
    pay_range: Text = Field(
        description="Salaire de début de carrière (ex. 1 900 à 2 100 euros bruts par mois)"
    )
    hiring_outlook: Text = Field(
        description="Chances de trouver un emploi après la formation, dans la région"
    )


class FaqEntry(Strict):
    question: Text = Field(description="Question qu'un candidat pose souvent")
    answer: Text = Field(description="Réponse courte, en mots simples")
    keywords: list[Text] = Field(
        default=[], description="Mots qui font reconnaître la question (ex. payé, salaire, argent)"
    )


class Training(Strict):
    title: Text = Field(description="Nom de la formation, tel que le candidat le voit")
    rome: list[RomeCode] = Field(
        min_length=1,
        description="Code(s) ROME du métier : une lettre et quatre chiffres (ex. [J1501])",
    )
    sector: Literal["santé", "social", "industrie", "transport", "btp", "services", "autre"] = (
        Field(description="Secteur du métier")
    )
    certification: Certification = Field(description="Le diplôme ou le titre préparé")
    provider: Provider = Field(description="L'organisme de formation")
    site: Site = Field(description="L'adresse du lieu de formation")
    sessions: list[Session] = Field(
        min_length=1, description="Les sessions ouvertes (au moins une)"
    )
    duration: Text = Field(
        description="Durée de la formation, avec les heures de cours et de stage"
    )
    funding: Text = Field(description="Qui paie la formation")
    pay_during_training: Text = Field(description="Ce que touche le candidat pendant la formation")
    job: Job = Field(description="Le métier : missions, conditions, salaire, embauche")
    faq: list[FaqEntry] = Field(
        min_length=1,
        description="Questions fréquentes et leurs réponses (au moins une, six conseillées)",
    )


class ScaleLevel(Strict):
    id: Slug = Field(description="Identifiant du niveau, utilisé dans les règles (ex. cap)")
    label: Text = Field(description="Nom du niveau, tel que le candidat le voit")
    synonyms: list[Text] = Field(
        default=[], description="Autres mots que le candidat peut écrire pour ce niveau"
    )


class Answer(Strict):
    """How the candidate's answer is read. Which keys apply depends on `type`."""

    type: AnswerType = Field(
        description="Type de réponse : yes_no, number, date, duration, choice, multi_choice, level ou free_text"
    )
    # number
    unit: Text | None = Field(default=None, description="Pour number : l'unité (ex. ans, km)")
    # number: plausible bounds (outside them, the answer is re-asked)
    min: float | None = Field(
        default=None,
        description="Pour number : plus petite valeur possible ; en dessous, la question est reposée",
    )
    max: float | None = Field(
        default=None,
        description="Pour number : plus grande valeur possible ; au-dessus, la question est reposée",
    )
    # choice, multi_choice
    options: list[Option] = Field(
        default=[], description="Pour choice et multi_choice : la liste des options"
    )
    # level: a scale defined under `scales` or a built-in one
    scale: Slug | None = Field(
        default=None,
        description="Pour level : le nom de l'échelle (diplome, cecrl, ou une échelle de `scales`)",
    )


class Rule(Strict):
    """Turns a parsed answer into a verdict. Keys must suit the answer type."""

    # yes_no
    equals: bool | None = Field(
        default=None, description="Pour yes_no : la réponse attendue (true = oui, false = non)"
    )
    # number, duration (minutes), level (level id)
    min: float | str | None = Field(
        default=None,
        description="Minimum accepté : un nombre (number), des minutes (duration) ou un niveau (level)",
    )
    max: float | str | None = Field(
        default=None,
        description="Maximum accepté : un nombre (number), des minutes (duration) ou un niveau (level)",
    )
    # choice, multi_choice
    any_of: list[Slug] | None = Field(
        default=None,
        description="Pour choice et multi_choice : au moins une de ces options doit être choisie",
    )
    none_of: list[Slug] | None = Field(
        default=None,
        description="Pour choice et multi_choice : aucune de ces options ne doit être choisie",
    )
    # date
    before: dt.date | Literal["session_start", "session_end"] | None = Field(
        default=None,
        description="Pour date : au plus tard cette date, ou session_start, ou session_end",
    )
    after: dt.date | Literal["today"] | None = Field(
        default=None, description="Pour date : au plus tôt cette date, ou today (aujourd'hui)"
    )


class AnchoredLevel(Strict):
    level: int = Field(
        ge=0, le=10, description="Numéro du niveau, de 0 (le plus bas) à 3 en général, sans trou"
    )
    descriptor: Text = Field(description="Ce qu'on observe chez un candidat de ce niveau")
    indicators: list[Text] = Field(
        min_length=1, description="Phrases qu'un candidat de ce niveau dirait vraiment"
    )


class Criterion(Strict):
    id: Slug = Field(
        description="Identifiant stable du critère (ex. permis-b) ; ne pas le changer une fois utilisé"
    )
    kind: Kind = Field(
        description="Famille : prerequisite, mobility, availability, motivation ou readiness"
    )
    # short name shown to counsellors and in the recap
    label: Text = Field(description="Nom court, vu par le conseiller et dans le récapitulatif")
    question: Text = Field(
        description="La question posée au candidat, en mots simples, une seule chose à la fois"
    )
    # Words a candidate may use to answer this before it is asked ("j'ai 23 ans, le permis…").
    keywords: list[Text] = Field(
        default=[],
        description="Mots qui montrent que le candidat répond déjà à ce critère avant la question",
    )
    help: Text | None = Field(
        default=None,
        description="Explication donnée si le candidat ne comprend pas ou demande pourquoi",
    )
    follow_up: Text | None = Field(
        default=None, description="Question de relance si la réponse n'est pas claire"
    )
    answer: Answer = Field(
        default=Answer(type=AnswerType.free_text),
        description="Comment lire la réponse (type, options, unité, échelle)",
    )
    rule: Rule | None = Field(
        default=None,
        description="Ce qui est attendu ; les clés possibles dépendent du type de réponse",
    )
    blocking: bool = Field(
        default=False,
        description="true : si la règle n'est pas remplie, l'entrée est impossible ; false : souhaité",
    )
    when_unclear: WhenUnclear = Field(
        default=WhenUnclear.counsellor_checks,
        description="Si la réponse reste floue : counsellor_checks (le conseiller vérifie), not_met ou met",
    )
    max_tries: int = Field(
        default=2, ge=1, le=4, description="Nombre de fois où la question peut être posée (1 à 4)"
    )
    # motivation and readiness only
    levels: list[AnchoredLevel] = Field(
        default=[], description="Pour motivation et readiness : les niveaux décrits (0, 1, 2, 3…)"
    )
    # weight of a dimension inside its kind
    weight: float = Field(
        default=1.0, ge=0, description="Poids de cette dimension parmi celles de la même famille"
    )
    # required when a question touches a protected ground
    justification: Text | None = Field(
        default=None,
        description="Raison écrite (ex. obligation légale) quand la question touche un motif protégé",
    )


class Weights(Strict):
    prerequisites: float = Field(
        ge=0, description="Part des prérequis dans le classement, en pourcentage"
    )
    motivation: float = Field(ge=0, description="Part de la motivation, en pourcentage")
    readiness: float = Field(ge=0, description="Part de la préparation, en pourcentage")
    mobility: float = Field(ge=0, description="Part de la mobilité, en pourcentage")
    availability: float = Field(ge=0, description="Part de la disponibilité, en pourcentage")


class Rubric(Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, title="Rubrique de formation")

    id: Slug = Field(description="Identifiant stable de la rubrique (ex. aide-soignant)")
    training: Training = Field(description="La formation : titre, organisme, sessions, métier, FAQ")
    scales: dict[Slug, list[ScaleLevel]] = Field(
        default={},
        description="Échelles de niveaux propres à cette rubrique (diplome et cecrl existent déjà)",
    )
    criteria: list[Criterion] = Field(
        min_length=1, description="Les critères, dans l'ordre où ils sont posés"
    )
    weights: Weights = Field(
        description="Poids des familles dans le classement ; le total doit faire 100"
    )
    # Content hash set by the loader, never written by hand.
    _version: str = PrivateAttr(default="")

    @property
    def version(self) -> str:
        return self._version

    def criterion(self, criterion_id: str) -> Criterion:
        """Raises KeyError (never StopIteration, which a coroutine turns into a hang)."""
        found = next((c for c in self.criteria if c.id == criterion_id), None)
        if found is None:
            raise KeyError(criterion_id)
        return found

    @property
    def closed_criteria(self) -> list[Criterion]:
        return [c for c in self.criteria if c.kind not in DIMENSION_KINDS]

    @property
    def dimensions(self) -> list[Criterion]:
        return [c for c in self.criteria if c.kind in DIMENSION_KINDS]

    def scale(self, name: str) -> list[ScaleLevel]:
        from chatbot.scales import BUILTIN_SCALES

        return self.scales.get(name) or BUILTIN_SCALES[name]
