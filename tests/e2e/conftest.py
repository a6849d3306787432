"""Browser tests: the real server (`screening serve`) on a free port with a temporary data dir,
driven by Debian's Chromium through Playwright. A failing test leaves a screenshot in
test-artifacts/.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from chatbot.settings import PROJECT_ROOT

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

expect.set_options(timeout=20_000)  # the first message waits for the PII models to load

if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)", allow_module_level=True)


@dataclass
class Server:
    url: str
    data_dir: Path
    env: dict[str, str]

    def invite(self, candidate_ref: str, training_id: str) -> str:
        """A link made by the real command, as a counsellor would."""
        done = subprocess.run(
            [*_screening(), "invite", candidate_ref, training_id],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return done.stdout.strip().splitlines()[-1]

    def add_counsellor(self, email: str, password: str) -> None:
        """A counsellor account made by the real command, as an administrator would."""
        subprocess.run(
            [*_screening(), "counsellors", "add", email, "--password-stdin"],
            input=password + "\n",
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.data_dir / 'screening.db'}"


def _screening() -> list[str]:
    script = Path(sys.executable).with_name("screening")
    return [str(script)] if script.exists() else [sys.executable, "-m", "chatbot.cli"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="package")
def server(tmp_path_factory) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("e2e-data")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCREENING_")}
    env |= {"SCREENING_DATA_DIR": str(data_dir), "SCREENING_PUBLIC_URL": url}
    log = (data_dir / "server.log").open("w")
    process = subprocess.Popen(
        [*_screening(), "serve", "--port", str(port)],
        env=env,
        cwd=PROJECT_ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_healthy(url, process, data_dir / "server.log")
        yield Server(url, data_dir, env)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        ARTIFACTS.mkdir(exist_ok=True)
        shutil.copy(data_dir / "server.log", ARTIFACTS / "server.log")


def _wait_healthy(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"server not healthy after 90 s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="package")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, request):
    """Pages in fresh browser contexts (a phone-sized window); screenshots of all on failure."""
    contexts = []

    def make(width: int = 420, height: int = 860):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="fr-FR")
        context.set_default_timeout(20_000)
        contexts.append(context)
        return context.new_page()

    yield make
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        for index, context in enumerate(contexts):
            for number, page in enumerate(context.pages):
                name = f"{request.node.name}-{index}-{number}.png"
                page.screenshot(path=str(ARTIFACTS / name), full_page=True)
    for context in contexts:
        context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.rep_call = report
    return report
