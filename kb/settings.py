"""Project settings: one typed, validated object loaded from ``kb.yml`` and the environment."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml


class SettingsError(Exception):
    """A configuration mistake: reported with exit status 2, never as a traceback."""


REPO_ROOT = Path(__file__).resolve().parent.parent

ENV_RELEASE = "KB_RELEASE"  # 1/true: release mode (errors fail the build, drafts refused)
ENV_TODAY = "KB_TODAY"  # YYYY-MM-DD: the date deliverables are measured against
ENV_PDF = "KB_PDF"  # 0/false: skip the PDF manuals
ENV_LANG = "KB_LANG"  # zh/en: language of check messages


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    root: Path
    docs_dir: str = "docs"
    site_dir: str = "site"
    cache_dir: str = ".cache"
    data_dir: str = "data"
    languages: tuple[str, ...] = ("zh", "en")
    default_language: str = "zh"
    email_allowlist_domains: tuple[str, ...] = ()
    release: bool = False
    pdf: bool = True
    today: dt.date = field(default_factory=dt.date.today)

    @property
    def docs_path(self) -> Path:
        return self.root / self.docs_dir

    @property
    def data_path(self) -> Path:
        return self.root / self.data_dir

    @property
    def site_path(self) -> Path:
        return self.root / self.site_dir

    @property
    def cache_path(self) -> Path:
        return self.root / self.cache_dir

    def lang_dir(self, lang: str) -> Path:
        return self.docs_path / lang

    def other_languages(self, lang: str) -> list[str]:
        return [x for x in self.languages if x != lang]


_STR_KEYS = ("docs_dir", "site_dir", "cache_dir", "data_dir", "default_language")
_LIST_KEYS = ("languages", "email_allowlist_domains")


def load_settings(root: Path | None = None, environ: dict[str, str] | None = None) -> Settings:
    """Read ``kb.yml`` under *root* (default: this repository) and apply environment overrides."""
    root = (root or REPO_ROOT).resolve()
    env = os.environ if environ is None else environ
    path = root / "kb.yml"
    raw: dict = {}
    if path.exists():
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise SettingsError(f"{path}: not valid YAML: {exc}") from None
        if not isinstance(raw, dict):
            raise SettingsError(f"{path}: expected a mapping of settings, got {type(raw).__name__}")
    known = set(_STR_KEYS) | set(_LIST_KEYS)
    unknown = sorted(set(raw) - known)
    if unknown:
        raise SettingsError(f"{path}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    values: dict = {}
    for key in _STR_KEYS:
        if key in raw:
            if not isinstance(raw[key], str) or not raw[key]:
                raise SettingsError(f"{path}: '{key}' must be a non-empty string")
            values[key] = raw[key]
    for key in _LIST_KEYS:
        if key in raw:
            if not isinstance(raw[key], list) or not all(isinstance(x, str) for x in raw[key]):
                raise SettingsError(f"{path}: '{key}' must be a list of strings")
            values[key] = tuple(raw[key])
    settings = Settings(root=root, **values)
    if settings.default_language not in settings.languages:
        raise SettingsError(f"{path}: default_language '{settings.default_language}' is not in languages {list(settings.languages)}")
    today = settings.today
    if env.get(ENV_TODAY):
        try:
            today = dt.date.fromisoformat(env[ENV_TODAY])
        except ValueError:
            raise SettingsError(f"{ENV_TODAY}={env[ENV_TODAY]!r} is not a date; use YYYY-MM-DD") from None
    pdf_env = env.get(ENV_PDF)
    return Settings(
        **{**settings.__dict__, "today": today, "release": _truthy(env.get(ENV_RELEASE)),
           "pdf": True if pdf_env is None else _truthy(pdf_env)}
    )
