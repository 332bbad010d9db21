"""requirements.lock pins every dependency pyproject.toml names (`make lock` refreshes it).

`make run`, `make test` and CI install the lock, then the project with
``--no-deps``; a dependency added to pyproject.toml without `make lock` would
silently be missing there, so this test fails first and says what to run.
"""

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)")


def declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [Requirement(line) for line in project["dependencies"] + project["optional-dependencies"]["test"]]


def pinned() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if match := PIN.match(line):
            pins[canonicalize_name(match[1])] = match[2]
    return pins


def test_every_declared_dependency_is_pinned_in_the_lock() -> None:
    pins = pinned()
    missing = [str(req) for req in declared() if canonicalize_name(req.name) not in pins]
    assert not missing, f"requirements.lock lacks {missing}: run `make lock` and commit requirements.lock"


def test_every_pin_satisfies_pyproject() -> None:
    pins = pinned()
    stale = [
        f"{req} (locked {pins[name]})"
        for req in declared()
        if (name := canonicalize_name(req.name)) in pins and not req.specifier.contains(pins[name], prereleases=True)
    ]
    assert not stale, f"requirements.lock pins versions pyproject.toml excludes: {stale}; run `make lock`"


def test_the_lock_names_no_machine_specific_index() -> None:
    text = (ROOT / "requirements.lock").read_text()
    for option in ("--index-url", "--extra-index-url", "--find-links", "-f ", "file://"):
        assert option not in text, f"requirements.lock mentions {option!r}; `make lock` leaves indexes out"
