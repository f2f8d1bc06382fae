import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture
def luanhe_path() -> Path:
    return SAMPLES / "luanhe-2023.txt"
