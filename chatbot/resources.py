"""Files shipped with the package, found with importlib.resources: prompts, example rubrics and
the chat page's Chainlit files.

In a checkout, `chatbot/assets/` holds symbolic links to the repository's top-level folders
(`prompts/`, `rubrics/`, `public/`, `.chainlit/config.toml`…); a wheel holds copies of them
inside the package. Either way the code reads the same files from any working directory.
"""

from __future__ import annotations

import shutil
from importlib.resources import files
from pathlib import Path

ASSETS = Path(str(files("chatbot") / "assets"))
PROMPTS = ASSETS / "prompts"
EXAMPLE_RUBRICS = ASSETS / "rubrics"
CHAINLIT = ASSETS / "chainlit"


def default_rubrics_dir() -> Path:
    """`./rubrics` when the working directory has one (a trainer's own), else the examples."""
    local = Path("rubrics")
    return local if local.is_dir() else EXAMPLE_RUBRICS


def chainlit_root(data_dir: Path) -> Path:
    """Chainlit reads its files from one folder and writes its translations there: a copy of
    the shipped files in the (writable) data directory, refreshed at every start."""
    root = data_dir / "chainlit"
    (root / ".chainlit").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(CHAINLIT / "config.toml", root / ".chainlit" / "config.toml")
    for name in ("chainlit.md", "chainlit_fr-FR.md"):
        shutil.copyfile(CHAINLIT / name, root / name)
    shutil.copytree(CHAINLIT / "public", root / "public", dirs_exist_ok=True)
    return root
