"""Printed titles look professional: a Chinese title's last characters never stand alone on a line
(the gender manual's cover broke "手册" as "手 / 册"), and a running header is one line (long titles
are shortened with "…")."""

from __future__ import annotations

from kb.print.manual.assemble import cover_title, keep_cjk_tail, running_title


def test_a_long_chinese_cover_title_breaks_between_words_near_its_middle():
    assert str(cover_title("再生有色金属行业性别主流化培训手册")) == (
        '<span class="kb-keep">再生有色金属行业</span><br><span class="kb-keep">性别主流化培训手册</span>')
    assert str(cover_title("聚氯乙烯行业汞减排培训手册")) == '聚氯乙烯行业汞减排培训<span class="kb-keep">手册</span>'
    assert str(cover_title("Gender Mainstreaming: Training Manual")) == "Gender Mainstreaming: Training Manual"


def test_the_last_two_chinese_characters_of_a_title_are_kept_together():
    assert str(keep_cjk_tail("再生有色金属行业性别主流化培训手册")) == '再生有色金属行业性别主流化培训<span class="kb-keep">手册</span>'
    assert str(keep_cjk_tail("Training Manual")) == "Training Manual"
    assert str(keep_cjk_tail("<b>手册")) == '&lt;b&gt;<span class="kb-keep">手册</span>'


def test_a_running_header_title_is_cut_to_one_line_at_a_word():
    long_en = "Gender Mainstreaming in Secondary Non-ferrous Metals Recycling Plants: A Training Manual for Enterprise Managers"
    short = running_title(long_en)
    assert short.endswith("…") and len(short) <= 61 and long_en.startswith(short[:-1])
    assert not short[:-1].endswith(" ") and long_en[len(short) - 1] == " "  # cut between words
    long_zh = "再生有色金属行业性别主流化培训手册：企业管理人员、工会干部和职业健康人员用书"
    short_zh = running_title(long_zh)
    assert short_zh.endswith("…") and sum(2 for _ in short_zh[:-1]) <= 60
    assert running_title("Gender concepts and Sustainable Development Goal 5") == "Gender concepts and Sustainable Development Goal 5"
