from pathlib import Path

import pytest

from tests.corpus import SAMPLES


@pytest.fixture
def luanhe_path() -> Path:
    return SAMPLES / "luanhe-2023.txt"
