"""The README's examples run in a fresh checkout: the files they name ship with the project."""

import re
from pathlib import Path

from django.conf import settings

README = Path(settings.BASE_DIR) / "README.md"


def test_it_names_no_file_outside_the_checkout() -> None:
    assert "../shared" not in README.read_text()


def test_it_imports_files_that_ship() -> None:
    files = re.findall(r"--file (\S+)", README.read_text())
    assert files
    for name in files:
        path = (README.parent / name).resolve()
        assert path.is_relative_to(README.parent) and path.is_file(), name
