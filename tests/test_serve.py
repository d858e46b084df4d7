"""./scripts/serve as an author uses it (kb.cli serve: the generator's live server with the hook):
an edit of a page, of a data file or of kb.yml shows in the served page, and Ctrl-C stops it
quietly with the port free and no process left behind. Loopback only."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sitebuild import FIXTURES, TODAY, make_project

from bench.serve import _fetch, _free_port, _port_in_use, _wait_for
from kb.content.pages import body_hash

pytestmark = pytest.mark.build
WAIT_S = 60.0


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_serve_shows_edits_of_pages_data_and_settings_and_stops_cleanly(tmp_path: Path):
    project = make_project(tmp_path / "p", FIXTURES / "site-basic", site=True)
    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    env = {**os.environ, "KB_PDF": "0", "KB_TODAY": TODAY}
    log = tmp_path / "serve.log"  # a file, not a pipe: a pipe nobody reads would stop the server when full
    with log.open("w", encoding="utf-8") as out:
        server = subprocess.Popen([sys.executable, "-m", "kb.cli", "serve", "--", "--dev-addr", f"127.0.0.1:{port}"],
                                  cwd=project, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        assert _wait_for(url, None, time.perf_counter() + WAIT_S), "serve did not start"
        assert "报告问题" in (_fetch(url) or "")
        # a page
        index = project / "docs" / "zh" / "index.md"
        index.write_text(index.read_text(encoding="utf-8") + "\n作者刚保存的一句话。\n", encoding="utf-8")
        assert _wait_for(url, "作者刚保存的一句话", time.perf_counter() + WAIT_S), "the page edit was not shown"
        # a data file: interface text
        ui = project / "data" / "ui.yml"
        ui.write_text(ui.read_text(encoding="utf-8").replace("report_problem: 报告问题", "report_problem: 报告一个问题", 1),
                      encoding="utf-8")
        assert _wait_for(url, "报告一个问题", time.perf_counter() + WAIT_S), "the data file edit was not shown"
        # the project settings: saving kb.yml rebuilds the site (the generator says it reloads the browsers)
        rebuilds = log.read_text(encoding="utf-8").count("Reloading browsers")
        settings = project / "kb.yml"
        settings.write_text(settings.read_text(encoding="utf-8") + "\n# saved\n", encoding="utf-8")
        deadline = time.perf_counter() + WAIT_S
        while log.read_text(encoding="utf-8").count("Reloading browsers") == rebuilds and time.perf_counter() < deadline:
            time.sleep(0.1)
        assert log.read_text(encoding="utf-8").count("Reloading browsers") > rebuilds, "saving kb.yml did not rebuild"
    finally:
        os.killpg(server.pid, signal.SIGINT)  # Ctrl-C in the author's terminal
        server.wait(timeout=60)
    output = log.read_text(encoding="utf-8")
    assert server.returncode == 130, output[-2000:]
    assert "Traceback" not in output, output[-2000:]
    assert output.rstrip().endswith("stopped")
    assert not _port_in_use(port)
    assert not _group_alive(server.pid), "a process of serve is still running"


def _serve(project: Path, log: Path, port: int, *args: str) -> subprocess.Popen:
    env = {**os.environ, "KB_PDF": "0", "KB_TODAY": TODAY}
    with log.open("w", encoding="utf-8") as out:
        return subprocess.Popen([sys.executable, "-m", "kb.cli", "serve", *args, "--", "--dev-addr", f"127.0.0.1:{port}"],
                                cwd=project, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def _search_docs(base: str, lang: str) -> list[dict]:
    return json.loads(_fetch(f"{base}search/{lang}.json") or "{}").get("docs", [])


def test_a_saved_page_renders_with_its_translation_and_the_rest_stays_whole(tmp_path: Path):
    """serve renders what a save changed (kb.build.preview): the edited page and its translation, which
    now says its source changed; the other pages keep their titles in the navigation and their search
    entries; a changed title (front matter) renders every page, whose navigation shows it."""
    project = make_project(tmp_path / "p", FIXTURES / "site-basic", site=True)
    zh, en = project / "docs" / "zh" / "mercury" / "low-mercury.md", project / "docs" / "en" / "mercury" / "low-mercury.md"
    stamp = f"translation: {{from: zh, hash: {body_hash(zh.read_text(encoding='utf-8'))}}}\n---\n"
    en.write_text(en.read_text(encoding="utf-8").replace("---\n", stamp, 2).replace(stamp, "---\n", 1), encoding="utf-8")
    port, log = _free_port(), tmp_path / "serve.log"
    base = f"http://127.0.0.1:{port}/"
    server = _serve(project, log, port)
    try:
        assert _wait_for(f"{base}en/mercury/low-mercury/", "Using low-mercury", time.perf_counter() + WAIT_S), log.read_text()
        assert "outdated" not in (_fetch(f"{base}en/mercury/low-mercury/") or "")
        zh_docs_before = _search_docs(base, "zh")
        assert any(d["location"].startswith("gender/intro/") for d in zh_docs_before)
        # a save of the body: this page and its translation render, nothing else
        assert "no-such-section" not in (_fetch(f"{base}status/") or "")
        zh.write_text(zh.read_text(encoding="utf-8") + "\n预览里刚写的一句话，[见下文](#no-such-section)。\n", encoding="utf-8")
        assert _wait_for(f"{base}mercury/low-mercury/", "预览里刚写的一句话", time.perf_counter() + WAIT_S), log.read_text()
        assert _wait_for(f"{base}en/mercury/low-mercury/", "This translation may be outdated", time.perf_counter() + WAIT_S)
        assert "rendering docs/zh/mercury/low-mercury.md and its translation" in log.read_text(encoding="utf-8")
        assert "no-such-section" in (_fetch(f"{base}status/") or "")  # the status page lists the new finding
        edited = _fetch(f"{base}mercury/low-mercury/") or ""
        assert "性别主流化简介" in edited  # another page's title in the navigation, though it was not rendered
        zh_docs = _search_docs(base, "zh")
        assert any("预览里刚写的一句话" in re.sub(r"[\s\u200b]", "", d.get("text", "")) for d in zh_docs)  # jieba's word breaks aside
        assert {d["location"] for d in zh_docs if not d["location"].startswith("mercury/low-mercury/")} == \
            {d["location"] for d in zh_docs_before if not d["location"].startswith("mercury/low-mercury/")}
        # a new title: every page renders, and another page's navigation shows it
        intro = project / "docs" / "zh" / "gender" / "intro.md"
        intro.write_text(intro.read_text(encoding="utf-8").replace("title: 性别主流化简介", "title: 性别主流化入门", 1), encoding="utf-8")
        assert _wait_for(f"{base}mercury/low-mercury/", "性别主流化入门", time.perf_counter() + WAIT_S), log.read_text()
    finally:
        os.killpg(server.pid, signal.SIGINT)
        server.wait(timeout=60)
    assert "Traceback" not in log.read_text(encoding="utf-8")
    assert "'dirty' build" not in log.read_text(encoding="utf-8")  # MkDocs' warning does not hold here
