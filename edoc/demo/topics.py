"""What the Đồng Nai demo documents are about: fields (lĩnh vực) with the department that leads
on each, the topics of incoming documents and the department's own outgoing topics.

Pure data; `edoc.demo.builders` prints documents from it.
"""

from __future__ import annotations

from dataclasses import dataclass

# --- Fields (lĩnh vực) ---------------------------------------------------------------------

FIELDS: tuple[tuple[str, str], ...] = (
    ("kham-chua-benh", "Khám chữa bệnh"),
    ("duoc-my-pham", "Dược - Mỹ phẩm"),
    ("y-te-du-phong", "Y tế dự phòng"),
    ("to-chuc-can-bo", "Tổ chức cán bộ"),
    ("ke-hoach-tai-chinh", "Kế hoạch - Tài chính"),
    ("chuyen-doi-so", "Chuyển đổi số"),
    ("bao-hiem-y-te", "Bảo hiểm y tế"),
    ("an-toan-thuc-pham", "An toàn thực phẩm"),
    ("thanh-tra", "Thanh tra - Kiểm tra"),
    ("hanh-chinh", "Hành chính - Tổng hợp"),
    ("cai-cach-hanh-chinh", "Cải cách hành chính"),
    ("trang-thiet-bi", "Trang thiết bị - Công trình y tế"),
    ("dan-so", "Dân số - Sức khỏe sinh sản"),
)

# Which department of the Sở leads on a field (short names of units, see edoc.demo.organisation).
FIELD_LEAD_UNIT = {
    "kham-chua-benh": "NVY",
    "y-te-du-phong": "NVY",
    "bao-hiem-y-te": "NVY",
    "an-toan-thuc-pham": "NVY",
    "dan-so": "NVY",
    "duoc-my-pham": "NVD",
    "ke-hoach-tai-chinh": "KHTC",
    "trang-thiet-bi": "KHTC",
    "to-chuc-can-bo": "TCCB",
    "thanh-tra": "TTra",
    "chuyen-doi-so": "VP",
    "hanh-chinh": "VP",
    "cai-cach-hanh-chinh": "VP",
}

# --- Topics --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Topic:
    """A subject matter: subject templates per document type, legal bases and content."""

    key: str
    field: str
    issuers: tuple[str, ...]
    subjects: dict[str, str]  # type name -> subject; {year} {prev} {next} {quarter} {month}
    purpose: str  # what is asked/decided, as a verb phrase
    details: tuple[str, ...]
    basis: tuple[str, ...] = ()
    digital: bool = False  # part of the digital-transformation plan (context document)
    confidential: bool = False


TOPICS: tuple[Topic, ...] = (
    Topic(
        key="cds-tinh",
        field="chuyen-doi-so",
        issuers=("ubnd", "stttt", "vpubnd"),
        subjects={
            "Công văn": "triển khai Kế hoạch chuyển đổi số tỉnh Đồng Nai năm {year}",
            "Kế hoạch": "Chuyển đổi số tỉnh Đồng Nai năm {year}",
            "Báo cáo": "Kết quả thực hiện chuyển đổi số tỉnh Đồng Nai năm {prev}",
            "Giấy mời": "Dự Hội nghị triển khai nhiệm vụ chuyển đổi số tỉnh Đồng Nai năm {year}",
        },
        purpose="triển khai hiệu quả các nhiệm vụ chuyển đổi số, phát triển chính quyền số, "
        "kinh tế số và xã hội số trên địa bàn tỉnh",
        details=(
            "Duy trì và nâng cấp các nền tảng số dùng chung của tỉnh; bảo đảm 100% văn bản chỉ "
            "đạo, điều hành được xử lý trên môi trường mạng, trừ văn bản thuộc phạm vi bí mật "
            "nhà nước.",
            "Đẩy mạnh cung cấp dịch vụ công trực tuyến toàn trình, nâng cao tỷ lệ hồ sơ thủ tục "
            "hành chính được tiếp nhận và giải quyết trực tuyến.",
            "Kết nối, chia sẻ dữ liệu với Cơ sở dữ liệu quốc gia về dân cư phục vụ Đề án 06 của "
            "Chính phủ, bảo đảm dữ liệu đúng, đủ, sạch, sống.",
            "Tích hợp dữ liệu chuyên ngành lên ứng dụng “Đồng Nai CĐS” và Trung tâm giám sát, "
            "điều hành đô thị thông minh của tỉnh.",
            "Tổ chức tuyên truyền, bồi dưỡng kỹ năng số cho cán bộ, công chức, viên chức và "
            "người dân.",
        ),
        basis=(
            "Quyết định số 749/QĐ-TTg ngày 03/6/2020 của Thủ tướng Chính phủ phê duyệt Chương "
            "trình chuyển đổi số quốc gia đến năm 2025, định hướng đến năm 2030",
            "Kế hoạch số 156/KH-UBND ngày 05/7/2022 của UBND tỉnh về triển khai chương trình "
            "thúc đẩy phát triển và sử dụng các nền tảng số quốc gia",
        ),
        digital=True,
    ),
    Topic(
        key="benh-an-dien-tu",
        field="chuyen-doi-so",
        issuers=("byt", "ubnd"),
        subjects={
            "Công văn": "đẩy mạnh triển khai bệnh án điện tử tại các cơ sở khám bệnh, chữa bệnh",
            "Kế hoạch": "Triển khai hồ sơ bệnh án điện tử tại các cơ sở khám bệnh, chữa bệnh "
            "giai đoạn {year} - {next}",
            "Thông báo": "Kết luận của Thứ trưởng tại Hội nghị trực tuyến về triển khai bệnh án "
            "điện tử",
        },
        purpose="khẩn trương triển khai hồ sơ bệnh án điện tử theo lộ trình, bảo đảm kết nối, "
        "liên thông dữ liệu khám bệnh, chữa bệnh",
        details=(
            "Rà soát hạ tầng công nghệ thông tin, hệ thống quản lý thông tin bệnh viện (HIS), hệ "
            "thống lưu trữ và truyền tải hình ảnh (PACS) đáp ứng yêu cầu triển khai bệnh án điện "
            "tử.",
            "Xây dựng kế hoạch, bố trí kinh phí và nhân lực; thành lập Tổ triển khai bệnh án điện "
            "tử do lãnh đạo đơn vị làm tổ trưởng.",
            "Thực hiện ký số trên hồ sơ bệnh án, bảo đảm giá trị pháp lý của hồ sơ bệnh án điện "
            "tử theo quy định tại Thông tư số 46/2018/TT-BYT.",
            "Tự đánh giá mức độ ứng dụng công nghệ thông tin theo Thông tư số 54/2017/TT-BYT và "
            "báo cáo kết quả về Bộ Y tế.",
        ),
        basis=(
            "Thông tư số 46/2018/TT-BYT ngày 28/12/2018 của Bộ trưởng Bộ Y tế quy định hồ sơ "
            "bệnh án điện tử",
            "Chỉ thị số 07/CT-BYT ngày 25/3/2024 của Bộ trưởng Bộ Y tế về việc đẩy mạnh triển "
            "khai bệnh án điện tử",
        ),
        digital=True,
    ),
    Topic(
        key="de-an-06",
        field="chuyen-doi-so",
        issuers=("byt", "bhxh", "ubnd"),
        subjects={
            "Công văn": "liên thông dữ liệu giấy khám sức khỏe lái xe, giấy chứng sinh, giấy báo "
            "tử phục vụ Đề án 06",
            "Kế hoạch": "Triển khai Đề án 06 trong lĩnh vực y tế năm {year}",
            "Báo cáo": "Kết quả triển khai khám bệnh, chữa bệnh bằng căn cước công dân gắn chíp "
            "quý {quarter} năm {year}",
        },
        purpose="thực hiện liên thông dữ liệu y tế lên Cổng giám định bảo hiểm y tế và Hệ thống "
        "quản lý dữ liệu của Bộ Y tế phục vụ Đề án 06",
        details=(
            "Các cơ sở khám bệnh, chữa bệnh tiếp tục thực hiện đăng ký khám chữa bệnh bằng căn "
            "cước công dân gắn chíp và tài khoản định danh điện tử VNeID.",
            "Liên thông dữ liệu giấy khám sức khỏe lái xe lên Hệ thống quản lý dữ liệu của Bộ Y "
            "tế (dulieu.kcb.vn) ngay sau khi cấp giấy.",
            "Thực hiện liên thông giấy chứng sinh, giấy báo tử điện tử, bảo đảm thông tin chính "
            "xác, đầy đủ.",
            "Phân công cán bộ đầu mối theo dõi, xử lý kịp thời các lỗi phát sinh khi kết nối.",
        ),
        basis=(
            "Quyết định số 06/QĐ-TTg ngày 06/01/2022 của Thủ tướng Chính phủ phê duyệt Đề án phát "
            "triển ứng dụng dữ liệu về dân cư, định danh và xác thực điện tử phục vụ chuyển đổi "
            "số quốc gia giai đoạn 2022 - 2025, tầm nhìn đến năm 2030",
        ),
        digital=True,
    ),
    Topic(
        key="attt",
        field="chuyen-doi-so",
        issuers=("stttt",),
        subjects={
            "Công văn": "tăng cường bảo đảm an toàn thông tin mạng cho các hệ thống thông tin",
            "Kế hoạch": "Diễn tập ứng cứu sự cố an toàn thông tin mạng tỉnh Đồng Nai năm {year}",
            "Giấy mời": "Dự tập huấn chuyển đổi số và bảo đảm an toàn thông tin mạng năm {year}",
        },
        purpose="rà soát, khắc phục các lỗ hổng bảo mật và bảo đảm an toàn thông tin mạng cho "
        "các hệ thống thông tin thuộc phạm vi quản lý",
        details=(
            "Rà soát, phân loại và hoàn thiện hồ sơ đề xuất cấp độ an toàn hệ thống thông tin theo "
            "Nghị định số 85/2016/NĐ-CP.",
            "Cập nhật bản vá cho hệ điều hành, phần mềm máy chủ; cài đặt phần mềm phòng, chống mã "
            "độc có bản quyền cho máy trạm.",
            "Sao lưu dữ liệu định kỳ, kiểm tra khả năng khôi phục dữ liệu của các hệ thống quan "
            "trọng.",
            "Cử cán bộ phụ trách công nghệ thông tin tham gia mạng lưới ứng cứu sự cố an toàn "
            "thông tin mạng của tỉnh.",
        ),
        basis=(
            "Chỉ thị số 14/CT-TTg ngày 07/6/2019 của Thủ tướng Chính phủ về việc tăng cường bảo "
            "đảm an toàn, an ninh mạng nhằm cải thiện chỉ số xếp hạng của Việt Nam",
        ),
        digital=True,
    ),
    Topic(
        key="sot-xuat-huyet",
        field="y-te-du-phong",
        issuers=("ubnd", "byt", "vpubnd"),
        subjects={
            "Công văn": "tăng cường công tác phòng, chống bệnh sốt xuất huyết trên địa bàn tỉnh",
            "Kế hoạch": "Phòng, chống dịch bệnh truyền nhiễm trên địa bàn tỉnh Đồng Nai năm {year}",
            "Thông báo": "Ý kiến chỉ đạo của Chủ tịch UBND tỉnh về công tác phòng, chống dịch "
            "sốt xuất huyết",
        },
        purpose="chủ động triển khai các biện pháp phòng, chống dịch sốt xuất huyết, không để "
        "dịch bùng phát, lan rộng",
        details=(
            "Tổ chức chiến dịch diệt lăng quăng, bọ gậy tại các khu dân cư, trường học, công "
            "trình xây dựng, khu công nghiệp.",
            "Giám sát chặt chẽ tình hình dịch bệnh, phát hiện sớm và xử lý triệt để các ổ dịch "
            "mới.",
            "Chuẩn bị đầy đủ thuốc, hóa chất, vật tư, trang thiết bị; tổ chức thu dung, điều trị "
            "kịp thời, hạn chế thấp nhất trường hợp tử vong.",
            "Đẩy mạnh truyền thông để người dân chủ động thực hiện các biện pháp phòng bệnh tại "
            "hộ gia đình.",
        ),
        basis=(
            "Luật Phòng, chống bệnh truyền nhiễm ngày 21/11/2007",
            "Quyết định số 3711/QĐ-BYT ngày 19/9/2014 của Bộ trưởng Bộ Y tế về việc ban hành "
            "Hướng dẫn giám sát và phòng, chống bệnh sốt xuất huyết Dengue",
        ),
    ),
    Topic(
        key="tiem-chung",
        field="y-te-du-phong",
        issuers=("byt", "ubnd"),
        subjects={
            "Công văn": "triển khai chiến dịch tiêm vắc xin phòng bệnh sởi cho trẻ em",
            "Kế hoạch": "Tiêm chủng mở rộng tỉnh Đồng Nai năm {year}",
            "Quyết định": "Về việc phân bổ vắc xin trong Chương trình tiêm chủng mở rộng "
            "năm {year}",
        },
        purpose="bảo đảm tỷ lệ tiêm chủng đầy đủ các loại vắc xin trong Chương trình tiêm chủng "
        "mở rộng đạt trên 95%",
        details=(
            "Rà soát, lập danh sách trẻ trong độ tuổi chưa tiêm hoặc tiêm chưa đủ mũi để tiêm "
            "bù, tiêm vét.",
            "Bảo đảm an toàn tiêm chủng; bố trí đủ nhân lực, phương tiện xử trí phản ứng sau tiêm.",
            "Cập nhật đầy đủ, kịp thời thông tin tiêm chủng trên Hệ thống thông tin tiêm chủng "
            "quốc gia.",
            "Tiếp nhận, bảo quản và phân phối vắc xin theo đúng quy định về dây chuyền lạnh.",
        ),
        basis=(
            "Nghị định số 104/2016/NĐ-CP ngày 01/7/2016 của Chính phủ quy định về hoạt động "
            "tiêm chủng",
        ),
    ),
    Topic(
        key="tet",
        field="kham-chua-benh",
        issuers=("byt", "ubnd", "vpubnd"),
        subjects={
            "Công văn": "bảo đảm công tác y tế trong dịp Tết Nguyên đán năm {year}",
            "Thông báo": "Lịch nghỉ Tết Nguyên đán năm {year} và phân công trực",
            "Kế hoạch": "Bảo đảm công tác y tế phục vụ Nhân dân vui Xuân, đón Tết năm {year}",
        },
        purpose="bảo đảm công tác khám bệnh, cấp cứu, điều trị người bệnh và trực 24/24 giờ "
        "trong dịp Tết",
        details=(
            "Tổ chức trực 4 cấp, 24/24 giờ tại các cơ sở khám bệnh, chữa bệnh; bố trí đủ thuốc, "
            "máu, dịch truyền, trang thiết bị cấp cứu.",
            "Sẵn sàng các đội cấp cứu cơ động, xe cứu thương ứng trực các tuyến giao thông trọng "
            "điểm.",
            "Tăng cường kiểm tra an toàn thực phẩm tại các cơ sở sản xuất, kinh doanh thực phẩm "
            "phục vụ Tết.",
            "Thăm hỏi, tặng quà người bệnh có hoàn cảnh khó khăn phải điều trị tại bệnh viện "
            "trong dịp Tết.",
        ),
    ),
    Topic(
        key="chat-luong-kcb",
        field="kham-chua-benh",
        issuers=("byt",),
        subjects={
            "Công văn": "nâng cao chất lượng khám bệnh, chữa bệnh và sự hài lòng của người bệnh",
            "Quyết định": "Về việc ban hành Bộ tiêu chí chất lượng bệnh viện Việt Nam",
            "Hướng dẫn": "Đánh giá chất lượng bệnh viện năm {year}",
        },
        purpose="đổi mới phong cách, thái độ phục vụ của cán bộ y tế hướng tới sự hài lòng của "
        "người bệnh",
        details=(
            "Cải tiến quy trình khám bệnh, rút ngắn thời gian chờ đợi; công khai giá dịch vụ và "
            "quy trình tại khu vực khám bệnh.",
            "Tổ chức khảo sát sự hài lòng của người bệnh nội trú, ngoại trú và nhân viên y tế "
            "theo định kỳ.",
            "Triển khai đường dây nóng, tiếp nhận và xử lý kịp thời phản ánh của người dân.",
            "Tự đánh giá chất lượng bệnh viện và cập nhật kết quả lên phần mềm của Bộ Y tế.",
        ),
    ),
    Topic(
        key="giam-dinh-bhyt",
        field="bao-hiem-y-te",
        issuers=("bhxh",),
        subjects={
            "Công văn": "thông báo kết quả giám định chi phí khám bệnh, chữa bệnh bảo hiểm y tế "
            "quý {quarter} năm {year}",
            "Báo cáo": "Tình hình thực hiện chính sách bảo hiểm y tế quý {quarter} năm {year}",
            "Giấy mời": "Dự họp giải quyết vướng mắc trong thanh toán chi phí khám bệnh, chữa "
            "bệnh bảo hiểm y tế",
        },
        purpose="phối hợp rà soát, giải quyết các vướng mắc trong thanh toán chi phí khám bệnh, "
        "chữa bệnh bảo hiểm y tế",
        details=(
            "Các cơ sở khám bệnh, chữa bệnh gửi dữ liệu đề nghị thanh toán lên Cổng tiếp nhận dữ "
            "liệu Hệ thống thông tin giám định bảo hiểm y tế đúng thời gian quy định.",
            "Rà soát các chi phí bị từ chối thanh toán, giải trình các trường hợp chỉ định dịch vụ "
            "kỹ thuật vượt định mức.",
            "Thực hiện đúng danh mục thuốc, vật tư y tế và giá dịch vụ đã được cấp có thẩm quyền "
            "phê duyệt.",
            "Phối hợp phát triển người tham gia bảo hiểm y tế, phấn đấu tỷ lệ bao phủ đạt chỉ "
            "tiêu được giao.",
        ),
        basis=("Luật Bảo hiểm y tế ngày 14/11/2008, sửa đổi, bổ sung ngày 13/6/2014",),
    ),
    Topic(
        key="thu-hoi-thuoc",
        field="duoc-my-pham",
        issuers=("qld", "byt"),
        subjects={
            "Công văn": "đình chỉ lưu hành và thu hồi thuốc không đạt tiêu chuẩn chất lượng",
            "Quyết định": "Về việc thu hồi giấy đăng ký lưu hành thuốc",
        },
        purpose="thông báo đình chỉ lưu hành, thu hồi thuốc không đạt tiêu chuẩn chất lượng và "
        "tăng cường kiểm tra, giám sát",
        details=(
            "Thông báo cho các cơ sở kinh doanh, sử dụng thuốc trên địa bàn ngừng kinh doanh, sử "
            "dụng và trả lại nhà cung cấp lô thuốc không đạt tiêu chuẩn chất lượng.",
            "Kiểm tra, giám sát việc thu hồi; xử lý các trường hợp vi phạm theo quy định.",
            "Báo cáo kết quả thu hồi về Cục Quản lý Dược trong thời hạn quy định.",
        ),
        basis=("Luật Dược ngày 06/4/2016",),
    ),
    Topic(
        key="cung-ung-thuoc",
        field="duoc-my-pham",
        issuers=("byt", "stc", "ubnd"),
        subjects={
            "Công văn": "bảo đảm cung ứng thuốc, vật tư y tế cho công tác khám bệnh, chữa bệnh",
            "Quyết định": "Về việc phê duyệt kết quả lựa chọn nhà thầu cung cấp thuốc generic "
            "năm {year}",
        },
        purpose="bảo đảm cung ứng đủ thuốc, vật tư y tế, không để thiếu thuốc ảnh hưởng đến "
        "công tác khám bệnh, chữa bệnh",
        details=(
            "Rà soát nhu cầu, xây dựng kế hoạch lựa chọn nhà thầu cung cấp thuốc, vật tư y tế "
            "sát với thực tế sử dụng.",
            "Thực hiện mua sắm theo đúng quy định của Luật Đấu thầu; công khai kết quả lựa chọn "
            "nhà thầu trên Hệ thống mạng đấu thầu quốc gia.",
            "Điều tiết thuốc giữa các đơn vị trong trường hợp thiếu thuốc cục bộ.",
        ),
        basis=("Luật Đấu thầu ngày 23/6/2023",),
    ),
    Topic(
        key="du-toan",
        field="ke-hoach-tai-chinh",
        issuers=("stc", "ubnd"),
        subjects={
            "Công văn": "hướng dẫn xây dựng dự toán ngân sách nhà nước năm {next}",
            "Quyết định": "Về việc giao dự toán thu, chi ngân sách nhà nước năm {year}",
            "Thông báo": "Kết quả thẩm định quyết toán ngân sách năm {prev}",
        },
        purpose="xây dựng dự toán thu, chi ngân sách bảo đảm đúng quy định, sát với nhiệm vụ "
        "được giao",
        details=(
            "Đánh giá tình hình thực hiện dự toán năm hiện hành, xác định nhiệm vụ chi trọng tâm "
            "của năm kế hoạch.",
            "Dự toán chi thường xuyên xây dựng trên cơ sở định mức phân bổ đã được HĐND tỉnh "
            "thông qua.",
            "Thuyết minh chi tiết các khoản chi đặc thù, chi sửa chữa, mua sắm tài sản.",
            "Gửi dự toán về Sở Tài chính đúng thời hạn để tổng hợp, trình UBND tỉnh.",
        ),
        basis=("Luật Ngân sách nhà nước ngày 25/6/2015",),
    ),
    Topic(
        key="dau-tu-cong",
        field="trang-thiet-bi",
        issuers=("skhdt", "ubnd"),
        subjects={
            "Công văn": "đăng ký kế hoạch đầu tư công trung hạn giai đoạn 2026 - 2030",
            "Quyết định": "Về việc phê duyệt chủ trương đầu tư dự án Xây dựng Trung tâm điều "
            "hành y tế thông minh tại Sở Y tế",
        },
        purpose="rà soát, đăng ký danh mục dự án đầu tư công, bảo đảm tính khả thi và hiệu quả",
        details=(
            "Rà soát các dự án chuyển tiếp, dự án khởi công mới, sắp xếp thứ tự ưu tiên theo "
            "mức độ cấp thiết.",
            "Dự án Xây dựng Trung tâm điều hành y tế thông minh tại Sở Y tế được đề xuất do hệ "
            "thống máy chủ, thiết bị công nghệ thông tin được trang bị từ năm 2010 đã xuống cấp.",
            "Hoàn thiện báo cáo đề xuất chủ trương đầu tư, gửi Sở Kế hoạch và Đầu tư thẩm định.",
        ),
        basis=("Luật Đầu tư công ngày 13/6/2019",),
        digital=True,
    ),
    Topic(
        key="bien-che",
        field="to-chuc-can-bo",
        issuers=("snv", "ubnd"),
        subjects={
            "Công văn": "giao biên chế công chức và số lượng người làm việc năm {year}",
            "Quyết định": "Về việc giao số lượng người làm việc trong các đơn vị sự nghiệp công "
            "lập ngành y tế năm {year}",
            "Hướng dẫn": "Đánh giá, xếp loại chất lượng cán bộ, công chức, viên chức năm {prev}",
        },
        purpose="quản lý, sử dụng biên chế được giao đúng quy định, gắn với tinh giản biên chế",
        details=(
            "Rà soát vị trí việc làm, cơ cấu ngạch công chức, chức danh nghề nghiệp viên chức.",
            "Thực hiện tinh giản biên chế theo lộ trình, không tuyển dụng vượt số lượng được giao.",
            "Báo cáo tình hình sử dụng biên chế, số lượng người làm việc về Sở Nội vụ.",
        ),
        basis=(
            "Nghị định số 62/2020/NĐ-CP ngày 01/6/2020 của Chính phủ về vị trí việc làm và "
            "biên chế công chức",
        ),
    ),
    Topic(
        key="tien-luong",
        field="to-chuc-can-bo",
        issuers=("snv", "stc"),
        subjects={
            "Công văn": "triển khai thực hiện mức lương cơ sở theo Nghị định số 73/2024/NĐ-CP",
            "Hướng dẫn": "Xác định nhu cầu, nguồn và phương thức chi thực hiện điều chỉnh mức "
            "lương cơ sở năm {year}",
        },
        purpose="thực hiện điều chỉnh mức lương cơ sở đối với cán bộ, công chức, viên chức và "
        "người lao động",
        details=(
            "Mức lương cơ sở áp dụng từ ngày 01/7/2024 là 2.340.000 đồng/tháng.",
            "Các đơn vị lập báo cáo nhu cầu kinh phí thực hiện điều chỉnh mức lương cơ sở theo "
            "biểu mẫu hướng dẫn.",
            "Sử dụng nguồn cải cách tiền lương còn dư để thực hiện, phần còn thiếu đề nghị ngân "
            "sách bổ sung.",
        ),
        basis=(
            "Nghị định số 73/2024/NĐ-CP ngày 30/6/2024 của Chính phủ quy định mức lương cơ "
            "sở và chế độ tiền thưởng đối với cán bộ, công chức, viên chức và lực lượng vũ "
            "trang",
        ),
    ),
    Topic(
        key="quy-hoach-can-bo",
        field="to-chuc-can-bo",
        issuers=("snv", "ubnd"),
        subjects={
            "Công văn": "rà soát, bổ sung quy hoạch cán bộ lãnh đạo, quản lý giai đoạn 2026 - 2031",
            "Quyết định": "Về việc phê duyệt quy hoạch chức danh lãnh đạo, quản lý Sở Y tế "
            "giai đoạn 2026 - 2031",
        },
        purpose="rà soát, bổ sung quy hoạch cán bộ lãnh đạo, quản lý bảo đảm đúng quy trình",
        details=(
            "Rà soát tiêu chuẩn, điều kiện của cán bộ trong diện quy hoạch; đưa ra khỏi quy "
            "hoạch các trường hợp không còn đủ điều kiện.",
            "Hồ sơ nhân sự được quản lý theo chế độ mật, chỉ những người có trách nhiệm được "
            "tiếp cận.",
            "Gửi hồ sơ đề nghị phê duyệt quy hoạch về Sở Nội vụ trước thời hạn quy định.",
        ),
        confidential=True,
    ),
    Topic(
        key="cai-cach-hanh-chinh",
        field="cai-cach-hanh-chinh",
        issuers=("ubnd", "snv", "vpubnd"),
        subjects={
            "Công văn": "đẩy mạnh số hóa hồ sơ, kết quả giải quyết thủ tục hành chính",
            "Kế hoạch": "Cải cách hành chính tỉnh Đồng Nai năm {year}",
            "Báo cáo": "Kết quả thực hiện công tác cải cách hành chính quý {quarter} năm {year}",
        },
        purpose="nâng cao chất lượng giải quyết thủ tục hành chính, cải thiện Chỉ số hài lòng "
        "của người dân, doanh nghiệp",
        details=(
            "Số hóa 100% hồ sơ, kết quả giải quyết thủ tục hành chính còn hiệu lực theo quy định "
            "tại Nghị định số 45/2020/NĐ-CP.",
            "Rà soát, đơn giản hóa thủ tục hành chính, cắt giảm thời gian giải quyết.",
            "Công khai đầy đủ, kịp thời thủ tục hành chính trên Cổng dịch vụ công của tỉnh.",
            "Xử lý dứt điểm hồ sơ trễ hạn, thực hiện xin lỗi người dân theo quy định.",
        ),
        basis=(
            "Nghị định số 61/2018/NĐ-CP ngày 23/4/2018 của Chính phủ về thực hiện cơ chế một "
            "cửa, một cửa liên thông trong giải quyết thủ tục hành chính",
        ),
        digital=True,
    ),
    Topic(
        key="attp",
        field="an-toan-thuc-pham",
        issuers=("ubnd", "byt"),
        subjects={
            "Kế hoạch": "Tháng hành động vì an toàn thực phẩm năm {year}",
            "Công văn": "tăng cường bảo đảm an toàn thực phẩm dịp Tết Trung thu năm {year}",
        },
        purpose="kiểm soát chặt chẽ an toàn thực phẩm, phòng chống ngộ độc thực phẩm",
        details=(
            "Thành lập các đoàn kiểm tra liên ngành về an toàn thực phẩm tại các huyện, thành phố.",
            "Tập trung kiểm tra bếp ăn tập thể tại khu công nghiệp, trường học, cơ sở sản xuất "
            "bánh Trung thu.",
            "Xử lý nghiêm các vi phạm, công khai trên phương tiện thông tin đại chúng.",
        ),
        basis=("Luật An toàn thực phẩm ngày 17/6/2010",),
    ),
    Topic(
        key="thanh-tra",
        field="thanh-tra",
        issuers=("ubnd",),
        subjects={
            "Công văn": "báo cáo công tác tiếp công dân, giải quyết khiếu nại, tố cáo quý "
            "{quarter} năm {year}",
            "Quyết định": "Về việc phê duyệt Kế hoạch thanh tra năm {next}",
        },
        purpose="thực hiện tốt công tác tiếp công dân, giải quyết khiếu nại, tố cáo và phòng, "
        "chống tham nhũng",
        details=(
            "Tổng hợp số lượt tiếp công dân, số đơn thư tiếp nhận và kết quả giải quyết trong kỳ.",
            "Rà soát các vụ việc khiếu nại, tố cáo tồn đọng, kéo dài; đề xuất hướng giải quyết.",
            "Báo cáo kết quả về Thanh tra tỉnh trước ngày 15 của tháng cuối quý.",
        ),
    ),
    Topic(
        key="dan-so",
        field="dan-so",
        issuers=("byt", "ubnd"),
        subjects={
            "Kế hoạch": "Chiến dịch tăng cường tuyên truyền, vận động lồng ghép cung cấp dịch "
            "vụ chăm sóc sức khỏe sinh sản, kế hoạch hóa gia đình năm {year}",
            "Công văn": "triển khai Chương trình củng cố, phát triển và nâng cao chất lượng dịch "
            "vụ kế hoạch hóa gia đình",
        },
        purpose="duy trì mức sinh thay thế, nâng cao chất lượng dân số",
        details=(
            "Tổ chức chiến dịch tại các xã có mức sinh cao, vùng khó khăn.",
            "Cung cấp miễn phí dịch vụ kế hoạch hóa gia đình cho đối tượng thuộc hộ nghèo, cận "
            "nghèo.",
            "Đẩy mạnh tầm soát, chẩn đoán trước sinh và sơ sinh.",
        ),
    ),
    Topic(
        key="hoi-nghi-tong-ket",
        field="hanh-chinh",
        issuers=("ubnd", "vpubnd", "byt"),
        subjects={
            "Giấy mời": "Dự Hội nghị tổng kết công tác năm {prev} và triển khai nhiệm vụ năm "
            "{year}",
            "Thông báo": "Kết luận của Chủ tịch UBND tỉnh tại cuộc họp giao ban tháng {month} "
            "năm {year}",
            "Công văn": "báo cáo kết quả thực hiện nhiệm vụ 6 tháng đầu năm {year}",
        },
        purpose="đánh giá kết quả thực hiện nhiệm vụ, xác định giải pháp trọng tâm trong thời "
        "gian tới",
        details=(
            "Đánh giá kết quả thực hiện các chỉ tiêu kinh tế - xã hội được giao, trong đó có các "
            "chỉ tiêu về y tế.",
            "Chỉ rõ những tồn tại, hạn chế, nguyên nhân và trách nhiệm của từng cơ quan, đơn vị.",
            "Đề xuất các nhiệm vụ, giải pháp trọng tâm và kiến nghị cụ thể.",
        ),
    ),
    Topic(
        key="hoat-dong-kcb",
        field="kham-chua-benh",
        issuers=("ttyt_bienhoa", "bvdk_dongnai"),
        subjects={
            "Báo cáo": "Kết quả hoạt động khám bệnh, chữa bệnh 6 tháng đầu năm {year}",
            "Tờ trình": "Đề nghị phê duyệt danh mục kỹ thuật bổ sung năm {year}",
            "Công văn": "đề nghị hỗ trợ nhân lực bác sĩ chuyên khoa",
        },
        purpose="báo cáo tình hình hoạt động chuyên môn và đề xuất nội dung cần hỗ trợ",
        details=(
            "Tổng số lượt khám bệnh tăng so với cùng kỳ; công suất sử dụng giường bệnh đạt trên "
            "90%.",
            "Triển khai thanh toán chi phí khám bệnh, chữa bệnh không dùng tiền mặt qua mã QR và "
            "máy POS.",
            "Thiếu bác sĩ chuyên khoa hồi sức cấp cứu, chẩn đoán hình ảnh; đề nghị Sở Y tế xem "
            "xét hỗ trợ.",
            "Cập nhật hồ sơ sức khỏe điện tử cho người dân trên địa bàn theo kế hoạch.",
        ),
        digital=False,
    ),
    Topic(
        key="hssk",
        field="chuyen-doi-so",
        issuers=("byt", "ttyt_bienhoa"),
        subjects={
            "Công văn": "đẩy mạnh cập nhật hồ sơ sức khỏe điện tử trên Nền tảng quản lý thông tin "
            "y tế cơ sở (V20)",
            "Báo cáo": "Kết quả triển khai hồ sơ sức khỏe điện tử năm {prev}",
        },
        purpose="hoàn thành mục tiêu lập hồ sơ sức khỏe điện tử cho người dân",
        details=(
            "Cập nhật thông tin khám chữa bệnh, tiêm chủng vào hồ sơ sức khỏe điện tử của người "
            "dân thường xuyên.",
            "Liên thông dữ liệu từ hệ thống quản lý thông tin bệnh viện (HIS) tại các bệnh viện, "
            "trung tâm y tế với hệ thống hồ sơ sức khỏe điện tử.",
            "Toàn bộ dữ liệu phát sinh tại trạm y tế xã được liên thông với Nền tảng quản lý "
            "thông tin y tế cơ sở (V20).",
        ),
        digital=True,
    ),
)

TOPICS_BY_KEY = {topic.key: topic for topic in TOPICS}


def _details(key: str) -> tuple[str, ...]:
    return TOPICS_BY_KEY[key].details


# Outgoing topics of the department itself.


@dataclass(frozen=True)
class OutgoingTopic:
    type_name: str
    subject: str
    unit: str  # drafting unit short name: NVY, VP, NVD
    field: str
    details: tuple[str, ...]
    recipients_orgs: tuple[str, ...] = ()  # issuer keys
    recipients_units: tuple[str, ...] = ()  # unit short names
    years: tuple[int, ...] = (2023, 2024, 2025, 2026)
    digital: bool = False
    confidential: bool = False


_CDS_DETAILS = (
    "Nâng cao hoạt động quản lý, điều hành văn bản điện tử tại Sở Y tế, các đơn vị trực thuộc và "
    "170 trạm y tế xã, phường, thị trấn với tỷ lệ 100% văn bản chỉ đạo, điều hành được xử lý trên "
    "môi trường mạng (trừ văn bản thuộc phạm vi bí mật nhà nước).",
    "Duy trì hệ thống quản lý hồ sơ sức khỏe điện tử; triển khai thí điểm sử dụng hồ sơ sức khỏe "
    "điện tử trong khám chữa bệnh tại Trung tâm Y tế huyện Xuân Lộc và nhân rộng cho các cơ sở "
    "còn lại.",
    "Khảo sát, xây dựng kế hoạch triển khai Bệnh án điện tử cho 04 đơn vị: Bệnh viện đa khoa "
    "Đồng Nai, Bệnh viện đa khoa Thống Nhất, Bệnh viện Nhi đồng Đồng Nai, Trung tâm Y tế huyện "
    "Cẩm Mỹ.",
    "Tham gia thí điểm thanh toán không dùng tiền mặt tại Bệnh viện Da liễu và Trung tâm Y tế "
    "huyện Long Thành theo Kế hoạch số 04/KH-UBND ngày 09/01/2023 của UBND tỉnh.",
    "Thực hiện dịch vụ công trực tuyến mức độ 3 với 62 thủ tục hành chính trên Cổng dịch vụ công "
    "trực tuyến tỉnh và mức độ 4 với 52 thủ tục trên Hệ thống dịch vụ công quản lý trang thiết bị "
    "y tế của Bộ Y tế.",
    "Triển khai “Trung tâm điều hành Y tế thông minh” tại Sở Y tế trên cơ sở Bộ chỉ số theo dõi, "
    "giám sát hệ thống y tế theo Quyết định số 828/QĐ-BYT ngày 04/4/2022 của Bộ Y tế.",
)

OUTGOING_TOPICS: tuple[OutgoingTopic, ...] = (
    OutgoingTopic(
        "Kế hoạch",
        "Chuyển đổi số ngành Y tế tỉnh Đồng Nai năm {year}",
        "VP",
        "chuyen-doi-so",
        _CDS_DETAILS,
        ("ubnd", "stttt"),
        (),
        digital=True,
    ),
    OutgoingTopic(
        "Báo cáo",
        "Kết quả thực hiện chuyển đổi số ngành Y tế năm {prev}",
        "VP",
        "chuyen-doi-so",
        _CDS_DETAILS[:4],
        ("ubnd", "stttt"),
        years=(2024, 2025, 2026),
        digital=True,
    ),
    OutgoingTopic(
        "Kế hoạch",
        "Mở rộng hệ thống quản lý hồ sơ sức khỏe điện tử vào công tác khám chữa bệnh tại Trung tâm "
        "Y tế huyện Xuân Lộc",
        "NVY",
        "chuyen-doi-so",
        _CDS_DETAILS[1:3],
        (),
        ("TTYT-XL",),
        years=(2023,),
        digital=True,
    ),
    OutgoingTopic(
        "Tờ trình",
        "Đề nghị phê duyệt chủ trương đầu tư dự án Xây dựng Trung tâm điều hành y tế thông minh "
        "tại Sở Y tế",
        "VP",
        "chuyen-doi-so",
        (
            "Hệ thống máy chủ và thiết bị công nghệ thông tin tại Sở Y tế được trang bị từ năm "
            "2010, đến nay đã xuống cấp, không bảo đảm an toàn thông tin.",
            "Dự án nhằm xây dựng trung tâm dữ liệu y tế toàn tỉnh và hệ thống khai thác số liệu "
            "phục vụ điều hành, quản lý.",
            "Tổng mức đầu tư dự kiến và nguồn vốn được thuyết minh chi tiết tại Báo cáo đề xuất "
            "chủ trương đầu tư kèm theo.",
        ),
        ("ubnd", "skhdt"),
        years=(2023, 2024),
        digital=True,
    ),
    OutgoingTopic(
        "Công văn",
        "triển khai thanh toán không dùng tiền mặt tại Bệnh viện Da liễu và Trung tâm Y tế huyện "
        "Long Thành",
        "NVY",
        "chuyen-doi-so",
        _CDS_DETAILS[3:4]
        + (
            "Phối hợp với các ngân hàng thương mại lắp đặt máy POS, triển khai thanh toán qua mã "
            "QR tại quầy thu viện phí.",
        ),
        (),
        ("BVDL", "TTYT-LT"),
        years=(2023,),
        digital=True,
    ),
    OutgoingTopic(
        "Công văn",
        "đôn đốc triển khai bệnh án điện tử tại các bệnh viện trực thuộc",
        "NVY",
        "chuyen-doi-so",
        (
            "Các bệnh viện hoàn thành triển khai bệnh án điện tử theo lộ trình tại Chỉ thị số "
            "07/CT-BYT ngày 25/3/2024 của Bộ trưởng Bộ Y tế về việc đẩy mạnh triển khai bệnh án "
            "điện tử.",
            *_details("benh-an-dien-tu")[:3],
        ),
        (),
        ("BVĐKĐN", "BVĐKTN", "BVNĐ"),
        years=(2025,),
        digital=True,
    ),
    OutgoingTopic(
        "Công văn",
        "thực hiện gửi, nhận văn bản điện tử có ký số giữa các đơn vị trong ngành",
        "VP",
        "chuyen-doi-so",
        (
            "Các đơn vị thực hiện gửi, nhận văn bản điện tử có ký số trên phần mềm quản lý văn bản "
            "và điều hành, không gửi kèm bản giấy đối với văn bản đã ký số.",
            "Văn thư các đơn vị kiểm tra, tiếp nhận văn bản đến trong ngày, không để tồn đọng.",
            "Gửi/nhận văn bản điện tử từ các Trung tâm Y tế tuyến huyện đến các trạm y tế và "
            "ngược lại.",
        ),
        (),
        ("TTYT-BH",),
        digital=True,
    ),
    OutgoingTopic(
        "Công văn",
        "cập nhật dữ liệu lên Cổng tiếp nhận dữ liệu Hệ thống thông tin giám định bảo hiểm y tế",
        "VP",
        "bao-hiem-y-te",
        (
            "Kết xuất đầu ra dữ liệu khám bệnh, chữa bệnh yêu cầu thanh toán bảo hiểm y tế lên "
            "Cổng tiếp nhận dữ liệu ngay sau khi kết thúc lượt khám.",
            "Rà soát, khắc phục các lỗi dữ liệu bị từ chối, bảo đảm thống nhất với Cổng dữ liệu "
            "y tế của Bộ Y tế.",
        ),
        ("bhxh",),
        (),
        digital=True,
    ),
    OutgoingTopic(
        "Công văn",
        "tăng cường phòng, chống bệnh sốt xuất huyết",
        "NVY",
        "y-te-du-phong",
        _details("sot-xuat-huyet"),
        (),
        (),
    ),
    OutgoingTopic(
        "Công văn",
        "báo cáo tình hình khám bệnh, chữa bệnh dịp Tết Nguyên đán",
        "NVY",
        "kham-chua-benh",
        _details("tet"),
        ("byt",),
        (),
    ),
    OutgoingTopic(
        "Kế hoạch",
        "Kiểm tra công tác khám bệnh, chữa bệnh tại các cơ sở y tế năm {year}",
        "NVY",
        "kham-chua-benh",
        _details("chat-luong-kcb"),
        (),
        (),
    ),
    OutgoingTopic(
        "Quyết định",
        "Về việc thành lập Tổ công tác triển khai Đề án 06 ngành Y tế",
        "VP",
        "chuyen-doi-so",
        _details("de-an-06"),
        (),
        (),
        years=(2023,),
        digital=True,
    ),
    OutgoingTopic(
        "Quyết định",
        "Về việc ban hành Quy chế quản lý, sử dụng phần mềm quản lý văn bản và điều hành",
        "VP",
        "chuyen-doi-so",
        _CDS_DETAILS[:1],
        (),
        (),
        years=(2024,),
        digital=True,
    ),
    OutgoingTopic(
        "Thông báo",
        "Kết luận của Giám đốc Sở Y tế tại cuộc họp giao ban tháng {month} năm {year}",
        "VP",
        "hanh-chinh",
        _details("hoi-nghi-tong-ket"),
        (),
        (),
    ),
    OutgoingTopic(
        "Giấy mời",
        "Dự Hội nghị triển khai Kế hoạch chuyển đổi số ngành Y tế năm {year}",
        "VP",
        "chuyen-doi-so",
        _CDS_DETAILS[:2],
        (),
        (),
        digital=True,
    ),
    OutgoingTopic(
        "Công văn",
        "tăng cường quản lý kinh doanh thuốc kê đơn trên Hệ thống kết nối mạng các cơ sở cung ứng "
        "thuốc",
        "NVD",
        "duoc-my-pham",
        (
            "Các cơ sở bán lẻ thuốc thực hiện kết nối mạng, cập nhật dữ liệu mua vào, bán ra thuốc "
            "kê đơn hằng ngày.",
            "Trung tâm Y tế các huyện, thành phố phối hợp kiểm tra việc bán thuốc kê đơn không có "
            "đơn thuốc.",
        ),
        (),
        (),
    ),
    OutgoingTopic(
        "Công văn",
        "thu hồi thuốc không đạt tiêu chuẩn chất lượng",
        "NVD",
        "duoc-my-pham",
        _details("thu-hoi-thuoc"),
        (),
        (),
    ),
    OutgoingTopic(
        "Hướng dẫn",
        "Thực hiện liên thông dữ liệu giấy khám sức khỏe lái xe năm {year}",
        "NVY",
        "chuyen-doi-so",
        _details("de-an-06"),
        (),
        (),
        years=(2023, 2024),
        digital=True,
    ),
    OutgoingTopic(
        "Báo cáo",
        "Công tác phòng, chống dịch bệnh truyền nhiễm quý {quarter} năm {year}",
        "NVY",
        "y-te-du-phong",
        _details("sot-xuat-huyet"),
        ("ubnd", "byt"),
        (),
    ),
    OutgoingTopic(
        "Công văn",
        "đề xuất nhu cầu đào tạo, bồi dưỡng cán bộ lãnh đạo, quản lý năm {next}",
        "TCCB",
        "to-chuc-can-bo",
        _details("bien-che"),
        ("snv",),
        (),
        confidential=True,
    ),
)
