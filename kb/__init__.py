"""Knowledge-site engine: content model, completeness checks, status report and PDF manuals.

Plain Python with no MkDocs imports outside ``kb.mkdocs_glue``-style callers (``hooks/``), so that
the content and its checks outlive the site generator.
"""
