"""The server's own reminder schedule (SCREENING_REMIND_EVERY_MINUTES) runs `remind` again and
again, on a thread of its own: a long batch of e-mails never takes one of the chat's threads."""

from __future__ import annotations

import asyncio
import threading

import chatbot.campaigns
from chatbot.web import server


def test_reminders_run_on_schedule_in_their_own_thread(monkeypatch, tmp_path):
    monkeypatch.setenv("SCREENING_DATA_DIR", str(tmp_path))
    calls: list[str] = []

    def remind(db, settings):
        calls.append(threading.current_thread().name)
        if len(calls) == 2:
            raise RuntimeError("SMTP down")  # logged; the schedule goes on

    monkeypatch.setattr(chatbot.campaigns, "remind", remind)

    async def run() -> None:
        schedule = asyncio.create_task(server._remind_every(0.01))
        while len(calls) < 3:
            await asyncio.sleep(0.01)
        schedule.cancel()

    asyncio.run(asyncio.wait_for(run(), timeout=10))
    assert len(calls) >= 3
    assert all(name.startswith("reminders") for name in calls), calls
