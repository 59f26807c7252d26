"""The bodies whose documents the Đồng Nai demo department receives, and the others it writes to.

Organisation codes follow the national format (000.00.00.H19) but are illustrative, and every
person's name is fictional.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Signer:
    name: str
    position: str  # printed in capitals: "PHÓ GIÁM ĐỐC"
    authority: str = (
        ""  # "KT. GIÁM ĐỐC"; "\n" separates lines ("TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH")
    )


@dataclass(frozen=True)
class Issuer:
    """A body whose documents the department receives."""

    key: str
    name: str  # as a clerk records it
    short_name: str
    code: str | None  # national organisation code (illustrative); None for internal units
    header: str  # the agency as printed, bold capitals
    abbreviation: str  # in notations: QĐ-UBND, 123/BYT-KHTC
    letter_units: tuple[str, ...]  # unit suffixes of Công văn notations (UBND-KGVX)
    place: str
    signers: tuple[Signer, ...]
    governing_body: str = ""
    decision_authority: str = ""  # Quyết định: "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH ĐỒNG NAI"
    archive: str = "VT"  # "Lưu: VT, KGVX."
    email: str = ""
    weight: int = 1
    yearly_volume: int = 3000  # documents a year: sets the size of the numbers
    internal: bool = False  # an affiliated unit of the department (no ExternalOrganization)

    @property
    def name_in_text(self) -> str:
        return self.short_name if self.internal else self.name


_UBND_SIGNERS = (
    Signer("Võ Văn Phi", "PHÓ CHỦ TỊCH", "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH"),
    Signer("Nguyễn Thị Hoàng", "PHÓ CHỦ TỊCH", "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH"),
    Signer("Cao Tiến Sỹ", "CHỦ TỊCH", "TM. ỦY BAN NHÂN DÂN"),
)
_SO_SIGNERS = (
    ("Trần Văn Bình", "GIÁM ĐỐC", ""),
    ("Lê Quang Trung", "PHÓ GIÁM ĐỐC", "KT. GIÁM ĐỐC"),
)

ISSUERS: tuple[Issuer, ...] = (
    Issuer(
        key="ubnd",
        name="Ủy ban nhân dân tỉnh Đồng Nai",
        short_name="UBND tỉnh",
        code="000.00.00.H19",
        header="ỦY BAN NHÂN DÂN\nTỈNH ĐỒNG NAI",
        abbreviation="UBND",
        letter_units=("KGVX", "KTNS", "THNC"),
        place="Đồng Nai",
        signers=_UBND_SIGNERS,
        decision_authority="ỦY BAN NHÂN DÂN TỈNH ĐỒNG NAI",
        archive="VT, KGVX",
        email="ubnd@dongnai.gov.vn",
        weight=6,
        yearly_volume=12000,
    ),
    Issuer(
        key="byt",
        name="Bộ Y tế",
        short_name="BYT",
        code="000.00.00.G14",
        header="BỘ Y TẾ",
        abbreviation="BYT",
        letter_units=("KHTC", "KCB", "DP", "QLD", "CNTT", "TCCB", "BH"),
        place="Hà Nội",
        signers=(
            Signer("Trần Văn Thuấn", "THỨ TRƯỞNG", "KT. BỘ TRƯỞNG"),
            Signer("Đỗ Xuân Tuyên", "THỨ TRƯỞNG", "KT. BỘ TRƯỞNG"),
            Signer("Nguyễn Tri Thức", "THỨ TRƯỞNG", "KT. BỘ TRƯỞNG"),
        ),
        decision_authority="BỘ TRƯỞNG BỘ Y TẾ",
        archive="VT, KHTC",
        email="byt@moh.gov.vn",
        weight=6,
        yearly_volume=8000,
    ),
    Issuer(
        key="qld",
        name="Cục Quản lý Dược",
        short_name="Cục QLD",
        code="000.11.00.G14",
        governing_body="BỘ Y TẾ",
        header="CỤC QUẢN LÝ DƯỢC",
        abbreviation="QLD",
        letter_units=("CL", "ĐK", "KD"),
        place="Hà Nội",
        signers=(Signer("Vũ Tuấn Cường", "PHÓ CỤC TRƯỞNG", "KT. CỤC TRƯỞNG"),),
        decision_authority="CỤC TRƯỞNG CỤC QUẢN LÝ DƯỢC",
        archive="VT, CL",
        weight=2,
        yearly_volume=20000,
    ),
    Issuer(
        key="stc",
        name="Sở Tài chính tỉnh Đồng Nai",
        short_name="Sở Tài chính",
        code="000.00.05.H19",
        governing_body="UBND TỈNH ĐỒNG NAI",
        header="SỞ TÀI CHÍNH",
        abbreviation="STC",
        letter_units=("QLNS", "TCHCSN", "QLG"),
        place="Đồng Nai",
        signers=tuple(
            Signer(n, p, a)
            for n, p, a in (
                ("Hồ Văn Hà", "GIÁM ĐỐC", ""),
                ("Phạm Thị Ngọc Thủy", "PHÓ GIÁM ĐỐC", "KT. GIÁM ĐỐC"),
            )
        ),
        decision_authority="GIÁM ĐỐC SỞ TÀI CHÍNH",
        archive="VT, TCHCSN",
        email="stc@dongnai.gov.vn",
        weight=3,
        yearly_volume=6000,
    ),
    Issuer(
        key="stttt",
        name="Sở Thông tin và Truyền thông tỉnh Đồng Nai",
        short_name="Sở Thông tin và Truyền thông",
        code="000.00.11.H19",
        governing_body="UBND TỈNH ĐỒNG NAI",
        header="SỞ THÔNG TIN\nVÀ TRUYỀN THÔNG",
        abbreviation="STTTT",
        letter_units=("CNTT", "BCVT", "TTBCXB"),
        place="Đồng Nai",
        signers=tuple(Signer(n, p, a) for n, p, a in _SO_SIGNERS),
        decision_authority="GIÁM ĐỐC SỞ THÔNG TIN VÀ TRUYỀN THÔNG",
        archive="VT, CNTT",
        email="stttt@dongnai.gov.vn",
        weight=3,
        yearly_volume=3000,
    ),
    Issuer(
        key="bhxh",
        name="Bảo hiểm xã hội tỉnh Đồng Nai",
        short_name="BHXH tỉnh",
        code="000.00.19.G07",
        governing_body="BẢO HIỂM XÃ HỘI VIỆT NAM",
        header="BẢO HIỂM XÃ HỘI\nTỈNH ĐỒNG NAI",
        abbreviation="BHXH",
        letter_units=("GĐBHYT", "TST", "KHTC"),
        place="Đồng Nai",
        signers=(Signer("Đặng Thị Mỹ Hạnh", "PHÓ GIÁM ĐỐC", "KT. GIÁM ĐỐC"),),
        decision_authority="GIÁM ĐỐC BẢO HIỂM XÃ HỘI TỈNH ĐỒNG NAI",
        archive="VT, GĐBHYT",
        email="bhxh@dongnai.vss.gov.vn",
        weight=3,
        yearly_volume=5000,
    ),
    Issuer(
        key="snv",
        name="Sở Nội vụ tỉnh Đồng Nai",
        short_name="Sở Nội vụ",
        code="000.00.02.H19",
        governing_body="UBND TỈNH ĐỒNG NAI",
        header="SỞ NỘI VỤ",
        abbreviation="SNV",
        letter_units=("TCBC", "CCVC", "CCHC"),
        place="Đồng Nai",
        signers=(
            Signer("Nguyễn Văn Thanh", "GIÁM ĐỐC"),
            Signer("Lâm Thị Thu Hà", "PHÓ GIÁM ĐỐC", "KT. GIÁM ĐỐC"),
        ),
        decision_authority="GIÁM ĐỐC SỞ NỘI VỤ",
        archive="VT, TCBC",
        email="snv@dongnai.gov.vn",
        weight=2,
        yearly_volume=4000,
    ),
    Issuer(
        key="skhdt",
        name="Sở Kế hoạch và Đầu tư tỉnh Đồng Nai",
        short_name="Sở Kế hoạch và Đầu tư",
        code="000.00.04.H19",
        governing_body="UBND TỈNH ĐỒNG NAI",
        header="SỞ KẾ HOẠCH VÀ ĐẦU TƯ",
        abbreviation="SKHĐT",
        letter_units=("TH", "KGVX"),
        place="Đồng Nai",
        signers=(Signer("Huỳnh Văn Tâm", "PHÓ GIÁM ĐỐC", "KT. GIÁM ĐỐC"),),
        decision_authority="GIÁM ĐỐC SỞ KẾ HOẠCH VÀ ĐẦU TƯ",
        archive="VT, KGVX",
        weight=1,
        yearly_volume=5000,
    ),
    Issuer(
        key="vpubnd",
        name="Văn phòng Ủy ban nhân dân tỉnh Đồng Nai",
        short_name="Văn phòng UBND tỉnh",
        code="000.00.01.H19",
        governing_body="UBND TỈNH ĐỒNG NAI",
        header="VĂN PHÒNG",
        abbreviation="VPUBND",
        letter_units=("KGVX", "HCTC"),
        place="Đồng Nai",
        signers=(Signer("Đoàn Minh Phương", "PHÓ CHÁNH VĂN PHÒNG", "KT. CHÁNH VĂN PHÒNG"),),
        archive="VT, KGVX",
        weight=2,
        yearly_volume=9000,
    ),
    Issuer(
        key="ttyt_bienhoa",
        name="Trung tâm Y tế thành phố Biên Hòa",
        short_name="Trung tâm Y tế thành phố Biên Hòa",
        code=None,
        governing_body="SỞ Y TẾ ĐỒNG NAI",
        header="TRUNG TÂM Y TẾ\nTHÀNH PHỐ BIÊN HÒA",
        abbreviation="TTYT",
        letter_units=("KHNV", "TCHC"),
        place="Biên Hòa",
        signers=(Signer("Lý Văn Sơn", "GIÁM ĐỐC"),),
        archive="VT, KHNV",
        weight=1,
        yearly_volume=1500,
        internal=True,
    ),
    Issuer(
        key="bvdk_dongnai",
        name="Bệnh viện Đa khoa Đồng Nai",
        short_name="Bệnh viện Đa khoa Đồng Nai",
        code=None,
        governing_body="SỞ Y TẾ ĐỒNG NAI",
        header="BỆNH VIỆN ĐA KHOA\nĐỒNG NAI",
        abbreviation="BVĐKĐN",
        letter_units=("KHTH", "TCCB"),
        place="Đồng Nai",
        signers=(Signer("Huỳnh Công Minh", "PHÓ GIÁM ĐỐC", "KT. GIÁM ĐỐC"),),
        archive="VT, KHTH",
        weight=1,
        yearly_volume=2500,
        internal=True,
    ),
)
ISSUERS_BY_KEY = {issuer.key: issuer for issuer in ISSUERS}


# Other external organisations the department writes to (no documents received from them here).
OTHER_ORGANIZATIONS: tuple[tuple[str, str, str, str], ...] = (
    ("Sở Giáo dục và Đào tạo tỉnh Đồng Nai", "Sở GDĐT", "000.00.09.H19", "sgddt@dongnai.gov.vn"),
    ("Sở Lao động - Thương binh và Xã hội tỉnh Đồng Nai", "Sở LĐTBXH", "000.00.13.H19", ""),
    ("Sở Tư pháp tỉnh Đồng Nai", "Sở Tư pháp", "000.00.08.H19", ""),
    ("Công an tỉnh Đồng Nai", "Công an tỉnh", "000.00.30.H19", ""),
)
