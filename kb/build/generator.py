"""Which site generator runs the build: MkDocs 1.6 today, or ProperDocs, its maintained 1.x fork.

Material for MkDocs reaches end of life on 2027-05-05 and MkDocs 1.x has had no release since 2024.
ProperDocs builds this project unchanged (it aliases ``mkdocs.*`` imports, so the theme, the i18n
plugin and our hooks load as they are). Every command that starts a build (the CLI, the tests, the
benchmarks) asks this module, so moving means changing ``DEFAULT`` and the lock, and CI already
builds and tests with the other one (``./scripts/test --properdocs``).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from typing import Any

ENV_GENERATOR = "KB_GENERATOR"  # mkdocs | properdocs
GENERATORS = ("mkdocs", "properdocs")
DEFAULT = "mkdocs"


class GeneratorError(Exception):
    """The generator named in KB_GENERATOR is unknown or not installed."""


def name(environ: dict[str, str] | os._Environ[str] | None = None) -> str:
    env = os.environ if environ is None else environ
    value = (env.get(ENV_GENERATOR) or DEFAULT).strip().lower()
    if value not in GENERATORS:
        raise GeneratorError(f"{ENV_GENERATOR}={value!r}: use one of {', '.join(GENERATORS)}")
    if importlib.util.find_spec(value) is None:
        raise GeneratorError(f"{ENV_GENERATOR}={value}: the package is not installed in this environment "
                             f"(it is pinned in requirements.txt; run ./scripts/test or ./scripts/build once)")
    return value


def command(*args: str, environ: dict[str, str] | None = None) -> list[str]:
    """The command line that runs the generator with *args* (``build``, ``serve``…)."""
    return [sys.executable, "-m", name(environ), *args]


def reset_search_entries(i18n: Any, search: Any) -> None:
    """`serve` keeps the plugin objects from one rebuild to the next. mkdocs-static-i18n 1.3 collects
    the search entries on its own (the index doubled and its quadratic de-duplication slowed every
    rebuild), and Material's search merges a dirty rebuild's entries as if it rendered one page of one
    language: each rebuild starts empty, and kb.web.search keeps the entries of pages not rendered."""
    if isinstance(getattr(i18n, "search_entries", None), list):
        i18n.search_entries.clear()
    if getattr(search, "search_index_prev", None) is not None:
        search.search_index_prev = None
