"""The `service` fixture: an instrumented FastAPI app (lookout_testing.build)."""

from __future__ import annotations

from typing import Iterator

import pytest
from lookout_testing import Service, build


@pytest.fixture
def service() -> Iterator[Service]:
    yield build()
