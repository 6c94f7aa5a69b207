"""Render the sample bulletin's first two pages as docs/bulletin-page1.png (docs/bulletin.md shows it).

    .venv/bin/python scripts/render-bulletin-sample.py [--engine libreoffice|weasyprint] [--dpi 90] [--out FILE]

Builds the .docx of ``kaohe.bulletins.tests.sample.sample_document()`` (the seed bulletin 〔2021〕第2期),
converts it to PDF exactly as the app does (``kaohe.bulletins.pdf.to_pdf``: LibreOffice with the
project's fontconfig mapping, or WeasyPrint with ``--engine weasyprint``), renders pages 1 and 2 with
``pdftoppm`` (poppler-utils) and puts them side by side on a grey background with Pillow.

Run it again after any change to the layout (docx.py, bulletin.css, the templates) and look at the
image before committing it. ``--pdf FILE`` also keeps the PDF.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GAP_PX = 24  # between and around the pages
BACKGROUND = (200, 203, 208)


def render_pages(pdf: bytes, dpi: int, pages: int = 2) -> list:
    """The first ``pages`` pages of ``pdf`` as Pillow images."""
    from PIL import Image

    images = []
    with tempfile.TemporaryDirectory(prefix="kaohe-render-") as tmp:
        source = Path(tmp) / "bulletin.pdf"
        source.write_bytes(pdf)
        for page in range(1, pages + 1):
            png = subprocess.run(
                ["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-png", "-singlefile", str(source)],
                check=True,
                capture_output=True,
                timeout=60,
            ).stdout
            images.append(Image.open(io.BytesIO(png)).convert("RGB"))
    return images


def side_by_side(images: list):
    """The pages in a row on a grey ground, each with a thin dark edge so the white page stands out."""
    from PIL import Image, ImageDraw

    width = sum(image.width for image in images) + GAP_PX * (len(images) + 1)
    height = max(image.height for image in images) + 2 * GAP_PX
    sheet = Image.new("RGB", (width, height), BACKGROUND)
    draw = ImageDraw.Draw(sheet)
    x = GAP_PX
    for image in images:
        draw.rectangle((x - 1, GAP_PX - 1, x + image.width, GAP_PX + image.height), outline=(120, 124, 130))
        sheet.paste(image, (x, GAP_PX))
        x += image.width + GAP_PX
    return sheet


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=["libreoffice", "weasyprint"], default="libreoffice")
    parser.add_argument("--dpi", type=int, default=90)
    parser.add_argument("--out", default=str(ROOT / "docs" / "bulletin-page1.png"))
    parser.add_argument("--pdf", help="also write the PDF to this file")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaohe.settings")
    os.environ["KAOHE_BULLETIN_PDF"] = args.engine
    import django

    django.setup()
    from kaohe.bulletins.docx import build_docx
    from kaohe.bulletins.pdf import to_pdf
    from kaohe.bulletins.tests.sample import sample_document

    doc = sample_document()
    result = to_pdf(build_docx(doc), doc)
    if result.engine != args.engine:
        sys.exit(f"asked for {args.engine}, got {result.engine}: is soffice installed?")
    if args.pdf:
        Path(args.pdf).write_bytes(result.data)
    side_by_side(render_pages(result.data, args.dpi)).save(args.out, optimize=True)
    print(f"{args.out}: pages 1 and 2 at {args.dpi} dpi ({result.engine})")


if __name__ == "__main__":
    main()
