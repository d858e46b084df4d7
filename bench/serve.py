"""The author's loop, measured: how long after a page is saved does `./scripts/serve` show the edit?

Starts `python -m kb.cli serve` (the generator's live server with the project's hook, checks on, no
PDFs) on a free loopback port in a copy of a project, waits for the first build, then saves a page
several times with a new word in it and times each save until the served page contains the word.
The server's whole process group is stopped afterwards, and the port is checked to be free again."""

from __future__ import annotations

import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

TIMEOUT_S = 180.0
POLL_S = 0.05


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # loopback only
            return response.read().decode("utf-8", "replace")
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return None


def _wait_for(url: str, word: str | None, deadline: float) -> bool:
    while time.perf_counter() < deadline:
        text = _fetch(url)
        if text is not None and (word is None or word in text):
            return True
        time.sleep(POLL_S)
    return False


def edit_to_preview(project: Path, page: str, url_path: str, edits: int = 3, serve_args: tuple[str, ...] = ()) -> dict:
    """Seconds from saving *page* (under docs/) to the server showing the edit at *url_path*: each
    edit's time, the median, the first build's time, and whether the port was free after stopping."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}/{url_path}"
    env = {**os.environ, "KB_PDF": "0", "PYTHONUNBUFFERED": "1"}
    started = time.perf_counter()
    log = open(project / "serve.log", "w", encoding="utf-8")
    server = subprocess.Popen([sys.executable, "-m", "kb.cli", "serve", "--", "--dev-addr", f"127.0.0.1:{port}", *serve_args],
                              cwd=project, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    times: list[float] = []
    try:
        if not _wait_for(url, None, started + TIMEOUT_S):
            raise RuntimeError(f"serve did not answer within {TIMEOUT_S:.0f} s; see {project / 'serve.log'}")
        first_build = time.perf_counter() - started
        path = project / "docs" / page
        original = path.read_text(encoding="utf-8")
        for i in range(edits):
            word = f"kbedit{i}x{os.getpid()}"
            saved = time.perf_counter()
            path.write_text(original.rstrip("\n") + f"\n\n{word}\n", encoding="utf-8")
            if not _wait_for(url, word, saved + TIMEOUT_S):
                raise RuntimeError(f"edit {i + 1} not shown within {TIMEOUT_S:.0f} s; see {project / 'serve.log'}")
            times.append(time.perf_counter() - saved)
            time.sleep(1.0)  # let the watcher settle before the next save
        path.write_text(original, encoding="utf-8")
    finally:
        os.killpg(server.pid, signal.SIGINT)  # as Ctrl-C in the terminal
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()
    time.sleep(0.5)
    return {"page": page, "edits_s": [round(t, 2) for t in times], "median_s": round(statistics.median(times), 2),
            "first_build_s": round(first_build, 2), "port_free_after_stop": not _port_in_use(port)}
