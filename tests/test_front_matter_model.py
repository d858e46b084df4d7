"""The front matter is validated by one model built from the content model (kb.content.frontmatter),
and its validation errors are the front-matter rule's findings: every shape of mistake an author can
make (wrong types, typos in enumerated values, malformed review, translation and event blocks,
missing fields) is reported with the same message and line as the hand-written checks gave."""

from __future__ import annotations

from pathlib import Path

from sitebuild import FIXTURES, make_project

from kb.checks.engine import run

FIXTURE = FIXTURES / "front-matter-model"

# (page under docs/, line, message in English): every front-matter finding of the fixture's pages
EXPECTED = [
    ('en/translation-block.md', 6, 'Unknown field translation.other. Allowed fields: from, hash, override.'),
    ('en/translation-block.md', 6, "translation is malformed ('{'from': 'fr', 'hash': 'XYZ', 'override': '', 'other': 1}'). A translated page has {from: zh, hash: …} (stamped by ./scripts/translated); a single-language page has {none: reason}."),
    ('en/translation-block.md', 6, "translation.from 'fr' is invalid; use zh (the language of the source page)."),
    ('en/translation-block.md', 6, "translation.hash 'XYZ' is not 12 hex digits. Do not type it: run ./scripts/translated <translated page> to stamp it."),
    ('en/translation-hash-number.md', 6, "translation.hash '123456789012' is not 12 hex digits. Do not type it: run ./scripts/translated <translated page> to stamp it."),
    ('en/translation-own-language.md', 6, "translation.from 'en' is invalid; use zh (the language of the source page)."),
    ('zh/approvals.md', 5, "Approval 'UNIDO' is malformed. Write each approval as {by: UNIDO, date: 2026-11-30}."),
    ('zh/approvals.md', 5, "Approval '{'by': 'FECO'}' is malformed. Write each approval as {by: UNIDO, date: 2026-11-30}."),
    ('zh/approvals.md', 5, "Field review.status has an invalid value 'None'. Allowed values: draft | in-review | approved."),
    ('zh/blank-values.md', 2, 'The title is empty. Fill in title.'),
    ('zh/blank-values.md', 3, "Field type has an invalid value 'None'. Allowed values: module | policy | case | panel | event | report | glossary | page."),
    ('zh/enum-typos.md', 3, "Field type has an invalid value 'modul'; did you mean module? Allowed values: module | policy | case | panel | event | report | glossary | page."),
    ('zh/enum-typos.md', 4, "Field track has an invalid value 'mercurry'; did you mean mercury? Allowed values: mercury | gender | general."),
    ('zh/enum-typos.md', 5, 'Field review.approvals should be of type list but is dict. Correct the value.'),
    ('zh/enum-typos.md', 5, "Field review.status has an invalid value 'aproved'; did you mean approved? Allowed values: draft | in-review | approved."),
    ('zh/enum-typos.md', 5, 'Unknown field review.note. Allowed fields: status, approvals.'),
    ('zh/event-bad.md', 7, 'Field event.date should be of type date but is str. Correct the value.'),
    ('zh/event-bad.md', 7, 'Field event.duration_hours should be of type number but is str. Correct the value.'),
    ('zh/event-bad.md', 7, 'Field event.experts should be of type int but is bool. Correct the value.'),
    ('zh/event-bad.md', 7, "Field event.kind has an invalid value 'traning'; did you mean training? Allowed values: training | livestream | seminar | exhibition | video."),
    ('zh/event-bad.md', 7, 'Field event.participants.men should be of type int but is bool. Correct the value.'),
    ('zh/event-bad.md', 7, 'Field event.participants.total should be of type int but is str. Correct the value.'),
    ('zh/event-bad.md', 7, "Field event.status has an invalid value 'done'. Allowed values: planned | held."),
    ('zh/event-bad.md', 7, 'Field event.venue should be of type str but is int. Correct the value.'),
    ('zh/event-bad.md', 7, 'Field event.viewers should be of type int but is float. Correct the value.'),
    ('zh/event-bad.md', 7, 'Unknown field event.extra. Allowed fields: kind, status, date, duration_hours, participants, viewers, experts, venue, session, knowledge_test.'),
    ('zh/event-bad.md', 7, 'Unknown field event.participants.kids. Allowed fields: total, women, men.'),
    ('zh/event-missing.md', 7, 'Field event.date should be of type date but is str. Correct the value.'),
    ('zh/event-missing.md', 7, 'Field event.duration_hours should be of type number but is bool. Correct the value.'),
    ('zh/event-missing.md', 7, "Field event.kind has an invalid value '['training']'; did you mean training? Allowed values: training | livestream | seminar | exhibition | video."),
    ('zh/event-missing.md', 7, 'Field event.kind should be of type str but is list. Correct the value.'),
    ('zh/event-missing.md', 7, 'Field event.participants should be of type mapping but is int. Correct the value.'),
    ('zh/event-missing.md', 7, "Field event.status has an invalid value 'None'. Allowed values: planned | held."),
    ('zh/event-not-mapping.md', 7, 'Field event should be of type mapping but is list. Correct the value.'),
    ('zh/nested-keys.md', 5, 'Unknown field review.1. Allowed fields: status, approvals.'),
    ('zh/only-title.md', 1, 'Required field review is missing. Add it as the content model in the authoring guide describes.'),
    ('zh/only-title.md', 1, 'Required field track is missing. Add it as the content model in the authoring guide describes.'),
    ('zh/only-title.md', 1, 'Required field type is missing. Add it as the content model in the authoring guide describes.'),
    ('zh/title-null.md', 2, 'The title is empty. Fill in title.'),
    ('zh/title-null.md', 3, "Field type has an invalid value '['page']'; did you mean page? Allowed values: module | policy | case | panel | event | report | glossary | page."),
    ('zh/title-null.md', 3, 'Field type should be of type str but is list. Correct the value.'),
    ('zh/title-null.md', 4, "Field track has an invalid value '{'a': 1}'. Allowed values: mercury | gender | general."),
    ('zh/title-null.md', 4, 'Field track should be of type str but is dict. Correct the value.'),
    ('zh/title-null.md', 5, 'Field review.approvals should be of type list but is int. Correct the value.'),
    ('zh/title-null.md', 5, "Field review.status has an invalid value '['draft']'; did you mean draft? Allowed values: draft | in-review | approved."),
    ('zh/translation-false.md', 6, 'Field translation should be of type mapping but is bool. Correct the value.'),
    ('zh/translation-false.md', 6, 'translation: none needs a reason, e.g. translation: {none: the terms of reference require Chinese only}.'),
    ('zh/translation-list.md', 6, 'Field translation should be of type mapping but is list. Correct the value.'),
    ('zh/translation-list.md', 6, "translation is malformed ('['zh']'). A translated page has {from: zh, hash: …} (stamped by ./scripts/translated); a single-language page has {none: reason}."),
    ('zh/translation-none-empty.md', 6, 'translation: none needs a reason, e.g. translation: {none: the terms of reference require Chinese only}.'),
    ('zh/wrong-types.md', 2, 'Field title should be of type str but is int. Correct the value.'),
    ('zh/wrong-types.md', 2, 'The title is empty. Fill in title.'),
    ('zh/wrong-types.md', 3, "Field type has an invalid value '5'. Allowed values: module | policy | case | panel | event | report | glossary | page."),
    ('zh/wrong-types.md', 3, 'Field type should be of type str but is int. Correct the value.'),
    ('zh/wrong-types.md', 4, "Field track has an invalid value 'None'. Allowed values: mercury | gender | general."),
    ('zh/wrong-types.md', 5, 'Field hide should be of type list but is int. Correct the value.'),
    ('zh/wrong-types.md', 6, 'Field search should be of type mapping but is list. Correct the value.'),
    ('zh/wrong-types.md', 7, 'Field manual should be of type bool but is str. Correct the value.'),
    ('zh/wrong-types.md', 8, 'Field summary should be of type str but is list. Correct the value.'),
    ('zh/wrong-types.md', 9, 'Field review should be of type mapping but is str. Correct the value.'),
    ('zh/wrong-types.md', 10, 'Field translation should be of type mapping but is str. Correct the value.'),
    ('zh/wrong-types.md', 10, 'translation: none needs a reason, e.g. translation: {none: the terms of reference require Chinese only}.'),
    ('zh/wrong-types.md', 11, 'Unknown field titel; did you mean title? Allowed fields: title, type, track, review, summary, translation, event, video, lesson, manual, template, hide, search, description.'),
    ('zh/wrong-types.md', 12, 'Unknown field 2026. Allowed fields: title, type, track, review, summary, translation, event, video, lesson, manual, template, hide, search, description.'),
]


def _front_matter(report) -> list[tuple[str, int, str]]:
    return [(f.path.removeprefix("docs/"), f.line, f.message) for f in report.findings if f.rule == "front-matter"]


def test_every_mistake_in_the_front_matter_is_a_finding_with_its_message_and_line(tmp_path: Path, settings_for):
    project = make_project(tmp_path, FIXTURE)
    found = _front_matter(run(settings_for(project), lang="en", workers=1))
    mine = [row for row in found if (FIXTURE / "docs" / row[0]).exists()]
    assert mine == EXPECTED


def test_the_chinese_report_has_the_same_findings_in_chinese(tmp_path: Path, settings_for):
    project = make_project(tmp_path, FIXTURE)
    found = [row for row in _front_matter(run(settings_for(project), lang="zh", workers=1))
             if (FIXTURE / "docs" / row[0]).exists()]
    assert sorted((path, line) for path, line, _ in found) == sorted((path, line) for path, line, _ in EXPECTED)
    typo = [m for p, line, m in found if p == "zh/enum-typos.md" and line == 3]
    assert typo == ["字段 type 的值“modul”无效，是否想写 module？允许的值：module | policy | case | panel | event | report | glossary | page。"]


def test_a_valid_front_matter_gives_no_finding(tmp_path: Path, settings_for):
    """event-ok.md: every field of the right type, null event fields (gaps to fill), a float for a number."""
    project = make_project(tmp_path, FIXTURE)
    found = _front_matter(run(settings_for(project), lang="en", workers=1))
    assert found and not [row for row in found if row[0] == "zh/event-ok.md"]


POSTER = """---
title: 海报
type: poster
track: general
audience: 5
review: {status: draft, approvals: []}
translation: {none: 仅中文}
---

正文。
"""


def test_the_model_is_built_from_the_content_model(tmp_path: Path, settings_for):
    """A page type and a field added to data/content-model.yml are known to the front matter at once."""
    project = make_project(tmp_path, FIXTURE)
    model_file = project / "data" / "content-model.yml"
    text = model_file.read_text(encoding="utf-8")
    types, title = "types:\n", "  title: {kind: str, required: true, shown: true}\n"
    assert types in text and title in text
    text = text.replace(types, types + "  poster:\n    label: {zh: 海报, en: Poster}\n    required_sections: []\n")
    model_file.write_text(text.replace(title, title + "  audience: {kind: list}\n"), encoding="utf-8")
    (project / "docs" / "zh" / "poster.md").write_text(POSTER, encoding="utf-8")
    found = _front_matter(run(settings_for(project), lang="en", workers=1))
    assert [row for row in found if row[0] == "zh/poster.md"] == [
        ("zh/poster.md", 5, "Field audience should be of type list but is int. Correct the value."),
    ]
    unknown = next(m for p, line, m in found if p == "zh/wrong-types.md" and line == 12)
    assert unknown == ("Unknown field 2026. Allowed fields: title, audience, type, track, review, summary, translation, "
                       "event, video, lesson, manual, template, hide, search, description.")
    assert ("zh/enum-typos.md", 3, "Field type has an invalid value 'modul'; did you mean module? Allowed values: "
            "poster | module | policy | case | panel | event | report | glossary | page.") in found
