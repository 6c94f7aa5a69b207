"""The bulletin as a GB/T 9704-2012 .docx, built in code from python-docx's default template.

The page settings are the ones tested to give 22 lines of 28 characters per page once LibreOffice
turns the file into a PDF (shared/design/bulletin-format.md): A4, the 156 × 225 mm 版心, a line grid
of 28.95 pt with every paragraph at exactly that line height, and −0.25 pt character spacing so that
28 three-size (16 pt) characters fill 156 mm. The official font names (仿宋_GB2312, 方正小标宋简体 …)
stay in the file so it looks right on office PCs; the PDF converter maps them to free fonts
(deploy/fontconfig/fonts.conf).

python-docx has no API for East Asian fonts, character spacing, the line grid, borders or fields,
so those are written as raw OOXML with the small helpers below. Children are inserted in the order
the schema requires, because Word refuses ("unreadable content") property elements out of order.
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Twips
from docx.text.paragraph import Paragraph

from .document import Block, Document, Kind

# --- page (twentieths of a point: 1 mm = 56.7 twips) -----------------------------------------------

PAGE_WIDTH, PAGE_HEIGHT = 11906, 16838  # A4
MARGIN_TOP, MARGIN_BOTTOM = 2098, 1984  # 37 mm 天头, 35 mm: the 版心 is 225 mm high
MARGIN_LEFT, MARGIN_RIGHT = 1587, 1474  # 28 mm 订口, 26 mm: the 版心 is 156 mm wide
HEADER_DISTANCE = 851  # 15 mm: only a draft has a header, far above the first body line
FOOTER_DISTANCE = 1304  # 23 mm: the page number's line sits 7 mm under the 版心
LINE = 579  # 28.95 pt: 22 lines fill the 225 mm 版心
TEXT_WIDTH_PT = (PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT) / 20  # 442.25 pt

# --- type ----------------------------------------------------------------------------------------

FANGSONG = "仿宋_GB2312"  # 正文, 三级标题 (bold), 发文字号
KAITI = "楷体_GB2312"  # 二级标题, subtitle
HEITI = "黑体"  # 一级标题, the draft mark
XIAOBIAOSONG = "方正小标宋简体"  # 红头, 标题
SONGTI = "宋体"  # 页码
LATIN = "Times New Roman"  # Latin letters and digits in the body

BODY_PT = 16  # 三号
TITLE_PT = 22  # 二号
PAGE_NUMBER_PT = 14  # 四号
DRAFT_MARK_PT = 10.5  # 五号
CHAR_SPACING = -5  # twentieths of a point: 16 pt − 0.25 pt = 15.75 pt, 28 × 15.75 ≤ 442.25
CHAR_PT = BODY_PT + CHAR_SPACING / 20  # the advance of one body character
RED = "FF0000"
RULE_WIDTH = 18  # eighths of a point: a 2.25 pt red rule under the number

# The 红头: GB/T 9704 leaves its size to the issuer. The organisation's name takes the largest of
# these sizes that keeps it on one line of the 版心 (小一 for the seed's seventeen characters); the
# kind of document ("工作通报") is set large and spaced out below it.
HEADER_ORG_SIZES = (26, 24, 22, 20, 18, 16)
HEADER_TITLE_PT = 42  # 初号
HEADER_TITLE_SPACING_EM = 0.5  # the space between the characters of "工作通报"
HEADER_FIT_PT = TEXT_WIDTH_PT - 12  # a little room, so a font's side bearings never wrap the line

# The order of the property elements that are written here, as the schema requires them.
RPR_ORDER = (
    "w:rStyle",
    "w:rFonts",
    "w:b",
    "w:bCs",
    "w:i",
    "w:iCs",
    "w:color",
    "w:spacing",
    "w:kern",
    "w:sz",
    "w:szCs",
    "w:lang",
)
DEFAULTS_ORDER = ("w:rPrDefault", "w:pPrDefault")
PPR_ORDER = (
    "w:pStyle",
    "w:keepNext",
    "w:keepLines",
    "w:pageBreakBefore",
    "w:widowControl",
    "w:pBdr",
    "w:spacing",
    "w:ind",
    "w:jc",
    "w:outlineLvl",
    "w:rPr",
)


# --- raw OOXML helpers ---------------------------------------------------------------------------


def child(parent, tag: str, order: tuple[str, ...] | None = None, **attrs: str):
    """The ``tag`` child of ``parent``, created in schema order if missing, with ``attrs`` set (w: names)."""
    found = parent.find(qn(tag))
    if found is None:  # not `or`: an lxml element without children is falsy
        found = OxmlElement(tag)
        later = {qn(t) for t in order[order.index(tag) + 1 :]} if order else set()
        successor = next((sibling for sibling in parent if sibling.tag in later), None)
        if successor is None:
            parent.append(found)
        else:
            successor.addprevious(found)
    for name, value in attrs.items():
        found.set(qn(f"w:{name}"), value)
    return found


def set_fonts(rpr, east_asia: str, latin: str = LATIN) -> None:
    """East Asian and Latin fonts of a run or style, and no theme fonts that would override them.

    ``w:hint="eastAsia"`` makes Word set ambiguous characters (“”、—— …) in the Chinese font, full width.
    """
    fonts = child(rpr, "w:rFonts", RPR_ORDER, ascii=latin, hAnsi=latin, cs=latin, eastAsia=east_asia, hint="eastAsia")
    for theme in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{theme}"), None)


def set_run_props(
    rpr,
    east_asia: str,
    size_pt: float,
    *,
    latin: str = LATIN,
    bold: bool = False,
    color: str | None = None,
    spacing: int | None = None,
) -> None:
    """Fonts, size, weight, colour and character spacing (twentieths of a point) of a run or style."""
    set_fonts(rpr, east_asia, latin)
    if bold:
        child(rpr, "w:b", RPR_ORDER)
        child(rpr, "w:bCs", RPR_ORDER)
    if color:
        child(rpr, "w:color", RPR_ORDER, val=color)
    if spacing is not None:
        child(rpr, "w:spacing", RPR_ORDER, val=str(spacing))
    half_points = str(round(size_pt * 2))
    child(rpr, "w:sz", RPR_ORDER, val=half_points)
    child(rpr, "w:szCs", RPR_ORDER, val=half_points)


def set_line(ppr, line_twips: int = LINE, *, before: int = 0, after: int = 0) -> None:
    """An exact line height: the grid holds only if no line can grow with its font."""
    child(ppr, "w:spacing", PPR_ORDER, before=str(before), after=str(after), line=str(line_twips), lineRule="exact")


def set_indent(ppr, *, left: int = 0, right: int = 0, first_line_chars: int = 0) -> None:
    """Indents in twips; a first-line indent in body characters, also as ``firstLineChars`` for Word's dialog."""
    attrs = {"left": str(left), "right": str(right)}
    if first_line_chars:
        attrs |= {"firstLine": str(first_line_chars * BODY_PT * 20), "firstLineChars": str(first_line_chars * 100)}
    child(ppr, "w:ind", PPR_ORDER, **attrs)


@dataclass(frozen=True)
class Style:
    """How one kind of paragraph is set: font, size, weight, alignment, first-line indent, outline level."""

    east_asia: str
    size_pt: float = BODY_PT
    bold: bool = False
    align: str = "both"  # w:jc: both = justified
    indent_chars: int = 2
    outline: int | None = None  # Word's navigation pane and the PDF's bookmarks


BLOCK_STYLES = {
    Kind.HEADING1: Style(HEITI, outline=0),
    Kind.HEADING2: Style(KAITI, outline=1),
    Kind.HEADING3: Style(FANGSONG, bold=True, outline=2),
    Kind.PARAGRAPH: Style(FANGSONG),
}


# --- document-wide settings ----------------------------------------------------------------------


def set_page(document) -> None:
    """A4, the GB/T 9704 margins and a line grid of 28.95 pt ("lines", not "linesAndChars": see the module doc)."""
    section = document.sections[0]
    section.page_width, section.page_height = Twips(PAGE_WIDTH), Twips(PAGE_HEIGHT)
    section.top_margin, section.bottom_margin = Twips(MARGIN_TOP), Twips(MARGIN_BOTTOM)
    section.left_margin, section.right_margin = Twips(MARGIN_LEFT), Twips(MARGIN_RIGHT)
    section.header_distance, section.footer_distance = Twips(HEADER_DISTANCE), Twips(FOOTER_DISTANCE)
    section.gutter = Twips(0)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.attrib.pop(qn("w:charSpace"), None)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(LINE))


def set_defaults(document) -> None:
    """docDefaults and Normal: 仿宋_GB2312 16 pt, Times New Roman for Latin, −0.25 pt spacing, exact lines, zh-CN.

    The template's docDefaults name theme fonts (``asciiTheme`` …), which Word prefers to explicit
    names; they are removed. Widow control is off: a page always has its 22 lines.
    """
    styles = document.styles.element
    defaults = child(styles, "w:docDefaults", ("w:docDefaults", "w:latentStyles", "w:style"))
    rpr = child(child(defaults, "w:rPrDefault", DEFAULTS_ORDER), "w:rPr")
    set_run_props(rpr, FANGSONG, BODY_PT)
    child(rpr, "w:lang", RPR_ORDER, val="en-US", eastAsia="zh-CN", bidi="ar-SA")
    ppr = child(child(defaults, "w:pPrDefault", DEFAULTS_ORDER), "w:pPr")
    set_line(ppr)

    normal = document.styles["Normal"].element
    rpr = normal.get_or_add_rPr()
    set_run_props(rpr, FANGSONG, BODY_PT, spacing=CHAR_SPACING)
    child(rpr, "w:lang", RPR_ORDER, val="en-US", eastAsia="zh-CN", bidi="ar-SA")
    ppr = normal.get_or_add_pPr()
    child(ppr, "w:widowControl", PPR_ORDER, val="0")
    set_line(ppr)
    child(ppr, "w:jc", PPR_ORDER, val="both")

    settings = document.settings
    settings.odd_and_even_pages_header_footer = True
    theme_lang = settings.element.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:eastAsia"), "zh-CN")


def set_properties(document, doc: Document) -> None:
    """Core properties: the title and the language; the issuing office rather than python-docx as author."""
    props = document.core_properties
    author = doc.signature or doc.header_org
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    props.title = doc.title
    props.subject = doc.subtitle.lstrip("—") or doc.header_title
    props.category = doc.header_title
    props.keywords = doc.number
    props.language = "zh-CN"
    props.author = author
    props.last_modified_by = author
    props.comments = ""
    props.revision = 1
    props.created = now
    props.modified = now


# --- paragraphs ----------------------------------------------------------------------------------


def paragraph(container, text: str = "", style: Style | None = None, *, line: int = LINE, before: int = 0) -> Paragraph:
    """A paragraph of one run in ``style`` (body text by default), at an exact line height."""
    style = style or BLOCK_STYLES[Kind.PARAGRAPH]
    para = container.add_paragraph()
    ppr = para._p.get_or_add_pPr()
    set_line(ppr, line, before=before)
    set_indent(ppr, first_line_chars=style.indent_chars)
    child(ppr, "w:jc", PPR_ORDER, val=style.align)
    if style.outline is not None:
        child(ppr, "w:outlineLvl", PPR_ORDER, val=str(style.outline))
    if text:
        run = para.add_run(text)
        set_run_props(run._r.get_or_add_rPr(), style.east_asia, style.size_pt, bold=style.bold)
    return para


def header_org_size(text: str) -> int:
    """The largest size (pt) of HEADER_ORG_SIZES at which the organisation's name fits on one line."""
    width = text_width(text)
    return next((size for size in HEADER_ORG_SIZES if width * size <= HEADER_FIT_PT), HEADER_ORG_SIZES[-1])


def text_width(text: str) -> float:
    """Width in em: Chinese and full-width characters one em, others (Latin letters, digits) half."""
    return sum(1 if unicodedata.east_asian_width(char) in "WF" else 0.5 for char in text)


def add_red_header(container, doc: Document) -> None:
    """The 红头: the organisation and "工作通报" in red 小标宋, the number in 仿宋, then the red rule.

    The rule is the number paragraph's bottom border, so it always spans the 版心 (as GB/T 9704 asks)
    and sits about 4 mm under the number whatever the fonts.
    """
    org_size = header_org_size(doc.header_org)
    para = paragraph(container, style=Style(XIAOBIAOSONG, org_size, align="center", indent_chars=0))
    red_run(para, doc.header_org, org_size, spacing=0)

    title_line = round(HEADER_TITLE_PT * 1.3 * 20)  # 54.6 pt, as in bulletin.css
    para = paragraph(
        container, style=Style(XIAOBIAOSONG, HEADER_TITLE_PT, align="center", indent_chars=0), line=title_line
    )
    # The space goes between the characters only: after the last one it would push the word off centre.
    spacing = round(HEADER_TITLE_PT * HEADER_TITLE_SPACING_EM * 20)
    title = doc.header_title.replace(" ", "").replace("\u3000", "")
    if len(title) > 1:
        red_run(para, title[:-1], HEADER_TITLE_PT, spacing=spacing)
    red_run(para, title[-1:], HEADER_TITLE_PT, spacing=0)

    # The number one empty line under the 红头, centred (a 期号, not a 发文字号 at the left).
    number = paragraph(container, doc.number, Style(FANGSONG, align="center", indent_chars=0), before=LINE)
    borders = child(number._p.get_or_add_pPr(), "w:pBdr", PPR_ORDER)
    child(borders, "w:bottom", val="single", sz=str(RULE_WIDTH), space="4", color=RED)


def red_run(para: Paragraph, text: str, size_pt: float, *, spacing: int) -> None:
    """A run of the red header: 方正小标宋简体, red, at its own character spacing."""
    if not text:
        return
    run = para.add_run(text)
    set_run_props(run._r.get_or_add_rPr(), XIAOBIAOSONG, size_pt, latin=XIAOBIAOSONG, color=RED, spacing=spacing)


def add_title(container, doc: Document) -> None:
    """标题 in 2号 小标宋 two lines under the rule, the subtitle in 楷体, then one empty line before the body."""
    paragraph(container, doc.title, Style(XIAOBIAOSONG, TITLE_PT, align="center", indent_chars=0), before=2 * LINE)
    if doc.subtitle:
        paragraph(container, doc.subtitle, Style(KAITI, align="center", indent_chars=0))


def add_blocks(container, blocks: Iterable[Block], *, first_before: int = LINE) -> None:
    """The body: each block in its level's font, justified, first line indented two characters."""
    for index, block in enumerate(blocks):
        paragraph(container, block.text, BLOCK_STYLES[block.kind], before=first_before if index == 0 else 0)


def add_closing(container, doc: Document) -> None:
    """署名 and 成文日期 as GB/T 9704 7.3.5.2 sets them for a document without a seal.

    One empty line under the body; the signature right-aligned two characters in from the edge; the
    date on the next line, starting two characters to the right of the signature's first character.
    If the date is the longer of the two, it is the date that keeps the two characters at the right,
    and the signature moves to start two characters before it.
    """
    if not doc.signature and not doc.date_text:
        return
    two_chars = 2 * BODY_PT * 20
    sig_width = text_width(doc.signature) * CHAR_PT * 20
    date_width = text_width(doc.date_text) * CHAR_PT * 20
    right = Style(FANGSONG, align="right", indent_chars=0)
    if doc.date_text and date_width + two_chars > sig_width:  # the longer date keeps the two characters
        sig_right = two_chars + date_width + two_chars - sig_width
        date_style, date_indent = right, {"right": two_chars}
    else:
        sig_right = two_chars
        date_style = Style(FANGSONG, align="left", indent_chars=0)
        date_indent = {"left": TEXT_WIDTH_PT * 20 - sig_right - sig_width + two_chars}
    if doc.signature:
        para = paragraph(container, doc.signature, right, before=LINE)
        set_indent(para._p.get_or_add_pPr(), right=max(round(sig_right), 0))
    if doc.date_text:
        para = paragraph(container, doc.date_text, date_style, before=0 if doc.signature else LINE)
        set_indent(para._p.get_or_add_pPr(), **{side: max(round(v), 0) for side, v in date_indent.items()})


# --- header and footers --------------------------------------------------------------------------


def add_page_numbers(document) -> None:
    """ "— N —" in 4号 宋体: odd pages at the right, even pages at the left, one character in from the edge.

    The footer's line is exactly 14 pt: at the body's 28.95 pt it would reach into the 版心 and LibreOffice
    would then give the body only 21 lines.
    """
    section = document.sections[0]
    one_char = PAGE_NUMBER_PT * 20
    for footer, align, indent in (
        (section.footer, "right", {"right": one_char}),
        (section.even_page_footer, "left", {"left": one_char}),
    ):
        footer.is_linked_to_previous = False
        para = footer.paragraphs[0]
        ppr = para._p.get_or_add_pPr()
        set_line(ppr, PAGE_NUMBER_PT * 20)
        set_indent(ppr, **indent)
        child(ppr, "w:jc", PPR_ORDER, val=align)
        number_run(para, "— ")
        page_field(para)
        number_run(para, " —")


def number_run(para: Paragraph, text: str = ""):
    """A run of the page number: 宋体 for everything, digits included (GB/T 9704: 半角宋体阿拉伯数字)."""
    run = para.add_run(text)
    set_run_props(run._r.get_or_add_rPr(), SONGTI, PAGE_NUMBER_PT, latin=SONGTI, spacing=0)
    return run


def page_field(para: Paragraph) -> None:
    """A PAGE field (begin, instruction, separate, a cached "1", end), which Word and LibreOffice both update."""
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        run = number_run(para)
        if kind:
            run._r.append(child_element("w:fldChar", fldCharType=kind))
        elif text == " PAGE ":
            instr = child_element("w:instrText")
            instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            run.text = text


def child_element(tag: str, **attrs: str):
    """A new element with w: attributes."""
    element = OxmlElement(tag)
    for name, value in attrs.items():
        element.set(qn(f"w:{name}"), value)
    return element


def add_draft_mark(document) -> None:
    """A draft says so: "草稿" in small 黑体 at the top right of every page, in the page header.

    The header sits 15 mm from the top edge with a 12 pt line, well clear of the 37 mm top margin, so
    the body keeps its 22 lines per page and the draft's PDF paginates exactly like the issued one.
    (A watermark or a line in the body would either not survive the conversion or move the text.)
    """
    section = document.sections[0]
    for header in (section.header, section.even_page_header):
        header.is_linked_to_previous = False
        para = header.paragraphs[0]
        ppr = para._p.get_or_add_pPr()
        set_line(ppr, 240)
        set_indent(ppr)
        child(ppr, "w:jc", PPR_ORDER, val="right")
        run = para.add_run("草稿")
        set_run_props(run._r.get_or_add_rPr(), HEITI, DRAFT_MARK_PT, latin=HEITI, spacing=0, color=RED)


# --- the whole document --------------------------------------------------------------------------


def build_docx(doc: Document) -> bytes:
    """The bulletin as .docx bytes: 红头, number and rule, title, body, signature and date, page numbers."""
    document = docx.Document()
    set_page(document)
    set_defaults(document)
    set_properties(document, doc)
    body = document._body
    add_red_header(body, doc)
    add_title(body, doc)
    add_blocks(body, doc.blocks)
    add_closing(body, doc)
    add_page_numbers(document)
    if doc.draft:
        add_draft_mark(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
