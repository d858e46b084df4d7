"""Benchmark of the PDF step (kb/print/manual), not a timed test. Called by ./scripts/bench (bench/run.py), or:

    .venv/bin/python bench/pdf.py                  # corpora of 30 and 120 page pairs
    .venv/bin/python bench/pdf.py --sizes 30,120,480 --json bench-results/pdf.json

For each corpus of N bilingual page pairs (training modules with headings, paragraphs of real
Chinese / English sentences, a table, a code block, a list, an SVG figure and an answers section):

1. the site is built once with KB_PDF=0 (HTML build time);
2. per language, each in its own process (peak memory = the child's ru_maxrss from os.wait4):
   - ours: the manual as the build makes it (assembly + WeasyPrint render + PDF write), no cache;
   - plain: the same cleaned article HTML concatenated into one document with the content
     stylesheet only (no cover, contents, bookmarks, running header, page references), rendered
     with HTML(string=...).write_pdf(); ratio = ours / plain, in wall time and in CPU time (the
     child's process_time: less disturbed by other work on a shared machine);
3. a full build with KB_PDF=1 (cold cache: manuals, handouts, panels), then the same build again
   with nothing changed, which must render nothing (the log's "N PDFs rendered, M reused"), then
   one character of one Chinese module changed and built again (one-page edit): the PDF step's
   time of each (the log's "... in S s"), what it rendered, and the peak memory of the whole build
   (the build and its render processes together, their proportional set sizes sampled from /proc);
4. the same three builds on the real site (a copy of this project in a git repository of its own),
   unless --no-site.

The optional peer, mkdocs-to-pdf, is measured only if installed; otherwise "peer not installed".
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.sample import copy_project, without_hooks
from kb.build import generator
from kb.content.navigation import NavEntry

REPO = Path(__file__).resolve().parent.parent

ZH = [
    "电石法聚氯乙烯生产使用低汞触媒，可以明显减少单位产品的用汞量。",
    "《关于汞的水俣公约》于 2017 年 8 月 16 日生效，附件 B 第二部分对氯乙烯单体生产提出了减汞要求。",
    "企业应建立触媒用汞台账，如实记录采购、装填、更换和废触媒的去向。",
    "废汞触媒属于含汞危险废物，必须交由具备资质的单位回收处理。",
    "性别主流化要求在项目设计、实施和监测的各个环节考虑妇女和男子的不同需求。",
    "按性别分列的数据是评估示范单位性别行动计划实施成效的基础。",
]
EN = [
    "Calcium carbide PVC production uses low-mercury catalysts to cut the mercury used per tonne of product.",
    "The Minamata Convention on Mercury entered into force on 16 August 2017; Annex B, Part II sets mercury "
    "reduction requirements for vinyl chloride monomer production.",
    "Plants keep a catalyst mercury ledger covering purchase, loading, replacement and the fate of spent catalyst.",
    "Spent mercury catalyst is hazardous mercury waste and must go to a licensed recovery operator.",
    "Gender mainstreaming asks that the different needs of women and men be considered in project design, "
    "implementation and monitoring.",
    "Sex-disaggregated data is the basis for assessing how demonstration units implement the gender action plan.",
]
SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="800" height="360" viewBox="0 0 800 360" font-family="Noto Sans CJK SC, sans-serif">
<rect width="800" height="360" fill="#f5f8f7"/>
<rect x="160" y="60" width="140" height="240" fill="#00695c"/><rect x="500" y="180" width="140" height="120" fill="#26a69a"/>
<text x="230" y="335" text-anchor="middle" font-size="24">{before}</text>
<text x="570" y="335" text-anchor="middle" font-size="24">{after}</text>
</svg>
"""
LABELS = {
    "zh": {"heads": ["学习目标", "主要内容", "技术要点", "要点回顾", "练习", "参考答案"], "title": "培训模块",
           "table": ["指标", "基准年", "目标年", "说明"], "before": "减汞前", "after": "减汞后", "section": "培训模块",
           "fig": "减汞前后单位产品用汞量对比", "q": "附件 B 第二部分的减汞目标是什么？", "a": "到 2020 年单位产品用汞量比 2010 年减少 50%。"},
    "en": {"heads": ["Learning objectives", "Content", "Technical points", "Key points", "Exercises", "Answers"],
           "title": "Training module", "table": ["Indicator", "Baseline", "Target", "Notes"], "before": "Before",
           "after": "After", "section": "Training modules", "fig": "Mercury use per tonne before and after",
           "q": "What is the reduction target of Annex B, Part II?",
           "a": "Halving mercury use per unit of production by 2020 against 2010."},
}
IDS = ["objectives", "content", "technical", "key-points", "exercises", "answers"]


def module_page(lang: str, i: int, n: int) -> str:
    lab, s = LABELS[lang], (ZH if lang == "zh" else EN)
    sep = "" if lang == "zh" else " "

    def para(k: int, count: int = 4) -> str:
        return sep.join(s[(i + k + j) % len(s)] for j in range(count))

    rows = "\n".join(f"| {s[(i + r) % len(s)][:18]} | 2010 | 2020 | {para(r, 1)[:40]} |" for r in range(6))
    nxt = f"m{(i + 1) % n:04d}.md"
    link = f"见[下一模块]({nxt})。" if lang == "zh" else f"See [the next module]({nxt})."
    h = lab["heads"]
    return f"""---
title: {lab['title']} {i:04d}
type: module
track: mercury
review:
  status: draft
  approvals: []
---

## {h[0]} {{#{IDS[0]}}}

{para(0)}

## {h[1]} {{#{IDS[1]}}}

{para(1, 6)}

{para(2, 5)} {link}

| {' | '.join(lab['table'])} |
|---|---|---|---|
{rows}

![{lab['fig']}](img/figure.svg)

```python
def intensity(mercury_kg: float, vcm_tonnes: float) -> float:
    \"\"\"Mercury used per tonne of VCM.\"\"\"
    return mercury_kg / vcm_tonnes
```

## {h[2]} {{#{IDS[2]}}}

- {s[i % len(s)]}
- {s[(i + 1) % len(s)]}
- {s[(i + 2) % len(s)]}

{para(3, 6)}

## {h[3]} {{#{IDS[3]}}}

- {s[(i + 3) % len(s)]}
- {s[(i + 4) % len(s)]}

## {h[4]} {{#{IDS[4]}}}

1. {lab['q']}

## {h[5]} {{#{IDS[5]}}}

1. {lab['a']}
"""


def index_page(lang: str) -> str:
    title = "基准测试首页" if lang == "zh" else "Benchmark home"
    body = (ZH if lang == "zh" else EN)[0]
    return f"---\ntitle: {title}\ntype: page\ntrack: general\nreview:\n  status: draft\n  approvals: []\n---\n\n{body}\n"


def make_corpus(dest: Path, pairs: int) -> Path:
    """A project folder with the repository's settings, data, theme, hooks and kb, and N module pairs."""
    if dest.exists():
        shutil.rmtree(dest)
    copy_project(dest, site=True)
    for lang in ("zh", "en"):
        root = dest / "docs" / lang
        (root / "modules" / "img").mkdir(parents=True)
        (root / "index.md").write_text(index_page(lang), encoding="utf-8")
        (root / "modules" / "img" / "figure.svg").write_text(
            SVG.format(before=LABELS[lang]["before"], after=LABELS[lang]["after"]), encoding="utf-8")
        for i in range(pairs):
            (root / "modules" / f"m{i:04d}.md").write_text(module_page(lang, i, pairs), encoding="utf-8")
    return dest


def manifest(project: Path, lang: str) -> list[NavEntry]:
    """What the hook's on_nav records, for the corpus's navigation (home, then the modules)."""
    prefix = "" if lang == "zh" else "en/"
    entries = [NavEntry(lang=lang, file_lang=lang, rel="index.md", path=f"docs/{lang}/index.md",
                        url=prefix or "./", dest=f"{prefix}index.html", title=None, section=None)]
    for path in sorted((project / "docs" / lang / "modules").glob("m*.md")):
        rel = f"modules/{path.name}"
        entries.append(NavEntry(lang=lang, file_lang=lang, rel=rel, path=f"docs/{lang}/{rel}",
                                url=f"{prefix}modules/{path.stem}/", dest=f"{prefix}modules/{path.stem}/index.html",
                                title=None, section=LABELS[lang]["section"]))
    return entries


# --- measurements -------------------------------------------------------------------------------------------
BENCH_DAY = time.strftime("%Y-%m-%d")  # one date for every build of a run (no edition change at midnight)


def _env(pdf: bool) -> dict[str, str]:
    env = {**os.environ, "KB_PDF": "1" if pdf else "0", "KB_TODAY": BENCH_DAY}
    env.pop("KB_RELEASE", None)
    return env


def _tree_memory_mb(pid: int) -> float:
    """Memory of *pid* and all its descendants (MB), from /proc (Linux): the sum of their proportional
    set sizes (Pss: a page shared by k processes counts 1/k in each, so forked render workers do not
    count their parent's pages again), or of their resident sizes where smaps_rollup is unreadable."""
    total, stack, seen = 0, [pid], set()
    while stack:
        p = stack.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            try:
                rows = Path(f"/proc/{p}/smaps_rollup").read_text().splitlines()
                wanted = "Pss:"
            except OSError:
                rows = Path(f"/proc/{p}/status").read_text().splitlines()
                wanted = "VmRSS:"
            total += sum(int(row.split()[1]) for row in rows if row.startswith(wanted))
            for task in Path(f"/proc/{p}/task").iterdir():
                stack += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return total / 1024


def mkdocs_build(project: Path, pdf: bool) -> dict:
    """One build; its time, the PDF step's summary line and the peak memory of the process tree."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(generator.command("build"), cwd=project, env=_env(pdf), stdout=subprocess.DEVNULL,
                                stderr=err)
        peak = 0.0
        while proc.poll() is None:
            peak = max(peak, _tree_memory_mb(proc.pid))
            time.sleep(0.2)
        seconds = time.perf_counter() - start
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        raise RuntimeError(f"mkdocs build failed in {project}:\n{stderr[-3000:]}")
    m = re.search(r"kb manual: (\d+) PDFs rendered, (\d+) reused.* in ([\d.]+) s", stderr)
    return {"seconds": seconds, "rendered": int(m.group(1)) if m else None, "reused": int(m.group(2)) if m else None,
            "pdf_s": float(m.group(3)) if m else None, "peak_mb": peak}


def edit_one_character(project: Path) -> Path:
    """Change one character of the first Chinese module page (what an author's small fix does)."""
    pages = sorted(p for p in (project / "docs" / "zh").rglob("*.md") if "modules" in p.parts)
    page = pages[0]
    text = page.read_text(encoding="utf-8")
    body = text.index("\n---", 3) + 4 if text.startswith("---") else 0
    # the first Chinese character of the body (its first section: printed in the manual and the handout)
    at = next(i for i, ch in enumerate(text) if i >= body and "\u4e00" <= ch <= "\u9fff")
    page.write_text(text[:at] + ("汞" if text[at] != "汞" else "铅") + text[at + 1:], encoding="utf-8")
    return page


def three_builds(project: Path) -> dict:
    """Cold (empty cache), no change, one-page edit: the full builds with PDFs."""
    shutil.rmtree(project / ".cache" / "pdf", ignore_errors=True)
    out = {"cold": mkdocs_build(project, pdf=True), "unchanged": mkdocs_build(project, pdf=True)}
    out["edited_page"] = str(edit_one_character(project).relative_to(project))
    out["edit"] = mkdocs_build(project, pdf=True)
    out["edit_over_cold"] = out["edit"]["pdf_s"] / out["cold"]["pdf_s"] if out["cold"]["pdf_s"] else None
    return out


def real_site_copy(dest: Path) -> Path:
    """This project (pages, settings, data, theme, hooks, kb) in a git repository of its own, as a
    checkout is built: the versions printed come from its commits."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(REPO, dest, ignore=shutil.ignore_patterns(
        ".git", ".venv", "site", "site.building", ".cache", "__pycache__", "tests", "bench-results"))
    home = dest.parent / "git-home"
    home.mkdir(exist_ok=True)
    (home / "gitconfig").write_text("[user]\n\tname = Bench\n\temail = bench@example.org\n")
    env = {**os.environ, "GIT_CONFIG_GLOBAL": str(home / "gitconfig"), "GIT_CONFIG_NOSYSTEM": "1"}
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "--no-gpg-sign", "-m", "copy"]):
        subprocess.run(["git", *args], cwd=dest, env=env, check=True, capture_output=True)
    return dest


def measure(project: Path, lang: str, mode: str) -> dict:
    """Run one measurement in a child process; add its peak memory (ru_maxrss) from os.wait4."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tmp:
        result_path = Path(tmp.name)
    proc = subprocess.Popen([sys.executable, "-m", "bench.pdf", "--child", mode, "--project", str(project), "--lang", lang,
                             "--result", str(result_path)], env=_env(False))
    tree_peak = 0.0
    while True:  # the sum over the process and its render workers (a manual in parts renders in several)
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        tree_peak = max(tree_peak, _tree_memory_mb(proc.pid))
        time.sleep(0.2)
    proc.returncode = os.waitstatus_to_exitcode(status)
    try:
        if proc.returncode != 0:
            raise RuntimeError(f"measurement {mode}/{lang} failed with status {proc.returncode}")
        result = json.loads(result_path.read_text(encoding="utf-8"))
    finally:
        result_path.unlink(missing_ok=True)
    result["peak_mb"] = usage.ru_maxrss / 1024  # Linux: kilobytes; the largest single process
    result["tree_peak_mb"] = tree_peak
    return result


def _child(mode: str, project: Path, lang: str, result: Path) -> None:
    from kb.checks import engine
    from kb.print.manual.assemble import Assembler
    from kb.print.manual.build import to_job
    from kb.print.manual.content import inner_html, parse_page
    from kb.print.manual.plan import manual_plans, plan_language
    from kb.print.manual.render import require_cjk_font
    from kb.print.manual.schedule import render_all
    from kb.project.data import ProjectData
    from kb.project.settings import load_settings

    settings = load_settings(project, environ={"KB_PDF": "0"})
    data = ProjectData(settings)
    site = settings.site_path
    require_cjk_font()
    entries = manifest(project, lang)
    out: dict = {"lang": lang, "mode": mode}
    if mode == "ours":
        report = engine.run(settings, data, lang="en")
        start, cpu = time.perf_counter(), time.process_time()
        # the corpus's pages belong to one track: its manual is the one measured
        plan = max(manual_plans(settings, data, report, plan_language(lang, entries, report)), key=lambda m: len(m.chapters))
        document = Assembler(settings, data, site).manual(plan, site / "bench.pdf")
        out["assemble_s"] = time.perf_counter() - start
        # as the build renders it: a manual over 2 x print.part_kb in parts on every core, merged; an empty cache
        with tempfile.TemporaryDirectory(prefix="bench-cache-") as cache:
            summary = render_all([to_job(document, site)], Path(cache), memory_budget_mb=settings.print.memory_mb)
        outcome = summary.outcomes[0]
        # CPU time of this process and of the part workers it waited for
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        out.update(seconds=time.perf_counter() - start, render_s=outcome.seconds, pdf_pages=outcome.pages,
                   chapters=len(plan.chapters), parts=len(document.parts),
                   cpu_s=time.process_time() - cpu + children.ru_utime + children.ru_stime)
    else:
        from weasyprint import CSS, HTML

        articles = [inner_html(parse_page(site, e.dest).article) for e in entries]
        html = (f"<!doctype html><html lang=\"{'zh-CN' if lang == 'zh' else 'en'}\"><head><meta charset=\"utf-8\">"
                "<title>plain</title></head><body>" + "".join(f"<article>{a}</article>" for a in articles)
                + "</body></html>")
        css = CSS(filename=str(settings.root / "overrides" / "manual" / "content.css"))
        start, cpu = time.perf_counter(), time.process_time()
        document = HTML(string=html, base_url=site.resolve().as_uri() + "/").render(stylesheets=[css])
        document.write_pdf()
        out.update(seconds=time.perf_counter() - start, pdf_pages=len(document.pages), cpu_s=time.process_time() - cpu)
    result.write_text(json.dumps(out), encoding="utf-8")


def peer_status() -> str:
    if importlib.util.find_spec("mkdocs_to_pdf") is None:
        return "peer not installed (./scripts/bench --peer installs requirements-bench.txt)"
    return "mkdocs-to-pdf 0.12.1, one build per language"


def peer_config(project: Path, lang: str) -> Path:
    """The corpus's configuration for mkdocs-to-pdf: one language (it cannot do both in one build),
    without our hooks (the peer's pipeline alone), the plugin last."""
    config = (project / "mkdocs.yml").read_text(encoding="utf-8")
    config = without_hooks(config)
    config = config.replace("  - i18n:\n", f"  - i18n:\n      build_only_locale: {lang}\n", 1)
    plugin = (f"  - to-pdf:\n      output_path: downloads/peer-{lang}.pdf\n"
              f"      toc_title: {'目录' if lang == 'zh' else 'Contents'}\n      cover_title: bench\n")
    config = re.sub(r"^(markdown_extensions:)", plugin + "\n\\1", config, count=1, flags=re.M)
    path = project / f"mkdocs-peer-{lang}.yml"
    path.write_text(config, encoding="utf-8")
    return path


def peer_build(project: Path, lang: str) -> dict:
    """One mkdocs-to-pdf build (site and PDF) of one language, with its peak memory."""
    config = peer_config(project, lang)
    site = project / f"site-peer-{lang}"
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config), "-d", str(site)],
                            cwd=project, env=_env(False), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    stderr = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"mkdocs-to-pdf build failed ({lang}):\n{stderr[-3000:]}")
    pdf = site / "downloads" / f"peer-{lang}.pdf"
    from pypdf import PdfReader

    return {"seconds": seconds, "pdf_pages": len(PdfReader(pdf).pages), "peak_mb": usage.ru_maxrss / 1024}


def bench_pdf(corpus_sizes: tuple[int, ...] = (30, 120, 480), workdir: Path | None = None, site: bool = True) -> dict:
    """Measure the PDF step on corpora of the given numbers of page pairs; print a table; return the figures."""
    import weasyprint

    results: dict = {"weasyprint": weasyprint.__version__, "cpus": os.cpu_count(), "peer": peer_status(),
                     "load_average": os.getloadavg(), "corpora": []}
    with tempfile.TemporaryDirectory(prefix="bench-pdf-") as tmp:
        base = workdir or Path(tmp)
        for pairs in corpus_sizes:
            project = make_corpus(base / f"corpus-{pairs}", pairs)
            html_build = mkdocs_build(project, pdf=False)
            row: dict = {"pairs": pairs, "html_build_s": html_build["seconds"], "languages": {}}
            for lang in ("zh", "en"):
                ours = measure(project, lang, "ours")
                plain = measure(project, lang, "plain")
                row["languages"][lang] = {
                    "pdf_pages": ours["pdf_pages"], "chapters": ours["chapters"], "seconds": ours["seconds"],
                    "assemble_s": ours["assemble_s"], "render_s": ours["render_s"], "peak_mb": ours["peak_mb"],
                    "tree_peak_mb": ours["tree_peak_mb"], "parts": ours.get("parts", 0),
                    "plain_seconds": plain["seconds"], "plain_pages": plain["pdf_pages"], "plain_peak_mb": plain["peak_mb"],
                    "ratio_to_plain": ours["seconds"] / plain["seconds"],
                    "cpu_s": ours.get("cpu_s"), "plain_cpu_s": plain.get("cpu_s"),
                    "cpu_ratio_to_plain": ours["cpu_s"] / plain["cpu_s"] if ours.get("cpu_s") and plain.get("cpu_s") else None,
                    "ms_per_pdf_page": 1000 * ours["seconds"] / ours["pdf_pages"],
                }
            row["builds"] = three_builds(project)
            row["full_build_cold"] = row["builds"]["cold"]
            if importlib.util.find_spec("mkdocs_to_pdf") is not None:
                peer = {lang: peer_build(project, lang) for lang in ("zh", "en")}
                row["peer"] = peer
                row["peer_total_s"] = sum(p["seconds"] for p in peer.values())
                # ours also makes a handout per module and the panels; the peer makes the two manuals only
                row["peer_over_ours"] = row["peer_total_s"] / row["full_build_cold"]["seconds"]
            results["corpora"].append(row)
            print_row(row)
            if workdir is None:
                shutil.rmtree(project, ignore_errors=True)
        if site:
            project = real_site_copy(base / "real-site")
            results["real_site"] = three_builds(project)
            print_builds("real site", results["real_site"])
            if workdir is None:
                shutil.rmtree(project, ignore_errors=True)
    results["load_average_after"] = os.getloadavg()
    print(f"WeasyPrint {results['weasyprint']}, {results['cpus']} CPUs; mkdocs-to-pdf: {results['peer']}")
    return results


_HEADER_PRINTED = False


def print_row(row: dict) -> None:
    global _HEADER_PRINTED
    if not _HEADER_PRINTED:
        print(f"{'pairs':>5} {'lang':>4} {'PDF pp':>6} {'parts':>5} {'ours s':>7} {'ms/pp':>6} {'plain s':>7} {'ratio':>5} "
              f"{'CPU ratio':>9} {'peak MB (one process, all)':>26} {'plain MB':>8} | {'HTML s':>6}")
        _HEADER_PRINTED = True
    for i, (lang, r) in enumerate(row["languages"].items()):
        tail = f"{row['html_build_s']:6.1f}" if i == 0 else ""
        cpu_ratio = f"{r['cpu_ratio_to_plain']:.2f}" if r.get("cpu_ratio_to_plain") else "?"
        peaks = f"{r['peak_mb']:.0f}, {r['tree_peak_mb']:.0f}"
        print(f"{row['pairs']:5d} {lang:>4} {r['pdf_pages']:6d} {r['parts']:5d} {r['seconds']:7.1f} {r['ms_per_pdf_page']:6.0f} "
              f"{r['plain_seconds']:7.1f} {r['ratio_to_plain']:5.2f} {cpu_ratio:>9} {peaks:>26} {r['plain_peak_mb']:8.0f} | {tail}")
    print_builds(f"{row['pairs']} pairs", row["builds"])
    if "peer" in row:
        per = ", ".join(f"{lang} {p['seconds']:.1f} s ({p['pdf_pages']} pp, {p['peak_mb']:.0f} MB)"
                        for lang, p in row["peer"].items())
        print(f"{row['pairs']:5d} peer mkdocs-to-pdf, one build per language: {per}; total {row['peer_total_s']:.1f} s "
              f"= {row['peer_over_ours']:.2f}x our whole cold build (site, manuals, handouts, panels)")


def print_builds(what: str, builds: dict) -> None:
    """The PDF step of the cold, no-change and one-page-edit builds: seconds, PDFs rendered/reused, peak MB."""
    cells = []
    for name in ("cold", "unchanged", "edit"):
        b = builds[name]
        pdf_s = f"{b['pdf_s']:.1f}" if b["pdf_s"] is not None else "?"
        cells.append(f"{name} {pdf_s} s ({b['rendered']} rendered, {b['reused']} reused; build {b['seconds']:.1f} s, "
                     f"peak {b['peak_mb']:.0f} MB)")
    ratio = f"{builds['edit_over_cold']:.0%}" if builds.get("edit_over_cold") is not None else "?"
    print(f"  {what}: PDF step " + "; ".join(cells) + f"; edit/cold {ratio} ({builds['edited_page']})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="30,120", help="page pairs per corpus (480 is slow: --sizes 30,120,480)")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument("--keep", type=Path, help="build the corpora in this folder and keep them")
    parser.add_argument("--no-site", action="store_true", help="skip the builds of the real site (a copy of this project)")
    parser.add_argument("--child", choices=["ours", "plain"], help=argparse.SUPPRESS)
    parser.add_argument("--project", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--lang", help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child, args.project, args.lang, args.result)
        return 0
    results = bench_pdf(tuple(int(x) for x in args.sizes.split(",") if x), workdir=args.keep, site=not args.no_site)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
