"""Groups tests: the shared cast (tests/people.py), of a public group and of a private one."""

import pytest

from groups.models import ReadingGroup
from tests.people import Cast, make_cast


@pytest.fixture
def cast(db) -> Cast:
    return make_cast()


@pytest.fixture
def private_cast(db) -> Cast:
    return make_cast(visibility=ReadingGroup.Visibility.PRIVATE)
