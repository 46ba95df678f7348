"""The one way tests read ../shared (recorded API responses, XSS lists).

The app never depends on ../shared; tests that need it skip with a clear reason when it is absent.
"""

from pathlib import Path

import pytest

SHARED_DIR = Path(__file__).resolve().parent.parent.parent / "shared"


def shared_file(*parts: str) -> Path:
    path = SHARED_DIR.joinpath(*parts)
    if not path.is_file():
        pytest.skip(
            f"{path} is absent: these tests need the shared fixtures beside the repo (../shared)"
        )
    return path


def xss_markup_lines(name: str) -> list[str]:
    """The lines of a shared XSS list (`fixtures/xss/<name>`) that carry markup."""
    text = shared_file("fixtures", "xss", name).read_text(errors="replace")
    return [line for line in text.splitlines() if "<" in line]
