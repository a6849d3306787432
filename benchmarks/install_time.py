"""Time the README's install commands in fresh virtual environments (several runs, median).

    python benchmarks/install_time.py --runs 3 'pip install -e .'
    python benchmarks/install_time.py --runs 3 'pip install -r requirements/main.txt' \
        'pip install --no-deps -e .'

Each run makes a new venv in a temporary folder and runs the pip commands in it, one after the
other, from the checkout, with pip's cache off (a fresh machine has none). Prints each run and the
median, in seconds. The network and the machine's load weigh on the figures: compare commands
measured in the same session.
"""

from __future__ import annotations

import argparse
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def one_run(commands: list[str]) -> float:
    with tempfile.TemporaryDirectory(prefix="install-") as folder:
        venv = Path(folder) / "venv"
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        for command in commands:
            words = shlex.split(command)
            assert words[0] == "pip", "commands are pip commands"
            subprocess.run(
                [str(venv / "bin" / "pip"), *words[1:], "--no-cache-dir", "-q"],
                cwd=ROOT,
                check=True,
            )
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("commands", nargs="+", help="pip commands run in order in each venv")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    times = []
    for number in range(1, args.runs + 1):
        times.append(one_run(args.commands))
        print(f"run {number}: {times[-1]:.0f} s", flush=True)
    print(f"median of {args.runs}: {statistics.median(times):.0f} s  ({' && '.join(args.commands)})")


if __name__ == "__main__":
    main()
