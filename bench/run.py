"""Benchmark of the pipeline (not a timed test): ./scripts/bench.

Generates corpora of N bilingual page pairs, then reports, measured in one run:
- ./scripts/check time per corpus (linearity): cold, with nothing changed and after a one-page
  edit (kb.content.rendercache keeps each page's render between runs);
- MkDocs build time with the project's hooks against the same build without them (hook overhead):
  cold (the checks render every page, as in CI) and warm (an author's next build, their renders kept),
  and how long the cold build waited for the checks it runs beside it;
- the check's time as a fraction of the build's;
- the PDF step's figures (bench/pdf.py), unless --no-pdf."""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.corpus import REPO, _git_repository, _timed, make_corpus
from bench.nav import bench_navigation, print_rows
from bench.pdf import bench_pdf, real_site_copy
from bench.sample import copy_project
from bench.serve import edit_to_preview
from kb.build import generator
from kb.content import rendercache

RESULTS = REPO / "bench" / "results" / "latest.json"
WAIT_RE = re.compile(r"kb checks: ran beside the build, which waited ([\d.]+) s")


def _timed_build(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall time of a build with the hooks, and how long it waited for its background checks (its log)."""
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{result.stderr[-3000:]}")
    waits = [float(m.group(1)) for m in WAIT_RE.finditer(result.stderr + result.stdout)]
    return elapsed, sum(waits)


def bench_checks_and_hooks(sizes: list[int], build_sizes: list[int], work: Path, repeats: int = 5) -> list[dict]:
    """./scripts/check cold (no render cache), with nothing changed and after a one-page edit, and
    (build_sizes) the build without hooks, with hooks, and the time the build waited for its checks."""
    env = {**os.environ, "KB_PDF": "0", "KB_TODAY": "2026-11-21", "NO_MKDOCS_2_WARNING": "1"}
    env.pop("CI", None)  # the render cache is off in CI (kb.project.settings); measured is an author's run
    env.pop("KB_CHECK_CACHE", None)
    rows = []
    for n in sizes:
        project = make_corpus(work / f"corpus-{n}", n)
        _git_repository(project)
        check = [sys.executable, "-m", "kb.cli", "check", "--format", "json"]
        check_env = {**env, "PYTHONPATH": str(project)}
        row: dict = {"pairs": n, "pages": 2 * n + 2}
        row["check_s"] = _timed(check, project, check_env)
        row["check_no_change_s"] = _timed(check, project, check_env)
        edited = project / "docs" / "zh" / "p0001.md"
        edited.write_text(edited.read_text(encoding="utf-8").replace("学习目标", "学习目的", 1), encoding="utf-8")
        row["check_edit_s"] = _timed(check, project, check_env)
        if n in build_sizes:
            # alternate the two builds so that a warm cache favours neither; the fastest of *repeats* each,
            # because one build's time varies by ±5 % on a shared machine (a ratio of single runs by ±0.1)
            with_hooks, without, waits, warm = [], [], [], []
            for _ in range(repeats):
                without.append(_timed(generator.command("build", "-q", "-f", "mkdocs-nohooks.yml", "-d", str(work / "site-a")), project, env))
                cache = rendercache.cache_file(project)
                if cache is not None:
                    cache.unlink(missing_ok=True)  # the build's checks run cold (CI, a fresh clone)
                seconds, waited = _timed_build(generator.command("build", "-d", str(work / "site-b")), project, env)
                with_hooks.append(seconds)
                waits.append(waited)
                # an author's next build: the checks' renders kept in the git directory (kb.content.rendercache)
                warm.append(_timed_build(generator.command("build", "-d", str(work / "site-b")), project, env)[0])
            row["build_repeats"] = repeats
            row["build_without_hooks_s"] = min(without)
            row["build_with_hooks_s"] = min(with_hooks)
            row["build_waited_for_checks_s"] = waits[with_hooks.index(min(with_hooks))]
            row["hook_overhead"] = row["build_with_hooks_s"] / row["build_without_hooks_s"] - 1
            row["hooks_vs_plain"] = round(row["build_with_hooks_s"] / row["build_without_hooks_s"], 2)
            row["build_with_hooks_warm_s"] = min(warm)
            row["hooks_warm_vs_plain"] = round(row["build_with_hooks_warm_s"] / row["build_without_hooks_s"], 2)
            row["check_vs_build"] = row["check_s"] / row["build_with_hooks_s"]
            row["check_edit_vs_build"] = row["check_edit_s"] / row["build_with_hooks_s"]
            row["wait_vs_build"] = row["build_waited_for_checks_s"] / row["build_with_hooks_s"]
        rows.append(row)
        shutil.rmtree(project, ignore_errors=True)
    return rows


PATHOLOGICAL = {
    # one page each; a line of 1 MB is over the limits and refused before parsing, the others are
    # just under the limits (data/limits.yml) and go through every check, Markdown included
    "1 MB line of '<a '": lambda: "<a " * 350_000,
    "5,000 '[' over 50 lines": lambda: "\n".join(["[" * 100] * 50),
    "4,900 chars of '`'": lambda: "a" + "`" * 4_900,
    "4,900 chars of '*' and '_'": lambda: "*_" * 2_450,
    "4,900 chars of '{'": lambda: "{" * 4_900,
    "list nested 24 levels": lambda: "\n".join("    " * i + "- x" for i in range(25)),
    "10,000 lines of '<!--'": lambda: "\n".join(["<!-- " + "x" * 20] * 10_000),
}


def bench_pathological(work: Path) -> list[dict]:
    """./scripts/check on one project per pathological page: wall time of the whole command."""
    env = {**os.environ, "KB_PDF": "0", "KB_TODAY": "2026-11-21"}
    rows = []
    front = "---\ntitle: x\ntype: page\ntrack: general\nreview: {status: draft, approvals: []}\n---\n\n"
    for name, make in PATHOLOGICAL.items():
        project = work / "pathological"
        if project.exists():
            shutil.rmtree(project)
        copy_project(project, site=True)  # the project's own kb/ and mkdocs.yml: checked is this page only
        (project / "docs" / "zh").mkdir(parents=True, exist_ok=True)
        (project / "docs" / "zh" / "p.md").write_text(front + make() + "\n", encoding="utf-8")
        seconds = _timed([sys.executable, "-m", "kb.cli", "check", "--format", "json"], project,
                         {**env, "PYTHONPATH": str(project)})
        rows.append({"input": name, "check_s": seconds})
    return rows


def bench_serve(pairs: int) -> list[dict]:
    """Edit-to-preview of ./scripts/serve on a copy of the real site and on a corpus of *pairs* pairs."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="kb-bench-serve-") as tmp:
        site = real_site_copy(Path(tmp) / "site")
        rows.append({"project": "real site", **edit_to_preview(site, "zh/mercury/modules/02-low-mercury-catalyst.md",
                                                             "mercury/modules/02-low-mercury-catalyst/")})
        corpus = make_corpus(Path(tmp) / "corpus", pairs)
        _git_repository(corpus)
        rows.append({"project": f"{pairs} pairs", **edit_to_preview(corpus, "zh/p0001.md", "p0001/")})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="250,500,1000", help="page pairs per corpus for the check (default 250,500,1000)")
    parser.add_argument("--build-sizes", default="250,1000", help="corpora also built with and without hooks")
    parser.add_argument("--build-repeats", type=int, default=5,
                        help="builds of each kind (plain, hooks cold, hooks warm), alternated; the fastest counts (default 5)")
    parser.add_argument("--no-pdf", action="store_true", help="skip the PDF benchmark")
    parser.add_argument("--pdf-sizes", default="30,120,480", help="page pairs per corpus for the PDF benchmark")
    parser.add_argument("--no-site", action="store_true",
                        help="PDF benchmark: skip the cold/no-change/edit builds of the real site (a copy of this project)")
    parser.add_argument("--peer", action="store_true",
                        help="install the peer (requirements-bench.txt: mkdocs-to-pdf) and measure it too")
    parser.add_argument("--nav-sizes", default="",
                        help="also build sectioned corpora of these sizes with and without Material's navigation.prune "
                             "(bench/nav.py), e.g. 120,480")
    parser.add_argument("--json", type=Path, default=RESULTS,
                        help=f"write the results as JSON here (default {RESULTS.relative_to(REPO)})")
    parser.add_argument("--no-serve", action="store_true",
                        help="skip the edit-to-preview time of ./scripts/serve on the real site and the smallest corpus")
    parser.add_argument("--pathological-only", action="store_true",
                        help="only time ./scripts/check on pathological pages (1 MB line, long runs, deep nesting)")
    args = parser.parse_args(argv)
    if args.pathological_only:
        with tempfile.TemporaryDirectory(prefix="kb-bench-") as tmp:
            patho = bench_pathological(Path(tmp))
        for r in patho:
            print(f"{r['check_s']:7.2f} s  ./scripts/check on {r['input']}")
        if args.json:
            args.json.write_text(json.dumps({"pathological": patho}, indent=2), encoding="utf-8")
        return 0
    sizes = [int(x) for x in args.sizes.split(",") if x]
    build_sizes = [int(x) for x in args.build_sizes.split(",") if x]
    results: dict = {}
    with tempfile.TemporaryDirectory(prefix="kb-bench-") as tmp:
        rows = bench_checks_and_hooks(sizes, build_sizes, Path(tmp), max(1, args.build_repeats))
        patho = bench_pathological(Path(tmp))
    results["checks"] = rows
    results["pathological"] = patho
    for r in patho:
        print(f"{r['check_s']:7.2f} s  ./scripts/check on {r['input']}")
    print(f"{'pairs':>6} {'check s':>8} {'s/100 pairs':>11} {'no change':>9} {'1-page edit':>11} "
          f"{'build no hooks':>14} {'with hooks':>10} {'warm':>10} {'overhead':>8} {'waited':>6} "
          f"{'check/build':>11} {'edit/build':>10} {'waited/build':>12}")
    for r in rows:
        extra = (f"{r['build_without_hooks_s']:14.2f} {r['build_with_hooks_s']:10.2f} {r['build_with_hooks_warm_s']:10.2f} {r['hook_overhead']:8.1%} "
                 f"{r['build_waited_for_checks_s']:6.2f} {r['check_vs_build']:11.1%} {r['check_edit_vs_build']:10.1%} "
                 f"{r['wait_vs_build']:12.1%}") if "hook_overhead" in r else ""
        print(f"{r['pairs']:6d} {r['check_s']:8.2f} {100 * r['check_s'] / r['pairs']:11.3f} {r['check_no_change_s']:9.2f} "
              f"{r['check_edit_s']:11.2f} {extra}")
    if not args.no_serve:
        results["serve"] = bench_serve(min(sizes or [120]))
        for r in results["serve"]:
            print(f"edit to preview ({r['project']}): median {r['median_s']:.2f} s of {r['edits_s']}; first build "
                  f"{r['first_build_s']:.1f} s; port free after stopping: {r['port_free_after_stop']}")
    if args.peer:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r",
                        str(REPO / "requirements-bench.txt")], check=True)
    if not args.no_pdf:
        results["pdf"] = bench_pdf(tuple(int(x) for x in args.pdf_sizes.split(",") if x), site=not args.no_site)
    if args.nav_sizes:
        with tempfile.TemporaryDirectory(prefix="kb-bench-nav-") as tmp:
            results["navigation"] = bench_navigation([int(x) for x in args.nav_sizes.split(",") if x], Path(tmp))
        print_rows(results["navigation"])
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        results["measured"] = {"date": time.strftime("%Y-%m-%d %H:%M"), "cpus": os.cpu_count(), "argv": argv or sys.argv[1:]}
        args.json.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
        print(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
