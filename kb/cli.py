"""Command line: ``python -m kb.cli build|serve|check|translated|approve|trust|pr-report`` (the scripts/ wrappers call it).

Exit status: 0 success, 1 errors found (or the build failed), 2 usage or configuration mistake."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from kb.authoring.approve import ApproveError, approve
from kb.authoring.reviewcopy import CopyError, accept_copy, add_certificate, copies_folder, make_copy
from kb.authoring.translate import StampError, stamp, translation_errors
from kb.build import generator, sitedir
from kb.build.offline import build_offline_zip
from kb.build.prreport import PrReportError, build_report, write_report
from kb.checks.engine import run
from kb.content.siteconfig import mkdocs_yml_problems
from kb.project.commandline import Parser, UsageError, default_lang
from kb.project.data import ProjectData
from kb.project.findings import Catalog, Finding, format_github, format_json, format_text
from kb.project.git import Git
from kb.project.settings import ENV_PDF, ENV_RELEASE, Settings, SettingsError, load_settings
from kb.trust.overview import overview


def _parser() -> argparse.ArgumentParser:
    parser = Parser(prog="kb", description="Knowledge-site tools")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    check = sub.add_parser("check", help="run the completeness checks")
    check.add_argument("--format", choices=("text", "json", "github"), default="text")
    check.add_argument("--release", action="store_true", help="release mode: fail on what makes published content unsafe or false; unapproved pages of a training manual are listed (that manual is not released)")
    check.add_argument("--strict", action="store_true", help="fail on any error finding (overdue deliverables, pages awaiting review, lapsed approvals too)")
    check.add_argument("--lang", choices=("zh", "en"), default=None, help="language of the messages")
    check.add_argument("--min-severity", choices=("error", "warning", "info"), default="warning",
                       help="lowest severity printed in text format (default: warning)")
    check.add_argument("paths", nargs="*", help="limit the report to these files or folders")

    build = sub.add_parser("build", help="build the site (and the PDF manuals) into site/")
    build.add_argument("--release", action="store_true", help="publish the site unless a finding makes it unsafe or false; release each manual, handout and panel whose pages are approved, refuse the others")
    build.add_argument("--strict", action="store_true", help="after building, fail (exit 1) when any error finding remains (the site is still built)")
    build.add_argument("--no-pdf", action="store_true", help="skip the PDF manuals")
    build.add_argument("--no-offline", action="store_true", help="skip the offline copy (downloads/offline-site.zip)")

    serve = sub.add_parser("serve", help="live preview with the checks on")
    serve.add_argument("--pdf", action="store_true", help="also build the PDF manuals")
    serve.add_argument("--full", action="store_true",
                       help="render every page on each save (default: the edited page and its translation, "
                            "every page when more than a page's text changed)")
    serve.add_argument("extra", nargs=argparse.REMAINDER)

    tr = sub.add_parser("translated", help="stamp translated pages with their source's hash")
    tr.add_argument("--from", dest="source_lang", default=None, help="language of the source (default: the other)")
    tr.add_argument("--override", default=None, metavar="WHY",
                    help="stamp even though the checks find errors in the translation; WHY is recorded in the stamp")
    tr.add_argument("paths", nargs="+")

    tc = sub.add_parser("trust", help="show the trust chain: the root, each organisation's keys and the commits that listed them, what is missing")
    tc.add_argument("--lang", choices=("zh", "en"), default=None, help="language of the output")
    tc.add_argument("--add-certificate", nargs=2, metavar=("ORG", "FILE"),
                    help="list a reviewer's certificate (.cer/.pem) in ORG's allowed-signers file; then commit it signed")
    tc.add_argument("--name", default=None, help="with --add-certificate: the name to list it under (default: its common name)")

    rc = sub.add_parser("review-copy", help="make the PDF a reviewer signs (Acrobat: Use a certificate) to approve page pairs")
    rc.add_argument("--for", dest="org", default=None, help="the organisation that will sign it (data/reviewers.yml)")
    rc.add_argument("--accept", metavar="SIGNED_PDF", default=None,
                    help="take a signed copy back: verify it, file it under data/review-copies/ORG/, mark the pairs it completes approved")
    rc.add_argument("--track", default=None, help="every page pair of this programme that awaits ORG's approval")
    rc.add_argument("--all", dest="every", action="store_true", help="with --track: every pair of the programme, approved or not")
    rc.add_argument("-o", "--output", default=None, help="the PDF to write (default: review-copy-ORG-….pdf here)")
    rc.add_argument("paths", nargs="*", help="pages (either language) whose pairs the copy holds")

    pr = sub.add_parser("pr-report", help="the pull-request report: trust files changed, changed page pairs and their state, findings, printed pages before and after (Markdown and HTML, each language)")
    pr.add_argument("--base", required=True, help="the base revision (e.g. origin/main)")
    pr.add_argument("--head", default="HEAD", help="the pull request's revision, checked out here (default: HEAD)")
    pr.add_argument("--base-site", required=True, type=Path, help="the site built from the base revision")
    pr.add_argument("--head-site", required=True, type=Path, help="the site built from the head revision")
    pr.add_argument("--out", type=Path, default=Path("pr-report"), help="folder for report-<lang>.md/.html and images/ (default: pr-report)")
    pr.add_argument("--pr", default=None, help="the pull request's number (links to the preview when kb.yml sets preview_url)")
    pr.add_argument("--summary", type=Path, default=None, help="also append every language's Markdown to this file (e.g. $GITHUB_STEP_SUMMARY)")
    pr.add_argument("--no-pdf", action="store_true", help="skip the PDF of each language's HTML report")
    pr.add_argument("--max-images", type=int, default=60, help="at most this many page pictures (default: 60); further changed pages are listed without one")

    ap = sub.add_parser("approve", help="record an organisation's approval of page pairs in a signed commit")
    ap.add_argument("--as", dest="org", required=True, help="the approving organisation (data/reviewers.yml)")
    ap.add_argument("--name", default=None, help="the reviewer's name (default: git config user.name)")
    ap.add_argument("--revoke", action="store_true", help="withdraw the organisation's approval instead")
    ap.add_argument("paths", nargs="+")
    return parser


def cmd_check(args: argparse.Namespace) -> int:
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
    data = ProjectData(settings)
    data.validate()  # every data file's mistakes at once, before anything reads one of them
    settings.check_manuals(data.model.tracks, data.model.types)
    report = run(settings, data, release=args.release or settings.release, lang=lang, only=only)
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
    if args.strict:
        return 1 if report.errors else 0
    return 1 if (report.blocking if report.release else report.errors) else 0


def _mkdocs(command: str, extra: list[str], env: dict[str, str]) -> int:
    root = load_settings().root
    problems = mkdocs_yml_problems(root / "mkdocs.yml")  # before MkDocs' own loader runs its python tags
    if problems:
        print("\n".join(f"error: {p}" for p in problems), file=sys.stderr)
        print("error: mkdocs.yml is refused; nothing was built", file=sys.stderr)
        return 2
    try:
        argv = generator.command(command, *extra, environ=env)
    except generator.GeneratorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    generator_process = subprocess.Popen(argv, cwd=root, env=env)
    try:
        return generator_process.wait()
    except KeyboardInterrupt:
        # Ctrl-C reached the generator too (same process group): let it close its server and free
        # the port, then stop quietly; only a generator that hangs is killed
        try:
            generator_process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            generator_process.kill()
            generator_process.wait()
        print("stopped", file=sys.stderr)
        return 130


def cmd_build(args: argparse.Namespace) -> int:
    env = dict(os.environ)
    if args.release:
        env[ENV_RELEASE] = "1"
    if args.no_pdf:
        env[ENV_PDF] = "0"
    settings = load_settings()
    try:
        with sitedir.build_lock(settings.cache_path):
            return _build_locked(args, settings, env)
    except sitedir.BuildLocked as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def _build_locked(args: argparse.Namespace, settings: Settings, env: dict[str, str]) -> int:
    # Built beside site/ and swapped in when complete: a killed or failed build keeps the last site
    staging = sitedir.building_dir(settings.site_path)
    try:
        status = _mkdocs("build", [*(["--strict"] if args.release else []), "--site-dir", str(staging)], env)
        if status == 0 and not args.no_offline:
            try:
                path = build_offline_zip(settings, env, site=staging)
            except RuntimeError as exc:
                print(f"error: {exc}", file=sys.stderr)
                status = 1
            else:
                print(f"offline copy: {settings.site_dir}/{path.relative_to(staging).as_posix()}", file=sys.stderr)
    except BaseException:
        sitedir.discard(staging)
        raise
    if status != 0:
        sitedir.discard(staging)
        print(f"the previous {settings.site_dir}/ is kept as it was", file=sys.stderr)
        return status
    sitedir.swap_in(staging, settings.site_path)
    return _strict_status(settings.site_path) if args.strict else 0


def _strict_status(site: Path) -> int:
    """--strict: 1 when the built site's report (status.json) holds any error finding."""
    try:
        findings = json.loads((site / "status.json").read_text(encoding="utf-8")).get("findings", [])
    except (OSError, ValueError) as exc:
        print(f"error: --strict cannot read {site / 'status.json'}: {exc}", file=sys.stderr)
        return 1
    errors = [f for f in findings if f.get("severity") == "error"]
    for f in errors:
        print(f"{f.get('path')}:{f.get('line')}: {f.get('rule')}: error: {f.get('message')}", file=sys.stderr)
    if errors:
        print(f"--strict: {len(errors)} error finding(s); the site was built and published as it is", file=sys.stderr)
    return 1 if errors else 0


def cmd_serve(args: argparse.Namespace) -> int:
    env = dict(os.environ)
    env.setdefault(ENV_PDF, "1" if args.pdf else "0")
    extra = [a for a in args.extra if a != "--"]
    if not args.full and "--dirty" not in extra and "--clean" not in extra:
        extra.insert(0, "--dirty")  # the hook decides what else a save renders (kb.build.preview)
    return _mkdocs("serve", extra, env)


def cmd_translated(args: argparse.Namespace) -> int:
    """Stamp each translation, unless the checks find errors in it (exit 1, the findings listed):
    --override "why" stamps anyway and records why in the stamp."""
    settings = load_settings()
    data = ProjectData(settings)
    data.validate()
    lang = default_lang()
    length = data.model.hash_length
    status = 0
    paths = []
    for p in map(Path, args.paths):
        if p.is_file():
            paths.append(p)
        else:
            print(f"error: {p}: no such page", file=sys.stderr)
            status = 1
    try:
        errors = translation_errors(settings, data, paths, lang) if paths else {}
    except ValueError:
        raise UsageError(f"pages must be inside the repository {settings.root}") from None
    for p in paths:
        found = errors.get(p.resolve().relative_to(settings.root.resolve()).as_posix(), [])
        if found and not args.override:
            print(format_text(found), file=sys.stderr)
            print(f"{p}: not stamped: {len(found)} error(s) above. Fix them and run ./scripts/translated again, "
                  "or stamp anyway with --override \"why\" (the reason is recorded in the stamp)", file=sys.stderr)
            status = 1
            continue
        try:
            result = stamp(settings, p, args.source_lang, length, override=args.override if found else None)
        except (StampError, OSError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            status = 1
            continue
        verb = "stamped" if result.changed else "unchanged"
        note = f"; {len(found)} error(s) overridden: {args.override}" if found else ""
        print(f"{p}: {verb} (from {result.source.relative_to(settings.root)}, hash {result.hash}){note}")
    return status


def cmd_approve(args: argparse.Namespace) -> int:
    settings = load_settings()
    name = args.name
    if name is None and not args.revoke:
        name = Git(settings.root).run("config", "--get", "user.name").stdout.strip()
    try:
        outcome = approve(settings, ProjectData(settings), [Path(p) for p in args.paths], args.org, name or "",
                          revoke=args.revoke)
    except ApproveError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.status
    verb = "revoked" if args.revoke else "approved"
    print(f"{args.org} {verb}: {', '.join(outcome.files)} (review.status: {outcome.status}); signed commit {outcome.commit[:10]}")
    for note in outcome.notes:
        print(f"note: {note}", file=sys.stderr)
    return 0


def cmd_review_copy(args: argparse.Namespace) -> int:
    settings = load_settings()
    data = ProjectData(settings)
    data.validate()
    if args.accept:
        return cmd_accept_copy(Path(args.accept), settings, data)
    if not args.org:
        raise UsageError("review-copy needs --for ORG (or --accept SIGNED_PDF)")
    try:
        outcome = make_copy(settings, data, org=args.org, paths=[Path(p) for p in args.paths], track=args.track,
                            output=Path(args.output) if args.output else None, every=args.every)
    except CopyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.status
    folder = copies_folder(settings, args.org).relative_to(settings.root)
    print(f"{outcome.output}: review copy for {args.org}, {len(outcome.pairs)} page pair(s), {outcome.pages} pages")
    print(f"next: the reviewer signs it (Acrobat Reader: Use a certificate) and sends it back; then "
          f"./scripts/review-copy --accept SIGNED.pdf files it under {folder}/ and you commit what it changed")
    return 0


def cmd_accept_copy(signed: Path, settings: Settings, data: ProjectData) -> int:
    try:
        done = accept_copy(settings, data, signed, default_lang())
    except CopyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.status
    where = done.path.relative_to(settings.root)
    print(f"{where}: verified, {done.org}'s approval of {len(done.approved) + len(done.awaiting)} page pair(s)")
    for rel in done.approved:
        print(f"  {rel}: approved by every organisation of its programme")
    for rel, orgs in done.awaiting.items():
        print(f"  {rel}: still awaits {', '.join(orgs)}")
    files = " ".join([str(where), *done.edited])
    print(f"next: git add {files} && git commit -m 'Record {done.org}'s signed review copy'")
    return 0


def cmd_add_certificate(args: argparse.Namespace, settings: Settings, data: ProjectData) -> int:
    org, file = args.add_certificate
    try:
        target, line = add_certificate(settings, data, org, Path(file), args.name)
    except CopyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.status
    rel = target.relative_to(settings.root)
    if not line:
        print(f"{rel}: this certificate is already listed for {org}")
        return 0
    print(f"{rel}: listed {line}")
    print(f"next: compare the fingerprint with the one the reviewer read to you (not by e-mail), then commit it signed "
          f"with your key: git commit -S -m 'List a certificate for {org}' {rel}")
    return 0


def cmd_trust(args: argparse.Namespace) -> int:
    """Exit 0 when every organisation has keys its history vouches for, 1 when something is missing."""
    settings = load_settings()
    data = ProjectData(settings)
    data.validate()
    if args.add_certificate:
        return cmd_add_certificate(args, settings, data)
    lang = args.lang or default_lang()
    ui = data.ui.strings(lang)
    view = overview(settings, data)
    out = [ui["trust_title"], ui["trust_root"].format(root=view.root) if view.root else ui["trust_root_none"],
           ui["trust_managed_by"].format(orgs=", ".join(view.managed_by) or "-"), ""]
    for org in view.organisations:
        state = ui["trust_state_trusted"] if org.trusted else ui["trust_state_untrusted"]
        out.append(ui["trust_org"].format(org=org.org, tracks=", ".join(org.tracks) or "-", file=org.file or "-", state=state))
        for k in org.keys:
            window = "".join(f" {name}={value}" for name, value in (("valid-after", k.valid_after), ("valid-before", k.valid_before)) if value)
            out.append(ui["trust_key"].format(fingerprint=k.fingerprint, principal=k.principal, window=window,
                                              commit=k.commit[:10] or "?", date=k.date or "?", author=k.author or "?",
                                              signer=k.signed_by or ui["trust_unsigned"]))
        if not org.keys:
            out.append(ui["trust_no_keys"])
    if view.missing:
        out += ["", ui["trust_missing_heading"]] + [f"- {ui[key].format(**params)}" for key, params in view.missing]
    if view.problems:
        catalog = Catalog(data.rules, lang)
        found = [catalog.resolve(Finding("approval", p.code, p.path, p.line, dict(p.params))) for p in view.problems]
        out += ["", ui["trust_problems_heading"], format_text(found)]
    if not view.missing and not view.problems:
        out += ["", ui["trust_complete"]]
    print("\n".join(out))
    return 1 if view.missing or view.problems else 0


def cmd_pr_report(args: argparse.Namespace) -> int:
    """Exit 0 when the report is written, 2 when what it was given cannot be read (missing site, unknown revision)."""
    if args.pr is not None and not args.pr.isdigit():
        raise UsageError(f"--pr {args.pr!r}: a pull request's number is digits only")
    if args.max_images < 0:
        raise UsageError("--max-images must be 0 or more")
    settings = load_settings()
    data = ProjectData(settings)
    data.validate()
    out = args.out.resolve()
    try:
        report = build_report(settings, data, base=args.base, head=args.head, base_site=args.base_site.resolve(),
                              head_site=args.head_site.resolve(), out=out, pr=args.pr, max_images=args.max_images)
    except PrReportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    written = write_report(report, settings, data, out, pdf=not args.no_pdf)
    for problem in report.pdf_problems:
        print(f"warning: {problem}", file=sys.stderr)
    if args.summary is not None:
        with args.summary.open("a", encoding="utf-8") as summary:
            for path in written:
                if path.suffix == ".md":
                    summary.write(path.read_text(encoding="utf-8") + "\n")
    for path in written:
        print(path)
    print(f"{len(report.pairs)} page pairs, {len(report.trust_files)} trust files, "
          f"{sum(len(d.pages) for d in report.prints.documents)} printed pages changed "
          f"({report.prints.images} pictures, {report.prints.omitted} over the limit)", file=sys.stderr)
    return 0


COMMANDS = {"check": cmd_check, "build": cmd_build, "serve": cmd_serve, "translated": cmd_translated,
            "approve": cmd_approve, "trust": cmd_trust, "review-copy": cmd_review_copy,
            "pr-report": cmd_pr_report}


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
