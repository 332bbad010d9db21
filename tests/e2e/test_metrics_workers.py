"""`commerce serve --workers 2`: one /metrics for all workers, through files in a folder of its own."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import httpx
import pytest
from prometheus_client.mmap_dict import MmapedDict

from tests.helpers.server import running_server

pytestmark = pytest.mark.e2e

REQUESTS = 40
BURSTS = 10
QUERY = {"query": "query WorkersCount { __typename }"}


async def _burst(base_url: str) -> list[int]:
    # A new connection each, all at once, so both workers get some of them.
    async def one() -> int:
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
            return (await client.post("/graphql", json=QUERY)).status_code

    return list(await asyncio.gather(*(one() for _ in range(REQUESTS))))


def _count(text: str) -> float:
    found = re.search(r'^commerce_graphql_requests_total\{operation="WorkersCount",outcome="ok"\} (\S+)$', text, re.M)
    return float(found.group(1)) if found else 0.0


def _counted_in(path: Path) -> float:
    """One worker's own count, from its file."""
    return sum(
        value
        for key, value, *_ in MmapedDict.read_all_values_from_file(str(path))
        if "commerce_graphql_requests_total" in key and "WorkersCount" in key
    )


def test_two_workers_answer_one_sum(tmp_path: Path) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    with running_server(tmp_path / "server", "--workers", "2", env={"TMPDIR": str(temp)}) as running:
        (folder,) = temp.glob("commerce-metrics-*")
        # A burst can all go to whichever worker wakes first: a few more give the other one its turn.
        sent, per_worker = 0, [0.0]
        for _ in range(BURSTS):
            assert asyncio.run(_burst(running.base_url)) == [200] * REQUESTS
            sent += REQUESTS
            per_worker = [_counted_in(path) for path in folder.glob("counter_*.db")]
            if len([n for n in per_worker if n > 0]) == 2:
                break
        # Both workers counted some (else the sums below would prove nothing), each in its own file.
        assert len([n for n in per_worker if n > 0]) == 2 and sum(per_worker) == sent, per_worker
        # Whichever worker answers a scrape, it reports every worker's requests.
        for _ in range(6):
            response = httpx.get(f"{running.base_url}/metrics", timeout=15)
            assert response.status_code == 200
            assert _count(response.text) == sent, response.text[:3000]
        ready = httpx.get(f"{running.base_url}/readyz", timeout=15)
        assert ready.status_code == 200 and ready.json()["status"] == "ready"
    assert not folder.exists()  # removed when the server stops
