"""Chainlit handlers for the candidate chat: invitation, consent, questions with buttons, resume.

Importing this module registers the handlers (chatbot/web/server.py does it). Work that touches the database or
parses text runs in worker threads (`asyncio.to_thread`) so one slow turn never blocks the others.
Any exception is logged and the candidate sees a short French apology, never a stack trace.

The candidate is told the truth about every message: answered only once it is stored; otherwise
"not stored, send it again" (the conversation is rolled back, see `screenings.take_turn`), the
closing or erasure message for a screening that takes no more answers, or the current question
when another tab answered first. Opening the page replaces whatever the browser still shows by
the stored history (a browser left open across a server restart shows it once, not twice).
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import functools
import logging
from dataclasses import dataclass, field

import chainlit as cl
from chainlit.chat_context import chat_contexts
from chainlit.config import config
from chainlit.utils import wrap_user_function

from chatbot import engine
from chatbot.conversation import Conversation
from chatbot.engine import Reply
from chatbot.rubric import Rubric
from chatbot.settings import get_settings
from chatbot.understanding import signals
from chatbot.web import screenings, texts
from chatbot.web.invitations import Invitation, InvitationError, open_link, token_in_url
from storage import repo
from storage.models import Role, ScreeningStatus

log = logging.getLogger(__name__)

# A message longer than this is refused with a French reply (the page's field stops there too).
MAX_MESSAGE_CHARS = 4000
# The socket layer drops a bigger frame without a word: keep it far above the message limit.
MAX_SOCKET_BYTES = 2 * 1024 * 1024


@dataclass
class Buttons:
    """A message's buttons (Chainlit actions). Sent and removed one socket event each, built
    here rather than by `cl.Message(actions=…)`: Chainlit serialises every action through
    dataclasses-json and sends them from one task each, on every turn of every candidate."""

    id: str  # the message's id: a click names it (`action.forId`)
    actions: list[cl.Action]

    @classmethod
    async def send(cls, content: str, actions: list[cl.Action]) -> Buttons | None:
        message = cl.Message(content=content)
        await message.send()
        for action in actions:
            action.forId = message.id
            await cl.context.emitter.emit("action", dataclasses.asdict(action))
        return cls(message.id, actions) if actions else None

    async def remove(self) -> None:
        for action in self.actions:
            await cl.context.emitter.emit("remove_action", {"id": action.id, "forId": self.id})


@dataclass
class Live:
    """One browser session's screening. The pseudonymiser (and its mapping) lives only here."""

    invitation: Invitation
    rubric: Rubric
    screening_id: int
    status: ScreeningStatus
    scrubber: object
    conversation: Conversation | None = None
    buttons: Buttons | None = None  # the last message's buttons, while they are clickable
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


def guarded(handler):
    """Log any exception and apologise in French instead of showing it."""

    @functools.wraps(handler)
    async def wrapper(*args, **kwargs):
        try:
            return await handler(*args, **kwargs)
        except Exception:
            log.exception("chat handler %s failed", handler.__name__)
            try:
                await cl.Message(content=texts.APOLOGY).send()
            except Exception:
                log.exception("could not send the apology")

    return wrapper


def _contact() -> str:
    return get_settings().counsellor_contact


def _live() -> Live | None:
    return cl.user_session.get("live")


# --- opening the link ------------------------------------------------------------------------


@cl.on_chat_start
@guarded
async def start() -> None:
    referer = (cl.context.session.environ or {}).get("HTTP_REFERER")
    try:
        invitation = await asyncio.to_thread(open_link, token_in_url(referer))
        opening = await asyncio.to_thread(screenings.open_screening, invitation)
    except InvitationError as problem:
        cl.user_session.set("refusal", problem.message)
        await _replace_history([])  # an erased conversation leaves the page too
        await cl.Message(content=problem.message).send()
        return
    live = Live(
        invitation,
        opening.rubric,
        opening.screening_id,
        opening.status,
        await asyncio.to_thread(screenings.new_scrubber),
    )
    cl.user_session.set("live", live)
    async with live.lock:
        await _open(live, opening)


async def _open(live: Live, opening: screenings.Opening) -> None:
    await _replace_history(opening.history)
    if live.status == ScreeningStatus.completed:
        await cl.Message(content=texts.ALREADY_COMPLETED.format(contact=_contact())).send()
        return
    if live.status == ScreeningStatus.invited:
        await _ask_consent(live)
        return
    if opening.state is None:  # consent given, then the tab closed before the first question
        await _begin(live)
        return
    live.conversation = screenings.resume(live.rubric, opening.state, live.scrubber)
    await cl.Message(content=texts.WELCOME_BACK).send()
    reply = engine.pending_reply(live.rubric, opening.state)
    if reply is not None:
        await _show(live, reply)


async def _replace_history(history: list[tuple[Role, str]]) -> None:
    """The page's messages become the stored ones, at once (Chainlit's `resume_thread`). The
    handler's own step stays last: the messages sent next are shown inside it."""
    steps = [_stored(role, text).to_dict() | {"parentId": None} for role, text in history]
    if (running := cl.context.current_step) is not None:
        steps.append(running.to_dict())
    session = cl.context.session
    thread = {"id": session.thread_id, "name": None, "createdAt": "", "steps": steps}
    thread |= {"metadata": {}, "elements": [], "tags": [], "userId": None}
    await cl.context.emitter.resume_thread(thread)


def _stored(role: Role, text: str) -> cl.Message:
    if role == Role.candidate:
        return cl.Message(content=text, type="user_message", author=texts.YOU)
    return cl.Message(content=text)


# --- consent -----------------------------------------------------------------------------------


async def _ask_consent(live: Live, details: bool = False) -> None:
    settings = get_settings()
    content = (texts.CONSENT_DETAILS if details else texts.CONSENT).format(
        training=live.rubric.training.title.split(" — ")[0],  # "Soudeur", not the diploma too
        retention=texts.retention(settings.retention_days),
        contact=settings.counsellor_contact,
    )
    actions = [
        cl.Action(name="consent", payload={"accept": True}, label=texts.ACCEPT),
        cl.Action(name="consent", payload={"accept": False}, label=texts.DECLINE),
    ]
    if not details:
        actions.append(cl.Action(name="consent_details", payload={}, label=texts.DETAILS))
    live.buttons = await Buttons.send(content, actions)


@cl.action_callback("consent_details")
@guarded
async def on_consent_details(action: cl.Action) -> None:
    live = _live()
    if live is None:
        return
    async with live.lock:
        if live.status == ScreeningStatus.invited:
            await _clear_buttons(live)
            await _ask_consent(live, details=True)


@cl.action_callback("consent")
@guarded
async def on_consent(action: cl.Action) -> None:
    live = _live()
    if live is None:
        return
    async with live.lock:
        if live.status != ScreeningStatus.invited:
            return  # a second click on an old button
        accepted = bool(action.payload.get("accept"))
        label = texts.ACCEPT if accepted else texts.DECLINE
        await cl.Message(content=label, type="user_message", author=texts.YOU).send()
        await _consent(live, accepted)


async def _consent(live: Live, accepted: bool) -> None:
    """Consent clicked or typed ("oui", "ok", "non merci"); the buttons go once it is stored."""
    try:
        if accepted:
            started = await asyncio.to_thread(_accept, live)
        else:
            await asyncio.to_thread(screenings.decline, live.screening_id)
    except repo.ScreeningClosed as closed:
        await _closed(live, closed.status)
        return
    except Exception:
        log.exception("the consent of screening %s was not stored", live.screening_id)
        await cl.Message(content=texts.CHOICE_NOT_STORED).send()  # the buttons stay
        return
    await _clear_buttons(live)
    if accepted:
        await cl.Message(content=texts.ACCEPTED).send()
        await _started(live, *started)
    else:
        live.status = ScreeningStatus.declined
        await cl.Message(content=texts.DECLINED.format(contact=_contact())).send()


def _accept(live: Live) -> tuple:
    return screenings.accept(
        live.screening_id, live.rubric, live.invitation.session_id, live.scrubber
    )


async def _begin(live: Live) -> None:
    await _started(live, *await asyncio.to_thread(_accept, live))


async def _started(live: Live, conversation, reply: Reply) -> None:
    live.conversation = conversation
    live.status = ScreeningStatus.in_progress
    await _show(live, reply)


# --- the conversation --------------------------------------------------------------------------


@guarded
async def on_message(message: cl.Message) -> None:
    await _answer(message.content or "")


# Not `@cl.on_message`: it wraps every message in a "run" step the candidate never sees (the
# chat hides them), which costs two more socket events per turn and a Step that Chainlit builds
# with a 1 ms sleep on the event loop. The page's "typing" indicator comes from the task events.
config.code.on_message = wrap_user_function(on_message)


@cl.action_callback("answer")
@guarded
async def on_button(action: cl.Action) -> None:
    live = _live()
    if live is None or live.buttons is None or action.forId != live.buttons.id:
        return  # a button of an earlier question
    value = str(action.payload.get("value", ""))
    await cl.Message(content=value, type="user_message", author=texts.YOU).send()
    await _answer(value, for_id=action.forId)


async def _answer(text: str, for_id: str | None = None) -> None:
    live = _live()
    if live is None:
        refusal = cl.user_session.get("refusal")
        await cl.Message(content=refusal or texts.APOLOGY).send()
        return
    if len(text) > MAX_MESSAGE_CHARS:
        await cl.Message(content=texts.TOO_LONG.format(limit=f"{MAX_MESSAGE_CHARS:,}")).send()
        return
    async with live.lock:
        if for_id is not None and (live.buttons is None or live.buttons.id != for_id):
            return  # a second click while the first was being answered
        if live.status == ScreeningStatus.invited:
            said = signals.consent_in_words(text)
            if said is None:
                await cl.Message(content=texts.CONSENT_FIRST).send()
            else:
                await _consent(live, said)
            return
        if live.status not in repo.TURN_STATUSES:
            await _closed(live, live.status)
            return
        if live.conversation is None:  # the first question was not stored: ask it again
            await _begin(live)
            return
        try:
            reply = await asyncio.to_thread(
                screenings.take_turn, live.screening_id, live.conversation, text, dt.date.today()
            )
        except repo.ScreeningClosed as closed:
            await _closed(live, closed.status)
            return
        except repo.StaleState:
            await _reload(live)
            return
        except screenings.TurnNotStored:
            log.exception("a turn of screening %s was not stored", live.screening_id)
            await cl.Message(content=texts.NOT_STORED).send()  # the question's buttons stay
            return
        await _clear_buttons(live)
        if reply.done:
            live.status, live.conversation = ScreeningStatus.completed, None
        await _show(live, reply)


async def _closed(live: Live, status: ScreeningStatus | None) -> None:
    """The screening takes no more answers: say why (completed, declined, erased or purged)."""
    await _clear_buttons(live)
    live.conversation = None
    live.status = status or ScreeningStatus.erased
    if live.status == ScreeningStatus.completed:
        text = texts.ALREADY_COMPLETED
    elif live.status == ScreeningStatus.declined:
        text = texts.DECLINED
    else:
        text = texts.ERASED
    await cl.Message(content=text.format(contact=_contact())).send()


async def _reload(live: Live) -> None:
    """Another tab answered first: show the stored conversation and its current question."""
    await _clear_buttons(live)
    try:
        opening = await asyncio.to_thread(screenings.open_screening, live.invitation)
    except InvitationError:
        await _closed(live, None)
        return
    await _replace_history(opening.history)
    await cl.Message(content=texts.STALE).send()
    live.status, live.conversation = opening.status, None
    if opening.status == ScreeningStatus.completed:
        await cl.Message(content=texts.ALREADY_COMPLETED.format(contact=_contact())).send()
        return
    if opening.state is not None:
        live.conversation = screenings.resume(live.rubric, opening.state, live.scrubber)
        reply = engine.pending_reply(live.rubric, opening.state)
        if reply is not None:
            await _show(live, reply)


async def _show(live: Live, reply: Reply) -> None:
    """Send a reply (placeholders restored for the candidate's eyes only) with its buttons."""
    content = live.scrubber.restore(screenings.render(reply))
    actions = [
        cl.Action(name="answer", payload={"value": b.value}, label=b.label, tooltip=b.label)
        for b in reply.buttons
    ]
    live.buttons = await Buttons.send(content, actions)


async def _clear_buttons(live: Live) -> None:
    if live.buttons is not None:
        await live.buttons.remove()
        live.buttons = None


@cl.on_chat_end
async def end() -> None:
    # Chainlit keeps each session's message list forever (issue #2951): drop it ourselves.
    session = cl.context.session
    if session is not None:
        chat_contexts.pop(session.id, None)
