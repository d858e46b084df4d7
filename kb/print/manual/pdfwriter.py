"""Two fixes around WeasyPrint's ``write_pdf``, each measured in docs/adr/archive/architecture-notes-2026-12.md ("Writing the PDF").

1. Time. pydyf's ``PDF.page_references`` builds the tuple of every page's reference each time it is
read, and WeasyPrint's PDF/UA tagging reads it once per structure element (``weasyprint/pdf/tags.py``:
``'Pg': pdf.page_references[page_number]``), ~140 per page of a manual: pages² steps, 10 million at
268 pages, 160 million at 1,065. Writing 534 pages took 61.3 s with it, 37.0 s without. pydyf 0.13.0,
the newest release, does not cache it. The tuple is kept while the page tree's list of kids is
unchanged: pages are only added, by ``PDF.add_page``, which extends that list, so its length and
last entry tell a changed tree.

2. Memory. An SVG image keeps WeasyPrint's layout context (it draws its text and images with it), and
the context keeps the style resolver with the computed style of every element and pseudo-element
of the document (~100,000 at 268 pages), the target collector and the page maker's states, none of
which drawing needs. ``release_layout_state`` drops them once the document is laid out.
"""

from __future__ import annotations

from typing import Any

_CACHE_ATTR = "_kb_page_references"


def _cached_page_references(pdf: Any) -> tuple[bytes, ...]:
    kids = pdf.pages["Kids"]
    key = (id(kids), len(kids), kids[-3] if kids else None)
    cached = pdf.__dict__.get(_CACHE_ATTR)
    if cached is not None and cached[0] == key:
        return cached[1]
    references = _released.fget(pdf)
    pdf.__dict__[_CACHE_ATTR] = (key, references)
    return references


_released: property | None = None  # pydyf's own property, once replaced


def cache_page_references() -> bool:
    """Install the cached property on pydyf.PDF (once per process). False, with nothing changed,
    when pydyf's attribute is not the property this fix was written for (a newer pydyf)."""
    global _released
    import pydyf

    current = pydyf.PDF.__dict__.get("page_references")
    if isinstance(current, property) and current.fget is _cached_page_references:
        return True
    if not isinstance(current, property) or getattr(current.fget, "__qualname__", "") != "PDF.page_references":
        return False
    _released = current
    pydyf.PDF.page_references = property(_cached_page_references, doc=current.__doc__)
    return True


def release_layout_state(document: Any) -> bool:
    """Drop what the layout context kept for laying out, once *document* is laid out and its page
    slots filled (drawing needs only its fonts, hyphenation dictionaries and image loader). A render
    has one context, which every SVG image of it keeps: the first image found gives it. False when
    no image keeps it (it was freed with the layout)."""
    from weasyprint.images import SVGImage

    for page in document.pages:
        for box in page._page_box.descendants():
            background = getattr(box, "background", None)
            for image in (getattr(box, "replacement", None), *(layer.image for layer in getattr(background, "layers", ()))):
                context = getattr(image, "_context", None) if isinstance(image, SVGImage) else None
                if context is not None:
                    context.style_for = None
                    context.target_collector = None
                    context.page_maker = []
                    context.tables = {}
                    context.broken_out_of_flow = {}
                    return True
    return False
