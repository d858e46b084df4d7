"""Corpora for the benchmarks: N bilingual page pairs in a committed git work tree, and a timer."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

from bench.sample import copy_project, without_hooks
from kb.content.pages import body_hash

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
    """The corpus as a committed git work tree, as an author's checkout is (kb.content.rendercache reads its
    cache only there)."""
    for args in (["init", "-q"], ["add", "-A"],
                 ["-c", "user.name=bench", "-c", "user.email=bench@example.org", "commit", "-qm", "corpus"]):
        subprocess.run(["git", "-C", str(project), *args], check=True, capture_output=True)
