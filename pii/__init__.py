"""Personal data never reaches the model: French PII detection and reversible pseudonymisation.

`Pseudonymizer().scrub(raw)` returns `Scrubbed` text with placeholders (<PERSONNE_1>...),
`restore()` puts the values back for the candidate. See docs/pii.md for the keep/scrub policy.
The analyzer (spaCy + Presidio) loads lazily on first scrub; call `pii.warm_up()` at start-up.
"""

from pii.pseudonymizer import Entity, Pseudonymizer, Scrubbed, scrub


def warm_up() -> None:
    """Build the analyzer now (about two seconds) instead of on the first message."""
    from pii.analyzer import analyzer

    analyzer()


__all__ = ["Entity", "Pseudonymizer", "Scrubbed", "scrub", "warm_up"]
