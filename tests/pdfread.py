"""Reading built PDFs as a reader's tools see them (shared by the tests of more than one output)."""

from __future__ import annotations

from pathlib import Path

import pikepdf


def slide_draws(pdf: Path) -> list[int]:
    """The page number of each slide the PDF's pages draw: a Form XObject of the build's (/KbSlide…) inside
    an /Artifact marked sequence (the slide's number, title and notes beside it are the tagged text)."""
    found = []
    with pikepdf.open(pdf) as doc:
        for number, page in enumerate(doc.pages, 1):
            xobjects = page.Resources.get("/XObject") or {}
            artifact = 0
            for operands, operator in pikepdf.parse_content_stream(page):
                op = str(operator)
                if op == "BMC" and str(operands[0]) == "/Artifact":
                    artifact += 1
                elif op == "EMC" and artifact:
                    artifact -= 1
                elif op == "Do" and artifact and str(operands[0]).startswith("/KbSlide") \
                        and xobjects.get(str(operands[0]), {}).get("/Subtype") == "/Form":
                    found.append(number)
    return found
