"""Per-session exports: CSV for French Excel (UTF-8 with BOM, `;`, decimal comma) and JSON."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from fastapi.responses import Response
from sqlmodel import Session

from chatbot.web.dashboard import queries
from chatbot.web.dashboard.explain import DECISIONS, FLAGS, STATUSES, flag_list

CSV_HEADER = [
    "Référence candidat",
    "Statut",
    "Prérequis remplis",
    "Prérequis non remplis",
    "Prérequis à vérifier",
    "Prérequis obligatoire non rempli",
    "Motivation (%)",
    "Préparation (%)",
    "Score de classement",
    "Mobilité",
    "Disponibilité",
    "Signalements",
    "Décision",
    "Terminé le",
]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """Text as Excel shows it; a cell that Excel would run as a formula is quoted."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _percent(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


def csv_rows(db: Session, training_id: str, session_id: str | None):
    for row in queries.all_candidates(db, training_id, session_id, with_result=False):
        yield [
            row.ref,
            STATUSES.get(str(row.status), str(row.status)),
            row.prerequisites_met,
            row.prerequisites_not_met,
            row.prerequisites_unclear,
            row.blocking_not_met,
            _percent(row.motivation_level),
            _percent(row.readiness_level),
            row.ranking_score,
            row.mobility,
            row.availability,
            ", ".join(FLAGS.get(f, f) for f in flag_list(row.flags)),
            DECISIONS.get(str(row.decision), "") if row.decision else "",
            row.completed_at.strftime("%d/%m/%Y %H:%M") if row.completed_at else "",
        ]


def csv_response(db: Session, training_id: str, session_id: str | None, name: str) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for row in csv_rows(db, training_id, session_id):
        writer.writerow([csv_cell(v) for v in row])
    body = ("\ufeff" + buffer.getvalue()).encode("utf-8")
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


def json_rows(db: Session, training_id: str, session_id: str | None) -> list[dict[str, Any]]:
    return [
        {
            "screening_id": row.id,
            "candidate_ref": row.ref,
            "status": str(row.status),
            "prerequisites": {
                "met": row.prerequisites_met,
                "not_met": row.prerequisites_not_met,
                "unclear": row.prerequisites_unclear,
                "blocking_not_met": row.blocking_not_met,
            },
            "motivation_level": row.motivation_level,
            "readiness_level": row.readiness_level,
            "ranking_score": row.ranking_score,
            "mobility": row.mobility,
            "availability": row.availability,
            "flags": flag_list(row.flags),
            "decision": str(row.decision) if row.decision else None,
            "completed_at": row.completed_at.isoformat() if row.completed_at else None,
            "result": row.result_json,
        }
        for row in queries.all_candidates(db, training_id, session_id, with_result=True)
    ]


def json_response(db: Session, training_id: str, session_id: str | None, name: str) -> Response:
    data = {
        "training_id": training_id,
        "session_id": session_id,
        "screenings": json_rows(db, training_id, session_id),
    }
    return Response(
        json.dumps(data, ensure_ascii=False),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}.json"'},
    )
