"""Printable forms and event summary reports, as A4 PDFs made after the site is built.

- site/downloads/forms/sign-in-sheet-<lang>.pdf and evaluation-<lang>.pdf: blank forms from
  data/forms.yml (templates overrides/forms/sign-in.html and evaluation.html);
- site/downloads/pretest-…, posttest-… and downloads/trainer/: a training's knowledge tests (kb.print.knowledge);
- site/downloads/agenda-<event>-<lang>.pdf: the agenda of each training with a session plan (its
  ``event.session`` timed by its modules' lessons, kb.content.lessons);
- site/downloads/reports/<lang>/<page>.pdf: the summary report (总结报告) of each held event, from
  its record: the front matter's figures (participants in total and by sex, experts, viewers), the
  figure by sex (kb.content.figures) and the record's sections as the site rendered them.

Rendered with WeasyPrint through kb.print.manual.render's public pieces (RenderJob, render_all: the
same fonts check, cache and atomic writes as the manuals). No MkDocs here: the hook calls build_forms."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from markupsafe import Markup

from kb.content.figures import Attendance, figure_paths
from kb.content.knowledge import knowledge_record, result_rows
from kb.content.lessons import Agenda
from kb.print.knowledge import knowledge_test_jobs
from kb.print.manual.assemble import Provenance
from kb.print.manual.render import RenderJob, Summary
from kb.print.manual.schedule import render_all
from kb.print.outputs import FORMS, agenda_output, form_outputs, held_events, report_output
from kb.project.templating import render

HEADERLINK_RE = re.compile(r'<a class="headerlink"[^>]*>.*?</a>', re.DOTALL)


def _event_facts(page: Any) -> dict[str, Any]:
    ev = page.meta.get("event") or {}
    p = ev.get("participants") if isinstance(ev.get("participants"), dict) else {}
    total, women, men = (p.get(k) for k in ("total", "women", "men"))
    share = None
    if all(isinstance(v, int) for v in (total, women, men)) and total and women + men == total:
        share = f"{women / total * 100:.0f}%"
    return {"kind": ev.get("kind"), "date": ev.get("date"), "venue": ev.get("venue"), "hours": ev.get("duration_hours"),
            "total": total, "women": women, "men": men, "share": share, "experts": ev.get("experts"),
            "viewers": ev.get("viewers")}


def report_made(provenance: Provenance, page_path: str, today: str) -> str:
    """The date a held event's report prints: the last commit of its record, so that the report is
    the same PDF (and its cache entry holds) from one day to the next; today while the record has
    uncommitted changes or outside git."""
    revision = provenance.newest([page_path])
    return revision.date if revision is not None else today


def pages_in(pages: Mapping[str, Any], wanted: Mapping[str, Any], docs_dir: str, lang: str,
             default_language: str) -> dict[str, Any]:
    """rel -> page of the pages of *wanted* (by path) that *lang*'s site shows: its own, else the default language's."""
    out: dict[str, Any] = {}
    for tree in dict.fromkeys((default_language, lang)):
        root = f"{docs_dir}/{tree}/"
        for path in wanted:
            if path.startswith(root) and path in pages:
                out[pages[path].rel] = pages[path]
    return dict(sorted(out.items()))


def build_forms(*, settings: Any, data: Any, report: Any, site_dir: Path, overrides: Path, body_html: dict[str, str],
                attendance: list[Attendance], provenance: Provenance | None = None,
                agendas: Mapping[str, Agenda] | None = None) -> Summary:
    """Write the blank forms, the held events' reports and the trainings' agendas of every language.
    *body_html*: the body HTML the build rendered per source path (docs/<lang>/<rel>); *provenance*: where
    the pages stand in git (default: read now); *agendas*: each training's agenda by page path."""
    site_dir = Path(site_dir)
    provenance = provenance if provenance is not None else Provenance.of(settings.root, settings.docs_dir)
    css = str(Path(overrides) / "forms" / "forms.css")
    base = site_dir.resolve().as_uri() + "/"
    jobs: list[RenderJob] = []
    for lang in settings.languages:
        ui = data.ui.strings(lang)
        for name, (key, template) in FORMS.items():
            html = render(overrides, template, form=data.forms.form(key), lang=lang, ui=ui)
            out = site_dir / form_outputs(lang)[name]
            jobs.append(RenderJob(html=html, base_url=base, stylesheets=(css,), output=str(out), name=f"form-{lang}:{out.name}"))
        figures = {a.rel: a for a in attendance}
        for rel, page in held_events(report.pages, settings.docs_dir, lang, settings.default_language):
            body = body_html.get(page.path, "")
            # The HTML the site serves for this page (MkDocs rendered it; the unsafe-html rule guards its
            # source): printed as HTML, like the manual prints it. Everything else is escaped.
            body = Markup(HEADERLINK_RE.sub("", body))
            dest_dir = rel[:-3] if not rel.endswith("index.md") else posixpath.dirname(rel)
            page_dir = dest_dir if lang == settings.default_language else f"{lang}/{dest_dir}"
            figure = None
            if rel in figures:
                figure = figure_paths([figures[rel]], [figures[rel].programme], lang)[f"event:{rel}"]
            record, _ = knowledge_record(page.meta)
            knowledge = None if record is None or record.points is None else Markup(render(
                overrides, "partials/kb-knowledge-test.html", rows=result_rows(record), points=record.points, ui=ui))
            html = render(overrides, "forms/event-report.html", knowledge=knowledge, page=page, title=page.meta.get("title") or rel,
                          facts=_event_facts(page), body=body, figure=figure, lang=lang, ui=ui,
                          programme=data.model.track_label(page.track, lang) or page.track,
                          kind_label=ui.get(f"event_kind_{_event_facts(page)['kind']}", _event_facts(page)["kind"]),
                          made=report_made(provenance, page.path, settings.today.isoformat()), site_base=base)
            out = site_dir / report_output(rel, lang)
            # relative images in the record resolve against the page's folder in site/
            jobs.append(RenderJob(html=html, base_url=(site_dir / page_dir).resolve().as_uri() + "/", stylesheets=(css,),
                                  output=str(out), name=f"report-{lang}:{out.name}", site_root=str(site_dir.resolve()),
                                  resources=(str(site_dir / figure),) if figure else ()))
        for rel, page in pages_in(report.pages, agendas or {}, settings.docs_dir, lang, settings.default_language).items():
            html = render(overrides, "forms/agenda.html", title=page.meta.get("title") or rel, agenda=(agendas or {})[page.path],
                          lang=lang, ui=ui, programme=data.model.track_label(page.track, lang) or page.track)
            out = site_dir / agenda_output(rel, lang)
            jobs.append(RenderJob(html=html, base_url=base, stylesheets=(css,), output=str(out), name=f"agenda-{lang}:{out.name}"))
    # the knowledge tests of each training that lists modules with a question bank (kb.print.knowledge)
    jobs += knowledge_test_jobs(pages=report.pages, settings=settings, banks=data.question_banks, spec=data.forms, ui=data.ui,
                                site_dir=site_dir, overrides=Path(overrides), css=css)
    return render_all(jobs, settings.cache_path / "pdf")
