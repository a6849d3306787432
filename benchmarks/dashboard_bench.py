"""Dashboard latency at scale: session list and ranking page p95 with N screenings, on SQLite and
PostgreSQL, through real HTTP requests (FastAPI TestClient, logged in as a counsellor).

Seeds with `chatbot.web.dashboard.demo.seed` (bulk insert), runs ANALYZE, then times each page.
Target: session list and ranking p95 <= 200 ms at 100,000 screenings.

Usage:
  python benchmarks/dashboard_bench.py --screenings 100000 --backend sqlite
  python benchmarks/dashboard_bench.py --screenings 100000 --backend postgresql \
      --postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/test
A PostgreSQL run uses its own schema (`bench_dashboard`), dropped and refilled unless --reuse.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from chatbot.rubric_loader import rubrics_in
from chatbot.settings import PROJECT_ROOT, Settings
from chatbot.web import auth
from chatbot.web.dashboard import create_dashboard
from chatbot.web.dashboard.demo import seed
from storage.db import init_db
from storage.models import Screening

TARGET_MS = 200.0
EMAIL = "bench@francetravail.fr"
PASSWORD = "benchmark password"
SCHEMA = "bench_dashboard"


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / 'bench.db'}"


def postgres_url(base: str, fresh: bool) -> str:
    admin = sa.create_engine(base)
    with admin.begin() as connection:
        if fresh:
            connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
        connection.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{SCHEMA}"'))
    admin.dispose()
    url = sa.make_url(base).update_query_dict({"options": f"-csearch_path={SCHEMA}"})
    return url.render_as_string(hide_password=False)


def prepare(engine: sa.Engine, screenings: int) -> None:
    with Session(engine) as db:
        existing = db.exec(select(sa.func.count()).select_from(Screening)).one()
        if existing < screenings:
            started = time.perf_counter()
            seed(db, list(rubrics_in(PROJECT_ROOT / "rubrics").values()), screenings - existing)
            print(
                f"  seeded {screenings - existing} screenings in {time.perf_counter() - started:.1f} s"
            )
        if auth.get_counsellor(db, EMAIL) is None:
            auth.add_counsellor(db, EMAIL, PASSWORD, actor="bench")
    with engine.begin() as connection:
        connection.execute(sa.text("ANALYZE"))


def biggest_session(engine: sa.Engine) -> tuple[str, str, int]:
    with engine.connect() as connection:
        row = connection.execute(
            sa.text(
                "SELECT training_id, session_id, count(*) AS n FROM screening "
                "WHERE session_id IS NOT NULL GROUP BY training_id, session_id ORDER BY n DESC"
            )
        ).first()
    return row[0], row[1], row[2]


def logged_in_client(engine: sa.Engine, data_dir: Path) -> TestClient:
    settings = Settings(data_dir=data_dir, secret_key="bench-secret-" + "x" * 32)
    client = TestClient(create_dashboard(engine, settings))
    form = client.get("/conseiller/connexion").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
    answer = client.post(
        "/conseiller/connexion",
        data={"email": EMAIL, "password": PASSWORD, "csrf": csrf},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return client


def timed(client: TestClient, url: str, requests: int) -> list[float]:
    for _ in range(3):  # warm-up: templates, query plans, caches
        assert client.get(url).status_code == 200, url
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        answer = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, url
    return timings


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def run(backend: str, url: str, data_dir: Path, screenings: int, requests: int) -> bool:
    print(f"{backend}: {screenings} screenings")
    engine = init_db(url)
    prepare(engine, screenings)
    training_id, session_id, size = biggest_session(engine)
    client = logged_in_client(engine, data_dir)
    base = f"/conseiller/formations/{training_id}/sessions/{session_id}"
    pages = {
        "trainings and sessions": ("/conseiller/", False),
        f"session list ({size} screenings)": (base, True),
        "session list, sorted by motivation, filtered, page 5": (
            base + "?tri=-motivation&statut=completed&bloquant=non&page=5",
            True,
        ),
        "ranking page": (base + "/classement", True),
        "ranking page 10": (base + "/classement?page=10", True),
        "API session list": (
            f"/api/trainings/{training_id}/sessions/{session_id}/screenings",
            True,
        ),
    }
    ok = report(client, pages, requests)
    engine.dispose()
    return ok


def report(client: TestClient, pages: dict[str, tuple[str, bool]], requests: int) -> bool:
    """Time each page and print its figures; True when every targeted page is within target."""
    ok = True
    for name, (page, targeted) in pages.items():
        values = timed(client, page, requests)
        worst = p95(values)
        verdict = ("OK" if worst <= TARGET_MS else "OVER") if targeted else "info"
        ok &= worst <= TARGET_MS or not targeted
        print(
            f"  {name:55s} p50 {statistics.median(values):6.1f} ms  p95 {worst:6.1f} ms  "
            f"max {max(values):6.1f} ms  [{verdict}]"
        )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--screenings", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "dashbench")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "SCREENING_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
    )
    parser.add_argument("--reuse", action="store_true", help="keep an already seeded database")
    args = parser.parse_args()
    args.data_dir.mkdir(parents=True, exist_ok=True)
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    ok = True
    if args.backend in ("sqlite", "both"):
        if not args.reuse:
            for leftover in args.data_dir.glob("bench.db*"):
                leftover.unlink()
        ok &= run(
            "sqlite", sqlite_url(args.data_dir), args.data_dir, args.screenings, args.requests
        )
    if args.backend in ("postgresql", "both"):
        url = postgres_url(args.postgres_url, fresh=not args.reuse)
        ok &= run("postgresql", url, args.data_dir, args.screenings, args.requests)
    print("targets met" if ok else "TARGET MISSED")
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
