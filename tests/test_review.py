from kb.web.review import align, split_sections

ZH = '<p>引言</p><h2 id="objectives">学习目标<a class="headerlink" href="#objectives">¶</a></h2><p>甲</p><h2 id="zh-only">仅中文</h2><p>乙</p>'
EN = '<p>Intro</p><h2 id="objectives">Objectives</h2><p>A</p><h2 id="en-only">Only English</h2><p>B</p>'


def test_sections_are_split_at_h2_and_aligned_by_id():
    zh, en = split_sections(ZH), split_sections(EN)
    assert [s.id for s in zh] == ["_intro", "objectives", "zh-only"]
    assert zh[1].title == "学习目标" and zh[1].html == "<p>甲</p>"
    rows = align(zh, en)
    assert [(i, bool(a), bool(b)) for i, a, b in rows] == [
        ("_intro", True, True), ("objectives", True, True), ("zh-only", True, False), ("en-only", False, True)]


def test_relative_urls_are_rebased_and_absolute_ones_kept():
    from kb.web.review import rebase
    from kb.web.site import review_path

    html = '<img src="img/a.svg"><a href="../x/">x</a><a href="#y">y</a><a href="https://e.org/">e</a><a href="/r">r</a>'
    assert rebase(html, "../../m/p/") == (
        '<img src="../../m/p/img/a.svg"><a href="../../m/p/../x/">x</a><a href="../../m/p/#y">y</a>'
        '<a href="https://e.org/">e</a><a href="/r">r</a>')
    assert review_path("mercury/modules/01-x.md") == "review/mercury/modules/01-x/index.html"
    assert review_path("gender/index.md") == "review/gender/index.html"
    assert review_path("index.md") == "review/index/index.html"  # review/index.html lists the pairs


def test_ids_are_prefixed_per_language_so_a_review_page_has_each_id_once():
    from kb.web.review import prefix_ids

    html = ('<h3 id="steps">S</h3><label for="q1">x</label><div aria-labelledby="a b">y</div>'
            '<a href="#steps">s</a><a href="../../p/#steps">p</a>')
    assert prefix_ids(html, "en--") == (
        '<h3 id="en--steps">S</h3><label for="en--q1">x</label><div aria-labelledby="en--a en--b">y</div>'
        '<a href="#en--steps">s</a><a href="../../p/#steps">p</a>')
