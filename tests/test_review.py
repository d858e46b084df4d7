from kb.review import align, split_sections

ZH = '<p>引言</p><h2 id="objectives">学习目标<a class="headerlink" href="#objectives">¶</a></h2><p>甲</p><h2 id="zh-only">仅中文</h2><p>乙</p>'
EN = '<p>Intro</p><h2 id="objectives">Objectives</h2><p>A</p><h2 id="en-only">Only English</h2><p>B</p>'


def test_sections_are_split_at_h2_and_aligned_by_id():
    zh, en = split_sections(ZH), split_sections(EN)
    assert [s.id for s in zh] == ["_intro", "objectives", "zh-only"]
    assert zh[1].title == "学习目标" and zh[1].html == "<p>甲</p>"
    rows = align(zh, en)
    assert [(i, bool(a), bool(b)) for i, a, b in rows] == [
        ("_intro", True, True), ("objectives", True, True), ("zh-only", True, False), ("en-only", False, True)]
