"""Offline and LLM-mode figures side by side, as one plain-text table for the terminal."""

from __future__ import annotations

from collections.abc import Sequence


def side_by_side(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A left-aligned first column (the figure), right-aligned value columns."""
    cells = [[str(h) for h in headers]] + [["—" if v is None else str(v) for v in r] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        first = row[0].ljust(widths[0])
        return "  ".join([first, *(v.rjust(w) for v, w in zip(row[1:], widths[1:], strict=True))])

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule, *map(line, cells[1:])])


MODES = {"offline": "hors ligne", "llm": "modèle d'IA"}
NO_MODEL = (
    "Aucun modèle configuré : réglez SCREENING_LLM_BASE_URL et SCREENING_LLM_MODEL "
    "(voir docs/llm.md), puis relancez avec --llm."
)
