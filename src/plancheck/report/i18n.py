"""Words of the gap report in Vietnamese (default) and English.

The Vietnamese report is Vietnamese in every word plancheck writes itself: headings, statuses,
reasons and units. Quotes from the sources stay as written; encoders' notes, written in English,
go to an appendix (rule in plans/README.md).
"""

from __future__ import annotations

import re
from functools import lru_cache

LANGS = ("vi", "en")

STATUS_NAMES: dict[str, dict[str, str]] = {
    "vi": {
        "missing": "thiếu",
        "weaker": "thấp hơn",
        "later": "muộn hơn",
        "boundary": "thấp hơn ở biên",
        "softened": "chỉ phấn đấu",
        "unverifiable": "không kiểm tra được",
        "waived": "được miễn",
        "not-comparable": "không so sánh được",
        "not-applicable": "không áp dụng",
        "meets": "đạt",
        "exceeds": "cao hơn",
    },
    "en": {
        "missing": "missing",
        "weaker": "weaker",
        "later": "later",
        "boundary": "weaker at boundary",
        "softened": "softened",
        "unverifiable": "unverifiable",
        "waived": "waived",
        "not-comparable": "not comparable",
        "not-applicable": "not applicable",
        "meets": "meets",
        "exceeds": "exceeds",
    },
}

TEXT: dict[str, dict[str, str]] = {
    "vi": {
        "title": "Báo cáo chênh lệch chỉ tiêu và thời hạn",
        "as_of": "Tính đến ngày",
        "generated_by": "Tạo bởi plancheck",
        "summary": "Tóm tắt",
        "plans": "Số kế hoạch",
        "edges": "Cặp kế hoạch cấp dưới – cấp trên",
        "comparisons": "Số chỉ tiêu cấp trên được đối chiếu",
        "gaps": "chênh lệch",
        "by_status": "Theo kết quả",
        "status": "Kết quả",
        "count": "Số lượng",
        "worst": "Các chênh lệch nghiêm trọng nhất",
        "more": "và {n} chênh lệch khác trong các bảng dưới đây",
        "hierarchy": "Sơ đồ kế hoạch",
        "hierarchy_note": "Mũi tên đi từ kế hoạch cấp dưới đến kế hoạch nó thực hiện; màu theo tỷ lệ chênh lệch.",
        "child": "Kế hoạch",
        "parent": "Kế hoạch cấp trên",
        "indicator": "Chỉ tiêu",
        "year": "Năm",
        "parent_target": "Chỉ tiêu cấp trên",
        "child_target": "Chỉ tiêu của kế hoạch",
        "sources": "Nguồn",
        "implements": "thực hiện",
        "not_applicable_hidden": "{n} chỉ tiêu cấp trên không áp dụng ở cấp này (không liệt kê).",
        "no_targets": "Kế hoạch cấp trên không có chỉ tiêu nào.",
        "child_stand_in": "Chỉ tiêu của kế hoạch này là bảng chỉ tiêu của {plan}; bảng đó được so sánh ở mục của {plan}.",
        "parent_stand_in": "{parent} chưa có bảng chỉ tiêu riêng: so sánh với bảng chỉ tiêu của {plan} ({reason}).",
        "nothing_compared": "không so sánh chỉ tiêu",
        "tasks": "Thời hạn nhiệm vụ và ban hành kế hoạch",
        "where": "Vị trí",
        "message": "Nội dung",
        "waivers": "Miễn trừ",
        "no_waivers": "Không có miễn trừ nào.",
        "left_out": "Tệp bị bỏ qua do lỗi",
        "left_out_intro": "Các tệp sau không đọc được thành kế hoạch hợp lệ nên không có trong báo cáo "
        "này (xem `plancheck validate`):",
        "rule": "Quy tắc",
        "what": "Nội dung được miễn",
        "reason": "Lý do",
        "approved_by": "Người phê duyệt",
        "caveats": "Lưu ý về mã hóa dữ liệu",
        "coverage": "Độ phủ",
        "section": "Phần",
        "in_source": "Trong văn bản",
        "encoded": "Đã mã hóa",
        "targets": "chỉ tiêu",
        "tasks_word": "nhiệm vụ",
        "strive": "phấn đấu",
        "gaps_heading": "Chênh lệch",
        "reason_col": "Lý do",
        "folded_met": "{n} chỉ tiêu đạt hoặc cao hơn",
        "folded_other": "{n} chỉ tiêu không so sánh được hoặc được miễn",
        "no_gaps": "Không có chênh lệch nào.",
        "plan_id": "mã",
        "date_unknown": "không rõ ngày",
        "legend": "Chú giải màu theo tỷ lệ chênh lệch trên số chỉ tiêu được đối chiếu",
        "legend_none": "không có chỉ tiêu đối chiếu",
        "share": "{gaps}/{total} chênh lệch",
        "diagram_too_big": "Cây có {n} cặp kế hoạch, quá nhiều cho một sơ đồ; xem `plancheck tree` hoặc trang của từng kế hoạch.",
        "appendix_notes": "Phụ lục: ghi chú của người mã hóa (tiếng Anh, giữ nguyên văn)",
        "appendix_notes_intro": "Ghi chú của người mã hóa dữ liệu được viết bằng tiếng Anh và được giữ nguyên văn dưới đây.",
        "plans_index": "Các kế hoạch",
        "back": "← Mục lục",
        "truncated": (
            "Báo cáo dừng ở đây để giữ dưới {size}: còn {n} kế hoạch chưa hiển thị. Dùng "
            "`plancheck report --out-dir THƯ_MỤC` để có một trang cho mỗi kế hoạch, "
            "hoặc `--max-bytes 0` để có toàn bộ trong một tệp."
        ),
        "truncated_tail": "còn {n} mục khác chưa hiển thị (xem `plancheck report --out-dir THƯ_MỤC`).",
        "truncated_parts": (
            "Để giữ dưới {size}, báo cáo lược bỏ các phần: {parts}. Dùng "
            "`plancheck report --out-dir THƯ_MỤC` để có toàn bộ, hoặc `--max-bytes 0` để có "
            "toàn bộ trong một tệp."
        ),
        "truncated_in_part": "{name} ({n} trong {total} mục con)",
        "gap_count": "chênh lệch",
    },
    "en": {
        "title": "Target and deadline gap report",
        "as_of": "As of",
        "generated_by": "Generated by plancheck",
        "summary": "Summary",
        "plans": "Plans",
        "edges": "Child–parent pairs",
        "comparisons": "Parent targets compared",
        "gaps": "gaps",
        "by_status": "By status",
        "status": "Status",
        "count": "Count",
        "worst": "Worst gaps",
        "more": "and {n} more gaps in the tables below",
        "hierarchy": "Plan hierarchy",
        "hierarchy_note": "Arrows run from a plan to the plan it implements, coloured by the share of gaps.",
        "child": "Plan",
        "parent": "Parent plan",
        "indicator": "Indicator",
        "year": "Year",
        "parent_target": "Parent target",
        "child_target": "This plan's target",
        "sources": "Sources",
        "implements": "implements",
        "not_applicable_hidden": "{n} parent targets do not apply at this level (not listed).",
        "no_targets": "The parent plan has no targets.",
        "child_stand_in": "This plan's targets are the table of {plan}; that table is compared in the sections of {plan}.",
        "parent_stand_in": "{parent} has no table of its own: compared with the table of {plan} ({reason}).",
        "nothing_compared": "no targets compared",
        "tasks": "Task deadlines and plan issue dates",
        "where": "Where",
        "message": "Finding",
        "waivers": "Waivers",
        "no_waivers": "No waivers.",
        "left_out": "Files left out because of errors",
        "left_out_intro": "These files could not be read as valid plans, so this report leaves them "
        "out (see `plancheck validate`):",
        "rule": "Rule",
        "what": "Waived",
        "reason": "Reason",
        "approved_by": "Approved by",
        "caveats": "Encoding caveats",
        "coverage": "Coverage",
        "section": "Section",
        "in_source": "In source",
        "encoded": "Encoded",
        "targets": "targets",
        "tasks_word": "tasks",
        "strive": "strive",
        "gaps_heading": "Gaps",
        "reason_col": "Reason",
        "folded_met": "{n} targets met or exceeded",
        "folded_other": "{n} targets not comparable or waived",
        "no_gaps": "No gaps.",
        "plan_id": "id",
        "date_unknown": "date unknown",
        "legend": "Edge colours by share of gaps among the targets compared",
        "legend_none": "no targets compared",
        "share": "{gaps}/{total} gaps",
        "diagram_too_big": "The tree has {n} child–parent pairs, too many for one diagram; see `plancheck tree` or each plan's page.",
        "appendix_notes": "Appendix: encoders' notes",
        "appendix_notes_intro": "Notes written by the people who encoded the plans, as written.",
        "plans_index": "Plans",
        "back": "← Index",
        "truncated": (
            "The report stops here to stay under {size}: {n} more plans are not shown. Use "
            "`plancheck report --out-dir DIR` for one page per plan, or `--max-bytes 0` for "
            "everything in one file."
        ),
        "truncated_tail": "and {n} more not shown (see `plancheck report --out-dir DIR`).",
        "truncated_parts": (
            "To stay under {size}, the report leaves out these parts: {parts}. Use "
            "`plancheck report --out-dir DIR` for all of it, or `--max-bytes 0` for "
            "everything in one file."
        ),
        "truncated_in_part": "{name} ({n} of its {total} subsections)",
        "gap_count": "gaps",
    },
}
TEXT["vi"]["items_targets"] = TEXT["vi"]["targets"]
TEXT["en"]["items_targets"] = TEXT["en"]["targets"]
for _lang in LANGS:
    TEXT[_lang]["items_tasks"] = TEXT[_lang]["tasks_word"]

# Units as the catalogue writes them (English), in the Vietnamese report's words; a unit not
# listed here is shown as written.
UNITS_VI: dict[str, str] = {
    "rank": "hạng",
    "level": "mức",
    "index": "chỉ số",
    "%/year": "%/năm",
    "enterprises": "doanh nghiệp",
    "organisations": "tổ chức",
    "initiatives": "sáng kiến",
    "centres": "trung tâm",
    "projects": "dự án",
    "papers": "bài báo",
    "per 10,000 people": "trên 10.000 dân",
    "per 1,000 people": "trên 1.000 dân",
    "works": "công trình",
    "tasks": "nhiệm vụ",
    "products": "sản phẩm",
    "people": "người",
    "patents": "bằng sáng chế",
    "applications": "đơn đăng ký",
    "students": "học sinh",
    "localities": "địa phương",
    "data exchanges": "sàn dữ liệu",
    "facilities": "cơ sở",
    "cables": "tuyến cáp",
}

LEVELS_VI: dict[str, str] = {
    "national": "trung ương",
    "province": "tỉnh",
    "district": "huyện",
    "commune": "xã",
}


def unit(text: str, lang: str) -> str:
    return UNITS_VI.get(text, text) if lang == "vi" else text


def _levels_vi(m: re.Match[str]) -> str:
    return "chỉ tiêu áp dụng ở cấp " + ", ".join(LEVELS_VI.get(x.strip(), x.strip()) for x in m[1].split(","))


def _taken_up(m: re.Match[str], what: str) -> str:
    kind = "nhiệm vụ" if m[1] == "task" else "giải pháp"
    where = m[3].replace(", line ", ", dòng ")
    return f"mục tiêu của cấp trên {what}; kế hoạch đưa mục tiêu này vào {kind} {m[2]} ({where}), không thành chỉ tiêu"


def _task_no_number(m: re.Match[str]) -> str:
    return _taken_up(m, "không có con số")


def _task_no_year(m: re.Match[str]) -> str:
    return _taken_up(m, "không nêu năm")


# The comparison's reasons (check/compliance.py and check/related.py, in English) in Vietnamese,
# pattern by pattern. A reason with no pattern here falls back to the status's own name, never
# to English.
_REASONS_VI: list[tuple[re.Pattern[str], str | object]] = [
    (re.compile(r"^indicator not in the catalogue$"), "chỉ tiêu không có trong danh mục"),
    (re.compile(r"^indicator applies at (.+) level$"), _levels_vi),
    (
        re.compile(r"^counts compare only within one jurisdiction$"),
        "chỉ tiêu đếm số lượng chỉ so sánh được trong cùng một địa bàn",
    ),
    (re.compile(r"^no target on this indicator$"), "kế hoạch không có chỉ tiêu nào về nội dung này"),
    (re.compile(r"^same year$"), "cùng năm"),
    (
        re.compile(r"^(\d+) target covers (\d+) \(indicator only moves one way\)$"),
        r"chỉ tiêu năm \1 có hiệu lực cho năm \2 (chỉ tiêu chỉ thay đổi một chiều)",
    ),
    (
        re.compile(
            r"^no target for (\d+); the (\d+) target does not carry over \(the indicator can move both ways\)$"
        ),
        r"không có chỉ tiêu cho năm \1; chỉ tiêu năm \2 không áp dụng tiếp (chỉ tiêu có thể tăng hoặc giảm)",
    ),
    (
        re.compile(r"^no target for (\d+) or earlier; later ones fall short$"),
        r"không có chỉ tiêu cho năm \1 hoặc trước đó; các chỉ tiêu năm sau đều thấp hơn",
    ),
    (re.compile(r"^no target for (\d+) or earlier$"), r"không có chỉ tiêu cho năm \1 hoặc trước đó"),
    (re.compile(r"^qualitative target on one side$"), "một bên là chỉ tiêu định tính"),
    (re.compile(r"^reaches the parent's level only in (\d+)$"), r"chỉ đạt mức của cấp trên vào năm \1"),
    (
        re.compile(r"^no later target reaches the parent's level$"),
        "không có chỉ tiêu năm sau nào đạt mức của cấp trên",
    ),
    (
        re.compile(
            r"^reached earlier: this plan's last milestone \((\S+), (\d+): (.+?)\) already reaches .* holds in (\d+) the plan does not say$"
        ),
        r"đã đạt sớm hơn: mốc cuối của kế hoạch (\1, năm \2: \3) đã đạt mức của cấp trên và không có chỉ tiêu sau "
        r"nào trái lại; chỉ tiêu có thể giảm nên kế hoạch không cho biết mức này còn giữ vào năm \4",
    ),
    (
        re.compile(
            r"^this plan states (\S+) \((\S+), (\d+): (.+?)\), a closely related but different measure .*$"
        ),
        r"kế hoạch chỉ nêu một chỉ tiêu gần với nội dung này nhưng đo khác (\1: \2, năm \3: \4); "
        r"có đáp ứng chỉ tiêu của cấp trên hay không do người phân tích đánh giá",
    ),
    (
        re.compile(
            r"^the parent's aim has no number; this plan takes it up as (task|measure) (\S+) \((.+)\), not as a target$"
        ),
        _task_no_number,
    ),
    (
        re.compile(
            r"^the parent's aim states no year; this plan takes it up as (task|measure) (\S+) \((.+)\), not as a target$"
        ),
        _task_no_year,
    ),
]
# Clauses the comparison appends to a reason: the head is translated on its own
_SUFFIXES_VI: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"^(.*); the parent states no year for it, (\d+) is inferred \(.*\)$"),
        r"; cấp trên không nêu năm, năm \2 là năm suy ra",
    ),
    (
        re.compile(r"^(.*); (?:task|measure) (\S+) takes up the aim, with no figure of its own$"),
        r"; kế hoạch có nhiệm vụ hoặc giải pháp \2 đề cập mục tiêu này nhưng không có con số",
    ),
]

# What a bare "same year" means for each status, said in full
_SAME_YEAR: dict[str, dict[str, str]] = {
    "vi": {
        "weaker": "thấp hơn mức của cấp trên trong cùng năm",
        "boundary": "dừng đúng ở giá trị biên mà cấp trên không chấp nhận",
    },
    "en": {
        "weaker": "below the parent's level in the same year",
        "boundary": "stops exactly at the limit the parent excludes",
    },
}


@lru_cache(maxsize=4096)
def reason(text: str, status: str, lang: str) -> str:
    """The comparison's reason in the report's language."""
    if text == "same year" and status in _SAME_YEAR[lang]:
        return _SAME_YEAR[lang][status]
    if lang != "vi":
        return text
    for suffix, added in _SUFFIXES_VI:
        tail = suffix.match(text)
        if tail is not None:
            return reason(tail[1], status, lang) + tail.expand(added)
    for pattern, replacement in _REASONS_VI:
        m = pattern.match(text)
        if m is None:
            continue
        if callable(replacement):
            return str(replacement(m))
        return m.expand(str(replacement))
    return STATUS_NAMES["vi"].get(status, status)
