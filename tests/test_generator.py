"""The site builds the same with MkDocs and with ProperDocs (the maintained MkDocs 1.x fork), so that
moving off MkDocs is a one-line change (kb/build/generator.py), and the choice of generator is validated."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from sitebuild import FIXTURES, build, make_project

from kb.build import generator

TIMESTAMP_RE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?")
BUILT_PAGES = ("index.html", "en/index.html", "mercury/low-mercury/index.html", "en/mercury/low-mercury/index.html",
               "status/index.html", "status.json")


def test_the_generator_comes_from_the_environment_and_is_validated():
    assert generator.command("build", environ={}) == [sys.executable, "-m", generator.DEFAULT, "build"]
    assert generator.command("build", environ={generator.ENV_GENERATOR: "ProperDocs"})[2] == "properdocs"
    with pytest.raises(generator.GeneratorError, match="use one of mkdocs, properdocs"):
        generator.name({generator.ENV_GENERATOR: "zensical"})


def _text_of(site: Path, rel: str) -> str:
    text = (site / rel).read_text(encoding="utf-8")
    # the generator's name and version, and the time of the build, are the only expected differences
    text = "\n".join(line for line in text.splitlines() if 'name="generator"' not in line)
    return TIMESTAMP_RE.sub("<time of build>", text)


@pytest.mark.build
def test_properdocs_builds_the_same_site_as_mkdocs(tmp_path: Path):
    sites = {}
    for name in generator.GENERATORS:
        project = make_project(tmp_path / name, FIXTURES / "site-basic", site=True)
        build(project, extra_env={generator.ENV_GENERATOR: name})
        sites[name] = project / "site"
    mkdocs_site, properdocs_site = sites["mkdocs"], sites["properdocs"]
    for rel in BUILT_PAGES:
        assert (properdocs_site / rel).is_file(), f"ProperDocs did not build {rel}"
    # the hooks ran under ProperDocs too: notices, glossary, checks and status data are the same
    for rel in BUILT_PAGES:
        assert _text_of(properdocs_site, rel) == _text_of(mkdocs_site, rel), f"{rel} differs between the generators"
