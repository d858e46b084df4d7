"""``./scripts/new TYPE PATH``: scaffold a new page pair, docs/<lang>/PATH.md in every language.

Each page gets the front matter of the content model (title, type, track, a draft review and, for
events, an event block of nulls) and the sections its type requires (data/content-model.yml), with
headings in the page's language (data/sections.yml) and a ``[[gap: …]]`` placeholder under each.
The translated pages get no ``translation`` block: the translator stamps it with ./scripts/translated.

Exit status: 0 created, 1 refused (a file is already there; nothing is written), 2 usage or
configuration mistake."""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from kb.project.commandline import Parser, UsageError, default_lang
from kb.project.data import ProjectData
from kb.project.fsutil import write_atomic
from kb.project.schemas import ContentModel, Sections, TypeSpec
from kb.project.settings import Settings, SettingsError, load_settings
from kb.web.site import page_url_for

SEGMENT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")

MESSAGES = {
    "en": {
        "unknown-type": "unknown page type '{value}'. Types: {allowed}",
        "unknown-track": "unknown track '{value}'. Tracks: {allowed}",
        "unknown-kind": "unknown event kind '{value}'. Kinds: {allowed}",
        "track-required": "{rel} is not under a track folder ({folders}/): give --track {allowed}",
        "track-conflict": "{rel} is under {folder}/, so its track is {folder}, not {value}. Pages under {folder}/ "
                          "are reviewed as that track (data/reviewers.yml, .github/CODEOWNERS).",
        "kind-required": "an event page needs --kind {allowed} (it could not be guessed from the file name {name})",
        "kind-not-event": "--kind is only for pages of type event",
        "path-empty": "PATH is empty",
        "path-absolute": "{path}: PATH must be relative to {docs}/<lang>/, e.g. mercury/modules/07-topic",
        "path-dotdot": "{path}: '..' is not allowed; PATH must stay inside {docs}/<lang>/",
        "path-docs": "{path}: PATH is relative to {docs}/<lang>/ (write it without {docs}/): e.g. mercury/modules/07-topic",
        "path-lang": "{path}: PATH is relative to {docs}/<lang>/ and must not start with a language folder; "
                     "./scripts/new creates the page in every language",
        "path-segment": "{path}: '{segment}' is not a valid file or folder name; use letters, digits and hyphens "
                        "(e.g. 07-green-transition)",
        "exists": "refusing to overwrite: {paths} already exist(s). Nothing was written.",
        "url-taken": "refusing to create {path}: {other} already exists and is published at the same address. "
                     "Nothing was written.",
        "no-heading": "warning: data/sections.yml has no heading for section '{id}'; its id is used as the heading",
        "created": "created {path}",
        "next": "next:",
        "step-write": "write the {lang} page {path}: replace each [[gap: …]] with content (or keep it where data "
                      "are still missing) and set the title",
        "step-event": "fill in the event block as facts become known; delete fields that do not apply to a {kind} "
                      "(a null field counts as a gap)",
        "step-nav": "add the page to nav in mkdocs.yml, under its section:   - {rel}",
        "step-check": "./scripts/check {paths}",
        "step-serve": "./scripts/serve   then open http://127.0.0.1:8000/{url}",
        "step-translate": "translate into {path}, then stamp it: ./scripts/translated {path}",
        "placeholder-title": "{stem} (title to be set)",
    },
    "zh": {
        "unknown-type": "未知的页面类型“{value}”。可用类型：{allowed}",
        "unknown-track": "未知的板块“{value}”。可用板块：{allowed}",
        "unknown-kind": "未知的活动类型“{value}”。可用类型：{allowed}",
        "track-required": "{rel} 不在板块目录（{folders}/）下，请用 --track {allowed} 指定板块",
        "track-conflict": "{rel} 位于 {folder}/ 下，板块应为 {folder}，而不是 {value}。{folder}/ 下的页面按该板块审校"
                          "（data/reviewers.yml、.github/CODEOWNERS）。",
        "kind-required": "活动记录页面需要 --kind {allowed}（无法从文件名 {name} 推断）",
        "kind-not-event": "--kind 只用于 event 类型的页面",
        "path-empty": "PATH 为空",
        "path-absolute": "{path}：PATH 应相对于 {docs}/<语言>/，例如 mercury/modules/07-topic",
        "path-dotdot": "{path}：不允许使用“..”，PATH 必须位于 {docs}/<语言>/ 之内",
        "path-docs": "{path}：PATH 相对于 {docs}/<语言>/，不要写 {docs}/，例如 mercury/modules/07-topic",
        "path-lang": "{path}：PATH 相对于 {docs}/<语言>/，不要以语言目录开头；./scripts/new 会为每种语言各建一页",
        "path-segment": "{path}：“{segment}”不是有效的文件名或目录名，请只用字母、数字和连字符（如 07-green-transition）",
        "exists": "拒绝覆盖：{paths} 已存在。未写入任何文件。",
        "url-taken": "拒绝创建 {path}：{other} 已存在，二者会发布到同一网址。未写入任何文件。",
        "no-heading": "警告：data/sections.yml 中没有章节“{id}”的标题，暂用其 ID 作标题",
        "created": "已创建 {path}",
        "next": "下一步：",
        "step-write": "编写{lang}页面 {path}：把每个 [[gap: …]] 替换为正文（数据尚缺的地方保留标记），并填写标题",
        "step-event": "随活动进展填写 event 块；删除不适用于 {kind} 的字段（值为 null 的字段计为待补充）",
        "step-nav": "在 mkdocs.yml 的 nav 相应栏目下加入：   - {rel}",
        "step-check": "./scripts/check {paths}",
        "step-serve": "./scripts/serve   然后打开 http://127.0.0.1:8000/{url}",
        "step-translate": "翻译 {path}，完成后运行：./scripts/translated {path}",
        "placeholder-title": "{stem}（标题待定）",
    },
}
LANGUAGE_NAMES = {"zh": {"zh": "中文", "en": "Chinese"}, "en": {"zh": "英文", "en": "English"}}


class Refused(Exception):
    """Exit status 1: a file is in the way; nothing was written."""


def _parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="./scripts/new",
        description="Scaffold a new page pair (docs/zh/PATH.md and docs/en/PATH.md) with the front matter and "
                    "the required sections of TYPE.",
        epilog="example: ./scripts/new module mercury/modules/07-green-transition --title-zh 绿色转型 "
               "--title-en 'Green transition'",
    )
    parser.add_argument("type", metavar="TYPE", help="page type (module, policy, case, event, panel, report, ...)")
    parser.add_argument("path", metavar="PATH", help="path relative to docs/<lang>/, '.md' optional")
    parser.add_argument("--track", help="mercury | gender | general (guessed from PATH's first folder)")
    parser.add_argument("--title-zh", dest="title_zh", help="Chinese title")
    parser.add_argument("--title-en", dest="title_en", help="English title")
    parser.add_argument("--kind", help="event kind, for TYPE event (guessed from the file name, e.g. training-4)")
    return parser


# --- data ------------------------------------------------------------------------------------------------
def section_ids(spec: TypeSpec, sections: Sections, model: ContentModel, kind: str | None = None,
                event_sections: tuple[str, ...] = ()) -> list[str]:
    """Sections of a new page of type *spec*, in order: the layout in data/sections.yml, plus any
    section the content model requires that the layout lacks (the model is the contract) and, for an
    event, the sections its programme's thresholds require (*event_sections*)."""
    layout = sections.layouts.get(f"{spec.name}:{kind}") if kind else None
    if layout is None:
        layout = sections.layouts.get(spec.name)
    if layout is None:
        layout = [*spec.required_sections, *spec.required_any_section[:1]]
    ids = list(dict.fromkeys(layout))
    ids += [s for s in spec.required_sections if s not in ids]
    if spec.required_any_section and not set(ids) & set(spec.required_any_section):
        ids.append(spec.required_any_section[0])
    if spec.name == "event" and kind:
        # the record sections its programme's thresholds require once held (data/event-thresholds.yml),
        # before the sources
        extra = [s for s in event_sections if s not in ids]
        at = ids.index("sources") if "sources" in ids else len(ids)
        ids[at:at] = extra
    return ids


# --- paths -------------------------------------------------------------------------------------------------
def normalise_path(raw: str, settings: Settings) -> str:
    """PATH as given on the command line -> the page's path relative to docs/<lang>/, ending in .md."""
    docs = settings.docs_dir
    text = raw.strip()
    if not text:
        raise UsageError(_msg("path-empty"))
    if "\\" in text or text.startswith("~") or PurePosixPath(text).is_absolute() or re.match(r"^[A-Za-z]:", text):
        raise UsageError(_msg("path-absolute", path=raw, docs=docs))
    parts = [p for p in PurePosixPath(text).parts if p != "."]
    if ".." in parts:
        raise UsageError(_msg("path-dotdot", path=raw, docs=docs))
    if len(parts) >= 2 and parts[0] == docs and parts[1] in settings.languages:
        parts = parts[2:]  # docs/zh/mercury/x.md: accepted, the language folder is implied
    elif parts and parts[0] == docs:
        raise UsageError(_msg("path-docs", path=raw, docs=docs))
    elif parts and parts[0] in settings.languages:
        raise UsageError(_msg("path-lang", path=raw, docs=docs))
    if not parts:
        raise UsageError(_msg("path-empty"))
    if parts[-1].endswith(".md"):
        parts[-1] = parts[-1][: -len(".md")]
    for segment in parts:
        if not SEGMENT_RE.match(segment) or segment.endswith("."):
            raise UsageError(_msg("path-segment", path=raw, segment=segment))
    return "/".join(parts) + ".md"


def same_address(rel: str) -> str:
    """The other source file MkDocs would publish at the same URL (a/b.md <-> a/b/index.md)."""
    stem = rel[: -len(".md")]
    if stem == "index":
        return rel
    if stem.endswith("/index"):
        return stem[: -len("/index")] + ".md"
    return stem + "/index.md"


def guess_track(rel: str, tracks: list[str]) -> str | None:
    first, sep, _ = rel.partition("/")
    return first if sep and first in tracks else None


def guess_kind(rel: str, kinds: list[str]) -> str | None:
    m = re.match(r"[a-z]+", PurePosixPath(rel).stem.lower())
    return m.group(0) if m and m.group(0) in kinds else None


# --- rendering ---------------------------------------------------------------------------------------------
def _yaml_scalar(key: str, value: str) -> str:
    return yaml.safe_dump({key: value}, allow_unicode=True, default_flow_style=False, width=1_000_000).rstrip("\n")


def event_block(model: ContentModel, kind: str) -> list[str]:
    """The event front matter for a planned event: kind and status set, every other field null."""
    lines = ["event:"]
    statuses = model.event.statuses or ["planned"]
    for name, spec in model.event.fields.items():
        if name == "kind":
            value = kind
        elif name == "status":
            value = "planned" if "planned" in statuses else statuses[0]
        elif name == "participants":
            value = "{total: null, women: null, men: null}"
        elif spec.kind == "mapping":
            value = "{}"
        else:
            value = "null"
        lines.append(f"  {name}: {value}")
    return lines


def render_page(*, lang: str, title: str, type_name: str, track: str, ids: list[str], sections: Sections,
                event: list[str] | None) -> str:
    front = [
        "---",
        _yaml_scalar("title", title),
        f"type: {type_name}",
        f"track: {track}",
        "review:",
        "  status: draft",
        "  approvals: []",
        *(event or []),
        "---",
    ]
    body: list[str] = []
    for ident in ids:
        heading = sections.heading(ident, lang) or ident
        body += ["", f"## {heading} {{#{ident}}}", "", f"[[gap: {sections.gap(ident, lang)}]]"]
    if not ids:
        body += ["", f"[[gap: {sections.page_gap(lang)}]]"]
    return "\n".join(front + body) + "\n"


# --- command -------------------------------------------------------------------------------------------------
_LANG = ["en"]


def _msg(key: str, **params: Any) -> str:
    return MESSAGES[_LANG[0]][key].format(**params)


@dataclass
class Plan:
    rel: str
    files: dict[str, Path]  # language -> absolute path
    contents: dict[str, str]
    kind: str | None


def plan(args: argparse.Namespace, settings: Settings, data: ProjectData, sections: Sections) -> Plan:
    model = data.model
    if args.type not in model.types:
        raise UsageError(_msg("unknown-type", value=args.type, allowed=", ".join(model.types)))
    spec = model.types[args.type]
    rel = normalise_path(args.path, settings)
    tracks = list(model.tracks)
    folder = guess_track(rel, tracks)
    track = args.track or folder
    if args.track is not None and args.track not in tracks:
        raise UsageError(_msg("unknown-track", value=args.track, allowed=", ".join(tracks)))
    if args.track is not None and folder is not None and args.track != folder:
        raise UsageError(_msg("track-conflict", rel=rel, folder=folder, value=args.track))
    if track is None:
        folders = "/, ".join(t for t in tracks if t != "general")
        raise UsageError(_msg("track-required", rel=rel, folders=folders, allowed=" | ".join(tracks)))
    kinds = list(model.event.kinds)
    kind = None
    if args.kind is not None and spec.name != "event":
        raise UsageError(_msg("kind-not-event"))
    if spec.name == "event":
        kind = args.kind or guess_kind(rel, kinds)
        if kind is None:
            raise UsageError(_msg("kind-required", allowed=" | ".join(kinds), name=PurePosixPath(rel).name))
        if kind not in kinds:
            raise UsageError(_msg("unknown-kind", value=kind, allowed=", ".join(kinds)))
    limits = data.event_limits(track, kind)
    needed = ((limits.requires_section,) if limits.requires_section else ()) + limits.record_sections
    ids = section_ids(spec, sections, model, kind, needed)
    for ident in ids:
        if ident not in sections.headings:
            print(_msg("no-heading", id=ident), file=sys.stderr)
    event = event_block(model, kind) if spec.name == "event" else None
    stem = PurePosixPath(rel).stem if PurePosixPath(rel).stem != "index" else PurePosixPath(rel).parent.name
    given = {"zh": args.title_zh, "en": args.title_en}
    files, contents = {}, {}
    for lang in settings.languages:
        title = (given.get(lang) or "").strip() or MESSAGES.get(lang, MESSAGES["en"])["placeholder-title"].format(stem=stem)
        files[lang] = settings.lang_dir(lang) / rel
        contents[lang] = render_page(lang=lang, title=title, type_name=spec.name, track=track, ids=ids,
                                     sections=sections, event=event)
    return Plan(rel=rel, files=files, contents=contents, kind=kind)


def refuse_if_present(p: Plan, settings: Settings) -> None:
    existing = [path for path in p.files.values() if path.exists() or path.is_symlink()]
    if existing:
        raise Refused(_msg("exists", paths=", ".join(_show(path, settings) for path in existing)))
    other = same_address(p.rel)
    if other != p.rel:
        for lang, path in p.files.items():
            twin = settings.lang_dir(lang) / other
            if twin.exists():
                raise Refused(_msg("url-taken", path=_show(path, settings), other=_show(twin, settings)))
    for lang, path in p.files.items():  # a symlinked folder must not lead outside docs/<lang>/
        base = settings.lang_dir(lang).resolve()
        try:
            path.resolve().relative_to(base)
        except ValueError:
            raise UsageError(_msg("path-dotdot", path=p.rel, docs=settings.docs_dir)) from None


def write(p: Plan) -> None:
    written: list[Path] = []
    try:
        for lang, path in p.files.items():
            write_atomic(path, p.contents[lang])
            written.append(path)
    except BaseException:
        for path in written:  # all or nothing
            path.unlink(missing_ok=True)
        raise


def _show(path: Path, settings: Settings) -> str:
    try:
        return path.relative_to(settings.root).as_posix()
    except ValueError:
        return str(path)


def next_steps(p: Plan, settings: Settings) -> list[str]:
    source = settings.default_language
    shown = {lang: _show(path, settings) for lang, path in p.files.items()}
    lang_name = LANGUAGE_NAMES.get(source, {}).get(_LANG[0], source)
    steps = [_msg("step-write", lang=lang_name, path=shown[source])]
    if p.kind:
        steps.append(_msg("step-event", kind=p.kind))
    steps += [
        _msg("step-nav", rel=p.rel),
        _msg("step-check", paths=" ".join(shown.values())),
        _msg("step-serve", url=page_url_for(p.rel, source, source)),
    ]
    steps += [_msg("step-translate", path=shown[lang]) for lang in settings.languages if lang != source]
    return [f"  {i}. {step}" for i, step in enumerate(steps, 1)]


def main(argv: list[str] | None = None, *, root: Path | None = None) -> int:
    _LANG[0] = default_lang()
    try:
        args = _parser().parse_args(argv)
        settings = load_settings(root)
        data = ProjectData(settings)
        p = plan(args, settings, data, data.sections)
        refuse_if_present(p, settings)
        write(p)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except SettingsError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    except Refused as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for path in p.files.values():
        print(_msg("created", path=_show(path, settings)))
    print()
    print(_msg("next"))
    print("\n".join(next_steps(p, settings)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
