"""The package works installed from a wheel, away from the checkout: a fresh virtual environment
outside the repository, the wheel installed without its dependencies (they are borrowed from the
test environment through a .pth file, so the test needs no network), commands run from another
directory: the files they read (rubrics, prompts, templates, Chainlit's files) come from the wheel.
"""

from __future__ import annotations

import os
import shutil
import site
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
COPY_IGNORED = shutil.ignore_patterns(
    ".git", ".venv", "data", "test-artifacts", "build", "dist", "*.egg-info", "__pycache__"
)


def _run(*command, cwd: Path, env: dict, stdin: str = "", timeout: int = 300):
    done = subprocess.run(
        command, cwd=cwd, env=env, input=stdin, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, f"{command}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, dict]:
    """(bin directory, environment) of a fresh venv holding only the built wheel."""
    work = tmp_path_factory.mktemp("package")
    source = work / "source"  # a copy: building writes build/ and *.egg-info
    shutil.copytree(ROOT, source, symlinks=True, ignore=COPY_IGNORED)
    wheels = work / "wheels"
    _run(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
        "-w", str(wheels), str(source), cwd=work, env=os.environ.copy(),
    )  # fmt: skip
    (wheel,) = wheels.glob("screening-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for shipped in (
        "chatbot/assets/rubrics/aide-soignant.yaml",
        "chatbot/assets/prompts/understand.j2",
        "chatbot/assets/chainlit/config.toml",
        "chatbot/assets/chainlit/public/screening.css",
        "chatbot/web/dashboard/templates/candidate.html",
        "chatbot/web/dashboard/static/dashboard.css",
        "storage/alembic.ini",
    ):
        assert shipped in names, shipped

    venv = work / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", str(venv), cwd=work, env=os.environ.copy())
    python = venv / "bin" / "python"
    _run(
        sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q",
        str(wheel), cwd=work, env=os.environ.copy(),
    )  # fmt: skip
    purelib = _run(
        str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))",
        cwd=work, env=os.environ.copy(),
    ).stdout.strip()  # fmt: skip
    # The dependencies, borrowed: a path in a .pth file is appended after the venv's own
    # site-packages (so `chatbot` is the wheel's), and the editable install's hook is not run.
    Path(purelib, "borrowed-dependencies.pth").write_text("\n".join(site.getsitepackages()))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCREENING_", "PYTHON"))}
    env |= {"SCREENING_DATA_DIR": str(work / "data"), "HOME": str(work)}
    return venv / "bin", env


@pytest.fixture
def elsewhere(tmp_path) -> Path:
    assert ROOT not in tmp_path.parents
    return tmp_path


def test_the_installed_package_is_not_the_checkout(installed, elsewhere):
    bin_dir, env = installed
    done = _run(str(bin_dir / "python"), "-c", "import chatbot; print(chatbot.__file__)",
                cwd=elsewhere, env=env)  # fmt: skip
    assert not done.stdout.strip().startswith(str(ROOT))


def test_rubrics_validate_and_simulate_from_another_directory(installed, elsewhere):
    bin_dir, env = installed
    checked = _run(str(bin_dir / "screening"), "rubrics", "validate", cwd=elsewhere, env=env)
    shipped = sorted(p.stem for p in (ROOT / "rubrics").glob("*.yaml"))
    assert [line.split("/")[-1] for line in checked.stdout.splitlines()] == [
        f"{name}.yaml" for name in shipped
    ]
    assert all(line.startswith("OK") for line in checked.stdout.splitlines())

    simulated = _run(str(bin_dir / "screening"), "simulate", "aide-soignant", cwd=elsewhere,
                     env=env, stdin="24 ans\noui\n")  # fmt: skip
    assert "Question 3 sur" in simulated.stdout
    assert "Résultat (incomplet)" in simulated.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_from_another_directory_answers_healthz_and_pages(installed, elsewhere):
    bin_dir, env = installed
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = (elsewhere / "server.log").open("w")
    server = subprocess.Popen(
        [str(bin_dir / "screening"), "serve", "--port", str(port)],
        cwd=elsewhere,
        env=env | {"SCREENING_PUBLIC_URL": url},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and server.poll() is None:
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            pytest.fail((elsewhere / "server.log").read_text()[-3000:])
        login = httpx.get(f"{url}/conseiller/connexion")
        assert login.status_code == 200 and "Connexion" in login.text
        assert httpx.get(f"{url}/conseiller/static/dashboard.css").status_code == 200
        chat = httpx.get(f"{url}/public/screening.js")
        assert chat.status_code == 200 and "aria-label" in chat.text
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()
