"""Memory that argon2 borrows for a password check goes back to the system (app/http/heap.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.helpers.server import ROOT

# In a fresh process, as a worker runs: settle() at startup, then sign-ins off the loop.
SCRIPT = """
import asyncio
from app.http import heap
from app.identity.passwords import hash_password_sync, verify_password

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

stored = hash_password_sync("correct horse battery")
heap.settle()
async def sign_ins():
    for _ in range(4):
        assert await verify_password(stored, "correct horse battery")
before = rss_mb()
asyncio.run(sign_ins())
print(rss_mb() - before)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator, read from /proc")
def test_password_checks_do_not_keep_their_working_memory() -> None:
    grown = float(
        subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    )
    # Without the fixed mmap threshold, each thread that checked a password kept 19 MB.
    assert grown < 5, f"RSS grew by {grown:.1f} MB over four password checks"
