"""Shared fixtures for the rulebook tests."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
BROKEN = FIXTURES / "broken"


def expected_lines(path: Path, tag: str = "expect") -> list[str]:
    """``# expect: ...`` lines at the top of a fixture (read as bytes: some fixtures are not UTF-8)."""
    out = []
    for line in path.read_bytes().splitlines():
        text = line.decode("latin-1")
        if text.startswith(f"# {tag}: "):
            out.append(text[len(f"# {tag}: ") :])
    return out


@pytest.fixture(scope="session")
def shipped():
    from advisor.rulebook.loader import load_rulebook

    return load_rulebook()
