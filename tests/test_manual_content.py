"""One built page made printable (kb/print/manual/content.py), without a build: what the printed copy
leaves out must not change the HTML it prints, so that the PDF cache is keyed on content only."""

from __future__ import annotations

from pathlib import Path

from kb.print.manual.content import parse_page, serialize

PAGE = """<!doctype html><html><body><div class="md-content">
<article class="md-content__inner md-typeset">
  <h1 id="t">Catalyst ledger</h1>
{notice}
  <div class="admonition note kb-notice kb-notice--draft" role="note">
    <p>Draft.</p>
  </div>

  <p>Plants keep a <em>ledger</em> <strong>of</strong> catalyst.</p>
<pre><code>line one
    indented  two
</code></pre>
</article></div></body></html>"""

STALE = """  <div class="admonition warning kb-notice kb-notice--stale" role="note">
    <p>The source changed since this translation. <a href="../../" hreflang="zh">Read the source</a></p>
  </div>
"""


def _printed(tmp_path: Path, name: str, notice: str) -> str:
    (tmp_path / name).write_text(PAGE.format(notice=notice), encoding="utf-8")
    return serialize(parse_page(tmp_path, name).article)


def test_a_stale_notice_left_out_prints_the_same_html_as_a_page_without_one(tmp_path: Path) -> None:
    fresh = _printed(tmp_path, "fresh.html", "")
    stale = _printed(tmp_path, "stale.html", STALE)
    assert "kb-notice" not in fresh and "Read the source" not in stale
    assert stale == fresh


def test_white_space_between_words_and_inside_pre_is_kept(tmp_path: Path) -> None:
    printed = _printed(tmp_path, "p.html", "")
    assert "<em>ledger</em> <strong>of</strong>" in printed
    assert "line one\n    indented  two\n" in printed
