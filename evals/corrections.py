"""Corrections, metamorphic: every persona corrects one earlier answer, in words generated from
that criterion's own label or question, and the correction must land there and nowhere else.

For each persona and each of its closed criteria (a sample in CI, all with `--all`), a message
changes the answer to a new value of the right kind (the other yes/no, another option or level, a
different number, date or duration), opened by a varied cue ("en fait", "je me suis trompé",
"je reviens sur", "oups", "finalement", "pardon"). It is sent mid-screening, while a later closed
question is asked, and at the recap. Each rubric is played as written and with every trainer
`keywords` list removed. A correction is *applied* when the criterion ends with the new value,
*misfiled* when any other criterion's value differs from the run without the correction.

Run: ``python -m evals.corrections [--all] [--json]``; ``--numbers``: a sentence with a number,
a date range and a duration appended to every open answer changes no verdict, triggers no
correction and lowers no level.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from itertools import cycle

from chatbot.answers import display_value
from chatbot.results import ScreeningResult
from chatbot.rubric import DIMENSION_KINDS, AnswerType, Criterion, Rubric
from evals.fairness import load_all
from evals.personas import Extra, Persona, replay

CUES = ("en fait", "je me suis trompé", "je reviens sur", "oups", "finalement", "pardon")
PLACES = ("mid", "recap")


def without_keywords(rubric: Rubric) -> Rubric:
    criteria = [c.model_copy(update={"keywords": []}) for c in rubric.criteria]
    faq = [f.model_copy(update={"keywords": []}) for f in rubric.training.faq]
    training = rubric.training.model_copy(update={"faq": faq})
    return rubric.model_copy(update={"criteria": criteria, "training": training})


def new_value(rubric: Rubric, criterion: Criterion, old, today: dt.date):
    """A value of the criterion's kind that differs from `old`, or None when none can be said."""
    answer = criterion.answer
    match answer.type:
        case AnswerType.yes_no:
            return not old if isinstance(old, bool) else False
        case AnswerType.number:
            return (
                (old or 0) + 7
                if (old or 0) + 7 <= (answer.max or 10**6)
                else max(0, (old or 0) - 7)
            )
        case AnswerType.duration:
            return 95 if old != 95 else 25
        case AnswerType.date:
            month = 4 if not isinstance(old, dt.date) or old.month != 4 else 6
            year = today.year + (month < today.month)
            return dt.date(year, month, 1)
        case AnswerType.choice:
            ids = [o.id for o in answer.options if o.id != old]
            return ids[-1] if ids else None
        case AnswerType.multi_choice:
            ids = [o.id for o in answer.options if [o.id] != old]
            return [ids[-1]] if ids else None
        case AnswerType.level:
            ids = [lvl.id for lvl in rubric.scale(answer.scale) if lvl.id != old]
            return ids[0] if ids else None
    return None


def said(rubric: Rubric, criterion: Criterion, value) -> str:
    """The value as a candidate says it."""
    if criterion.answer.type == AnswerType.yes_no:
        return "oui" if value else "non"
    if criterion.answer.type == AnswerType.date:
        months = (
            "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
        )
        return f"à partir de {months.split()[value.month - 1]}"
    return display_value(rubric, criterion, value)


def message(rubric: Rubric, criterion: Criterion, value, cue: str, variant: int) -> str:
    """The correction, in the criterion's own words: its label as a candidate would name it
    ("l'âge", "le permis B"), or the question it asked, as a candidate would recall it."""
    words = said(rubric, criterion, value)
    if variant % 2 == 0:
        return f"{cue}, pour {named(criterion.label)} : {words}"
    return f"{cue}, à la question « {asked(criterion.question)} », c'est {words}"


def named(label: str) -> str:
    """ "Âge d'au moins 17 ans" → "l'âge"; "Permis B depuis au moins 2 ans" → "le permis B"."""
    name = re.split(r"\s*\(|\s+(?:d')?(?:au moins|depuis|avant|jusqu|souhait)|\s*\d", label)[0]
    name = name.strip(" ,").lower()
    return name if name else label.lower()


def asked(question: str) -> str:
    """The sentence of the question that says what it is about (the longest), without its
    examples ("Par exemple : …"): what a candidate remembers of it."""
    sentences = [
        s.split(" Par exemple")[0].strip()
        for s in re.split(r"(?<=[.?!])\s+", question)
        if not s.lower().startswith(("par exemple", "si oui"))
    ]
    return max(sentences or [question], key=len)


def corrected(persona: Persona, rubric: Rubric, criterion: Criterion, text: str, place: str):
    if place == "recap":
        extra = Extra(at_recap=True, message=text)
    else:
        later = _later_closed(persona, rubric, criterion)
        if later is None:
            return None
        extra = Extra(before=later, message=text)
    return persona.model_copy(update={"extra": [*persona.extra, extra]})


def _later_closed(persona: Persona, rubric: Rubric, criterion: Criterion) -> str | None:
    ids = [c.id for c in rubric.criteria]
    later = [
        c
        for c in rubric.criteria[ids.index(criterion.id) + 1 :]
        if c.kind not in DIMENSION_KINDS and persona.answers.get(c.id)
    ]
    return later[-1].id if later else None  # after whatever the persona itself says of it


def _values(result: ScreeningResult) -> dict[str, str]:
    return {c.criterion_id: repr(c.value) for c in result.criteria}


def run(sample: bool = True) -> dict:
    rubrics, personas = load_all()
    report = {"corrections": 0, "applied": 0, "misfiled": 0, "list": []}
    cues = cycle(CUES)
    for keywords in (True, False):
        for index, persona in enumerate(personas):
            rubric = rubrics.get(persona.rubric)
            if rubric is None:
                continue
            rubric = rubric if keywords else without_keywords(rubric)
            base = replay(persona, rubric)
            closed = [
                c
                for c in rubric.closed_criteria
                if c.id in persona.answers and c.id in persona.expected.verdicts
            ]
            if sample:
                closed = closed[index % len(closed) :][:1] if closed else []
            for n, criterion in enumerate(closed):
                old = base.result.criterion(criterion.id).value
                value = new_value(rubric, criterion, old, persona.today)
                if value is None:
                    continue
                for place in PLACES:
                    text = message(rubric, criterion, value, next(cues), index + n)
                    variant = corrected(persona, rubric, criterion, text, place)
                    if variant is None:
                        continue
                    _score(
                        report,
                        base,
                        replay(variant, rubric),
                        criterion,
                        value,
                        place,
                        keywords,
                        text,
                    )
    total = report["corrections"]
    report["applied_rate"] = round(report["applied"] / total, 4) if total else None
    return report


def _score(report, base, run, criterion, value, place, keywords, text) -> None:
    report["corrections"] += 1
    got = run.result.criterion(criterion.id).value
    applied = _same(got, value)
    before, after = _values(base.result), _values(run.result)
    misfiled = [cid for cid in before if cid != criterion.id and before[cid] != after[cid]]
    report["applied"] += applied
    report["misfiled"] += bool(misfiled)
    if not applied or misfiled:
        report["list"].append(
            {
                "persona": run.persona.path.rsplit("/", 1)[-1],
                "criterion": criterion.id,
                "place": place,
                "keywords": keywords,
                "message": text,
                "expected": repr(value),
                "got": repr(got),
                "misfiled": misfiled,
            }
        )


def _same(got, value) -> bool:
    if isinstance(value, dt.date) and isinstance(got, str):
        return got == value.isoformat()
    if isinstance(value, list) and isinstance(got, list):
        return set(value) <= set(got)
    return got == value


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "--numbers" in argv:
        numbers = numbers_in_open_answers()
        print(json.dumps(numbers, ensure_ascii=False, indent=2))
        return 0
    report = run(sample="--all" not in argv)
    if "--json" in argv:
        print(json.dumps(report, ensure_ascii=False, indent=2, default=str))
        return 0
    print(
        f"{report['corrections']} corrections, {report['applied_rate']:.1%} appliquées, "
        f"{report['misfiled']} mal classées"
    )
    for item in report["list"]:
        print(
            f"  {'MAL CLASSÉE' if item['misfiled'] else 'NON APPLIQUÉE'} {item['persona']} "
            f"{item['criterion']} ({item['place']}, mots-clés {'oui' if item['keywords'] else 'non'}) "
            f"« {item['message']} » : attendu {item['expected']}, obtenu {item['got']} "
            f"{item['misfiled'] or ''}"
        )
    return 0


# --- numbers in open answers are evidence, not corrections (issue 17) ----------------------------

WORK_SENTENCE = "J'ai travaillé 6 ans, de 2015 à 2021, à 40 minutes de chez moi."


def with_numbers(persona: Persona, rubric: Rubric) -> Persona:
    """Every open answer with a sentence holding a number, a date range and a duration."""
    answers = {
        cid: [f"{texts[0].rstrip()} {WORK_SENTENCE}", *texts[1:]] if texts else texts
        for cid, texts in persona.answers.items()
    }
    for criterion in rubric.criteria:
        if criterion.kind not in DIMENSION_KINDS and criterion.id in answers:
            answers[criterion.id] = persona.answers[criterion.id]
    return persona.model_copy(update={"answers": answers})


def numbers_in_open_answers() -> dict:
    """Verdicts and flags unchanged, no correction said or proposed, no level lower."""
    rubrics, personas = load_all()
    report = {"personas": 0, "changed_verdicts": 0, "corrections": 0, "lower_levels": 0, "list": []}
    for persona in personas:
        rubric = rubrics.get(persona.rubric)
        if rubric is None:
            continue
        before, after = replay(persona, rubric), replay(with_numbers(persona, rubric), rubric)
        report["personas"] += 1
        changed = [
            c.criterion_id
            for c, d in zip(before.result.criteria, after.result.criteria, strict=True)
            if c.verdict != d.verdict
        ]
        if sorted(before.result.flags) != sorted(after.result.flags):
            changed.append("flags")
        lower = [
            d.criterion_id
            for d, e in zip(before.result.dimensions, after.result.dimensions, strict=True)
            if d.level is not None and (e.level is None or e.level < d.level)
        ]
        said = sum(
            m.startswith(("C'est corrigé", "Vous corrigez"))
            for who, m in after.transcript
            if who == "assistant"
        ) - sum(
            m.startswith(("C'est corrigé", "Vous corrigez"))
            for who, m in before.transcript
            if who == "assistant"
        )
        report["changed_verdicts"] += len(changed)
        report["corrections"] += max(said, 0)
        report["lower_levels"] += len(lower)
        if changed or said > 0 or lower:
            name = persona.path.rsplit("/", 1)[-1]
            report["list"].append({"persona": name, "changed": changed, "lower": lower})
    return report


if __name__ == "__main__":
    raise SystemExit(main())
