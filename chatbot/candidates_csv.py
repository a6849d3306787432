"""A counsellor's list of candidates to invite: CSV pasted or uploaded from a spreadsheet.

One candidate per line: the France Travail reference, then optionally an e-mail address and a
mobile number. Columns are separated by `;` (French Excel) or `,`; the file is UTF-8 or
Windows-1252 (Excel's "CSV" on Windows). A first line naming the columns is recognised and
skipped. Every problem is reported in French with its line number, and the good lines are kept.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

MAX_LINES = 20_000
REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$")
EMAIL = re.compile(r"^[^@\s;,<>]+@[^@\s;,<>]+\.[A-Za-z]{2,}$")
MOBILE_FR = re.compile(r"^0([67]\d{8})$")
MOBILE_INTL = re.compile(r"^\+33([67]\d{8})$")
MOBILE_OTHER = re.compile(r"^\+(\d{8,15})$")

HEADER_WORDS = {
    "ref": ("identifiant", "référence", "reference", "ref", "réf", "id"),
    "email": ("e-mail", "email", "courriel", "mail", "adresse"),
    "mobile": ("mobile", "portable", "téléphone", "telephone", "tél", "tel", "sms"),
}


@dataclass(frozen=True)
class CandidateLine:
    line: int
    ref: str
    email: str | None = None
    mobile: str | None = None


@dataclass
class Parsed:
    candidates: list[CandidateLine] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # "Ligne 4 : …", in file order


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252, which decodes any byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    return ";" if first.count(";") >= first.count(",") else ","


def _columns(cells: list[str]) -> dict[str, int] | None:
    """Column positions when `cells` is a header line, else None."""
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        word = cell.strip().lower()
        for name, words in HEADER_WORDS.items():
            if name not in found and any(word.startswith(w) for w in words):
                found[name] = index
                break
    return found if "ref" in found else None


def normalise_mobile(text: str) -> str | None:
    """A mobile number in E.164 (+336…, +337…), or None if it is not one."""
    digits = re.sub(r"[\s.\-()]", "", text)
    if digits.startswith("0033"):
        digits = "+" + digits[2:]
    for pattern in (MOBILE_FR, MOBILE_INTL):
        match = pattern.match(digits)
        if match:
            return "+33" + match.group(1)
    if digits.startswith("+") and not digits.startswith("+33") and MOBILE_OTHER.match(digits):
        return digits
    return None


def parse(data: bytes | str) -> Parsed:
    text = decode(data) if isinstance(data, bytes) else data
    parsed = Parsed()
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text))
    columns = {"ref": 0, "email": 1, "mobile": 2}
    seen: dict[str, int] = {}
    for number, cells in enumerate(reader, start=1):
        if not any(cell.strip() for cell in cells):
            continue
        if number == 1 and (header := _columns(cells)) is not None:
            columns = header
            continue
        if number > MAX_LINES:
            parsed.errors.append(f"Ligne {number} : le fichier a plus de {MAX_LINES} lignes.")
            break
        problem, candidate = _candidate(number, cells, columns, seen)
        if problem:
            parsed.errors.append(f"Ligne {number} : {problem}")
        else:
            seen[candidate.ref] = number
            parsed.candidates.append(candidate)
    if not parsed.candidates and not parsed.errors:
        parsed.errors.append("Le fichier est vide : ajoutez une ligne par candidat.")
    return parsed


def _candidate(
    number: int, cells: list[str], columns: dict[str, int], seen: dict[str, int]
) -> tuple[str | None, CandidateLine | None]:
    def cell(name: str) -> str:
        index = columns.get(name)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    ref, email, mobile = cell("ref"), cell("email"), cell("mobile")
    if not ref:
        return "l'identifiant France Travail manque (première colonne).", None
    if not REF.match(ref):
        return (
            f"l'identifiant « {ref[:40]} » n'est pas valable : 3 à 64 lettres, chiffres, "
            "points, tirets ou soulignés, sans espace.",
            None,
        )
    if ref in seen:
        return f"l'identifiant {ref} est déjà à la ligne {seen[ref]}.", None
    if email and not EMAIL.match(email):
        return f"l'adresse e-mail « {email[:60]} » n'est pas valable.", None
    normalised = None
    if mobile:
        normalised = normalise_mobile(mobile)
        if normalised is None:
            return (
                f"le numéro « {mobile[:30]} » n'est pas un numéro de mobile "
                "(06 ou 07, ou +33 6 / +33 7).",
                None,
            )
    return None, CandidateLine(number, ref, email.lower() or None, normalised)
