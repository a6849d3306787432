"""A candidate's page left open while the server restarts (issue 12, finding 13): the page
reconnects by itself and shows the conversation once, not twice, then goes on."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from playwright.sync_api import expect

from chatbot.settings import PROJECT_ROOT
from chatbot.web import texts

from .conftest import _free_port, _wait_healthy

FIRST_QUESTION = "Savez-vous faire des calculs simples"


def _command() -> list[str]:
    return [sys.executable, "-m", "chatbot.cli"]  # this checkout's server


@contextlib.contextmanager
def _serving(env: dict, port: int, log: Path) -> Iterator[None]:
    with log.open("a") as out:
        process = subprocess.Popen(
            [*_command(), "serve", "--port", str(port)],
            env=env,
            cwd=PROJECT_ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_healthy(f"http://127.0.0.1:{port}", process, log)
        yield
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_a_page_open_across_a_server_restart_shows_the_history_once(tmp_path, new_page):
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCREENING_")}
    env |= {"SCREENING_DATA_DIR": str(tmp_path / "data"), "SCREENING_PUBLIC_URL": url}
    log = tmp_path / "server.log"
    page = new_page()
    with _serving(env, port, log):
        made = subprocess.run(
            [*_command(), "invite", "E2E-RESTART", "soudeur"],
            env=env,
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        page.goto(made.stdout.strip().splitlines()[-1])
        accept = page.get_by_role("button", name=texts.ACCEPT, exact=True)
        accept.click(timeout=120_000)  # the first page waits for the PII models
        expect(page.get_by_text("Question 1 sur 14", exact=True)).to_be_visible()
        page.get_by_role("button", name="Oui", exact=True).last.click()
        expect(page.get_by_text("Question 2 sur 14", exact=True)).to_be_visible()
    with _serving(env, port, log):
        expect(page.get_by_text(texts.WELCOME_BACK)).to_be_visible(timeout=60_000)
        expect(page.get_by_text(FIRST_QUESTION)).to_have_count(1)
        box = page.locator("#chat-input")
        box.fill("Je me débrouille")
        box.press("Enter")
        third = page.get_by_text("Question 3 sur 14", exact=True)
        expect(third).to_be_visible(timeout=120_000)  # a new process loads the PII models again
        expect(page.get_by_text("Je me débrouille", exact=True)).to_have_count(1)
