"""Chainlit handlers for the candidate chat: invitation, consent, questions with buttons, resume.

Importing this module registers the handlers (chatbot/web/server.py does it). Work that touches the database or
parses text runs in worker threads (`asyncio.to_thread`) so one slow turn never blocks the others.
Any exception is logged and the candidate sees a short French apology, never a stack trace.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
from dataclasses import dataclass, field

import chainlit as cl
from chainlit.chat_context import chat_contexts

from chatbot import engine
from chatbot.conversation import Conversation
from chatbot.engine import Reply
from chatbot.rubric import Rubric
from chatbot.settings import get_settings
from chatbot.understanding import signals
from chatbot.web import screenings, texts
from chatbot.web.invitations import Invitation, InvitationError, open_link, token_in_url
from storage.models import Role, ScreeningStatus

log = logging.getLogger(__name__)


@dataclass
class Live:
    """One browser session's screening. The pseudonymiser (and its mapping) lives only here."""

    invitation: Invitation
    rubric: Rubric
    screening_id: int
    status: ScreeningStatus
    scrubber: object
    conversation: Conversation | None = None
    buttons: cl.Message | None = None  # the last message whose buttons are still clickable
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
    if live.status == ScreeningStatus.completed:
        await cl.Message(content=texts.ALREADY_COMPLETED.format(contact=_contact())).send()
        return
    if live.status == ScreeningStatus.invited:
        await _ask_consent(live)
        return
    for role, text in opening.history:
        await _show_stored(role, text)
    if opening.state is None:  # consent given, then the tab closed before the first question
        await _begin(live)
        return
    live.conversation = screenings.resume(live.rubric, opening.state, live.scrubber)
    await cl.Message(content=texts.WELCOME_BACK).send()
    reply = engine.pending_reply(live.rubric, opening.state)
    if reply is not None:
        await _show(live, reply)


async def _show_stored(role: Role, text: str) -> None:
    if role == Role.candidate:
        await cl.Message(content=text, type="user_message", author=texts.YOU).send()
    else:
        await cl.Message(content=text).send()


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
    live.buttons = cl.Message(content=content, actions=actions)
    await live.buttons.send()


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
    """Consent clicked or typed ("oui", "ok", "non merci")."""
    await _clear_buttons(live)
    if accepted:
        await cl.Message(content=texts.ACCEPTED).send()
        await _begin(live)
    else:
        await asyncio.to_thread(screenings.decline, live.screening_id)
        live.status = ScreeningStatus.declined
        await cl.Message(content=texts.DECLINED.format(contact=_contact())).send()


async def _begin(live: Live) -> None:
    live.conversation, reply = await asyncio.to_thread(
        screenings.accept,
        live.screening_id,
        live.rubric,
        live.invitation.session_id,
        live.scrubber,
    )
    live.status = ScreeningStatus.in_progress
    await _show(live, reply)


# --- the conversation --------------------------------------------------------------------------


@cl.on_message
@guarded
async def on_message(message: cl.Message) -> None:
    await _answer(message.content or "")


@cl.action_callback("answer")
@guarded
async def on_button(action: cl.Action) -> None:
    live = _live()
    if live is None or live.buttons is None or action.forId != live.buttons.id:
        return  # a button of an earlier question
    value = str(action.payload.get("value", ""))
    await cl.Message(content=value, type="user_message", author=texts.YOU).send()
    await _answer(value)


async def _answer(text: str) -> None:
    live = _live()
    if live is None:
        refusal = cl.user_session.get("refusal")
        await cl.Message(content=refusal or texts.APOLOGY).send()
        return
    async with live.lock:
        if live.status == ScreeningStatus.invited:
            said = signals.consent_in_words(text)
            if said is None:
                await cl.Message(content=texts.CONSENT_FIRST).send()
            else:
                await _consent(live, said)
            return
        if live.status == ScreeningStatus.declined:
            await cl.Message(content=texts.DECLINED.format(contact=_contact())).send()
            return
        if live.conversation is None:
            await cl.Message(content=texts.ALREADY_COMPLETED.format(contact=_contact())).send()
            return
        await _clear_buttons(live)
        reply = await asyncio.to_thread(
            screenings.take_turn, live.screening_id, live.conversation, text, dt.date.today()
        )
        if reply.done:
            live.status = ScreeningStatus.completed
        await _show(live, reply)


async def _show(live: Live, reply: Reply) -> None:
    """Send a reply (placeholders restored for the candidate's eyes only) with its buttons."""
    content = live.scrubber.restore(screenings.render(reply))
    actions = [
        cl.Action(name="answer", payload={"value": b.value}, label=b.label, tooltip=b.label)
        for b in reply.buttons
    ]
    message = cl.Message(content=content, actions=actions)
    await message.send()
    live.buttons = message if actions else None


async def _clear_buttons(live: Live) -> None:
    if live.buttons is not None:
        await live.buttons.remove_actions()
        live.buttons = None


@cl.on_chat_end
async def end() -> None:
    # Chainlit keeps each session's message list forever (issue #2951): drop it ourselves.
    session = cl.context.session
    if session is not None:
        chat_contexts.pop(session.id, None)
