from __future__ import annotations

from pathlib import Path

import pytest
from sitebuild import TODAY

from kb.project.settings import load_settings

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def settings_for():
    """Settings of a sample project, with today's date fixed."""

    def make(root: Path, **env: str):
        return load_settings(root, environ={"KB_TODAY": TODAY, **env})

    return make
