"""'Report a problem' (overrides/partials/kb-report.html), rendered from the template with the
settings of mkdocs.yml extra.report_problem, without a build."""

from __future__ import annotations

import re
from types import SimpleNamespace
from urllib.parse import parse_qs, unquote, urlsplit

import jinja2
import yaml

from kb.project.data import ProjectData
from kb.project.settings import REPO_ROOT, load_settings


def render(report_problem: dict | None, lang: str = "en", title: str = "Good operating practice") -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(REPO_ROOT / "overrides")), autoescape=True)
    ui = ProjectData(load_settings(REPO_ROOT)).ui[lang]
    page = SimpleNamespace(title=title, canonical_url=None, url=("en/" if lang == "en" else "") + "mercury/modules/02-x/")
    config = SimpleNamespace(extra={"report_problem": report_problem})
    return env.get_template("partials/kb-report.html").render(config=config, page=page, kb={"ui": ui, "lang": lang})


def links(html: str) -> list[str]:
    return [jinja2.filters.Markup(h).unescape() for h in re.findall(r'href="([^"]+)"', html)]


def test_an_email_address_gets_the_page_title_address_and_language():
    html = render({"email": "kb@fecomee.org.cn", "form": ""})
    (mailto,) = links(html)
    parts = urlsplit(mailto)
    assert parts.scheme == "mailto" and parts.path == "kb@fecomee.org.cn"
    query = parse_qs(parts.query)
    assert query["subject"] == ["Knowledge base problem: Good operating practice"]
    assert "Address: /en/mercury/modules/02-x/" in query["body"][0] and "Language: en" in query["body"][0]
    assert "Report a problem" in html and "Send an e-mail" in html


def test_an_issue_form_on_any_host_gets_the_same_fields_in_its_own_parameters():
    html = render({"email": "", "form": "https://issues.example.cn/new?subject={title}&page={url}&lang={lang}"}, lang="zh",
                  title="低汞触媒的规范使用")
    (form,) = links(html)
    parts = urlsplit(form)
    assert parts.netloc == "issues.example.cn"
    query = parse_qs(parts.query)
    assert query["subject"] == ["知识库问题：低汞触媒的规范使用"]
    assert query["page"] == ["/mercury/modules/02-x/"] and query["lang"] == ["zh"]
    assert "报告问题" in html and "在线填写问题表" in html


def test_a_hostile_title_cannot_break_out_of_the_link():
    html = render({"email": "kb@fecomee.org.cn", "form": "https://f.example/?t={title}"}, title='x" onclick="alert(1)&<b>')
    assert "onclick=\"alert" not in html and "<b>" not in html
    assert all('x" onclick="alert(1)&<b>' in unquote(link) for link in links(html))  # the title arrives whole


def test_nothing_is_shown_when_neither_is_configured():
    assert render({"email": "", "form": ""}).strip() == ""
    assert render(None).strip() == ""


def test_the_site_configures_it_once_in_mkdocs_yml():
    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    config = yaml.load((REPO_ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)
    report_problem = config["extra"]["report_problem"]
    assert report_problem["email"] or report_problem["form"]
    if report_problem["email"]:
        domain = report_problem["email"].rsplit("@", 1)[1]
        assert domain in load_settings(REPO_ROOT).email_allowlist_domains
