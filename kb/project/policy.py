"""What the project fixes in code, out of reach of data files and pull requests (ADR 0010).

A release build publishes the website unless a finding makes published content unsafe or false; what
counts as such is decided here, not in data/messages.yml, so a pull request cannot lower it: script
or files that must not reach a reader, personal data, links and images that lead nowhere, and an
approval line that claims what its signed commit does not show. Deliverables past due, pages awaiting
review and lapsed approvals are facts to report (status page, job summary, `--strict`), never a reason
to publish nothing; a programme's print material is released per manual (kb.print.manual)."""

from __future__ import annotations

import fnmatch

# Rules whose findings are always errors, whatever data/messages.yml says, and refuse a release.
SAFETY_RULES = frozenset({"unsafe-html", "unsafe-file", "pii", "broken-link", "missing-image"})

# Approval findings that mean an approval line on a page, or a key that would verify one, does not
# hold: a forged, unsigned, squashed or misattributed line, or a signers file changed outside the trust
# chain. "outdated" (the text changed after approval), "not-approved" (a typed status without a verified
# approval), and what the environment lacks (no git, a shallow clone, no trust root recorded yet) are
# reported instead: the manuals they concern are not released, the website is.
FALSE_APPROVAL_CODES = frozenset({
    "malformed", "unsigned", "squashed", "bad-signature", "unlisted-key", "other-org-key", "key-not-valid",
    "hash-unknown", "signers-not-trusted", "signers-unsigned", "signers-untrusted", "line-separators", "revoked",
})


def blocks_publication(rule: str, code: str, severity: str) -> bool:
    """Whether a finding refuses a release of the website."""
    if severity != "error":
        return False
    return rule in SAFETY_RULES or (rule == "approval" and code in FALSE_APPROVAL_CODES)


# Files that decide what the build trusts, runs or refuses: a pull request that changes one of them is
# flagged at the top of its report (kb.build.prreport) so the maintainer reviewing it sees it first.
# Declared here, in code, for the same reason as the rules above: a data file cannot shorten the list.
# Each entry: a path pattern (fnmatch; "/**" is everything under a folder) and what kind of file it is.
TRUST_PATHS: tuple[tuple[str, str], ...] = (
    ("kb/**", "code"),
    ("hooks/**", "code"),
    ("scripts/**", "code"),
    ("bench/**", "code"),
    ("overrides/**", "code"),  # the theme's templates print page data; CSP hashes their inline scripts
    ("docs/assets/**", "code"),  # scripts and styles every page loads
    ("docs/sw.js", "code"),
    ("tests/**", "code"),  # what the suite accepts decides what CI lets through
    (".github/**", "workflow"),
    (".ci/**", "workflow"),
    ("kb.yml", "settings"),
    ("mkdocs.yml", "settings"),
    ("pyproject.toml", "settings"),
    (".importlinter", "settings"),
    ("requirements*", "settings"),
    ("data/signers/**", "trust"),
    ("data/reviewers.yml", "trust"),
    ("data/limits.yml", "trust"),
    ("data/messages.yml", "trust"),  # severities: what fails a build
    ("data/media.yml", "trust"),
)


def trust_kind(path: str) -> str | None:
    """The kind of trust file *path* (repository-relative, with /) is, or None for content."""
    for pattern, kind in TRUST_PATHS:
        if pattern.endswith("/**"):
            if path.startswith(pattern[:-2]):
                return kind
        elif fnmatch.fnmatchcase(path, pattern):
            return kind
    return None
