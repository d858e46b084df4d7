"""Project settings: one typed, validated object loaded from ``kb.yml`` and the environment.

The schema is a set of pydantic v2 models (frozen, unknown keys refused); ``load_settings`` turns
any validation error into a ``SettingsError`` naming the file, the key and what is expected."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator


class SettingsError(Exception):
    """A configuration mistake: reported with exit status 2, never as a traceback."""


REPO_ROOT = Path(__file__).resolve().parents[2]

ENV_RELEASE = "KB_RELEASE"  # 1/true: release mode (errors fail the build, drafts refused)
ENV_TODAY = "KB_TODAY"  # YYYY-MM-DD: the date deliverables are measured against
ENV_PDF = "KB_PDF"  # 0/false: skip the PDF manuals
ENV_LANG = "KB_LANG"  # zh/en: language of check messages
ENV_CONTRIBUTOR_LINKS = "KB_CONTRIBUTOR_LINKS"  # 1/true: this build shows the repository link and edit pencils
ENV_CHECK_CACHE = "KB_CHECK_CACHE"  # 0/false: render every page for the checks (default: off in CI, else on)

NonEmpty = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
ManualId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]*$")]
# The content types a training manual prints by default: the track's modules, policy
# interpretations and case studies (data/content-model.yml). Guides (type page), event records,
# report templates, panels and the status page are never in a training manual.
DEFAULT_MANUAL_TYPES = ("module", "policy", "case")


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


PREVIEW_URL_RE = re.compile(r"^https://[A-Za-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9._~%/{}-]*)?$")


def _check_preview_url(url: str) -> None:
    """A preview address is an https URL with exactly one {pr} (the pull request's number) and no other
    placeholder: the report puts it in links a reviewer opens."""
    if not PREVIEW_URL_RE.match(url):
        raise ValueError(f"preview_url '{url}' must be an https:// address of letters, digits and . - _ ~ % /, "
                         "e.g. https://preview.example.org/pr-{pr}/")
    if url.count("{pr}") != 1 or url.replace("{pr}", "").count("{") or url.replace("{pr}", "").count("}"):
        raise ValueError(f"preview_url '{url}' must hold {{pr}} exactly once (the pull request's number) "
                         "and no other braces")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ManualSpec(_Model):
    """One training manual (``manuals.<id>`` in kb.yml): which pages it prints and its cover text.
    Who must approve it is the track's list in data/reviewers.yml (declared there, once)."""

    track: NonEmpty
    types: tuple[NonEmpty, ...] = DEFAULT_MANUAL_TYPES
    title: dict[str, NonEmpty]
    subtitle: dict[str, NonEmpty] = Field(default_factory=dict)

    def includes(self, *, type: str | None, track: str | None, in_manual: bool = True) -> bool:
        """Is a page of this type and track printed in this manual? (`manual: false` leaves it out.)
        The glossary page is in every manual: its appendix prints the terms the chapters use."""
        return in_manual and ((track == self.track and type in self.types) or type == "glossary")


class PanelPrint(_Model):
    """Press settings of the exhibition panels (``print.panel``): trim size, bleed and crop marks."""

    width_mm: float = Field(800, gt=0, le=5000)
    height_mm: float = Field(1800, gt=0, le=5000)
    bleed_mm: float = Field(5, ge=0, le=30)
    crop_marks: bool = True


class SlidePrint(_Model):
    """The slides of each module (``print.slides``): the smallest type a slide may use, read from the
    back of a training room; a slide whose content does not fit at this size is a finding."""

    min_font_pt: float = Field(20, ge=18, le=40)


class PrintSettings(_Model):
    panel: PanelPrint = PanelPrint()
    slides: SlidePrint = SlidePrint()
    # PDF renders run together only while their estimated peaks (kb.print.manual.schedule.estimate_mb) fit in this
    memory_mb: float = Field(1500, ge=300, le=65536)
    # a manual whose HTML is over twice this many kB renders in parts of about this size, each in a
    # process of its own, merged into one PDF (kb.print.manual.parts)
    part_kb: int = Field(200, ge=1, le=1_000_000)
    # a case page with at least this many [[gap]] markers is still a template: the manual lists it in
    # its appendix "to be completed" instead of printing it as a chapter
    template_gaps: int = Field(10, ge=1)


class Settings(_Model):
    root: Path
    docs_dir: NonEmpty = "docs"
    site_dir: NonEmpty = "site"
    cache_dir: NonEmpty = ".cache"
    data_dir: NonEmpty = "data"
    languages: tuple[NonEmpty, ...] = ("zh", "en")
    default_language: NonEmpty = "zh"
    email_allowlist_domains: tuple[NonEmpty, ...] = ()
    manuals: dict[ManualId, ManualSpec] = Field(default_factory=dict)
    print: PrintSettings = PrintSettings()
    # Where a pull request's built site can be read, e.g. "https://preview.example.org/pr-{pr}/": the
    # pull-request report (kb.build.prreport) links each changed page there; None: it names the
    # page's file inside the site artifact instead.
    preview_url: str | None = None
    # The repository link and the edit pencil (mkdocs.yml repo_url / edit_uri) are for contributors:
    # trainees do not see them (GitHub needs an account and is often unreachable from mainland China).
    # A contributors' build (a pull request's preview) turns them on with KB_CONTRIBUTOR_LINKS=1.
    contributor_links: bool = False
    release: bool = False
    pdf: bool = True
    check_cache: bool = True  # kb.content.rendercache: render results kept between check runs
    today: dt.date = Field(default_factory=dt.date.today)

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        root = self.root.resolve()
        for key in ("docs_dir", "site_dir", "cache_dir", "data_dir"):
            path = (root / getattr(self, key)).resolve()
            if root not in path.parents:
                # the build writes into these folders, and empties the site folder first
                raise ValueError(f"{key} '{getattr(self, key)}' must be a folder inside the project ({root}), "
                                 f"not {path}; nothing was written")
        if self.preview_url is not None:
            _check_preview_url(self.preview_url)
        if self.default_language not in self.languages:
            raise ValueError(f"default_language '{self.default_language}' is not in languages {list(self.languages)}")
        for mid, spec in self.manuals.items():
            for key in ("title", "subtitle"):
                texts = getattr(spec, key)
                if key == "subtitle" and not texts:
                    continue
                missing = [lang for lang in self.languages if lang not in texts]
                extra = sorted(set(texts) - set(self.languages))
                if missing or extra:
                    raise ValueError(f"manuals.{mid}.{key} needs one text per language {list(self.languages)}"
                                     + (f"; missing {missing}" if missing else "") + (f"; unknown {extra}" if extra else ""))
        return self

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

    def check_manuals(self, tracks: Any, types: Any) -> None:
        """The manuals name tracks and content types of data/content-model.yml (kb.yml cannot know
        them when it is parsed): a typo would print an empty manual, so it is a SettingsError."""
        for mid, spec in self.manuals.items():
            if spec.track not in tracks:
                raise SettingsError(f"{self.root / 'kb.yml'}: 'manuals.{mid}.track': unknown track '{spec.track}'; "
                                    f"data/content-model.yml has {', '.join(tracks)}")
            unknown = [t for t in spec.types if t not in types]
            if unknown:
                raise SettingsError(f"{self.root / 'kb.yml'}: 'manuals.{mid}.types': unknown content type(s) "
                                    f"{', '.join(unknown)}; data/content-model.yml has {', '.join(types)}")

    def replace(self, **changes: Any) -> Settings:
        """A copy with some values changed (validated again)."""
        return Settings.model_validate({**dict(self), **changes})


# Keys read from kb.yml (the rest are set from the environment).
FILE_KEYS = ("docs_dir", "site_dir", "cache_dir", "data_dir", "languages", "default_language",
             "email_allowlist_domains", "manuals", "print", "preview_url", "contributor_links")


def _describe(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err["loc"])
        if err["type"] == "extra_forbidden":
            lines.append(f"unknown setting '{loc}'")
        else:
            msg = re.sub(r"^Value error, ", "", err["msg"])
            lines.append(f"'{loc}': {msg}" if loc else msg)
    return "; ".join(lines)


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
    unknown = sorted(str(k) for k in set(raw) - set(FILE_KEYS))
    if unknown:
        raise SettingsError(f"{path}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(FILE_KEYS))}")
    values: dict[str, Any] = {"root": root, **raw}
    if env.get(ENV_TODAY):
        try:
            values["today"] = dt.date.fromisoformat(env[ENV_TODAY])
        except ValueError:
            raise SettingsError(f"{ENV_TODAY}={env[ENV_TODAY]!r} is not a date; use YYYY-MM-DD") from None
    if env.get(ENV_CONTRIBUTOR_LINKS) is not None:
        values["contributor_links"] = _truthy(env.get(ENV_CONTRIBUTOR_LINKS))
    pdf_env = env.get(ENV_PDF)
    values["release"] = _truthy(env.get(ENV_RELEASE))
    values["pdf"] = True if pdf_env is None else _truthy(pdf_env)
    cache_env = env.get(ENV_CHECK_CACHE)  # CI starts from a clean checkout: a cache there came with it
    values["check_cache"] = not _truthy(env.get("CI")) if cache_env is None else _truthy(cache_env)
    try:
        return Settings.model_validate(values, strict=False)
    except ValidationError as exc:
        raise SettingsError(f"{path}: {_describe(exc)}") from None
