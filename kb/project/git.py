"""The git calls the engine makes (approvals, signers, page dates): one wrapper that returns every
failure as a result instead of raising, so a caller can say that git failed and why."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ZERO = "0" * 40  # git blame's commit for lines not committed yet


@dataclass(frozen=True)
class Signature:
    status: str  # git's %G?: G good, B bad, U unknown key/not valid, N none, E cannot check, X/Y/R
    fingerprint: str
    principal: str
    author: str
    date: str
    message: str


def failure(result: subprocess.CompletedProcess, what: str) -> str:
    """What to tell a person when a git call failed: the command and git's own last words."""
    said = (result.stderr or result.stdout or "").strip().splitlines()
    return f"git {what} failed (exit {result.returncode}): {said[-1] if said else 'no message'}"


class Git:
    """The few git calls verification needs. Every failure is returned, never raised: a call that can
    fail returns git's message beside its result, so a caller says that git failed instead of reading
    the empty result as "uncommitted" or "unsigned"."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", "GIT_OPTIONAL_LOCKS": "0"}

    def run(self, *args: str, input: str | None = None, timeout: int = 120) -> subprocess.CompletedProcess:
        try:
            return subprocess.run(["git", "-c", "log.showSignature=false", *args], cwd=self.root, env=self.env,
                                  input=input, capture_output=True, text=True, timeout=timeout)
        except FileNotFoundError:
            return subprocess.CompletedProcess(args, 127, "", "git is not installed")
        except (OSError, subprocess.TimeoutExpired) as exc:
            return subprocess.CompletedProcess(args, 1, "", str(exc))

    def problem(self) -> str:
        """Why the history cannot be read here ("" when it can)."""
        result = self.run("rev-parse", "--is-inside-work-tree")
        if result.returncode == 127:
            return "git is not installed"
        if result.returncode != 0 or result.stdout.strip() != "true":
            return f"{self.root} is not a git repository"
        if self.run("rev-parse", "--verify", "-q", "HEAD").returncode != 0:
            return "the repository has no commits"
        return ""

    def shallow_boundary(self, deepen: bool = True) -> tuple[set[str], str]:
        """Commits at the edge of a shallow clone (empty in a full clone), after trying to deepen it,
        and git's message when deepening failed."""
        if self.run("rev-parse", "--is-shallow-repository").stdout.strip() != "true":
            return set(), ""
        error = ""
        if deepen:
            result = self.run("fetch", "--quiet", "--unshallow", timeout=300)
            if result.returncode == 0 and self.run("rev-parse", "--is-shallow-repository").stdout.strip() != "true":
                return set(), ""
            error = (result.stderr.strip().splitlines() or ["git fetch --unshallow failed"])[-1]
        path = self.run("rev-parse", "--git-path", "shallow").stdout.strip()
        shallow = Path(path) if Path(path).is_absolute() else self.root / path
        try:
            return set(shallow.read_text().split()), error
        except OSError:
            return set(), error

    def blame(self, path: str, lines: Iterable[int]) -> tuple[dict[int, tuple[str, str]], str]:
        """File line -> (commit that introduced it, its text) for the working-tree file, and "" (or
        git's failure: then no line is known); uncommitted lines have the all-zero commit. One call."""
        wanted = sorted(set(lines))
        args = ["blame", "--porcelain"]
        for n in wanted:
            args += ["-L", f"{n},{n}"]
        result = self.run(*args, "--", path)
        if result.returncode != 0:
            return {}, failure(result, f"blame {path}")
        out: dict[int, tuple[str, str]] = {}
        commit, final = "", 0
        for raw in result.stdout.split("\n"):
            if raw.startswith("\t"):
                out[final] = (commit, raw[1:])
                continue
            parts = raw.split(" ")
            if len(parts) >= 3 and len(parts[0]) == 40 and all(c in "0123456789abcdef" for c in parts[0]):
                commit, final = parts[0], int(parts[2])
        return out, ""

    def signatures(self, allowed_signers: Path, commits: Iterable[str]) -> tuple[dict[str, Signature], str]:
        """git's verdict on each commit's signature against one allowed-signers file (one call), and ""
        or git's failure (then no verdict is known: not the same as "unsigned")."""
        commits = sorted(set(commits))
        if not commits:
            return {}, ""
        fmt = "%H%x00%G?%x00%GF%x00%GS%x00%an%x00%cs%x00%B%x1e"
        result = self.run("-c", f"gpg.ssh.allowedSignersFile={allowed_signers.resolve()}", "log", "--no-walk=unsorted",
                          f"--format={fmt}", *commits, "--")
        if result.returncode != 0:
            return {}, failure(result, "log (signatures)")
        out: dict[str, Signature] = {}
        for record in result.stdout.split("\x1e"):
            parts = record.lstrip("\n").split("\x00")
            if len(parts) == 7:
                out[parts[0]] = Signature(parts[1], parts[2], parts[3], parts[4], parts[5], parts[6].strip())
        return out, ""

    def cat_many(self, specs: list[tuple[str, str]]) -> list[str | None]:
        """The text of each (commit, path), None where it does not exist: one cat-file for all."""
        if not specs:
            return []
        batch = self.run("cat-file", "--batch", input="".join(f"{c}:./{p}\n" for c, p in specs))
        if batch.returncode != 0:
            return [None] * len(specs)
        data = batch.stdout.encode("utf-8", "surrogateescape")
        out: list[str | None] = []
        pos = 0
        for _ in specs:
            end = data.find(b"\n", pos)
            if end < 0:
                out.append(None)
                continue
            header = data[pos:end].split()
            pos = end + 1
            if len(header) < 3 or header[1] != b"blob":
                out.append(None)
                continue
            size = int(header[2])
            out.append(data[pos:pos + size].decode("utf-8", "replace"))
            pos += size + 1
        return out

    def blob(self, commit: str, path: str) -> bytes | None:
        """The bytes of *path* as committed in *commit* (an image as well as a page), None when it is not
        a file there or git failed."""
        try:
            result = subprocess.run(["git", "cat-file", "blob", f"{commit}:./{path}"], cwd=self.root, env=self.env,
                                    capture_output=True, timeout=120)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return result.stdout if result.returncode == 0 else None

    def show(self, commit: str, path: str) -> str | None:
        result = self.run("show", f"{commit}:./{path}")
        return result.stdout if result.returncode == 0 else None
