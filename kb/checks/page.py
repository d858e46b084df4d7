"""Rules over a single page: encoding, front matter, required sections, unsafe HTML, personal
data, images, review approvals, event records and gap markers."""

from __future__ import annotations

import difflib
import html
import re
import unicodedata
from pathlib import Path
from typing import Any

from kb.checks import Context, Scope, finding, rule
from kb.checks.phones import find_phone_numbers
from kb.content.frontmatter import FrontMatterModel, Problem, ProblemKind, front_matter_model
from kb.content.knowledge import knowledge_record, session_modules
from kb.content.pages import Page, iso_date
from kb.content.rendercache import RenderResult, body_digest
from kb.content.safety import Renderer, element_ids, locate, removed
from kb.content.text import invisible_character, line_separator
from kb.project.findings import Finding
from kb.project.settings import REPO_ROOT


# --- encoding ---------------------------------------------------------------------------------------
@rule(Scope.PAGE)
def check_encoding(page: Page, ctx: Context) -> list[Finding]:
    if page.decode_error is None:
        if not page.raw.strip():
            return [finding("encoding", "empty", page, 1)]
        separator = line_separator(page.raw.decode("utf-8", "replace"))
        if separator is not None:
            return [finding("encoding", "line-separator", page, separator[0], line=separator[0], char=separator[1])]
        hidden = invisible_character(page.raw.decode("utf-8", "replace"))
        if hidden is not None:
            return [finding("encoding", "invisible", page, hidden[0], line=hidden[0], char=hidden[1])]
        if page.mixed_line_endings:
            return [finding("encoding", "mixed-line-endings", page, 1)]
        return []
    guess, _, offset = page.decode_error.partition("|")
    if guess == "binary":
        return [finding("encoding", "binary", page, 1)]
    line = page.raw[: int(offset or 0)].count(b"\n") + 1
    looks_like = guess.upper() if guess != "unknown" else "?"
    code = "gbk" if guess.lower() in {"gbk", "gb2312", "gb18030", "cp936", "big5", "hz"} else "not-utf8"
    return [finding("encoding", code, page, line, encoding=looks_like, path=page.path)]


# --- front matter -----------------------------------------------------------------------------------
def _suggest(value: str, options: list[str]) -> str:
    close = difflib.get_close_matches(str(value), options, n=1)
    return close[0] if close else ""


def _unknown(kind: str, page: Page, line: int, given: object, options: list[str], /, **params: object) -> Finding:
    """unknown-field / unknown-value, with a "did you mean" when a close match exists."""
    suggestion = _suggest(str(given), options)
    code = f"unknown-{kind}-suggest" if suggestion else f"unknown-{kind}"
    return finding("front-matter", code, page, line, suggestion=suggestion, **params)


def front_matter_schema(ctx: Context) -> FrontMatterModel:
    """The front-matter model of the project's content model, built once per run."""
    return ctx.data.memo("front-matter-model", lambda: front_matter_model(ctx.data.model))


@rule(Scope.PAGE)
def check_front_matter(page: Page, ctx: Context) -> list[Finding]:
    """The page's front matter against the front-matter model (kb.content.frontmatter): each mistake
    the model finds is a finding on the line of its top-level field (a missing field: line 1)."""
    if page.text is None:
        return []
    if not page.has_front_matter:
        return [finding("front-matter", "missing", page, 1)]
    if page.meta_error:
        line, problem = page.meta_error
        return [finding("front-matter", "yaml", page, line, problem=problem)]
    out = [finding("front-matter", "duplicate-key", page, line, field=key) for key, line in page.duplicate_keys]
    others = tuple(lang for lang in ctx.languages if lang != page.lang)
    for problem in front_matter_schema(ctx).problems(page.meta, others):
        out.extend(_front_matter_findings(problem, page))
    return out


def _front_matter_findings(problem: Problem, page: Page) -> list[Finding]:
    where, field = problem.where, problem.field
    line = 1 if problem.problem == ProblemKind.MISSING_FIELD and len(where) == 1 else page.line_of(where[0])
    match problem.problem:
        case ProblemKind.MISSING_FIELD:
            return [finding("front-matter", "missing-field", page, line, field=field)]
        case ProblemKind.UNKNOWN_FIELD:
            return [_unknown("field", page, line, problem.value, list(problem.options), field=field,
                             known=", ".join(problem.options))]
        case ProblemKind.WRONG_TYPE:
            return [_wrong_type(page, line, field, problem.kind, problem.value)]
        case ProblemKind.UNKNOWN_VALUE:
            found = _unknown("value", page, line, problem.value, list(problem.options), field=field, value=problem.value,
                             allowed=" | ".join(problem.options))
        case ProblemKind.BAD_TRANSLATION_FROM:
            return [finding("front-matter", "bad-translation-from", page, line, value=problem.value,
                            allowed=" | ".join(problem.options))]
        case ProblemKind.BAD_TRANSLATION_HASH:
            return [finding("front-matter", "bad-translation-hash", page, line, value=problem.value, length=problem.length)]
        case ProblemKind.BAD_APPROVAL | ProblemKind.BAD_TRANSLATION:
            found = finding("front-matter", problem.problem.value, page, line, value=problem.value)
        case _:  # empty-title, none-without-reason
            found = finding("front-matter", problem.problem.value, page, line)
    # a value that is not even of its field's kind (a title that is a number): that too
    return [found, _wrong_type(page, line, field, problem.kind, problem.value)] if problem.kind else [found]


def _wrong_type(page: Page, line: int, field: str, kind: str, value: object) -> Finding:
    return finding("front-matter", "wrong-type", page, line, field=field, kind=kind, actual=type(value).__name__)


# --- required sections ------------------------------------------------------------------------------
@rule(Scope.PAGE)
def check_required_sections(page: Page, ctx: Context) -> list[Finding]:
    spec = ctx.data.model.types.get(page.type or "")
    if spec is None or page.text is None or page.meta_error:
        return []
    ids = set(page.heading_ids)
    out = []
    line = page.body_start
    for section in spec.required_sections:
        if section not in ids:
            out.append(finding("required-section", "missing", page, line, id=section, type=spec.name))
    if spec.required_any_section and not ids.intersection(spec.required_any_section):
        out.append(finding("required-section", "missing-any", page, line, ids=" | ".join(spec.required_any_section),
                           type=spec.name))
    for name in spec.required_fields:
        if name not in page.meta:
            out.append(finding("required-section", "missing-field", page, 1, field=name, type=spec.name))
    seen: dict[str, int] = {}
    for h in page.headings:
        if h.id and h.id in seen:
            out.append(finding("required-section", "duplicate-id", page, h.line, id=h.id, first=seen[h.id]))
        elif h.id:
            seen[h.id] = h.line
    return out


# --- unsafe HTML --------------------------------------------------------------------------------------
def markdown_config(root: Path) -> Path:
    """The mkdocs.yml whose Markdown extensions the checks render with: the project's, else this repository's."""
    config = root / "mkdocs.yml"
    return config if config.is_file() else REPO_ROOT / "mkdocs.yml"


def _renderer(ctx: Context) -> Renderer:
    """The site's Markdown (extensions from markdown_config)."""

    def make() -> Renderer:
        return Renderer(markdown_config(ctx.data.settings.root))

    return ctx.data.memo("markdown-renderer", make)


def render_results(ctx: Context) -> dict[str, tuple[str, RenderResult]]:
    """This run's render results by page path, with the body each was read from (kb.checks.engine passes
    the workers' back, and saves them to kb.content.rendercache)."""
    return ctx.data.memo("render-results", dict)


def cached_renders(ctx: Context) -> dict[str, RenderResult]:
    """Results of earlier runs by body digest (kb.content.rendercache.load, set by kb.checks.engine)."""
    return ctx.data.memo("render-cache", dict)


def rendered(page: Page, ctx: Context) -> RenderResult:
    """The ids of *page* rendered with the site's Markdown and what the sanitiser removes from it:
    from this run, else from the cache of earlier runs, else rendered now. Raises what the render
    raises (a RecursionError on pathological nesting, an extension's own bug)."""
    results = render_results(ctx)
    known = results.get(page.path)
    if known is not None and known[0] == page.body:
        return known[1]
    result = cached_renders(ctx).get(body_digest(page.body))
    if result is None:
        html = _renderer(ctx).render(page.body)
        result = RenderResult(element_ids(html), tuple(removed(html)))
    results[page.path] = (page.body, result)
    return result


def page_anchors(page: Page, ctx: Context) -> frozenset[str]:
    """The ids a link's #fragment can name on *page*, read from the page rendered with the site's
    Markdown extensions: heading ids are toc's own (its configured slugify, _1, _2 for repeats;
    a Chinese heading under the default slugify is _1), so the check agrees with the built HTML.
    A page that cannot be rendered offers its explicit heading ids."""
    try:
        return rendered(page, ctx).ids
    except Exception:  # RecursionError on pathological nesting (unsafe-html reports it), an extension's bug
        return frozenset(page.heading_ids)


@rule(Scope.PAGE)
def check_unsafe_html(page: Page, ctx: Context) -> list[Finding]:
    """What the build's sanitiser (kb.content.safety) would remove from this page, found by rendering the
    page with the same Markdown extensions as the build: attribute lists, reference links, raw HTML
    and code spans are seen exactly as MkDocs sees them."""
    if page.text is None:
        return []
    try:
        items = rendered(page, ctx).removals
    except Exception as exc:  # RecursionError on pathological nesting, an extension's own bug
        return [finding("unsafe-html", "not-rendered", page, page.body_start, problem=type(exc).__name__)]
    out = []
    lines = page.body.split("\n")
    for item in items:
        line = page.body_start + locate(lines, item)
        if item.kind == "tag":
            out.append(finding("unsafe-html", "tag", page, line, tag=item.name))
        elif item.kind == "event-attribute":
            out.append(finding("unsafe-html", "event-attribute", page, line, attribute=item.name))
        elif item.kind == "script-url":
            out.append(finding("unsafe-html", "script-url", page, line, scheme=item.name))
        elif item.kind == "url":
            out.append(finding("unsafe-html", "url", page, line, value=item.value))
        elif item.kind == "reserved-id":
            out.append(finding("unsafe-html", "reserved-id", page, line, tag=item.tag, id=item.name))
        else:
            out.append(finding("unsafe-html", "attribute", page, line, tag=item.tag, attribute=item.name))
    return out


# --- personal data ------------------------------------------------------------------------------------
MOBILE_RE = re.compile(r"(?<![\d.])(?:\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?![\d])")
LANDLINE_RE = re.compile(r"(?<![\d.])(?:\(0\d{2,3}\)\s?|0\d{2,3}-)\d{7,8}(?:-\d{1,5})?(?!\d)")
ID_RE = re.compile(r"(?<![\dA-Za-z])(\d{17}[\dXx])(?![\dA-Za-z])")
EMAIL_RE = re.compile(r"(?<![\w.+-])([\w.+-]+)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def valid_resident_id(number: str) -> bool:
    """GB 11643-1999 checksum and a plausible birth date."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], ID_WEIGHTS, strict=True))
    if ID_CHECK[total % 11] != number[17].upper():
        return False
    year, month, day = int(number[6:10]), int(number[10:12]), int(number[12:14])
    return 1900 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31


def _mask(value: str) -> str:
    return value[:3] + "*" * max(0, len(value) - 5) + value[-2:] if len(value) > 5 else "***"


CARD_RE = re.compile(r"(?<![\dA-Za-z])([2-6]\d{12,18})(?![\dA-Za-z])")
# a number followed by one of these is a quantity, not a phone or card number
UNIT_RE = re.compile(r"\s*+(?:吨|千克|公斤|克|万|亿|元|美元|个|人|家|台|套|次|件|条|项|米|公里|平方|立方|年|%|‰|"
                     r"(?:t|kg|mg|g|km|m|mm|l|ml|kwh|mwh|usd|cny|rmb|tons?|tonnes?|yuan)\b)", re.IGNORECASE)
# a number after one of these (within a few characters) is a batch, order or product number
BATCH_RE = re.compile(r"(?:批号|批次|编号|型号|订单号?|合同号|序列号|lot|batch|serial|order|no\.?|#)\s*+[:：]?\s*+$",
                      re.IGNORECASE)


# what a writer can put between two digits that the reader does not see, or sees as nothing: HTML
# comments and tags, emphasis markers, brackets around an area code
MARKUP_IN_NUMBER_RE = re.compile(r"<!--.*?-->|<[^<>]{0,200}>")
# web addresses are sources, not contact data: the digits of an article id are no phone number
# (an e-mail address is not an address of this kind: it has no scheme)
URL_RE = re.compile(r"\bhttps?://[^\s<>()\[\]]++")
OBFUSCATED_AT_RE = re.compile(r"\s*[\[(（［]\s*(?:at|AT|At)\s*[\])）］]\s*|\s+(?:at|AT)\s+(?=[\w-]+(?:\s*[\[(（［]\s*dot\s*[\])）］]\s*|\.)[a-z]{2,})")
OBFUSCATED_DOT_RE = re.compile(r"\s*[\[(（［]\s*(?:dot|DOT)\s*[\])）］]\s*")
DIGIT_SEPARATOR_RE = re.compile(r"(?<=\d)[ \u00a0\-\u2010-\u2015()*_~`]{1,3}(?=\d)")


# Invisible characters that are not format characters (Cf): the rest of Unicode's
# Default_Ignorable_Code_Point (DerivedCoreProperties.txt) - combining grapheme joiner, Hangul fillers,
# Khmer inherent vowels, Mongolian variation selectors, variation selectors, musical formatting, tags.
DEFAULT_IGNORABLE = frozenset(chr(c) for low, high in (
    (0x034F, 0x034F), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180F), (0x3164, 0x3164), (0xFE00, 0xFE0F),
    (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF)) for c in range(low, high + 1))
SPACE_CATEGORIES = frozenset({"Zs", "Zl", "Zp"})


def _as_seen(char: str) -> str:
    """What the reader sees of *char*: nothing for an invisible one (Cf, default-ignorable), a space
    for any space, line or paragraph separator, else the character."""
    category = unicodedata.category(char)
    if category == "Cf" or char in DEFAULT_IGNORABLE:
        return ""
    return " " if category in SPACE_CATEGORIES else char


def normalise_for_pii(line: str) -> str:
    """The text as a reader sees it, for the personal-data patterns: character references decoded
    (&#49; is 1, &#64; is @), markup and comments removed, invisible and formatting characters
    (Unicode category Cf: zero-width spaces, joiners, soft hyphens, bidi controls; and the other
    default-ignorable code points: variation selectors, Hangul fillers) removed, every space, line and
    paragraph separator (Zs, Zl, Zp) read as a space, full-width forms made ASCII (NFKC), "[at]" and
    "[dot]" read as @ and ., and spaces, hyphens, brackets and emphasis between digits removed, so
    that 138 0013 8000 reads as one number."""
    text = html.unescape(MARKUP_IN_NUMBER_RE.sub("", URL_RE.sub(" ", line)))
    text = unicodedata.normalize("NFKC", text)
    if not text.isascii():  # ASCII holds no invisible character and no space but the space
        text = "".join(map(_as_seen, text))
    text = OBFUSCATED_DOT_RE.sub(".", OBFUSCATED_AT_RE.sub("@", text))
    return DIGIT_SEPARATOR_RE.sub("", text)


def _is_quantity_or_batch(text: str, start: int, end: int) -> bool:
    return bool(UNIT_RE.match(text, end)) or bool(BATCH_RE.search(text[max(0, start - 12):start]))


def luhn(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


# A line that holds none of these holds no personal data the patterns below can read: every character
# str.isdigit() accepts (\d and the superscript, circled and other compatibility digits that NFKC
# turns into ASCII ones; tests/test_pii.py holds the list against the running Unicode database), @ and ＠.
PII_TRIGGER_RE = re.compile("[\\d@\uff20\u00b2\u00b3\u00b9\u1369-\u1371\u19da\u2070-\u2089\u2460-\u24ff"
                            "\u2776-\u2793\U00010a40-\U00010a43\U00010e60-\U00010e68\U00011052-\U0001105a"
                            "\U0001f100-\U0001f10a]")


@rule(Scope.PAGE)
def check_pii(page: Page, ctx: Context) -> list[Finding]:
    """Personal data as the reader sees it (normalise_for_pii) in the page's text."""
    if page.text is None:
        return []
    return pii_in_lines(page, list(enumerate(page.text.split("\n"), 1)), ctx)


def pii_in_lines(where: Page | str, lines: list[tuple[int, str]], ctx: Context) -> list[Finding]:
    """Personal data in numbered lines of *where* (a page, or the repository path of a subtitle file, a
    text asset, an SVG's text, a data file's entry), also when a number is split across two
    consecutive lines: the pair is read joined, and what spans the join is reported at the first."""
    out: list[Finding] = []
    normalised: dict[int, str] = {}  # each line is normalised once, also when it is the next line's pair

    def seen(index: int) -> str:
        if index not in normalised:
            normalised[index] = normalise_for_pii(lines[index][1]) if index < len(lines) else ""
        return normalised[index]

    for index, (number, raw_line) in enumerate(lines):
        if not PII_TRIGGER_RE.search(raw_line) and not OBFUSCATED_AT_RE.search(raw_line):
            continue
        out += _pii_in(where, number, raw_line, seen(index), ctx)
        following = lines[index + 1][1] if index + 1 < len(lines) else ""
        head, tail = seen(index).rstrip(), seen(index + 1).lstrip()
        if head[-1:].isdigit() and tail[:1].isdigit():
            out += _pii_in(where, number, raw_line + following, head + tail, ctx, spanning=len(head))
    return out


def _pii_in(page: Page | str, number: int, raw_line: str, line: str, ctx: Context, spanning: int | None = None) -> list[Finding]:
    """The personal data in one normalised *line*; with *spanning*, only what crosses that offset."""
    def crosses(start: int, end: int) -> bool:
        return spanning is None or start < spanning < end

    out = []
    allowed = tuple(d.lower() for d in ctx.email_allowlist_domains)
    ids = set()
    for m in ID_RE.finditer(line):
        if valid_resident_id(m.group(1)) and not _is_quantity_or_batch(line, m.start(), m.end()) and crosses(m.start(), m.end()):
            ids.add(m.group(1))
            out.append(finding("pii", "resident-id", page, number, value=_mask(m.group(1))))
    for m in MOBILE_RE.finditer(line):
        if not _is_quantity_or_batch(line, m.start(), m.end()) and crosses(m.start(), m.end()):
            out.append(finding("pii", "mobile", page, number, value=_mask("".join(m.groups()))))
    landlines = set()
    for m in LANDLINE_RE.finditer(line):
        if not _is_quantity_or_batch(line, m.start(), m.end()) and crosses(m.start(), m.end()):
            landlines.add(re.sub(r"\D", "", m.group(0)).lstrip("0"))
            out.append(finding("pii", "landline", page, number, value=_mask(m.group(0))))
    # landlines in the forms the pattern does not know (010 6234 5678, +86-10-62345678): libphonenumber
    if spanning is None:
        visible = URL_RE.sub(" ", raw_line)
        for phone in find_phone_numbers(visible):
            national = phone.e164.removeprefix("+86")
            if phone.kind == "landline" and national not in landlines \
                    and not _is_quantity_or_batch(visible, phone.start, phone.end):
                landlines.add(national)
                out.append(finding("pii", "landline", page, number, value=phone.masked))
    for m in CARD_RE.finditer(line):
        digits = m.group(1)
        if digits not in ids and luhn(digits) and not _is_quantity_or_batch(line, m.start(), m.end()) \
                and crosses(m.start(), m.end()):
            out.append(finding("pii", "bank-card", page, number, value=_mask(digits)))
    for m in EMAIL_RE.finditer(line):
        domain = m.group(2).lower()
        if not any(domain == d or domain.endswith("." + d) for d in allowed) and crosses(m.start(), m.end()):
            out.append(finding("pii", "email", page, number, value=_mask(m.group(0)), allowed=", ".join(allowed) or "-"))
    return out


# --- images -------------------------------------------------------------------------------------------
@rule(Scope.PAGE)
def check_image_alt(page: Page, ctx: Context) -> list[Finding]:
    return [finding("image-alt", "empty", page, link.line, src=link.href) for link in page.links
            if link.image and not link.text.strip()]


# --- review ---------------------------------------------------------------------------------------------
@rule(Scope.PAGE)
def check_review(page: Page, ctx: Context) -> list[Finding]:
    if page.text is None or page.meta_error or not isinstance(page.meta.get("review"), dict):
        return []
    out = []
    line = page.line_of("review")
    orgs = ctx.data.reviewers.organisations
    approvals = page.review.get("approvals") or []
    approvers: set[str] = set()
    for item in approvals if isinstance(approvals, list) else []:
        if not isinstance(item, dict):
            continue
        by, when = item.get("by"), item.get("date")
        if not isinstance(by, str) or by not in orgs:  # a list or mapping typed as `by` is not an organisation
            out.append(finding("review", "unknown-reviewer", page, line, by=by, known=", ".join(orgs)))
        else:
            approvers.add(by)
        day = iso_date(when)
        if day is None:
            out.append(finding("review", "bad-date", page, line, by=by, value=when))
        elif day > ctx.today:
            out.append(finding("review", "future-date", page, line, by=by, date=day.isoformat(), today=ctx.today.isoformat()))
    status = page.review_status
    required = ctx.data.required_reviewers(page.track or "general")
    missing = [org for org in required if org not in approvers]
    # a translation's approvals are recorded on its source page (kb/trust/approvals.py checks the pair)
    is_translation = isinstance(page.translation, dict) and "from" in page.translation
    if status == "approved" and missing and not is_translation:
        out.append(finding("review", "approved-without-approvals", page, line, missing=", ".join(missing),
                           track=page.track or "general"))
    for manual_id, spec in ctx.manuals.items() if ctx.release and status != "approved" else ():
        if spec.includes(type=page.type, track=page.track, in_manual=page.in_manual):
            out.append(finding("review", "release-unapproved", page, line, status=status or "-", manual=manual_id,
                               required=", ".join(required)))
    return out


# --- event records --------------------------------------------------------------------------------------
@rule(Scope.PAGE)
def check_event(page: Page, ctx: Context) -> list[Finding]:
    """One event record against the thresholds of its programme (the page's track) and kind
    (data/event-thresholds.yml); the series rules (combined viewers, trainings per year) are in
    kb.checks.tree.check_event_series."""
    event = page.meta.get("event")
    if page.type != "event" or not isinstance(event, dict):
        return []
    out: list[Finding] = []
    line = page.line_of("event")
    kind, status = event.get("kind"), event.get("status")
    limits = ctx.data.event_limits(page.track, kind)
    programme = page.track or "general"
    day = iso_date(event.get("date"))
    _, problem = knowledge_record(page.meta)
    if problem is not None:
        out.append(finding("event", "knowledge-test", page, line, problem=problem))
    banks = ctx.data.question_banks
    for module in session_modules(page.meta):
        if module not in banks:
            bank = f"{ctx.data.settings.data_dir}/questions/{module[:-3]}.yml"
            out.append(finding("event", "no-question-bank", page, line, module=module, bank=bank))
    if status == "planned":
        if day is not None and day < ctx.today:
            out.append(finding("event", "planned-in-past", page, line, date=day.isoformat()))
        return out
    if status != "held":
        return out
    participants = event.get("participants") if isinstance(event.get("participants"), dict) else {}
    total, women, men = (participants.get(k) for k in ("total", "women", "men"))
    if day is None:
        out.append(finding("event", "held-without-date", page, line))
    if kind in ("training", "seminar", "livestream"):
        if not all(isinstance(v, int) for v in (total, women, men)):
            out.append(finding("event", "sex-disaggregation", page, line))
        elif women + men != total:
            out.append(finding("event", "sum", page, line, women=women, men=men, total=total))
    if isinstance(total, int):
        if limits.participants_min is not None and total < limits.participants_min:
            out.append(finding("event", "too-few", page, line, kind=kind, programme=programme, total=total,
                               min=limits.participants_min))
        if limits.participants_max is not None and total > limits.participants_max:
            out.append(finding("event", "too-many", page, line, kind=kind, programme=programme, total=total,
                               max=limits.participants_max))
    hours = event.get("duration_hours")
    if limits.duration_hours_min is not None and (not isinstance(hours, (int, float)) or hours < limits.duration_hours_min):
        out.append(finding("event", "too-short", page, line, kind=kind, programme=programme, hours=hours,
                           min=limits.duration_hours_min))
    viewers = event.get("viewers")
    if limits.viewers_min is not None and (not isinstance(viewers, int) or viewers < limits.viewers_min):
        out.append(finding("event", "too-few-viewers", page, line, viewers=viewers, min=limits.viewers_min))
    experts = event.get("experts")
    if limits.experts_min is not None and (not isinstance(experts, int) or experts < limits.experts_min):
        out.append(finding("event", "too-few-experts", page, line, experts=experts, min=limits.experts_min))
    ids = set(page.heading_ids)
    if limits.requires_section and limits.requires_section not in ids:
        out.append(finding("event", "no-minutes", page, line, id=limits.requires_section))
    missing = [s for s in limits.record_sections if s not in ids]
    if missing:
        out.append(finding("event", "record-sections", page, line, kind=kind, programme=programme,
                           missing=", ".join(missing)))
    return out


# --- gaps ---------------------------------------------------------------------------------------------------
def page_gaps(page: Page, ctx: Context) -> list[tuple[int, str]]:
    """Gap markers, plus the event fields still empty that matter for the event's kind."""
    gaps = list(page.gap_markers)
    event = page.meta.get("event")
    if page.type == "event" and isinstance(event, dict):
        kind = event.get("kind")  # not a string: the front-matter rule reports it, no gap fields apply
        wanted = ctx.data.model.event.gap_fields.get(kind, []) if isinstance(kind, str) else []
        for dotted in wanted:
            value: Any = event
            for part in dotted.split("."):
                value = value.get(part) if isinstance(value, dict) else None
            if value is None:
                gaps.append((page.line_of("event"), f"event.{dotted}"))
    video = page.meta.get("video")
    if isinstance(video, dict):
        for dotted in ctx.data.model.video.gap_fields:
            value = video
            for part in dotted.split("."):
                value = value.get(part) if isinstance(value, dict) else None
            if value is None:
                gaps.append((page.line_of("video"), f"video.{dotted}"))
    return gaps


@rule(Scope.PAGE)
def check_gaps(page: Page, ctx: Context) -> list[Finding]:
    return [finding("gap", "marked", page, line, text=text) for line, text in page_gaps(page, ctx)]
