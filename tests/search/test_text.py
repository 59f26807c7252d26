"""Query parsing and highlighting (search.text): nothing typed can become engine syntax."""

from __future__ import annotations

from search.text import highlight, index_text, parse_query, symbol_key, words


def test_symbol_keys_are_one_compact_token():
    assert symbol_key("123", "QĐ-UBND") == "123qdubnd"
    assert symbol_key("", "QĐ-UBND") == ""
    for text in ("123/QĐ-UBND", "123/QD-UBND", "123 QĐ UBND", "số 123/qđ-ubnd ngày 5"):
        assert "123qdubnd" in parse_query(text).symbol_keys, text


def test_words_quotes_and_operators():
    parsed = parse_query('"phê duyệt" kế hoạch')
    assert parsed.phrases == [["phê", "duyệt"]] and parsed.terms == ["kế", "hoạch"]
    assert parsed.has_diacritics
    unbalanced = parse_query('kế hoạch "chuyển đổi')
    assert unbalanced.phrases == [] and unbalanced.terms == ["kế", "hoạch", "chuyển", "đổi"]
    assert parse_query("NEAR(a* OR b) : ^ {x}").terms == ["near", "a", "or", "b", "x"]
    assert parse_query("!!! *** ()").is_empty
    assert len(" ".join(parse_query("ab " * 1000).terms)) <= 500


def test_prefix_only_applies_to_a_trailing_word():
    assert parse_query("chuyen do", prefix=True).prefix
    assert not parse_query('"chuyen do"', prefix=True).prefix


def test_index_text_splits_symbols_and_folds():
    assert index_text("Số 123/QĐ-UBND về Đồng Nai") == (
        "số 123 qđ ubnd về đồng nai",
        "so 123 qd ubnd ve dong nai",
    )


def test_highlight_marks_folded_matches_and_escapes_html():
    snippet = highlight("Về <b>việc</b> phê duyệt", parse_query("viec phe duyet"))
    assert snippet == "Về &lt;b&gt;<mark>việc</mark>&lt;/b&gt; <mark>phê</mark> <mark>duyệt</mark>"
    assert highlight("không có gì", parse_query("kế hoạch")) == ""
    long = "mở đầu " * 100 + "kế hoạch tiêm chủng"
    assert highlight(long, parse_query("tiem chung")).startswith("…")


def test_both_placements_of_a_tone_are_one_exact_word():
    # "hoà"/"hòa", "khoẻ"/"khỏe", "thuỷ"/"thủy": as the writer's keyboard places the tone
    new, old = "Biên Hoà, sức khoẻ, THUỶ LỢI", "Biên Hòa, sức khỏe, thủy lợi"
    assert index_text(new) == index_text(old)
    assert index_text(new)[0] == "biên hòa sức khỏe thủy lợi"
    assert words(new) == ["biên", "hoà", "sức", "khoẻ", "thuỷ", "lợi"]  # as typed, elsewhere
