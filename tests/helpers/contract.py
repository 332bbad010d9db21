"""The client contract, ../shared/contract beside the checkout: one place that finds it.

A checkout cloned elsewhere has no contract beside it; the tests that read it skip
then (CI's checkout has it, so they run there).
"""

from __future__ import annotations

from pathlib import Path

import pytest

CONTRACT = Path(__file__).resolve().parents[3] / "shared" / "contract"


def contract_text(name: str) -> str:
    """The text of one contract file; the test skips when the contract is not beside the checkout."""
    path = CONTRACT / name
    if not path.is_file():
        pytest.skip(f"no contract at {path}")
    return path.read_text(encoding="utf-8")
