"""Command line: ``python -m kb.cli build|serve|check|translated`` (the scripts/ wrappers call it).

Exit status: 0 success, 1 errors found (or the build failed), 2 usage or configuration mistake."""

from __future__ import annotations

import argparse
import locale
import os
import subprocess
import sys
from pathlib import Path

from kb.settings import ENV_LANG, ENV_PDF, ENV_RELEASE, SettingsError, load_settings


def default_lang() -> str:
    value = os.environ.get(ENV_LANG) or os.environ.get("LC_ALL") or os.environ.get("LANG") or ""
    if not value:
        value = (locale.getlocale()[0] or "") if hasattr(locale, "getlocale") else ""
    return "zh" if value.lower().startswith("zh") else "en"


class UsageError(Exception):
    """Exit status 2: the command line is wrong."""


class Parser(argparse.ArgumentParser):
    """argparse that raises UsageError (exit 2 through main()) instead of exiting: testable."""

    def error(self, message: str) -> None:
        self.print_usage(sys.stderr)
        raise UsageError(message)


def _parser() -> argparse.ArgumentParser:
    parser = Parser(prog="kb", description="Knowledge-site tools")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    check = sub.add_parser("check", help="run the completeness checks")
    check.add_argument("--format", choices=("text", "json", "github"), default="text")
    check.add_argument("--release", action="store_true", help="release mode: drafts in the manual are errors")
    check.add_argument("--lang", choices=("zh", "en"), default=None, help="language of the messages")
    check.add_argument("--min-severity", choices=("error", "warning", "info"), default="warning",
                       help="lowest severity printed in text format (default: warning)")
    check.add_argument("paths", nargs="*", help="limit the report to these files or folders")

    build = sub.add_parser("build", help="build the site (and the PDF manuals) into site/")
    build.add_argument("--release", action="store_true", help="fail on any error finding; refuse drafts")
    build.add_argument("--no-pdf", action="store_true", help="skip the PDF manuals")
    build.add_argument("--no-offline", action="store_true", help="skip the offline copy (downloads/offline-site.zip)")

    serve = sub.add_parser("serve", help="live preview with the checks on")
    serve.add_argument("--pdf", action="store_true", help="also build the PDF manuals")
    serve.add_argument("extra", nargs=argparse.REMAINDER)

    tr = sub.add_parser("translated", help="stamp translated pages with their source's hash")
    tr.add_argument("--from", dest="source_lang", default=None, help="language of the source (default: the other)")
    tr.add_argument("paths", nargs="+")
    return parser


def cmd_check(args: argparse.Namespace) -> int:
    from kb.engine import run
    from kb.findings import format_github, format_json, format_text

    settings = load_settings()
    lang = args.lang or default_lang()
    only = None
    if args.paths:
        only = []
        for p in args.paths:
            path = Path(p).resolve()
            if not path.exists():
                raise UsageError(f"{p}: no such file or folder")
            try:
                only.append(path.relative_to(settings.root).as_posix())
            except ValueError:
                raise UsageError(f"{p}: not inside the repository {settings.root}") from None
    report = run(settings, release=args.release or settings.release, lang=lang, only=only)
    findings = report.findings
    if args.format == "json":
        print(format_json(findings))
    elif args.format == "github":
        shown = [f for f in findings if f.severity in ("error", "warning")]
        if shown:
            print(format_github(shown))
    else:
        order = ("error", "warning", "info")
        allowed = order[: order.index(args.min_severity) + 1]
        shown = [f for f in findings if f.severity in allowed]
        if shown:
            print(format_text(shown))
        summary = {s: sum(1 for f in findings if f.severity == s) for s in order}
        label = {"zh": "错误 {error} 个，警告 {warning} 个，提示 {info} 个", "en": "{error} errors, {warning} warnings, {info} notes"}
        print(label[lang].format(**summary), file=sys.stderr)
    return 1 if report.errors else 0


def _mkdocs(command: str, extra: list[str], env: dict[str, str]) -> int:
    root = load_settings().root
    return subprocess.call([sys.executable, "-m", "mkdocs", command, *extra], cwd=root, env=env)


def cmd_build(args: argparse.Namespace) -> int:
    env = dict(os.environ)
    if args.release:
        env[ENV_RELEASE] = "1"
    if args.no_pdf:
        env[ENV_PDF] = "0"
    status = _mkdocs("build", ["--strict"] if args.release else [], env)
    if status != 0 or args.no_offline:
        return status
    from kb.offline import build_offline_zip

    try:
        path = build_offline_zip(load_settings(), env)
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"offline copy: {path.relative_to(load_settings().root)}", file=sys.stderr)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    env = dict(os.environ)
    env.setdefault(ENV_PDF, "1" if args.pdf else "0")
    extra = [a for a in args.extra if a != "--"]
    return _mkdocs("serve", extra, env)


def cmd_translated(args: argparse.Namespace) -> int:
    from kb.data import ProjectData
    from kb.translate import StampError, stamp

    settings = load_settings()
    length = ProjectData(settings).model.hash_length
    status = 0
    for p in args.paths:
        try:
            result = stamp(settings, Path(p), args.source_lang, length)
        except (StampError, OSError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            status = 1
            continue
        verb = "stamped" if result.changed else "unchanged"
        print(f"{p}: {verb} (from {result.source.relative_to(settings.root)}, hash {result.hash})")
    return status


COMMANDS = {"check": cmd_check, "build": cmd_build, "serve": cmd_serve, "translated": cmd_translated}


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
        return COMMANDS[args.command](args)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except SettingsError as exc:
        problems = str(exc).splitlines()
        if len(problems) > 1:  # one `file:line: where: what` per line, as editors and CI read them
            print("\n".join(problems), file=sys.stderr)
            print(f"configuration error: {len(problems)} problems in the data files above", file=sys.stderr)
        else:
            print(f"configuration error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
