"""Benchmark of the pipeline (not a timed test): ./scripts/bench.

Generates corpora of N bilingual page pairs, then reports, measured in one run:
- ./scripts/check time per corpus (linearity): cold, with nothing changed and after a one-page
  edit (kb.rendercache keeps each page's render between runs);
- MkDocs build time with the project's hooks against the same build without them (hook overhead),
  and how long the build waited for the checks it runs beside it;
- the check's time as a fraction of the build's;
- the PDF step's figures (scripts/bench_pdf.py), unless --no-pdf."""

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

from kb import generator, rendercache
from kb.pages import body_hash
from kb.sample import copy_project, without_hooks

REPO = Path(__file__).resolve().parent.parent

ZH_SENTENCES = [
    "电石法聚氯乙烯生产使用低汞触媒，可以减少单位产品用汞量。",
    "《关于汞的水俣公约》于 2017 年 8 月 16 日生效，附件 B 第二部分对氯乙烯单体生产提出了减汞要求。",
    "企业应建立触媒用汞台账，记录采购、装填、更换和废触媒去向。",
    "废汞触媒属于含汞废物，须交由有资质的单位回收处理。",
    "性别主流化要求在项目设计、实施和监测的各个环节考虑妇女和男子的不同需求。",
    "按性别分列的数据是评估示范单位性别行动计划实施成效的基础。",
]
EN_SENTENCES = [
    "Calcium carbide PVC production uses low-mercury catalysts to reduce mercury use per unit of production.",
    "The Minamata Convention on Mercury entered into force on 16 August 2017; Annex B, Part II sets mercury reduction "
    "requirements for vinyl chloride monomer production.",
    "Plants keep a catalyst mercury ledger covering purchase, loading, replacement and the fate of spent catalyst.",
    "Spent mercury catalyst is mercury waste and must go to a licensed recovery operator.",
    "Gender mainstreaming asks that the different needs of women and men be considered in project design, "
    "implementation and monitoring.",
    "Sex-disaggregated data is the basis for assessing how the demonstration units implement the gender action plan.",
]


def _page(lang: str, i: int, n: int) -> str:
    zh = lang == "zh"
    s = ZH_SENTENCES if zh else EN_SENTENCES
    heads = (["学习目标", "主要内容", "要点", "练习", "参考答案"] if zh else
             ["Learning objectives", "Content", "Key points", "Exercises", "Answers"])
    ids = ["objectives", "content", "key-points", "exercises", "answers"]
    para = " ".join(s[(i + k) % len(s)] for k in range(4))
    nxt = f"p{(i + 1) % n:04d}.md"
    title = f"培训模块 {i}" if zh else f"Training module {i}"
    table = ("| 指标 | 数值 |\n|---|---|\n| 减少比例 | 50% |\n| 培训人数 | 60 |\n" if zh else
             "| Indicator | Value |\n|---|---|\n| Reduction | 50% |\n| Trainees | 60 |\n")
    body = [
        f"## {heads[0]} {{#{ids[0]}}}\n\n{para}\n",
        f"## {heads[1]} {{#{ids[1]}}}\n\n{para}\n\n{table}\n" + ("见[下一模块](" if zh else "See [the next module](") + nxt + ")。\n" * zh + ").\n" * (not zh),
        f"## {heads[2]} {{#{ids[2]}}}\n\n- {s[i % len(s)]}\n- {s[(i + 2) % len(s)]}\n",
        f"## {heads[3]} {{#{ids[3]}}}\n\n1. {'汞是什么？' if zh else 'What is mercury?'}\n    - A\n    - B\n",
        f"## {heads[4]} {{#{ids[4]}}}\n\n1. B{'。' if zh else '.'}\n",
    ]
    front = f"---\ntitle: {title}\ntype: module\ntrack: mercury\nreview:\n  status: draft\n  approvals: []\n"
    return front + "---\n\n" + "\n".join(body)


def make_corpus(dest: Path, pairs: int) -> Path:
    """A project folder with the repository's settings, data, theme and hooks and N page pairs."""
    if dest.exists():
        shutil.rmtree(dest)
    copy_project(dest, site=True)
    config = (dest / "mkdocs.yml").read_text(encoding="utf-8")
    (dest / "mkdocs-nohooks.yml").write_text(without_hooks(config), encoding="utf-8")
    for lang in ("zh", "en"):
        (dest / "docs" / lang).mkdir(parents=True, exist_ok=True)
    for i in range(pairs):
        zh = _page("zh", i, pairs)
        en = _page("en", i, pairs).replace("---\n\n", f"translation: {{from: zh, hash: {body_hash(zh)}}}\n---\n\n", 1)
        (dest / "docs" / "zh" / f"p{i:04d}.md").write_text(zh, encoding="utf-8")
        (dest / "docs" / "en" / f"p{i:04d}.md").write_text(en, encoding="utf-8")
    home = "---\ntitle: {t}\ntype: page\ntrack: general\nreview: {{status: draft, approvals: []}}\n---\n\n{b}\n"
    (dest / "docs/zh/index.md").write_text(home.format(t="首页", b="基准测试语料。"), encoding="utf-8")
    (dest / "docs/en/index.md").write_text(home.format(t="Home", b="Benchmark corpus."), encoding="utf-8")
    return dest


def _timed(cmd: list[str], cwd: Path, env: dict[str, str], ok: tuple[int, ...] = (0, 1)) -> float:
    """Wall time of *cmd*; an exit code outside *ok* is a failure (check exits 1 when it finds
    errors: still a measurement; a build passes ok=(0,))."""
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode not in ok:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{result.stderr[-3000:]}")
    return elapsed


def _git_repository(project: Path) -> None:
    """The corpus as a committed git work tree, as an author's checkout is (kb.rendercache reads its
    cache only there)."""
    for args in (["init", "-q"], ["add", "-A"],
                 ["-c", "user.name=bench", "-c", "user.email=bench@example.org", "commit", "-qm", "corpus"]):
        subprocess.run(["git", "-C", str(project), *args], check=True, capture_output=True)


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


def bench_checks_and_hooks(sizes: list[int], build_sizes: list[int], work: Path) -> list[dict]:
    """./scripts/check cold (no render cache), with nothing changed and after a one-page edit, and
    (build_sizes) the build without hooks, with hooks, and the time the build waited for its checks."""
    env = {**os.environ, "KB_PDF": "0", "KB_TODAY": "2026-11-21", "NO_MKDOCS_2_WARNING": "1"}
    env.pop("CI", None)  # the render cache is off in CI (kb.settings); measured is an author's run
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
            # alternate the two builds so that a warm cache favours neither
            with_hooks, without, waits = [], [], []
            for _ in range(2):
                without.append(_timed(generator.command("build", "-q", "-f", "mkdocs-nohooks.yml", "-d", str(work / "site-a")), project, env))
                cache = rendercache.cache_file(project)
                if cache is not None:
                    cache.unlink(missing_ok=True)  # the build's checks run cold
                seconds, waited = _timed_build(generator.command("build", "-d", str(work / "site-b")), project, env)
                with_hooks.append(seconds)
                waits.append(waited)
            row["build_without_hooks_s"] = min(without)
            row["build_with_hooks_s"] = min(with_hooks)
            row["build_waited_for_checks_s"] = waits[with_hooks.index(min(with_hooks))]
            row["hook_overhead"] = row["build_with_hooks_s"] / row["build_without_hooks_s"] - 1
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="250,500,1000", help="page pairs per corpus for the check (default 250,500,1000)")
    parser.add_argument("--build-sizes", default="250,1000", help="corpora also built with and without hooks")
    parser.add_argument("--no-pdf", action="store_true", help="skip the PDF benchmark")
    parser.add_argument("--pdf-sizes", default="30,120,480", help="page pairs per corpus for the PDF benchmark")
    parser.add_argument("--no-site", action="store_true",
                        help="PDF benchmark: skip the cold/no-change/edit builds of the real site (a copy of this project)")
    parser.add_argument("--peer", action="store_true",
                        help="install the peer (requirements-bench.txt: mkdocs-to-pdf) and measure it too")
    parser.add_argument("--nav-sizes", default="",
                        help="also build sectioned corpora of these sizes with and without Material's navigation.prune "
                             "(kb/bench_nav.py), e.g. 120,480")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
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
        rows = bench_checks_and_hooks(sizes, build_sizes, Path(tmp))
        patho = bench_pathological(Path(tmp))
    results["checks"] = rows
    results["pathological"] = patho
    for r in patho:
        print(f"{r['check_s']:7.2f} s  ./scripts/check on {r['input']}")
    print(f"{'pairs':>6} {'check s':>8} {'s/100 pairs':>11} {'no change':>9} {'1-page edit':>11} "
          f"{'build no hooks':>14} {'with hooks':>10} {'overhead':>8} {'waited':>6} "
          f"{'check/build':>11} {'edit/build':>10} {'waited/build':>12}")
    for r in rows:
        extra = (f"{r['build_without_hooks_s']:14.2f} {r['build_with_hooks_s']:10.2f} {r['hook_overhead']:8.1%} "
                 f"{r['build_waited_for_checks_s']:6.2f} {r['check_vs_build']:11.1%} {r['check_edit_vs_build']:10.1%} "
                 f"{r['wait_vs_build']:12.1%}") if "hook_overhead" in r else ""
        print(f"{r['pairs']:6d} {r['check_s']:8.2f} {100 * r['check_s'] / r['pairs']:11.3f} {r['check_no_change_s']:9.2f} "
              f"{r['check_edit_s']:11.2f} {extra}")
    if args.peer:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r",
                        str(REPO / "requirements-bench.txt")], check=True)
    if not args.no_pdf:
        sys.path.insert(0, str(REPO / "scripts"))
        try:
            from bench_pdf import bench_pdf
        except ImportError as exc:
            print(f"PDF benchmark not available: {exc}")
        else:
            results["pdf"] = bench_pdf(tuple(int(x) for x in args.pdf_sizes.split(",") if x), site=not args.no_site)
    if args.nav_sizes:
        from kb.bench_nav import bench_navigation, print_rows

        with tempfile.TemporaryDirectory(prefix="kb-bench-nav-") as tmp:
            results["navigation"] = bench_navigation([int(x) for x in args.nav_sizes.split(",") if x], Path(tmp))
        print_rows(results["navigation"])
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
