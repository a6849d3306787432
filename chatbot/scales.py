"""Built-in ordered scales for `level` answers. A rubric may define its own under `scales`."""

from chatbot.rubric import ScaleLevel


def _scale(*levels: tuple[str, str, list[str]]) -> list[ScaleLevel]:
    return [ScaleLevel(id=i, label=label, synonyms=syn) for i, label, syn in levels]


BUILTIN_SCALES: dict[str, list[ScaleLevel]] = {
    # French national qualification framework, lowest first.
    "diplome": _scale(
        ("aucun", "Aucun diplôme", ["sans diplôme", "pas de diplôme", "aucun diplome", "rien"]),
        (
            "brevet",
            "Brevet des collèges (DNB)",
            ["brevet des collèges", "dnb", "brevet", "niveau 2"],
        ),
        (
            "cap",
            "CAP ou BEP (niveau 3)",
            ["cap", "bep", "niveau 3", "cap bep", "mention complémentaire"],
        ),
        (
            "bac",
            "Baccalauréat (niveau 4)",
            [
                "bac",
                "bac pro",
                "baccalauréat",
                "bac général",
                "bac techno",
                "niveau 4",
                "bp",
                "brevet professionnel",
                "daeu",
                "titre professionnel niveau 4",
            ],
        ),
        (
            "bac2",
            "Bac + 2 (niveau 5)",
            ["bts", "dut", "but", "deug", "bac+2", "bac + 2", "niveau 5"],
        ),
        (
            "bac3",
            "Licence ou bac + 3 (niveau 6)",
            [
                "licence",
                "bachelor",
                "bac+3",
                "bac + 3",
                "licence pro",
                "niveau 6",
            ],
        ),
        (
            "bac5",
            "Master ou plus (niveau 7 ou 8)",
            [
                "master",
                "bac+5",
                "bac + 5",
                "ingénieur",
                "doctorat",
                "niveau 7",
                "niveau 8",
            ],
        ),
    ),
    # Common European Framework of Reference for languages, named in the candidate's words
    # (the question offers « débutant, je me débrouille, courant, langue maternelle »).
    "cecrl": _scale(
        ("a1", "Débutant", ["a1", "débutant", "quelques mots"]),
        ("a2", "Quelques bases", ["a2", "élémentaire", "quelques bases"]),
        ("b1", "Je me débrouille", ["b1", "intermédiaire", "je me débrouille", "seuil"]),
        # "je parle normal", "normalement": how many say they are fluent
        ("b2", "Courant", ["b2", "avancé", "courant", "normal", "normalement"]),
        ("c1", "Très à l'aise", ["c1", "autonome", "très à l'aise"]),
        ("c2", "Langue maternelle", ["c2", "maîtrise", "langue maternelle", "bilingue"]),
    ),
}
