"""Login timing: does a wrong password on a real account take as long as one on an unknown
address? (issue 13, finding 4: 0.65 s against 0.41 s before.) Prints median and spread of the
answer time of the 1st to 4th failed attempt, for a real and an unknown address, and the time of
one argon2 verification.

    python benchmarks/login_timing.py --rounds 20

Each round uses a fresh app (fresh throttle) and a fresh SQLite database, alternates which
address goes first, and runs the real login route (default policy: 0.25 s doubling delays).
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chatbot.settings import Settings  # noqa: E402
from chatbot.web import auth  # noqa: E402
from chatbot.web.dashboard import create_dashboard  # noqa: E402
from storage.db import init_db  # noqa: E402

REAL, UNKNOWN = "claire.martin@francetravail.fr", "personne@francetravail.fr"
ATTEMPTS = 4


def _attempt(client: TestClient, email: str) -> tuple[float, int]:
    form = client.get("/conseiller/connexion").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
    data = {"email": email, "password": "pas le bon mot de passe", "csrf": csrf, "suite": ""}
    started = time.perf_counter()
    answer = client.post("/conseiller/connexion", data=data)
    return time.perf_counter() - started, answer.status_code


def run(rounds: int) -> dict[str, list[list[float]]]:
    times = {REAL: [[] for _ in range(ATTEMPTS)], UNKNOWN: [[] for _ in range(ATTEMPTS)]}
    for r in range(rounds):
        with tempfile.TemporaryDirectory() as folder:
            engine = init_db(f"sqlite:///{folder}/screening.db")
            with Session(engine) as db:
                auth.add_counsellor(db, REAL, "une phrase de passe assez longue", actor="bench")
            settings = Settings(data_dir=Path(folder), secret_key="b" * 40)
            app = create_dashboard(engine, settings, login_policy=auth.LoginPolicy())
            clients = {email: TestClient(app) for email in times}
            order = [REAL, UNKNOWN] if r % 2 == 0 else [UNKNOWN, REAL]
            for n in range(ATTEMPTS):
                for email in order:
                    elapsed, status = _attempt(clients[email], email)
                    assert status == 401, status
                    times[email][n].append(elapsed)
            engine.dispose()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    started = time.perf_counter()
    stored = auth.hash_password("une phrase de passe assez longue")
    verify = []
    for _ in range(20):
        t = time.perf_counter()
        auth._verify(stored, "pas le bon mot de passe")
        verify.append(time.perf_counter() - t)
    print(f"argon2id verify (m=64 MiB, t=3, p=4): median {statistics.median(verify) * 1000:.0f} ms")
    times = run(args.rounds)
    for n in range(ATTEMPTS):
        real, unknown = times[REAL][n], times[UNKNOWN][n]
        print(
            f"failure {n + 1}: real account median {statistics.median(real) * 1000:.0f} ms "
            f"(p10-p90 {_spread(real)}), unknown address median "
            f"{statistics.median(unknown) * 1000:.0f} ms (p10-p90 {_spread(unknown)})"
        )
    print(f"{args.rounds} rounds in {time.perf_counter() - started:.0f} s")


def _spread(values: list[float]) -> str:
    deciles = statistics.quantiles(values, n=10)
    return f"{deciles[0] * 1000:.0f}-{deciles[-1] * 1000:.0f} ms"


if __name__ == "__main__":
    main()
