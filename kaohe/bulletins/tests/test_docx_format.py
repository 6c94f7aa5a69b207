"""The .docx follows GB/T 9704 as shared/design/bulletin-format.md sets it out (read from the XML)."""

from __future__ import annotations

import io

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Pt, Twips

from kaohe.bulletins.document import Document, Kind
from kaohe.bulletins.docx import HEADER_FIT_PT, build_docx, header_org_size, text_width
from kaohe.bulletins.tests.sample import PURE_PARAGRAPHS, draft_document, sample_document

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def doc() -> Document:
    return sample_document()


@pytest.fixture(scope="module")
def word(doc):
    """The built file, opened again with python-docx."""
    return docx.Document(io.BytesIO(build_docx(doc)))


def w(element, name: str) -> str | None:
    return element.get(qn(f"w:{name}"))


def fonts_of(run) -> dict[str, str | None]:
    fonts = run._r.rPr.find(qn("w:rFonts"))
    return {name: w(fonts, name) for name in ("eastAsia", "ascii", "hAnsi", "hint")}


def paragraph_of(word, text: str):
    return next(p for p in word.paragraphs if p.text == text)


def spacing_of(paragraph):
    return paragraph._p.pPr.find(qn("w:spacing"))


def test_the_page_is_a4_with_the_gbt_9704_margins(word):
    section = word.sections[0]
    assert (section.page_width, section.page_height) == (Twips(11906), Twips(16838))
    assert (section.top_margin, section.bottom_margin) == (Twips(2098), Twips(1984))
    assert (section.left_margin, section.right_margin) == (Twips(1587), Twips(1474))
    assert section.footer_distance == Twips(1304)


def test_the_grid_is_lines_of_28_95_pt_and_there_is_one(word):
    grids = word.sections[0]._sectPr.findall(qn("w:docGrid"))
    assert len(grids) == 1
    assert w(grids[0], "type") == "lines"  # linesAndChars halves the characters per line in LibreOffice
    assert w(grids[0], "linePitch") == "579"
    assert w(grids[0], "charSpace") is None


def test_normal_is_fangsong_16pt_with_times_for_latin_and_minus_a_quarter_point(word):
    normal = word.styles["Normal"].element
    rpr = normal.rPr
    fonts = rpr.find(qn("w:rFonts"))
    assert w(fonts, "eastAsia") == "仿宋_GB2312"
    assert (w(fonts, "ascii"), w(fonts, "hAnsi")) == ("Times New Roman", "Times New Roman")
    assert w(rpr.find(qn("w:spacing")), "val") == "-5"
    assert w(rpr.find(qn("w:sz")), "val") == "32"
    assert w(rpr.find(qn("w:lang")), "eastAsia") == "zh-CN"
    spacing = normal.pPr.find(qn("w:spacing"))
    assert (w(spacing, "line"), w(spacing, "lineRule")) == ("579", "exact")
    assert w(normal.pPr.find(qn("w:widowControl")), "val") == "0"


def test_doc_defaults_name_no_theme_fonts(word):
    defaults = word.styles.element.find(qn("w:docDefaults"))
    attributes = {name for element in defaults.iter() for name in element.attrib}
    for theme in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        assert qn(f"w:{theme}") not in attributes
    fonts = defaults.find(f"{W}rPrDefault/{W}rPr/{W}rFonts")
    assert w(fonts, "eastAsia") == "仿宋_GB2312"
    assert w(defaults.find(f"{W}rPrDefault/{W}rPr/{W}lang"), "eastAsia") == "zh-CN"


def test_every_run_names_its_east_asian_font(word):
    runs = [run for p in word.paragraphs for run in p.runs]
    runs += [
        run
        for footer in (word.sections[0].footer, word.sections[0].even_page_footer)
        for p in footer.paragraphs
        for run in p.runs
    ]
    assert runs
    assert all(fonts_of(run)["eastAsia"] for run in runs)
    assert all(fonts_of(run)["hint"] == "eastAsia" for run in runs)


def test_the_red_header_is_red_xiaobiaosong(word, doc):
    org, kind = word.paragraphs[0], word.paragraphs[1]
    assert org.text == doc.header_org
    assert kind.text == "工作通报"
    for run in org.runs + kind.runs:
        assert str(run.font.color.rgb) == "FF0000"
        assert fonts_of(run)["eastAsia"] == "方正小标宋简体"
    assert org.runs[0].font.size == Pt(header_org_size(doc.header_org))
    assert kind.runs[0].font.size == Pt(42)
    assert org.alignment == kind.alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.CENTER


def test_the_number_is_centred_fangsong_over_the_red_rule(word, doc):
    number = word.paragraphs[2]
    assert number.text == "〔2021〕第2期" == doc.number
    assert fonts_of(number.runs[0])["eastAsia"] == "仿宋_GB2312"
    assert number.alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.CENTER
    rule = number._p.pPr.find(f"{W}pBdr/{W}bottom")
    assert rule is not None
    assert (w(rule, "val"), w(rule, "color"), w(rule, "sz")) == ("single", "FF0000", "18")


def test_the_header_org_size_fits_the_text_width():
    assert header_org_size("焦作大学目标管理与绩效考核领导小组") == 24  # 17 characters, 408 pt
    assert header_org_size("党委办公室") == 26
    long_name = "河南省某某职业技术学院目标管理与绩效考核工作领导小组"
    assert text_width(long_name) * header_org_size(long_name) <= HEADER_FIT_PT


def test_the_title_is_22pt_xiaobiaosong_centred_and_the_subtitle_kaiti(word, doc):
    title = paragraph_of(word, doc.title)
    assert title.runs[0].font.size == Pt(22)
    assert fonts_of(title.runs[0])["eastAsia"] == "方正小标宋简体"
    assert title.alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.CENTER
    subtitle = paragraph_of(word, doc.subtitle)
    assert fonts_of(subtitle.runs[0])["eastAsia"] == "楷体_GB2312"
    assert subtitle.alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.CENTER


@pytest.mark.parametrize(
    ("kind", "font", "bold"),
    [
        (Kind.HEADING1, "黑体", None),
        (Kind.HEADING2, "楷体_GB2312", None),
        (Kind.HEADING3, "仿宋_GB2312", True),
        (Kind.PARAGRAPH, "仿宋_GB2312", None),
    ],
)
def test_each_level_has_its_font_an_exact_line_and_a_two_character_indent(word, doc, kind, font, bold):
    texts = [block.text for block in doc.blocks if block.kind == kind]
    assert texts, f"the sample has no {kind}"
    by_text = {p.text: p for p in word.paragraphs}
    for text in texts:
        para = by_text[text]
        run = para.runs[0]
        assert fonts_of(run)["eastAsia"] == font
        assert run.font.size == Pt(16)
        assert run.font.bold is bold
        spacing = spacing_of(para)
        assert (w(spacing, "line"), w(spacing, "lineRule")) == ("579", "exact")
        indent = para._p.pPr.find(qn("w:ind"))
        assert w(indent, "firstLine") == "640"
        assert w(para._p.pPr.find(qn("w:jc")), "val") == "both"


def test_every_body_paragraph_has_the_exact_line(word, doc):
    body = {block.text for block in doc.blocks} | {doc.signature, doc.date_text, doc.number, doc.title, doc.subtitle}
    for para in word.paragraphs:
        if para.text in body:
            spacing = spacing_of(para)
            assert (w(spacing, "line"), w(spacing, "lineRule")) == ("579", "exact"), para.text


def test_the_signature_is_right_aligned_and_the_date_starts_two_characters_further(word, doc):
    signature = paragraph_of(word, doc.signature)
    assert signature.alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.RIGHT
    assert w(signature._p.pPr.find(qn("w:ind")), "right") == "640"
    date = paragraph_of(word, doc.date_text)
    left = int(w(date._p.pPr.find(qn("w:ind")), "left"))
    signature_start = 442.25 - 32 - 20 * 15.75
    assert left / 20 == pytest.approx(signature_start + 32, abs=1)
    assert word.paragraphs[-1].text == doc.date_text


def test_odd_pages_number_at_the_right_and_even_pages_at_the_left(word):
    settings = word.settings.element
    assert settings.find(qn("w:evenAndOddHeaders")) is not None
    section = word.sections[0]
    for footer, align, side in ((section.footer, "right", "right"), (section.even_page_footer, "left", "left")):
        para = footer.paragraphs[0]
        ppr = para._p.pPr
        assert w(ppr.find(qn("w:jc")), "val") == align
        assert w(ppr.find(qn("w:ind")), side) == "280"  # one 14 pt character in from the edge
        spacing = ppr.find(qn("w:spacing"))
        assert (w(spacing, "line"), w(spacing, "lineRule")) == ("280", "exact")
        instructions = [t.text.strip() for t in para._p.iter(qn("w:instrText"))]
        assert instructions == ["PAGE"]
        assert [w(f, "fldCharType") for f in para._p.iter(qn("w:fldChar"))] == ["begin", "separate", "end"]
        assert para.text.startswith("— ") and para.text.endswith(" —")
        for run in para.runs:
            assert fonts_of(run)["eastAsia"] == fonts_of(run)["ascii"] == "宋体"
            assert run.font.size == Pt(14)


def test_only_a_draft_says_so_in_its_page_header(word):
    section = word.sections[0]
    assert "草稿" not in "".join(p.text for p in section.header.paragraphs)
    draft = docx.Document(io.BytesIO(build_docx(draft_document())))
    section = draft.sections[0]
    for header in (section.header, section.even_page_header):
        assert [p.text for p in header.paragraphs] == ["草稿"]
        spacing = header.paragraphs[0]._p.pPr.find(qn("w:spacing"))
        assert w(spacing, "lineRule") == "exact"
    assert "草稿" not in "".join(p.text for p in draft.paragraphs)  # the body is the same as the issued one
    assert [p.text for p in draft.paragraphs] == [p.text for p in word.paragraphs]


def test_the_core_properties_give_the_title_and_chinese(word, doc):
    props = word.core_properties
    assert props.title == doc.title
    assert props.language == "zh-CN"
    assert props.author == doc.signature
    assert word.settings.element.find(qn("w:themeFontLang")).get(qn("w:eastAsia")) == "zh-CN"


def test_the_sample_has_every_level_and_enough_text_for_four_pages(doc):
    kinds = {block.kind for block in doc.blocks}
    assert kinds == set(Kind)
    assert sum(len(block.text) for block in doc.blocks) > 4 * 22 * 28


def test_the_pure_paragraphs_have_no_punctuation_at_a_line_start(doc):
    """The PDF test counts 28 characters on their lines: no line-start rule may move a character."""
    texts = {block.text for block in doc.blocks}
    for text in PURE_PARAGRAPHS:
        assert text in texts
        starts = range(26, len(text), 28)  # 26 characters after the indent, then 28 a line
        assert all(text[i] not in "，。、；：！？）》”" for i in starts), text
