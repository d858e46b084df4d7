"""PDF training manuals, module handouts and exhibition panels, made after the site is built.

For each training manual of kb.yml (`manuals`: one per programme) and language, two editions of the
built pages' article content of that programme, in navigation order (ADR 0017): the trainer guide
(site/downloads/manual-<id>-<lang>.pdf: session plans, trainer notes, answers, agendas) and the
participant workbook (site/downloads/workbook-<id>-<lang>.pdf: none of them, room to write); one
handout per module page (site/downloads/handouts/<lang>/)
and one roll-up banner per panel page (site/downloads/panels/<lang>/).

In release mode a document is written only when every page it prints is approved by the
organisations of its track (kb.print.manual.approvals); the others are refused, listed in the log, and
any earlier copy is removed, while the rest of the build goes on.

- kb.print.manual.build: the PDF step's entry point (`build_manuals`), loaded only when PDFs are made (ADR 0018)
- kb.print.manual.plan: which pages go where and what each PDF is called (the downloads page reads it)
- kb.print.manual.content: one built page made printable (parsing, cleaning, links, answers, option letters)
- kb.print.manual.assemble: the documents' HTML from overrides/manual/ templates
- kb.print.manual.approvals: the sign-off question, in one place
- kb.print.manual.render: fonts, cache, parallel WeasyPrint renders, atomic writes
- kb.print.manual.parts: a big manual rendered in parts, in parallel, and merged (kb.print.manual.hbsubset: its fonts)
- kb.print.manual.internals: every use of WeasyPrint's and pydyf's internals (box tree, shaping, the
  functions the parts path wraps, the fixes that keep write_pdf linear in the pages)
"""
