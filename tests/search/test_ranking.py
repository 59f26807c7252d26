"""Ranking (search.ranking) on the database backend (SQLite or PostgreSQL, as DATABASE_URL says)
and on OpenSearch (with OPENSEARCH_URL, an alias of its own): syllables adjacent above scattered
ones, the symbol typed above its siblings, the diacritics typed above the folded-only matches.

Every document here is built so that the engine's own relevance (bm25, ts_rank) prefers the
wrong one: the traps carry the query's syllables in their subject, often; the right documents
carry them once, deep in a long body."""

from __future__ import annotations

import datetime

import pytest

from search.backends import SearchQuery, get_backend
from search.documents import index_records
from tests.search.conftest import make_document, reindex_all
from tests.search.opensearch_support import new_backend

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.parametrize(
        "backend_name", ["database", pytest.param("opensearch", marks=pytest.mark.opensearch)]
    ),
]

FILLER = (
    "Sở Y tế đề nghị các đơn vị trực thuộc tổ chức triển khai thực hiện nghiêm túc, báo cáo kết "
    "quả về Văn phòng Sở trước ngày 15 hằng tháng để tổng hợp, báo cáo Ủy ban nhân dân tỉnh. "
)


@pytest.fixture
def documents(agency, units, users, catalogs):
    """Document name → document; every one in the medical unit, seen by the director."""
    made = {}

    def doc(name: str, subject: str, body: str = "", **extra) -> None:
        extra.setdefault("unit", units["medical"])
        extra.setdefault("issue_date", datetime.date(2026, 3, 2))
        made[name] = make_document(
            agency=agency,
            user=users["clerk"],
            catalogs=catalogs,
            subject=subject,
            body=body,
            issuer=extra.pop("issuer", "Bộ Y tế"),
            **extra,
        )

    # Syllables of "bệnh án điện tử" (electronic medical record), scattered and often.
    doc(
        "death_notices",
        "Liên thông giấy báo tử điện tử, giấy chứng sinh phục vụ Đề án 06 của Bộ Y tế",
        "Các bệnh viện liên thông giấy báo tử điện tử; bệnh nhân tử vong được cấp giấy báo tử "
        "điện tử. Đề án 06, dự án cơ sở dữ liệu, điện tử hóa hồ sơ bệnh tật. " * 3,
    )
    doc(
        "digital_projects",
        "Dự án điện tử hóa bệnh viện, bệnh tật và tử vong: Đề án 06 của Bộ Y tế",
        "Đề án, dự án điện tử; thống kê bệnh tật, tử vong điện tử tại bệnh viện. " * 3,
    )
    # The phrase, once, in the body of a long plan.
    doc(
        "plan_with_emr",
        "Kế hoạch chuyển đổi số ngành Y tế năm 2026",
        FILLER
        * 6
        + "Khảo sát, xây dựng kế hoạch triển khai bệnh án điện tử cho 04 bệnh viện theo hướng "
        "dẫn của Bộ Y tế. " + FILLER * 6,
        type_key="KH",
    )
    # A symbol of the department's own series, its siblings and a letter citing it.
    doc(
        "letter_01",
        "báo cáo tình hình khám bệnh, chữa bệnh dịp Tết Nguyên đán",
        FILLER * 12,
        number="01",
        notation="SYT-NVY",
        direction="outgoing",
        status="issued",
        issuer="Sở Y tế",
    )
    for number in ("02", "03", "15"):
        doc(
            f"letter_{number}",
            f"Công văn số {number}/SYT-NVY về lịch trực ngày 01/01/2026 (SYT-NVY)",
            f"Số: {number}/SYT-NVY. Từ ngày 01/01/2026 đến ngày 01/02/2026, SYT-NVY trực 01 "
            "ngày. Lưu: VT, NVY.",
            number=number,
            notation="SYT-NVY",
            direction="outgoing",
            status="issued",
            issuer="Sở Y tế",
        )
    doc(
        "citing_01",
        "Báo cáo số liệu khám chữa bệnh dịp Tết của Trung tâm Y tế",
        FILLER * 4 + "Thực hiện Công văn số 01/SYT-NVY của Sở Y tế, Trung tâm báo cáo. " + FILLER,
        issuer="Trung tâm Y tế thành phố Biên Hòa",
    )
    # "dược" (pharmacy) once in a long body; "được" (can) everywhere in the others.
    doc(
        "pharmacy",
        "Tăng cường kiểm tra chất lượng thuốc lưu hành",
        FILLER * 8 + "Phòng Nghiệp vụ Dược chủ trì kiểm tra. " + FILLER * 8,
    )
    for index in range(3):
        doc(
            f"can_{index}",
            f"Kết quả được giao năm 202{index} được đánh giá, được công nhận",
            "Các chỉ tiêu được giao được hoàn thành; kinh phí được cấp được sử dụng đúng. " * 2,
        )
    # "đình chỉ lưu hành thuốc": both hold the run "đình chỉ lưu hành"; the decision on a
    # registration has one adjacent pair more ("lưu hành thuốc" in its subject), which straddles
    # two words: the suspension letter, all the words in its subject, comes first.
    doc(
        "suspension",
        "Đình chỉ lưu hành và thu hồi thuốc không đạt tiêu chuẩn chất lượng",
        FILLER * 2 + "Đề nghị thông báo đình chỉ lưu hành, thu hồi thuốc. " + FILLER * 2,
    )
    doc(
        "registration",
        "Quyết định thu hồi giấy đăng ký lưu hành thuốc",
        FILLER * 2
        + "Nhằm thông báo đình chỉ lưu hành, thu hồi thuốc không đạt chất lượng. "
        + FILLER * 2,
        type_key="QĐ",
    )
    # The tone of "oa" on either vowel: "Biên Hòa" (on the o) and, typed the other way, a
    # record of mediations ("hoà giải", on the a) that holds "biên" and "hoà" apart, often.
    doc(
        "bien_hoa",
        "Báo cáo của Trung tâm Y tế thành phố Biên Hòa",
        FILLER * 8,
        issuer="Trung tâm Y tế thành phố Biên Hòa",
    )
    doc(
        "mediation",
        "Biên bản hoà giải: hoà giải viên, biên bản hoà giải thành",
        "Biên bản hoà giải; hoà giải viên lập biên bản. " * 3,
    )
    return made


@pytest.fixture
def engine(backend_name, documents):
    """The backend under test, holding exactly these documents."""
    if backend_name == "database":
        reindex_all()
        yield get_backend("database")
        return
    backend = new_backend()
    backend.index(index_records(sorted(document.pk for document in documents.values())))
    backend.refresh()
    yield backend
    backend.drop()


def ranked(engine, users, documents, text: str, **options) -> list[str]:
    """Names of the hits, best first, as the director sees them."""
    result = engine.search(SearchQuery(text=text, page_size=50, **options), users["director"])
    names = {document.pk: name for name, document in documents.items()}
    return [names[hit.document_id] for hit in result.hits]


@pytest.mark.parametrize("text", ["bệnh án điện tử", "benh an dien tu", "BỆNH ÁN ĐIỆN TỬ"])
def test_adjacent_syllables_rank_above_scattered_ones(engine, users, documents, text):
    found = ranked(engine, users, documents, text)
    assert found[0] == "plan_with_emr"
    # the scattered ones are still found, after it
    assert {"death_notices", "digital_projects"} <= set(found[1:])


def test_a_longer_run_of_adjacent_syllables_ranks_higher_without_the_whole_phrase(
    engine, users, documents
):
    # "bệnh án điện tử Bộ Y tế": no document has these six syllables in a row; the plan has a
    # run of four ("bệnh án điện tử"), the others one of three at most ("Bộ Y tế").
    found = ranked(engine, users, documents, "bệnh án điện tử Bộ Y tế")
    assert found[0] == "plan_with_emr"
    assert {"death_notices", "digital_projects"} <= set(found[1:])


def test_the_longest_run_counts_not_the_number_of_adjacent_pairs(engine, users, documents):
    found = ranked(engine, users, documents, "đình chỉ lưu hành thuốc")
    assert found[:2] == ["suspension", "registration"]


@pytest.mark.parametrize("text", ["01/SYT-NVY", "01 SYT NVY", "01/syt-nvy"])
def test_the_symbol_typed_ranks_first_then_who_cites_it_then_its_siblings(
    engine, users, documents, text
):
    found = ranked(engine, users, documents, text)
    assert found[:2] == ["letter_01", "citing_01"]
    assert set(found[2:]) == {"letter_02", "letter_03", "letter_15"}


def test_a_query_with_diacritics_ranks_every_exact_match_before_folded_only_ones(
    engine, users, documents
):
    found = ranked(engine, users, documents, "dược")
    assert found[0] == "pharmacy"
    # "được" documents are still found (a text without diacritics must stay findable), after
    assert {"can_0", "can_1", "can_2"} <= set(found[1:])
    # typed without diacritics, the query means both words: the same documents match
    assert set(ranked(engine, users, documents, "duoc")) == set(found)


@pytest.mark.parametrize("text", ["Biên Hoà", "Biên Hòa", "biên hoà"])
def test_either_placement_of_a_tone_is_the_same_word(engine, users, documents, text):
    found = ranked(engine, users, documents, text)
    assert found[0] == "bien_hoa"
    assert "mediation" in found[1:]


def test_words_typed_after_a_quoted_phrase_do_not_widen_a_type_ahead_search(
    engine, users, documents
):
    # the plan has "kế hoạch chuyển đổi số" but not the quoted phrase: it must not match
    found = ranked(engine, users, documents, 'kế hoạch "giấy báo tử" chuyển đ', prefix=True)
    assert "plan_with_emr" not in found


def test_a_query_at_every_engine_limit_gets_an_answer(engine, users, documents):
    # 32 different words with diacritics (the most that reach the engine: a tier, a phrase
    # and eight adjacent pairs each), quoted phrases and symbols: OpenSearch refuses queries of
    # more than 1,024 clauses, SQLite and PostgreSQL have no such limit but must answer too.
    words = [
        f"{syllable}{index}" for index, syllable in enumerate(["bệnh", "án", "điện", "tử"] * 10)
    ]
    text = " ".join(words) + ' "giấy báo tử" "bệnh án" 01/SYT-NVY 02/SYT-NVY 15/SYT-NVY'
    for prefix in (False, True):
        result = engine.search(SearchQuery(text=text, prefix=prefix), users["director"])
        assert result.total >= 0
