"""Time the README's install commands in fresh virtual environments (several runs, median).

    python benchmarks/install_time.py --runs 3 'pip install -e .'
    python benchmarks/install_time.py --runs 3 'pip install -r requirements/main.txt' \
        'pip install --no-deps -e .'

Each run makes a new venv in a temporary folder and runs the commands (pip, or uv once pip has
installed it) with that venv's executables, one after the other, from the checkout, without
any cache (a fresh machine has none). Prints each run and the
median, in seconds. The network and the machine's load weigh on the figures: compare commands
measured in the same session.
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NO_CACHE = {"pip": "--no-cache-dir", "uv": "--no-cache"}


def one_run(commands: list[str]) -> float:
    with tempfile.TemporaryDirectory(prefix="install-") as folder:
        venv = Path(folder) / "venv"
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        for command in commands:
            tool, *words = shlex.split(command)
            assert tool in NO_CACHE, f"{tool}: pip or uv commands only"
            environment = {**os.environ, "VIRTUAL_ENV": str(venv)}  # where uv installs
            subprocess.run(
                [str(venv / "bin" / tool), *words, NO_CACHE[tool], "-q"],
                cwd=ROOT,
                env=environment,
                check=True,
            )
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("commands", nargs="+", help="pip or uv commands, run in order")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    times = []
    for number in range(1, args.runs + 1):
        times.append(one_run(args.commands))
        print(f"run {number}: {times[-1]:.0f} s", flush=True)
    print(
        f"median of {args.runs}: {statistics.median(times):.0f} s  ({' && '.join(args.commands)})"
    )


if __name__ == "__main__":
    main()
