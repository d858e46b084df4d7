"""Errors of the PDF step. Each message says what is wrong and what to do about it."""

from __future__ import annotations


class ManualError(Exception):
    """The PDF manuals could not be made."""


class FontMissingError(ManualError):
    """A font the manuals need is not installed."""


class RenderError(ManualError):
    """One or more PDFs failed to render; the files they would have replaced are left as they were."""

    def __init__(self, failures: list[tuple[str, str]]) -> None:
        self.failures = failures
        listed = "\n".join(f"  - {out}: {err}" for out, err in failures)
        super().__init__(f"{len(failures)} PDF(s) failed to render (previous files left intact):\n{listed}")
