"""Campaign page latency: one session with N invited candidates (issue 15), on SQLite and
PostgreSQL, through real HTTP requests (FastAPI TestClient, logged in as a counsellor).

Seeds N candidates, screenings and campaign invitations in bulk with a realistic spread of
statuses (sent, opened, consented, in progress with a pending question, completed, declined,
opted out) and times, then times the campaign page (funnel, medians, drop-off, first page of the
list), its figures CSV and the API. Target: campaign page p95 <= 200 ms at 10,000 invitations.

Usage:
  python benchmarks/campaign_bench.py --invitations 10000 --backend both
A PostgreSQL run uses its own schema (`bench_campaign`), dropped and refilled.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.dashboard_bench import EMAIL, PASSWORD, logged_in_client, report  # noqa: E402
from chatbot.rubric_loader import rubrics_in  # noqa: E402
from chatbot.web import auth  # noqa: E402
from storage import repo  # noqa: E402
from storage.db import init_db  # noqa: E402
from storage.models import CampaignInvitation, Candidate, Screening  # noqa: E402

SCHEMA = "bench_campaign"
RUBRIC = rubrics_in(ROOT / "rubrics")["aide-soignant"]
SESSION = RUBRIC.training.sessions[0].id


def postgres_url(base: str) -> str:
    admin = sa.create_engine(base)
    with admin.begin() as connection:
        connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
        connection.execute(sa.text(f'CREATE SCHEMA "{SCHEMA}"'))
    admin.dispose()
    url = sa.make_url(base).update_query_dict({"options": f"-csearch_path={SCHEMA}"})
    return url.render_as_string(hide_password=False)


def seed(engine: sa.Engine, invitations: int, rng: random.Random) -> None:
    """Candidates, screenings and campaign rows in bulk, like a campaign a week old."""
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=7)
    criteria = [c.id for c in RUBRIC.criteria]
    with Session(engine) as db:
        repo.sync_trainings(db, [RUBRIC])
        db.execute(
            sa.insert(Candidate),
            [{"ref": f"BENCH-{i:06d}", "created_at": start} for i in range(invitations)],
        )
        ids = dict(db.execute(sa.select(Candidate.ref, Candidate.id)).all())
        screenings, campaign = [], []
        for i in range(invitations):
            invited = start + dt.timedelta(minutes=rng.randint(0, 600))
            roll = rng.random()
            opened = invited + dt.timedelta(minutes=rng.expovariate(1 / 30)) if roll > 0.2 else None
            consent = opened + dt.timedelta(minutes=2) if opened and roll > 0.3 else None
            declined = opened + dt.timedelta(minutes=1) if opened and 0.2 < roll <= 0.3 else None
            done = consent + dt.timedelta(minutes=rng.expovariate(1 / 90)) if roll > 0.5 else None
            status = (
                "completed"
                if done
                else "in_progress"
                if consent
                else "declined"
                if declined
                else "invited"
            )
            screenings.append(
                {
                    "candidate_id": ids[f"BENCH-{i:06d}"],
                    "training_id": RUBRIC.id,
                    "session_id": SESSION,
                    "rubric_version": RUBRIC.version,
                    "status": status,
                    "consent_at": consent,
                    "declined_at": declined,
                    "completed_at": done,
                    "created_at": invited,
                    "updated_at": done or consent or invited,
                    "pending_criterion_id": rng.choice(criteria)
                    if status == "in_progress"
                    else None,
                }
            )
            campaign.append(
                {
                    "training_id": RUBRIC.id,
                    "session_id": SESSION,
                    "email": f"c{i}@exemple.fr",
                    "mobile": f"+336{i:08d}" if i % 3 else None,
                    "invited_at": invited,
                    "invited_by": EMAIL,
                    "sent_at": invited,
                    "last_sent_at": invited,
                    "reminders": int(roll < 0.2),
                    "opened_at": opened,
                    "opted_out_at": invited + dt.timedelta(hours=3) if roll < 0.02 else None,
                }
            )
        db.execute(sa.insert(Screening), screenings)
        screening_ids = [
            row.id for row in db.execute(sa.select(Screening.id).order_by(Screening.id)).all()
        ]
        for row, screening_id in zip(campaign, screening_ids, strict=True):
            row["screening_id"] = screening_id
        db.execute(sa.insert(CampaignInvitation), campaign)
        auth.add_counsellor(db, EMAIL, PASSWORD, actor="bench")
        db.commit()
    with engine.begin() as connection:
        connection.execute(sa.text("ANALYZE"))


def run(backend: str, url: str, data_dir: Path, invitations: int, requests: int) -> bool:
    engine = init_db(url)
    started = time.perf_counter()
    seed(engine, invitations, random.Random(15))
    print(f"{backend}: {invitations} invitations seeded in {time.perf_counter() - started:.1f} s")
    client = logged_in_client(engine, data_dir)
    base = f"/conseiller/formations/{RUBRIC.id}/sessions/{SESSION}/campagne"
    pages = {
        "campaign page (funnel, medians, drop-off, list)": (base, True),
        "campaign page, list page 100": (base + "?page=100", True),
        "figures CSV": (base + "/export-chiffres.csv", False),
        "API campaign": (f"/api/trainings/{RUBRIC.id}/sessions/{SESSION}/campaign", False),
    }
    ok = report(client, pages, requests)
    engine.dispose()
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invitations", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "SCREENING_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
    )
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="campaignbench-"))
    os.environ.setdefault("SCREENING_DATA_DIR", str(data_dir))
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    ok = True
    if args.backend in ("sqlite", "both"):
        ok &= run(
            "sqlite",
            f"sqlite:///{data_dir / 'bench.db'}",
            data_dir,
            args.invitations,
            args.requests,
        )
    if args.backend in ("postgresql", "both"):
        ok &= run(
            "postgresql", postgres_url(args.postgres_url), data_dir, args.invitations, args.requests
        )
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
