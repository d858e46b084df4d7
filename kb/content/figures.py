"""Figures by sex: participants of held events by sex, per event and per programme, and women's
share against the gender action plan's target (data/gender-targets.yml), drawn as SVG at build
time from a Jinja template (overrides/figures/by-sex.svg.html; .html so that MkDocs does not copy the template into site/), so the site, the PDFs and the status
page show the same file. Why an SVG template and not a plotting library: docs/adr/archive/architecture-notes-2026-12.md."""

from __future__ import annotations

import posixpath
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kb.project.fsutil import write_atomic
from kb.project.schemas import GenderTargets, LangText, UiFile
from kb.project.templating import render

FIGURES_DIR = "figures"  # site/figures/
WIDTH, LABEL_W, BAR_H, GAP, TOP, BOTTOM = 720, 230, 26, 14, 34, 46


@dataclass(frozen=True)
class Attendance:
    """One held event's participants by sex (from its record's front matter)."""

    rel: str        # page path under docs/<lang>/
    programme: str
    kind: str
    date: str
    titles: dict[str, str]  # language -> page title
    total: int
    women: int
    men: int

    @property
    def share(self) -> float:
        return self.women / self.total if self.total else 0.0


@dataclass(frozen=True)
class Target:
    share: float | None  # None: no number yet (a gap, when *listed*)
    source: str | None = None
    listed: bool = False  # False: the programme has no such target at all (no line, no gap note)


NO_TARGET = Target(None)


def targets(record: GenderTargets) -> dict[str, Target]:
    """programme -> women's share target, as the figures draw it (data/gender-targets.yml)."""
    return {programme: Target(share=spec.target, source=spec.source, listed=True)
            for programme, spec in record.women_share.items()}


def attendance(pages: dict[str, Any], docs_dir: str, languages: tuple[str, ...], default_language: str) -> list[Attendance]:
    """Held events whose counts add up (women + men = total > 0), one per page pair, by date.
    Counts that do not add up are left out here: the event rule reports them."""
    root = f"{docs_dir}/{default_language}/"
    out = []
    for path, page in sorted(pages.items()):
        ev = page.meta.get("event") if page.text is not None else None
        if not path.startswith(root) or page.type != "event" or not isinstance(ev, dict) or ev.get("status") != "held":
            continue
        p = ev.get("participants") if isinstance(ev.get("participants"), dict) else {}
        total, women, men = (p.get(k) for k in ("total", "women", "men"))
        if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in (total, women, men)):
            continue
        if women + men != total or total == 0:
            continue
        titles = {}
        for lang in languages:
            other = pages.get(f"{docs_dir}/{lang}/{page.rel}")
            title = other.meta.get("title") if other is not None and other.text is not None else None
            titles[lang] = str(title or page.meta.get("title") or page.rel)
        out.append(Attendance(rel=page.rel, programme=page.track or "general", kind=str(ev.get("kind")),
                              date=str(ev.get("date") or ""), titles=titles, total=total, women=women, men=men))
    return sorted(out, key=lambda a: (a.programme, a.date, a.rel))


def _fit(text: str, room: float, size: float) -> str:
    """Cut a label to the room it has (CJK characters are 1 em wide, others about 0.58 em)."""
    used, out = 0.0, ""
    for ch in text:
        w = size * (1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.58)
        if used + w > room:
            return out.rstrip() + "…"
        used += w
        out += ch
    return out


def _percent(value: float) -> str:
    return f"{value * 100:.0f}%"


def svg(rows: list[tuple[str, int, int, bool]], target: Target, ui: dict[str, str], title: str, overrides: Path) -> str:
    """rows: (label, women, men, is_total). Bars are 100 %: women's share left, men's right."""
    plot_w = WIDTH - LABEL_W - 20
    bars = []
    for i, (label, women, men, is_total) in enumerate(rows):
        total = women + men
        y = TOP + i * (BAR_H + GAP)
        women_w = plot_w * women / total if total else 0
        bars.append({
            "y": y, "label": _fit(label, LABEL_W - 12, 13), "full": label, "women": women, "men": men, "total": total,
            "women_w": round(women_w, 1), "men_w": round(plot_w - women_w, 1), "share": _percent(women / total if total else 0),
            "is_total": is_total,
        })
    height = TOP + len(rows) * (BAR_H + GAP) + BOTTOM
    target_x = round(LABEL_W + plot_w * target.share, 1) if target.share is not None else None
    return render(overrides, "figures/by-sex.svg.html", title=title, bars=bars, ui=ui, width=WIDTH, height=height,
                  label_w=LABEL_W, plot_w=plot_w, bar_h=BAR_H, top=TOP, target=target, target_x=target_x,
                  target_label=_percent(target.share) if target.share is not None else None,
                  axis_y=height - BOTTOM + 6)


def _total_row(items: list[Attendance], label: str) -> tuple[str, int, int, bool]:
    return (label, sum(a.women for a in items), sum(a.men for a in items), True)


def figure_paths(items: list[Attendance], programmes: list[str], lang: str) -> dict[str, str]:
    """Site-relative paths of the figures of one language: 'programme:<id>' and 'event:<rel>'."""
    paths = {f"programme:{p}": f"{FIGURES_DIR}/{lang}/programme-{p}.svg" for p in programmes}
    for a in items:
        stem = posixpath.splitext(a.rel)[0].replace("/", "--")
        paths[f"event:{a.rel}"] = f"{FIGURES_DIR}/{lang}/event-{stem}.svg"
    return paths


@dataclass(frozen=True)
class FigureRef:
    """One figure file as a page shows it (overrides/partials/kb-figure.html)."""

    path: str  # site-relative
    alt: str
    caption: str


def _name(programme_names: Mapping[str, LangText], programme: str, lang: str) -> str:
    label = programme_names.get(programme)
    return label.in_lang(lang) if label is not None else programme


def programme_figures(items: list[Attendance], lang: str, ui: dict[str, str],
                      programme_names: Mapping[str, LangText]) -> list[FigureRef]:
    """The programme figures write_figures draws, for the status page: one per programme with held events."""
    programmes = sorted({a.programme for a in items})
    paths = figure_paths(items, programmes, lang)
    out = []
    for programme in programmes:
        mine = [a for a in items if a.programme == programme]
        women, men = sum(a.women for a in mine), sum(a.men for a in mine)
        name = _name(programme_names, programme, lang)
        total = women + men
        share = _percent(women / total) if total else "-"
        alt = (f"{name}: {ui.get('figure_women', 'women')} {women}, {ui.get('figure_men', 'men')} {men}, {total}; "
               f"{ui.get('figure_share', 'share')} {share}")
        out.append(FigureRef(paths[f"programme:{programme}"], alt, f"{ui.get('figure_programme', '')} · {name}"))
    return out


def write_figures(site_dir: Path, overrides: Path, items: list[Attendance], targets: dict[str, Target], ui: UiFile,
                  languages: tuple[str, ...], programme_names: Mapping[str, LangText]) -> list[Path]:
    """site/figures/<lang>/programme-<id>.svg (every event of the programme and its total) and
    site/figures/<lang>/event-<page>.svg (the event beside its programme's total)."""
    written = []
    programmes = sorted({a.programme for a in items})
    for lang in languages:
        strings = ui.strings(lang)
        paths = figure_paths(items, programmes, lang)
        for programme in programmes:
            mine = [a for a in items if a.programme == programme]
            name = _name(programme_names, programme, lang)
            rows = [(a.titles.get(lang, a.rel), a.women, a.men, False) for a in mine] + [_total_row(mine, name)]
            text = svg(rows, targets.get(programme, NO_TARGET), strings,
                       f"{strings.get('figure_programme', '')} · {name}", overrides)
            written.append(_write(site_dir / paths[f"programme:{programme}"], text))
        for a in items:
            mine = [b for b in items if b.programme == a.programme]
            name = _name(programme_names, a.programme, lang)
            rows = [(a.titles.get(lang, a.rel), a.women, a.men, False)]
            if len(mine) > 1:
                rows.append(_total_row(mine, name))
            text = svg(rows, targets.get(a.programme, NO_TARGET), strings,
                       f"{strings.get('figure_by_sex', '')} · {a.titles.get(lang, a.rel)}", overrides)
            written.append(_write(site_dir / paths[f"event:{a.rel}"], text))
    return written


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, text.encode("utf-8"))
    return path


def alt_text(a: Attendance, ui: dict[str, str]) -> str:
    return (f"{ui.get('figure_women', 'women')} {a.women}, {ui.get('figure_men', 'men')} {a.men}, "
            f"{a.total}; {ui.get('figure_share', 'share')} {_percent(a.share)}")


def insert_figure(html_text: str, figure: str) -> str:
    """The figure goes under the record's participants heading, else before its first section."""
    at = html_text.find('id="participants"')
    if at >= 0:
        end = html_text.find(">", html_text.find("</h", at))
        if end >= 0:
            return html_text[: end + 1] + "\n" + figure + html_text[end + 1:]
    first = html_text.find("<h2")
    return html_text + figure if first < 0 else html_text[:first] + figure + "\n" + html_text[first:]


def page_figure(overrides: Path, item: Attendance, lang: str, page_dir: str, ui: dict[str, str]) -> str:
    """The <figure> of one event page, its image relative to the page's folder in site/."""
    programmes = [item.programme]
    src = posixpath.relpath(figure_paths([item], programmes, lang)[f"event:{item.rel}"], page_dir or ".")
    return render(overrides, "partials/kb-figure.html",
                  f={"src": src, "alt": alt_text(item, ui), "caption": ""})  # the SVG carries its title
