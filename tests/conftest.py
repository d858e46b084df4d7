from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
if str(REPO / "tests") not in sys.path:
    sys.path.insert(0, str(REPO / "tests"))

from sitebuild import TODAY  # noqa: E402

from kb.settings import load_settings  # noqa: E402


@pytest.fixture
def settings_for():
    """Settings of a sample project, with today's date fixed."""

    def make(root: Path, **env: str):
        return load_settings(root, environ={"KB_TODAY": TODAY, **env})

    return make
