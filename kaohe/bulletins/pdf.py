"""The bulletin's PDF: LibreOffice converts the .docx, WeasyPrint prints the HTML where LibreOffice is absent.

LibreOffice makes the PDF from the very .docx that people download, so the two match line for line.
Both converters get ``FONTCONFIG_FILE`` = ``settings.BULLETIN_FONTCONFIG``, the mapping from the official
font names to the free fonts (deploy/fontconfig/fonts.conf, docs/bulletin.md).

If LibreOffice is installed but fails, that is an error (``PdfError``), not a reason to quietly issue a
bulletin laid out by the other engine: the office would get a PDF that differs from the .docx.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from .document import Document

LIBREOFFICE = "libreoffice"
WEASYPRINT = "weasyprint"
OUTPUT_TAIL_CHARS = 600  # of soffice's output, in the error message
HARMLESS_OUTPUT = ("javaldx",)  # "failed to launch javaldx" on every call


@dataclass(frozen=True)
class PdfResult:
    data: bytes
    engine: str  # LIBREOFFICE or WEASYPRINT


class PdfError(Exception):
    """The PDF could not be made; the message says why, for the office and the administrator."""


def to_pdf(docx_bytes: bytes, document: Document) -> PdfResult:
    """The PDF of a bulletin: from ``docx_bytes`` by LibreOffice, or from ``document`` by WeasyPrint.

    WeasyPrint when ``settings.BULLETIN_PDF_ENGINE`` says so or when ``settings.BULLETIN_SOFFICE`` is not
    found on the PATH.
    """
    engine = settings.BULLETIN_PDF_ENGINE
    if engine not in (LIBREOFFICE, WEASYPRINT):
        raise PdfError(
            _("Unknown PDF engine “%(engine)s”: KAOHE_BULLETIN_PDF must be libreoffice or weasyprint.")
            % {"engine": engine}
        )
    soffice = shutil.which(settings.BULLETIN_SOFFICE)
    if engine == WEASYPRINT or soffice is None:
        return PdfResult(weasyprint_pdf(document), WEASYPRINT)
    return PdfResult(libreoffice_pdf(docx_bytes, soffice), LIBREOFFICE)


# --- LibreOffice ---------------------------------------------------------------------------------


def libreoffice_pdf(docx_bytes: bytes, soffice: str) -> bytes:
    """Converts in a fresh temporary directory that also holds LibreOffice's profile, removed afterwards.

    A profile of its own lets conversions run side by side (two instances cannot share one) and
    never touches a profile someone uses. soffice starts soffice.bin in its own process group, which
    is killed as a whole on a timeout: killing only the wrapper script would leave soffice.bin behind.
    """
    timeout = settings.BULLETIN_PDF_TIMEOUT_SECONDS
    with tempfile.TemporaryDirectory(prefix="kaohe-bulletin-") as tmp:
        work = Path(tmp)
        source = work / "bulletin.docx"
        source.write_bytes(docx_bytes)
        outdir = work / "out"
        command = [
            soffice,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(outdir),
            str(source),
        ]
        env = {**os.environ, "FONTCONFIG_FILE": str(settings.BULLETIN_FONTCONFIG), "HOME": str(work)}
        returncode, output = run_in_group(command, env=env, cwd=work, timeout=timeout)
        pdf = outdir / "bulletin.pdf"
        if returncode != 0:
            raise conversion_error(
                _("it stopped with exit status %(status)s: %(output)s") % {"status": returncode, "output": output}
            )
        if not pdf.is_file() or pdf.stat().st_size == 0:
            raise conversion_error(_("it wrote no PDF file: %(output)s") % {"output": output or "–"})
        return pdf.read_bytes()


def run_in_group(command: list[str], *, env: dict, cwd: Path, timeout: float) -> tuple[int, str]:
    """Runs ``command`` in a new process group; returns its exit status and the tail of its output.

    ``communicate`` returns only when every process holding the output pipe has ended, soffice.bin
    included, so nothing is left running after a normal return. On a timeout, or if this thread is
    interrupted, the whole group is killed and reaped before the error goes up.
    """
    try:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=cwd,
            start_new_session=True,
        )
    except OSError as exc:
        raise conversion_error(str(exc)) from exc
    try:
        raw, _unused = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(process)
        raise conversion_error(_("it did not finish within %(seconds)s seconds") % {"seconds": timeout}) from None
    except BaseException:
        kill_group(process)
        raise
    return process.returncode, output_tail(raw)


def kill_group(process: subprocess.Popen) -> None:
    """Kills the process group of ``process`` (still unreaped, so its id cannot have been reused) and reaps it."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.communicate()


def output_tail(raw: bytes) -> str:
    """The end of soffice's output without the warning it prints every time, for an error message."""
    lines = raw.decode("utf-8", "replace").splitlines()
    kept = [line for line in lines if line.strip() and not any(noise in line for noise in HARMLESS_OUTPUT)]
    return "\n".join(kept)[-OUTPUT_TAIL_CHARS:]


def conversion_error(reason: str) -> PdfError:
    return PdfError(_("LibreOffice could not convert the bulletin to PDF: %(reason)s") % {"reason": reason})


# --- WeasyPrint ----------------------------------------------------------------------------------


def weasyprint_pdf(document: Document) -> bytes:
    """Prints ``render_html(document, for_print=True)`` with the font mapping and no network access.

    fontconfig reads FONTCONFIG_FILE whenever a configuration is loaded, and WeasyPrint loads one for
    every ``FontConfiguration``: the variable is set first (only if it differs, so a running server does
    not rewrite its environment on every call) and a new configuration is made for each PDF. Tested in
    test_pdf_format: a process that had printed without the mapping prints with it afterwards.
    """
    fontconfig_file = str(settings.BULLETIN_FONTCONFIG)
    if os.environ.get("FONTCONFIG_FILE") != fontconfig_file:
        os.environ["FONTCONFIG_FILE"] = fontconfig_file
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    from .html import render_html

    html = render_html(document, for_print=True)
    # The page refers to nothing outside itself; a fetcher that allows no protocol keeps it so.
    fetcher = URLFetcher(allowed_protocols=())
    return HTML(string=html, url_fetcher=fetcher).write_pdf(font_config=FontConfiguration())
