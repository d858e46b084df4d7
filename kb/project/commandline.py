"""What every command line of the project shares: the language of its messages, and an argparse
parser that raises instead of exiting (exit status 2 through the command's main, and testable)."""

from __future__ import annotations

import argparse
import locale
import os
import sys

from kb.project.settings import ENV_LANG


def default_lang() -> str:
    value = os.environ.get(ENV_LANG) or os.environ.get("LC_ALL") or os.environ.get("LANG") or ""
    if not value:
        value = (locale.getlocale()[0] or "") if hasattr(locale, "getlocale") else ""
    return "zh" if value.lower().startswith("zh") else "en"


class UsageError(Exception):
    """Exit status 2: the command line is wrong."""


class Parser(argparse.ArgumentParser):
    """argparse that raises UsageError (exit 2 through main()) instead of exiting: testable."""

    def error(self, message: str) -> None:
        self.print_usage(sys.stderr)
        raise UsageError(message)


class CommandError(Exception):
    """Stops a command with a message: *status* 1 for a problem with the pages, the site or git,
    2 for set-up or usage (the command line's exit status)."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status
