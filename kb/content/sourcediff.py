"""What changed in a source page since the version its translation follows.

A translation's stamp records the hash of its source's body (``translation: {from: zh, hash: …}``,
kb/authoring/translate.py). The source version it names is found in the history: the newest commit
whose copy of the source has that body hash. The diff from that version's body to the current body
is what the translator has to carry over (Kubernetes' and FastAPI's translation tools show the same)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from kb.content.pages import body_hash, normalise_text, split_front_matter
from kb.project.git import Git

MAX_COMMITS = 200  # how far back the history is searched for the translated version
MAX_LINES = 120  # a longer diff is cut (the review view and the check output stay readable)


@dataclass(frozen=True)
class SourceDiff:
    commit: str  # the commit holding the source as the translation follows it
    diff: str  # unified diff of the body, that version -> now ("" when only the front matter changed)
    cut: int  # lines left out of *diff*


def _body(text: str) -> list[str]:
    return split_front_matter(normalise_text(text))[1].split("\n")


def source_diff(git: Git, source_path: str, recorded: str, current_text: str, hash_length: int) -> SourceDiff | None:
    """The source's changes since the version whose body hash is *recorded*; None when no commit of
    the last MAX_COMMITS that touched the source holds that version (or git cannot say)."""
    log = git.run("log", f"-{MAX_COMMITS}", "--format=%H", "HEAD", "--", source_path)
    if log.returncode != 0:
        return None
    for commit in log.stdout.split():
        raw = git.blob(commit, source_path)
        if raw is None:
            continue
        old = raw.decode("utf-8", "replace")
        if body_hash(old, hash_length) != recorded:
            continue
        lines = list(difflib.unified_diff(_body(old), _body(current_text), f"{source_path} ({commit[:10]})",
                                          source_path, n=1, lineterm=""))
        return SourceDiff(commit, "\n".join(lines[:MAX_LINES]), max(0, len(lines) - MAX_LINES))
    return None
