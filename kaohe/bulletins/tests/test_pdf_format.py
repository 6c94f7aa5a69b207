"""The PDF has GB/T 9704's 22 lines × 28 characters, the mapped free fonts and the red header.

LibreOffice is part of the project's setup (scripts/install-system-deps.sh): these tests do not skip
when it is missing, they fail, as a server without it would make every PDF with the fallback. Each
conversion runs once per module. poppler-utils reads the PDFs: ``pdftotext -bbox-layout`` for the
lines, ``pdffonts`` for the fonts, ``pdftoppm`` for the colours.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import translation

from kaohe.bulletins import pdf as pdf_module
from kaohe.bulletins.docx import build_docx
from kaohe.bulletins.html import render_html
from kaohe.bulletins.pdf import PdfError, to_pdf
from kaohe.bulletins.tests.sample import PURE_PARAGRAPHS, draft_document, sample_document

XHTML = "{http://www.w3.org/1999/xhtml}"
PT_PER_MM = 72 / 25.4
TOP_MARGIN_PT, BOTTOM_MARGIN_PT, LEFT_MARGIN_PT = 37 * PT_PER_MM, 35 * PT_PER_MM, 28 * PT_PER_MM
CHAR_PT = 15.75  # 16 pt − 0.25 pt
PURE = re.compile(r"[\u4e00-\u9fff，。、；：！？（）《》“”]+")
HANGING = "，。、；：！？"  # LibreOffice lets these hang past the right edge (a 29th character)
NO_LINE_START = "，。、；：！？）》”"  # WeasyPrint takes the character before them along to the next line
NO_LINE_END = "“（《"  # both move these to the next line


@dataclass(frozen=True)
class Line:
    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


@dataclass(frozen=True)
class Page:
    number: int
    height: float
    body: list[Line]  # inside the 版心
    top: list[Line]  # in the top margin (a draft's mark)
    bottom: list[Line]  # in the bottom margin (the page number)


def run(*command: str) -> bytes:
    return subprocess.run(command, check=True, capture_output=True, timeout=60).stdout


def read_pages(pdf: Path) -> list[Page]:
    """Every page's lines, sorted into the 版心 and the margins by their position."""
    root = ET.fromstring(run("pdftotext", "-bbox-layout", str(pdf), "-"))
    pages = []
    for number, page in enumerate(root.iter(f"{XHTML}page"), start=1):
        height = float(page.get("height"))
        lines = []
        for line in page.iter(f"{XHTML}line"):
            words = [word.text or "" for word in line.iter(f"{XHTML}word")]
            box = [float(line.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")]
            lines.append(Line(number, *box, text="".join(words)))
        lines.sort(key=lambda line: (round(line.y1), line.x0))
        body = [ln for ln in lines if ln.y0 >= TOP_MARGIN_PT - 8 and ln.y1 <= height - BOTTOM_MARGIN_PT + 4]
        top = [ln for ln in lines if ln.y1 < TOP_MARGIN_PT - 8]
        bottom = [ln for ln in lines if ln.y1 > height - BOTTOM_MARGIN_PT + 4]
        pages.append(Page(number, height, body, top, bottom))
    return pages


def baselines(page: Page) -> list[int]:
    """The body's distinct lines (pdftotext may split one line into several at spaces)."""
    return sorted({round(line.y1) for line in page.body})


def full_lines(pages: list[Page]) -> list[tuple[Line, int]]:
    """The lines of plain Chinese text that a paragraph continues after, with their character count.

    A paragraph goes on if the next line (on this page or the next) starts at the left edge of the
    版心; a first line starts two characters in, and those two count.
    """
    body = [line for page in pages for line in page.body]
    found = []
    for line, following in zip(body, body[1:], strict=False):
        if abs(following.x0 - LEFT_MARGIN_PT) < 1.5 and PURE.fullmatch(line.text):
            indent = round((line.x0 - LEFT_MARGIN_PT) / CHAR_PT)
            found.append((line, len(line.text) + indent, following))
    return found


def breaks_by_the_rules(line: Line, count: int, following: Line) -> bool:
    """28 characters, or one more or one less where a line-breaking rule for punctuation applies."""
    if count == 28:
        return True
    if count == 29:
        return line.text[-1] in HANGING
    if count == 27:
        return following.text[:1] in set(NO_LINE_END) or following.text[1:2] in set(NO_LINE_START)
    return False


def fonts(pdf: Path) -> str:
    return run("pdffonts", str(pdf)).decode()


def convert(doc) -> Path:
    """The LibreOffice PDF of ``doc`` in a temporary file (kept for the module)."""
    with override_settings(BULLETIN_PDF_ENGINE="libreoffice"):
        result = to_pdf(build_docx(doc), doc)
    assert result.engine == "libreoffice"
    assert result.data.startswith(b"%PDF-")
    path = Path(tempfile.mkdtemp(prefix="kaohe-test-pdf-")) / "bulletin.pdf"
    path.write_bytes(result.data)
    return path


@pytest.fixture(scope="module")
def libreoffice_pdf():
    path = convert(sample_document())
    yield path
    shutil.rmtree(path.parent)


@pytest.fixture(scope="module")
def pages(libreoffice_pdf) -> list[Page]:
    return read_pages(libreoffice_pdf)


# --- LibreOffice ---------------------------------------------------------------------------------


def test_soffice_is_installed():
    """Without it every PDF would come from the fallback: the setup must install it."""
    from django.conf import settings

    assert shutil.which(settings.BULLETIN_SOFFICE), (
        f"{settings.BULLETIN_SOFFICE} not found: run scripts/install-system-deps.sh"
    )


def test_every_full_page_has_22_lines(pages):
    assert len(pages) >= 4
    for page in pages[1:-1]:
        assert len(baselines(page)) == 22, f"page {page.number}: {[line.text for line in page.body]}"
    assert len(baselines(pages[0])) < 22  # the 红头 and the title take the top of page 1
    assert 0 < len(baselines(pages[-1])) <= 22


def test_the_lines_are_28_95_pt_apart(pages):
    for page in pages[1:-1]:
        ys = baselines(page)
        gaps = [b - a for a, b in zip(ys, ys[1:], strict=False)]
        assert all(28 <= gap <= 30 for gap in gaps), (page.number, gaps)


def test_the_pure_paragraphs_have_exactly_28_characters_a_line(pages):
    lines = [(line, count) for line, count, _next in full_lines(pages) if any(line.text in p for p in PURE_PARAGRAPHS)]
    expected = sum((len(p) + 2) // 28 for p in PURE_PARAGRAPHS)  # full lines of the two paragraphs
    assert len(lines) >= expected >= 10
    assert [count for _line, count in lines] == [28] * len(lines), [(line.text, count) for line, count in lines]


def test_every_full_line_of_plain_chinese_has_28_characters(pages):
    """Elsewhere a punctuation mark may hang past the edge (29), or move a character along (27)."""
    checked = full_lines(pages)
    assert len(checked) > 40
    assert sum(count == 28 for _line, count, _next in checked) > 0.8 * len(checked)
    for line, count, following in checked:
        assert breaks_by_the_rules(line, count, following), (line.page, line.text, count)


def test_the_page_numbers_are_at_the_outer_edges(pages):
    for page in pages:
        (number,) = page.bottom
        assert number.text.replace(" ", "") == f"—{page.number}—"
        width = 595.3
        if page.number % 2:  # odd: at the right, one 14 pt character in from the 版心's right edge
            assert number.x1 == pytest.approx(width - 26 * PT_PER_MM - 14, abs=3)
        else:
            assert number.x0 == pytest.approx(LEFT_MARGIN_PT + 14, abs=3)
        assert number.y0 - (page.height - BOTTOM_MARGIN_PT) == pytest.approx(7 * PT_PER_MM, abs=4)


def test_the_signature_and_date_close_the_last_page(pages):
    doc = sample_document()
    last = pages[-1].body
    signature = next(line for line in last if line.text.replace(" ", "") == doc.signature)
    date = next(line for line in last if line.text.replace(" ", "") == doc.date_text)
    assert signature.x1 == pytest.approx(595.3 - 26 * PT_PER_MM - 32, abs=3)  # 右空二字
    assert date.x0 - signature.x0 == pytest.approx(32, abs=3)  # 首字比署名首字右移二字
    assert date.y0 > signature.y0


def test_the_fonts_are_the_mapped_free_fonts(libreoffice_pdf):
    listed = fonts(libreoffice_pdf)
    for font in ("FandolFang", "FandolKai", "NotoSansCJK", "LiberationSerif"):
        assert font in listed
    assert re.search(r"NotoSerifCJK\w*-Bold", listed), listed  # 方正小标宋简体
    assert "WenQuanYi" not in listed and "wqy" not in listed.lower()
    assert "DejaVu" not in listed


def read_ppm(data: bytes) -> tuple[int, int, bytes]:
    """Width, height and RGB bytes of a binary PPM (P6, 8 bits)."""
    match = re.match(rb"P6\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
    assert match and match[3] == b"255"
    return int(match[1]), int(match[2]), data[match.end() :]


def red_per_row(pdf: Path, page: int = 1) -> list[int]:
    width, height, pixels = read_ppm(run("pdftoppm", "-r", "40", "-f", str(page), "-l", str(page), str(pdf)))
    rows = []
    for y in range(height):
        row = pixels[y * width * 3 : (y + 1) * width * 3]
        rows.append(sum(1 for x in range(0, len(row), 3) if row[x] > 180 and row[x + 1] < 140 and row[x + 2] < 140))
    return rows


def test_page_one_has_the_red_header_and_the_red_rule(libreoffice_pdf):
    rows = red_per_row(libreoffice_pdf)
    height = len(rows)
    top = rows[: height * 2 // 5]
    assert sum(top) > 1000  # the organisation and "工作通报" in red
    text_width_px = 156 / 25.4 * 40
    rule_rows = [y for y, count in enumerate(rows) if count >= 0.9 * text_width_px]
    assert rule_rows, "no red rule as wide as the 版心"
    assert all(y < height // 2 for y in rule_rows)
    assert sum(rows[height // 2 :]) == 0  # nothing else is red
    assert sum(red_per_row(libreoffice_pdf, page=2)) == 0


def test_a_draft_is_marked_above_the_text_and_paginates_like_the_issued_bulletin(pages):
    path = convert(draft_document())
    try:
        draft = read_pages(path)
    finally:
        shutil.rmtree(path.parent)
    assert [baselines(page) for page in draft] == [baselines(page) for page in pages]
    for page in draft:
        assert [line.text for line in page.top] == ["草稿"]
    assert all(not page.top for page in pages)


# --- failures of LibreOffice ---------------------------------------------------------------------


def fake_soffice(tmp_path: Path, script: str) -> str:
    path = tmp_path / "fake-soffice"
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


@pytest.fixture
def own_tempdir(tmp_path, monkeypatch):
    """Temporary directories go here, so a test can see that none is left."""
    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root


def test_a_failing_soffice_is_an_error_not_a_fallback(settings, tmp_path, own_tempdir):
    settings.BULLETIN_SOFFICE = fake_soffice(tmp_path, 'echo "Error: source file could not be loaded" >&2\nexit 3\n')
    doc = sample_document()
    with (
        translation.override("en"),
        pytest.raises(PdfError, match="exit status 3: Error: source file could not be loaded"),
    ):
        to_pdf(build_docx(doc), doc)
    assert list(own_tempdir.iterdir()) == []


def test_a_soffice_that_writes_nothing_is_an_error(settings, tmp_path, own_tempdir):
    settings.BULLETIN_SOFFICE = fake_soffice(tmp_path, "exit 0\n")
    doc = sample_document()
    with translation.override("en"), pytest.raises(PdfError, match="no PDF"):
        to_pdf(build_docx(doc), doc)
    assert list(own_tempdir.iterdir()) == []


def gone(pid: int) -> bool:
    """True once ``pid`` has ended (a zombie waiting for init counts as ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state == "Z"


def test_a_hanging_soffice_is_killed_with_its_children(settings, tmp_path, own_tempdir):
    pids = tmp_path / "pids"
    # Like soffice: a wrapper that starts the real program and waits for it.
    settings.BULLETIN_SOFFICE = fake_soffice(tmp_path, f"sleep 60 &\necho $$ $! > {pids}\nwait\n")
    settings.BULLETIN_PDF_TIMEOUT_SECONDS = 1
    doc = sample_document()
    start = time.monotonic()
    with translation.override("en"), pytest.raises(PdfError, match="did not finish within 1 seconds"):
        to_pdf(build_docx(doc), doc)
    assert time.monotonic() - start < 10
    for pid in map(int, pids.read_text().split()):
        deadline = time.monotonic() + 5
        while not gone(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert gone(pid), f"process {pid} is still running"
    assert list(own_tempdir.iterdir()) == []


def test_without_soffice_weasyprint_makes_the_pdf(settings, monkeypatch):
    settings.BULLETIN_SOFFICE = "kaohe-no-such-soffice"
    monkeypatch.setattr(pdf_module, "weasyprint_pdf", lambda document: b"%PDF-weasyprint")
    result = to_pdf(b"", sample_document())
    assert (result.engine, result.data) == ("weasyprint", b"%PDF-weasyprint")


def test_an_unknown_engine_is_an_error(settings):
    settings.BULLETIN_PDF_ENGINE = "word"
    with translation.override("en"), pytest.raises(PdfError, match="KAOHE_BULLETIN_PDF"):
        to_pdf(b"", sample_document())


# --- WeasyPrint and the HTML it prints -----------------------------------------------------------


def test_weasyprint_makes_22_lines_of_28_characters_with_the_mapped_fonts(settings, monkeypatch, tmp_path):
    """Also: fontconfig was first set up in this process without the mapping, and the mapping still holds."""
    from weasyprint import HTML

    monkeypatch.delenv("FONTCONFIG_FILE", raising=False)
    HTML(string="<p>先不用映射排一页。</p>").write_pdf()
    settings.BULLETIN_PDF_ENGINE = "weasyprint"
    doc = sample_document()
    result = to_pdf(build_docx(doc), doc)
    assert result.engine == "weasyprint"
    assert os.environ["FONTCONFIG_FILE"] == str(settings.BULLETIN_FONTCONFIG)
    path = tmp_path / "weasyprint.pdf"
    path.write_bytes(result.data)

    listed = fonts(path)
    for font in ("FandolFang", "FandolKai", "Noto-Sans-CJK-SC", "Noto-Serif-CJK-SC-Bold"):
        assert font in listed, listed
    assert "WenQuanYi" not in listed and "DejaVu" not in listed

    pages = read_pages(path)
    assert len(pages) >= 4
    for page in pages[1:-1]:
        assert len(baselines(page)) == 22, page.number
    checked = full_lines(pages)
    pure = [(line, count) for line, count, _next in checked if any(line.text in p for p in PURE_PARAGRAPHS)]
    assert len(pure) >= 10 and all(count == 28 for _line, count in pure), pure
    for line, count, following in checked:
        assert breaks_by_the_rules(line, count, following), (line.page, line.text, count)
    for page in pages:
        (number,) = page.bottom
        assert number.text.replace(" ", "") == f"—{page.number}—"


def test_the_preview_fragment_has_no_inline_styles_or_scripts():
    doc = draft_document()
    html = render_html(doc)
    assert "style=" not in html and "<style" not in html and "<script" not in html
    assert not html.lstrip().startswith("<!doctype")
    for text in (doc.header_org, doc.number, doc.title, doc.subtitle, doc.signature, doc.date_text, "草稿"):
        assert text in html
    for block in doc.blocks:
        assert f">{block.text}<" in html.replace("&quot;", '"') or block.text.replace("“", "&ldquo;") in html
    assert html.count('class="bulletin-h1"') == sum(1 for b in doc.blocks if b.kind == "heading1")
    assert 'class="bulletin-org bulletin-org--24"' in html
    assert "草稿" not in render_html(sample_document())


def test_the_print_page_embeds_the_stylesheet():
    html = render_html(sample_document(), for_print=True)
    assert html.lstrip().lower().startswith("<!doctype html>")
    assert "<style>" in html and "@page" in html and "counter(page)" in html
    assert '"仿宋_GB2312"' in html  # not escaped
    assert '<html lang="zh-CN">' in html
    assert "<title>重点工作目标完成情况通报</title>" in html
