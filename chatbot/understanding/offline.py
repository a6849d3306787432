"""Offline French understanding: parsers and cues, no model, no network. The embedded default."""

from __future__ import annotations

import re
from dataclasses import replace

from rapidfuzz import fuzz, process

from chatbot import faq
from chatbot.commands import (
    AskQuestion,
    AskWhich,
    Command,
    Confirm,
    Correct,
    Handoff,
    Manipulation,
    OffTopic,
    Revisit,
    SetAnswer,
    Unclear,
    Undo,
)
from chatbot.faq import answer_question
from chatbot.rubric import DIMENSION_KINDS, AnswerType, Criterion
from chatbot.text import fold
from chatbot.understanding import parsers, signals
from chatbot.understanding.base import MAX_CHARS, TurnContext
from chatbot.understanding.topics import topics, words


class OfflineUnderstander:
    def understand(self, text: str, context: TurnContext) -> list[Command]:
        if not text.strip():
            return [OffTopic(reason="empty")]
        if len(text) > MAX_CHARS:
            return [OffTopic(reason="too_long")]
        if not signals.has_words(text):
            return [OffTopic(reason="noise")]
        commands: list[Command] = []
        steering = [s for s in signals.sentences(text) if signals.is_manipulation(s)]
        if steering or signals.is_manipulation(text):
            commands.append(Manipulation(evidence=" ".join(steering) or text[:300]))
            # The candidate's words are data, never instructions: steering is not an answer.
            text = _without(text, steering) if steering else ""
            if not signals.has_words(text):
                return commands
        if signals.is_handoff(text):
            return [*commands, Handoff()]
        if (about_last := _about_last_correction(text, context)) is not None:
            return commands + about_last
        if (chosen := _criterion_button(text, context)) is not None:
            return [*commands, Revisit(criterion_id=chosen)]
        if context.state.phase == "recap":
            return commands + _recap(text, context)
        questions = _questions(text, context)
        answer_text = _without(text, questions)
        if questions and not answer_text.strip():
            return [*commands, AskQuestion(question=" ".join(questions))]
        if signals.is_greeting(text):
            return [*commands, OffTopic(reason="greeting")]
        commands += _answers(answer_text, context)
        if questions:
            commands.append(AskQuestion(question=" ".join(questions)))
        if not any(isinstance(c, SetAnswer | AskQuestion) for c in commands):
            commands.append(_not_understood(answer_text, context))
        return commands


# A "…?" the training sheet can answer is a question unless it is plainly an answer ("oui ?").
PLAIN_ANSWER = 0.9


def _questions(text: str, context: TurnContext) -> list[str]:
    """Sentences to answer as questions; a hesitant "…?" that answers the question stays an answer."""
    asking, hesitant = signals.question_sentences(text)
    pending = context.pending
    for sentence in hesitant:
        if pending is not None and pending.kind not in DIMENSION_KINDS:
            answers = _parse(pending, sentence, context, cued=_cued(pending, sentence))
            if answers and answers.confidence < PLAIN_ANSWER:
                answers = answers if answer_question(context.rubric, sentence) is None else None
        else:
            answers = answer_question(context.rubric, sentence) is None and pending is not None
        if not answers:
            asking.append(sentence)
    if not asking and not hesitant and _asks_unmarked(text, context):
        asking.append(text.strip())
    return asking


def _asks_unmarked(text: str, context: TurnContext) -> bool:
    """Spoken French asks without "?" nor inversion: "on gagne combien apres", "on est payé
    pendant la formation". Only while a closed question waits, when the message does not answer
    it and the training sheet has an answer."""
    pending, folded = context.pending, fold(re.sub(r"«[^»]*»", "", text))  # a quote asks nothing
    if pending is None or pending.kind in DIMENSION_KINDS or signals.is_correction(text):
        return False
    if not (signals.ASKING_WORD.search(folded) or faq.PAY.search(folded)):
        return False
    if _parse(pending, text, context, cued=_cued(pending, text)):
        return False
    return answer_question(context.rubric, text) is not None


def _without(text: str, sentences: list[str]) -> str:
    for sentence in sentences:
        text = text.replace(sentence, " ")
    return text


def _not_understood(text: str, context: TurnContext) -> Command:
    pending = context.pending
    if parsers.is_dont_know(text):
        return Unclear(
            criterion_id=pending.id if pending else None, reason="dont_know", evidence=text.strip()
        )
    if signals.is_other_language(text):
        return OffTopic(reason="other_language")
    if signals.is_rude(text):
        return OffTopic(reason="rude")
    return Unclear(criterion_id=pending.id if pending else None, reason="vague")


def _about_last_correction(text: str, context: TurnContext) -> list[Command] | None:
    """ "Non, ce n'est pas ça" refuses the last correction; "oui" accepts the one proposed."""
    state = context.state
    if state.undo is None and state.proposal is None:
        return None
    if NOT_THAT.match(fold(text)):
        return [Undo()]
    if state.proposal is None:
        return None
    said = parsers.parse_yes_no(text)
    if said is None:
        return None
    if not said.value:
        return [Undo()]
    return [Correct(**state.proposal.model_dump(exclude={"type"}))]


NOT_THAT = re.compile(
    r"^\W*(?:non\W+)?(?:ce\s+n'est\s+pas|c'est\s+pas|pas)\s+(?:ca|cela)\b|^\W*annule"
)


def _criterion_button(text: str, context: TurnContext) -> str | None:
    """A criterion's label, as the buttons of "Vous voulez corriger quelle réponse ?" send it."""
    folded = fold(text).strip(" .!")
    return next((c.id for c in context.rubric.criteria if fold(c.label) == folded), None)


def _answers(text: str, context: TurnContext) -> list[Command]:
    """What the message answers: the question asked, unless it talks about another criterion.

    A clause that names another criterion by that criterion's own words (its label, question,
    help, options; see `topics`) goes to it; the rest answers the question asked. A message that
    answers nothing asked but holds a value only another criterion can take ("j'ai 16 ans pas
    26" while the French level is asked) goes to that one. While an open question is asked, the
    message is its answer, and only an explicit correction of another criterion is proposed."""
    pending = context.pending
    correcting = signals.is_correction(text)
    found, unread, repeated = _about_others(text, context, correcting)
    commands = [command for command, _ in found]
    rest = _blanked(text, [span for _, span in found + repeated])
    if pending is None:
        return commands
    if _is_open(pending):
        answered = not found or _substantive(rest)
        if answered and (not parsers.is_dont_know(text) or len(text.split()) > 6):
            words = text.strip()
            commands.insert(0, SetAnswer(criterion_id=pending.id, value=words, evidence=words))
        return commands
    if correcting and any(isinstance(c, Correct) for c in commands):
        return commands
    parsed = _parse(pending, rest, context, cued=_cued(pending, rest))
    if parsed is not None:
        return [*commands, _command(SetAnswer, pending, text, parsed)]  # offsets kept
    return (
        commands
        or _fitting(text, context, correcting)
        or _asked_again(unread, correcting)
        or [command for command, _ in repeated]  # said again: acknowledged, no try used
    )


def _asked_again(unread: list[str], correcting: bool) -> list[Command]:
    """A correction that names an answer without a value that can be read: ask it again."""
    return [Revisit(criterion_id=unread[0])] if unread and correcting else []


def _is_open(criterion: Criterion) -> bool:
    return criterion.kind in DIMENSION_KINDS or criterion.answer.type == AnswerType.free_text


CLAUSE = re.compile(r"[^,;.!?:\n…]+")
CONJUNCTION = re.compile(r"\s+(?=(?:et|mais|par contre|puis)\s)")


def _clauses(text: str) -> list[tuple[int, int]]:
    """Clauses, a quotation « … » kept whole: "à la question « Dans l'entrepôt, on porte… »"."""
    spans = []
    unquoted = QUOTED.sub(lambda m: m.group().replace(",", " ").replace(".", " "), text)
    for part in CLAUSE.finditer(unquoted):
        start = part.start()
        for cut in CONJUNCTION.finditer(unquoted, part.start(), part.end()):
            spans.append((start, cut.start()))
            start = cut.end()
        spans.append((start, part.end()))
    return [(a, b) for a, b in spans if text[a:b].strip()]


Found = list[tuple[Command, tuple[int, int]]]


def _about_others(
    text: str, context: TurnContext, correcting: bool
) -> tuple[Found, list[str], Found]:
    """Answers and corrections the message gives for criteria other than the one asked, the
    answered criteria it names without a value that can be read, and the answers said again
    ("le permis je l'ai pas", already "non")."""
    rubric, state, pending = context.rubric, context.state, context.pending
    if pending is not None and _is_open(pending) and not correcting:
        return [], [], []
    others = [c for c in rubric.closed_criteria if c is not pending]
    known = topics(rubric)
    found: Found = []
    unread: list[str] = []
    for start, end in _clauses(text):
        named = known.named(text[start:end], others, pending.id if pending else None)
        for criterion in (rubric.criterion(cid) for cid in named[:1]):  # one value, one criterion
            if any(criterion.id == getattr(c, "criterion_id", None) for c, _ in found):
                continue
            answered = criterion.id in state.answers
            if answered and not correcting and state.phase != "recap":
                continue
            if not answered and not _may_answer_early(criterion, text[start:], context):
                continue
            command = _read(criterion, text, (start, end), context, answered)
            if command is None:
                unread += [criterion.id] if answered else []
            elif not _overlaps(command[1], [s for _, s in found]):
                found.append(command)
    repeated = [(c, span) for c, span in found if _said_again(c, state)]
    return [f for f in found if f not in repeated], unread, repeated


def _said_again(command: Command, state) -> bool:
    previous = isinstance(command, Correct) and state.answers.get(command.criterion_id)
    return bool(previous) and previous.value == command.value


def _may_answer_early(criterion: Criterion, text: str, context: TurnContext) -> bool:
    """A criterion not asked yet is answered in passing by the trainer's keywords ("j'ai le
    permis") or by a number in its unit ("le permis depuis 12 ans"); not by a stray "oui",
    "rien" or "journée": its own question will come."""
    if _cued(criterion, text):
        return True
    return criterion.answer.type == AnswerType.number and _typed(criterion, text, context)


def _read(
    criterion: Criterion, text: str, clause: tuple[int, int], context, answered: bool
) -> tuple[Command, tuple[int, int]] | None:
    """The value said for `criterion`: after the clause that names it ("je reviens sur la
    date : en fait avril"), else in it and after ("le permis depuis 12 ans")."""
    start, end = clause
    text = QUOTED.sub(lambda m: " " * len(m.group()), text)  # the question quoted is no value
    for at in (end, start) if re.search(r"\w", text[end:]) else (start,):
        # after the naming clause, the value stands alone ("… : non"): no keyword to look for
        parsed = _parse(criterion, text[at:], context, cued=at == start)
        if parsed is None:
            continue
        span = (at + parsed.start, at + parsed.end)
        kind = Correct if answered else SetAnswer
        return _command(kind, criterion, text[at:], parsed), span
    return None


QUOTED = re.compile(r"«[^»]*»")


def _overlaps(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(span[0] < e and s < span[1] for s, e in spans)


def _blanked(text: str, spans: list[tuple[int, int]]) -> str:
    """The text with the given spans blanked out (offsets kept)."""
    for start, end in spans:
        text = text[:start] + " " * (end - start) + text[end:]
    return text


def _substantive(text: str) -> bool:
    return len(re.findall(r"[^\W\d_]{3,}", text)) >= 3


def _fitting(text: str, context: TurnContext, correcting: bool) -> list[Command]:
    """No answer to the question asked: a value only another criterion can take goes there."""
    rubric, state, pending = context.rubric, context.state, context.pending
    candidates = []
    for criterion in rubric.closed_criteria:
        if criterion is pending or (criterion.id in state.answers and not correcting):
            continue
        parsed = _typed(criterion, text, context)
        previous = state.answers.get(criterion.id)
        if parsed is not None and (previous is None or previous.value != parsed.value):
            candidates.append((criterion, parsed))  # "en bus" said again corrects nothing
    if len(candidates) > 1:
        candidates = _narrowed(candidates, text, context) or candidates
    if len(candidates) > 1:
        return [AskWhich(criterion_ids=[c.id for c, _ in candidates])] if correcting else []
    if not candidates:
        return []
    criterion, parsed = candidates[0]
    kind = Correct if criterion.id in state.answers else SetAnswer
    return [_command(kind, criterion, text, parsed)]


def _typed(criterion: Criterion, text: str, context: TurnContext):
    """A value of a kind that says which criterion it is for: a number with this criterion's
    unit, a date, a duration, one of its options or levels named exactly."""
    answer = criterion.answer
    if answer.type == AnswerType.yes_no:
        return None
    if answer.type == AnswerType.number and not answer.unit:
        return None
    parsed = _parse(criterion, text, context, cued=True)
    if parsed is None or parsed.confidence < 0.9:
        return None
    if parsers.parse_yes_no(parsed.evidence) is not None:
        return None  # "oui", "non", "pas de permis": says nothing of which criterion
    return parsed


def _narrowed(candidates, text: str, context: TurnContext):
    """Several criteria could take the value: the one whose earlier answer the message quotes
    ("j'ai 16 ans pas 26"), else the one the message names best."""
    state = context.state
    quoted = [
        (c, p)
        for c, p in candidates
        if c.id in state.answers
        and isinstance(state.answers[c.id].value, int | float)
        and re.search(rf"\b{state.answers[c.id].value:g}\b", text)
    ]
    if len(quoted) == 1:
        return quoted
    scores = topics(context.rubric).scores(text, [c for c, _ in candidates])
    best = max(scores.values())
    named = [(c, p) for c, p in candidates if best > 0 and scores[c.id] == best]
    return named if len(named) == 1 else None


def _command(kind: type[SetAnswer], criterion: Criterion, text: str, parsed) -> SetAnswer:
    return kind(
        criterion_id=criterion.id,
        value=parsed.value,
        evidence=text[parsed.start : parsed.end],
        confidence=parsed.confidence,
        note=parsed.note,
        qualified=parsed.note == WITH_RESERVATION,
    )


WITH_RESERVATION = "oui, avec une réserve"
RESERVATION = re.compile(
    r"\b(?:sauf|a part|hormis|excepte|mais pas|mais jamais|sauf si|pas (?:le|la|les)"
    r"|seulement|uniquement|que (?:le|la|les))\b"
    # "les additions oui, mais les pourcentages non": a "but" that says no to part of it
    r"|\b(?:mais|par contre|en revanche)\b(?=[^.!?]*\b(?:non|pas|jamais|aucune?)\b)"
)
WEEKDAYS = re.compile(r"\b(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|week-?end)s?\b")
WEEK_WORDS = re.compile(r"\b(?:lundi|vendredi|semaine|jours?|temps plein|week-?ends?)\b")


def _with_reservation(criterion: Criterion, text: str, said):
    """ "Oui, sauf le mercredi": a yes with a reservation about what the question asks is not a
    plain yes; the whole answer is the evidence. A reservation about something the question
    does not ask ("oui mais pas la nuit" to day shifts) leaves the yes as it is."""
    if said is None or said.value is not True:
        return said
    folded = fold(text)
    reservation = RESERVATION.search(folded, said.start)
    if reservation is None:
        return said
    asked = fold(" ".join(filter(None, [criterion.label, criterion.question, criterion.help])))
    restricted = folded[reservation.start() :]
    relevant = bool(words(restricted) & words(asked)) or bool(
        WEEKDAYS.search(restricted) and WEEK_WORDS.search(asked)
    )
    if not relevant:
        return said
    end = len(text.rstrip(" .!"))
    return replace(said, start=0, end=end, confidence=0.5, note=WITH_RESERVATION)


def _cued(criterion: Criterion, text: str) -> bool:
    folded = fold(text)
    if any(re.search(rf"\b{re.escape(fold(k))}\b", folded) for k in criterion.keywords):
        return True
    unit = criterion.answer.unit
    return bool(
        unit and re.search(rf"\d\s*{re.escape(fold(unit))}\b|\b{re.escape(fold(unit))}\b", folded)
    )


def _parse(criterion: Criterion, text: str, context: TurnContext, cued: bool):
    answer = criterion.answer
    match answer.type:
        case AnswerType.yes_no:
            about = criterion.keywords if cued and criterion.keywords else ()
            said = parsers.parse_yes_no(text, about=about, asked=criterion.question)
            return _with_reservation(criterion, text, said)
        case AnswerType.number:
            return (
                _years_since(criterion, text, context)
                or parsers.parse_number(text, unit=answer.unit)
                or _none_as_zero(criterion, text)
            )
        case AnswerType.date:
            return parsers.parse_date(text, now=context.now)
        case AnswerType.duration:
            return parsers.parse_duration(text)
        case AnswerType.choice | AnswerType.multi_choice:
            multi = answer.type == AnswerType.multi_choice
            chosen = parsers.parse_choice(text, answer.options, multi=multi)
            said = _yes_no_option(criterion, text, cued)
            if said is not None and (chosen is None or _said_as_yes_no(criterion, chosen)):
                return said  # "le permis je l'ai pas": the yes/no reading knows negation
            meant = _by_meaning(text, answer.options, multi)
            if multi and chosen and meant and set(meant.value) - set(chosen.value):
                # "matin, après-midi, et le samedi": options said both ways
                ids = [o.id for o in answer.options if o.id in {*chosen.value, *meant.value}]
                start, end = min(chosen.start, meant.start), max(chosen.end, meant.end)
                return replace(chosen, value=ids, start=start, end=end, confidence=0.8)
            return chosen or meant
        case AnswerType.level:
            scale = context.rubric.scale(answer.scale)
            return parsers.parse_level(text, scale) or _none_level(scale, text)
    return None


# A criterion says that "none" is an answer when its help or follow-up tells how to say it.
ZERO_ALLOWED = re.compile(
    r"\b(?:0|zero|aucune?|jamais|je ne l'ai pas|si vous n'avez pas|si vous ne l'avez pas)\b"
)
NONE_SAID = re.compile(r"\b(?:aucune?|jamais|zero|pas encore|rien)\b")


YEAR = re.compile(r"\b(?:en|depuis|de|à partir de|a partir de)\s+((?:19|20)\d\d)\b")


def _years_since(criterion: Criterion, text: str, context: TurnContext):
    """ "je l'ai eu en 1993" to "depuis combien d'années…": the years since then."""
    if fold(criterion.answer.unit or "") not in ("ans", "an", "annees") or "depuis" not in fold(
        f"{criterion.label} {criterion.question}"
    ):
        return None
    found = YEAR.search(fold(text))
    if found is None or not 1950 <= int(found.group(1)) <= context.now.year:
        return None
    years = context.now.year - int(found.group(1))
    return parsers.Parsed(
        years, found.start(), found.end(), 0.9, f"depuis {found.group(1)}", found.group()
    )


def _none_as_zero(criterion: Criterion, text: str):
    """ "je ne l'ai pas", "jamais eu", "aucune", "pas encore": 0, where the criterion's help says
    that this is how to answer; elsewhere the question is asked again (the engine says how)."""
    hints = fold(" ".join(filter(None, [criterion.help, criterion.follow_up, criterion.question])))
    if not ZERO_ALLOWED.search(hints):
        return None
    said = parsers.parse_yes_no(text)
    folded = fold(text)
    if said is not None and said.value is False:
        return replace(said, value=0, note=said.note or "répond ne pas en avoir")
    if (none := NONE_SAID.search(folded)) and not re.search(r"\d", folded):
        return parsers.Parsed(
            0, none.start(), none.end(), 0.9, "répond ne pas en avoir", none.group()
        )
    return None


def _by_meaning(text: str, options, multi: bool):
    """An option whose words are all said, in any order and form: "ma mère me dépose" is "on
    me dépose", "mon pote m'emmène" is "on m'emmène". Nothing when the message is negative."""
    said = _stems(text)
    if not said or NEGATIVE.search(fold(text)):
        return None
    chosen = [
        o.id
        for o in options
        if any((need := _stems(p)) and need <= said for p in [o.label, *o.synonyms])
    ]
    if not chosen or (len(chosen) > 1 and not multi):
        return None
    evidence = text.strip()
    return parsers.Parsed(chosen if multi else chosen[0], 0, len(evidence), 0.7, None, evidence)


def _stems(text: str) -> set[str]:
    """Content words reduced to a stem: "dépose", "déposé", "depose" are one word."""
    return {re.sub(r"(?:ees|ee|es|er|ez|e|s|x)$", "", fold(w)) or fold(w) for w in words(text)}


NEGATIVE = re.compile(r"\b(?:pas|plus|jamais|aucune?|personne|rien)\b|\bn'")


def _none_level(scale, text: str):
    """ "j'en ai pas", "non", "jamais": the lowest level, when it means none ("aucun")."""
    lowest = scale[0] if scale else None
    if lowest is None or not re.search(r"\b(?:aucune?|sans|pas de|none)\b", fold(lowest.label)):
        return None
    said = parsers.parse_yes_no(text)
    if said is None or said.value is not False:
        return None
    return replace(said, value=lowest.id)


def _said_as_yes_no(criterion: Criterion, chosen) -> bool:
    """The option chosen by a phrase that a yes/no reading would read too ("je l'ai")."""
    return parsers.parse_yes_no(chosen.evidence) is not None


def _yes_no_option(criterion: Criterion, text: str, cued: bool):
    """Options meaning yes / no (/ in progress) also take a plain "ouais", "nn", "pas encore"."""

    def option_for(word: str) -> str | None:
        return next(
            (
                o.id
                for o in criterion.answer.options
                if word in {fold(x) for x in (o.id, *o.synonyms)}
            ),
            None,
        )

    yes, no, ongoing = option_for("oui"), option_for("non"), option_for("en cours")
    if yes is None or no is None:
        return None
    about = criterion.keywords if cued and criterion.keywords else ()
    said = parsers.parse_yes_no(text, about=about)
    if said is None:
        return None
    in_progress = said.note in ("en cours", "pas encore") and ongoing is not None
    value = yes if said.value else ongoing if in_progress else no
    return replace(
        said, value=[value] if criterion.answer.type == AnswerType.multi_choice else value
    )


def _recap(text: str, context: TurnContext) -> list[Command]:
    labels = {c.label: c.id for c in context.rubric.criteria}
    chosen = process.extractOne(text, list(labels), scorer=fuzz.WRatio, score_cutoff=88)
    if chosen and len(text) <= len(chosen[0]) + 10:
        return [Revisit(criterion_id=labels[chosen[0]])]
    verdict = parsers.parse_yes_no(text)
    if verdict is not None and verdict.value is True and not signals.is_correction(text):
        return [Confirm()]
    found, unread, repeated = _about_others(text, context, correcting=True)
    if corrections := [c for c, _ in found]:
        return corrections
    if fitting := _fitting(text, context, correcting=True) or _asked_again(unread, True):
        return fitting
    if repeated:
        return [c for c, _ in repeated]
    if re.search(r"\b(corriger|modifier|changer|faux|erreur)\b", fold(text)):
        return [Unclear(reason="vague")]
    if verdict is not None and verdict.value is True:
        return [Confirm()]
    if any(signals.question_sentences(text)):
        return [AskQuestion(question=text)]
    return [Unclear(reason="vague")]
