"""The analyzer must build and scrub with the network unreachable."""

import subprocess
import sys

SCRIPT = """
import socket

def refuse(*args, **kwargs):
    raise OSError("network is unreachable (test)")

socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse

import pii
out = pii.scrub("écrivez à fatima.benali@gmail.com ou au 06 12 34 56 78")
assert out == "écrivez à <EMAIL_1> ou au <TELEPHONE_1>", out
print("offline ok")
"""


def test_scrub_works_without_network(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        cwd=str(__import__("pathlib").Path(__file__).resolve().parents[1]),
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "offline ok" in proc.stdout
    assert not list(tmp_path.rglob("*.json")), "tldextract wrote a suffix-list cache"
