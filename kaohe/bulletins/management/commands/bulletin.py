"""Writes the files of a bulletin: ``manage.py bulletin --year 2021 --number 2 --docx a.docx --pdf a.pdf``.

An issued bulletin's files are the stored ones, byte for byte (checked against their SHA-256); a
draft's are made now from its current text, marked as a draft.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kaohe.bulletins import services
from kaohe.bulletins.models import Bulletin


class Command(BaseCommand):
    help = "Write a draft or issued bulletin as .docx and/or PDF."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--year", type=int, required=True, help="the assessment year, e.g. 2021")
        parser.add_argument("--number", type=int, required=True, help="the bulletin's number in the year (第N期)")
        parser.add_argument("--docx", type=Path, help="where to write the .docx")
        parser.add_argument("--pdf", type=Path, help="where to write the PDF")

    def handle(self, *args, year: int, number: int, docx: Path | None, pdf: Path | None, **options) -> None:
        if docx is None and pdf is None:
            raise CommandError("Give --docx FILE, --pdf FILE or both.")
        docx, pdf = (Path(p) if p is not None else None for p in (docx, pdf))
        bulletin = Bulletin.objects.select_related("year").filter(year__year=year, number=number).first()
        if bulletin is None:
            raise CommandError(f"No bulletin 〔{year}〕第{number}期.")
        if bulletin.state == Bulletin.State.ISSUED:
            files = {docx: (bulletin.docx, bulletin.docx_sha256), pdf: (bulletin.pdf, bulletin.pdf_sha256)}
            for target, (stored, digest) in files.items():
                if target is None:
                    continue
                with stored.open("rb") as f:
                    data = f.read()
                if hashlib.sha256(data).hexdigest() != digest:
                    raise CommandError(f"The stored file {stored.name} does not match its SHA-256; it was altered.")
                target.write_bytes(data)
                self.stdout.write(f"{target} ({len(data):,} bytes, issued, SHA-256 {digest})")
            return
        if bulletin.state == Bulletin.State.ISSUING:
            self.stderr.write("The bulletin is being issued; writing its current text as a draft.")
        if pdf is None:
            from kaohe.bulletins.docx import build_docx

            data = build_docx(services.document_of(bulletin))
            docx.write_bytes(data)
            self.stdout.write(f"{docx} ({len(data):,} bytes, draft)")
            return
        docx_data, pdf_data, engine = services.make_files(bulletin)
        if docx is not None:
            docx.write_bytes(docx_data)
            self.stdout.write(f"{docx} ({len(docx_data):,} bytes, draft)")
        pdf.write_bytes(pdf_data)
        self.stdout.write(f"{pdf} ({len(pdf_data):,} bytes, draft, made by {engine})")
