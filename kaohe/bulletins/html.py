"""The bulletin as HTML: the app's on-screen preview, and the page WeasyPrint prints.

One template (``bulletins/_document.html``) and one stylesheet (``static/css/bulletin.css``) serve both,
so the preview shows what the fallback PDF prints; the .docx is laid out separately (``docx.py``) with
the same sizes and rules.
"""

from __future__ import annotations

from pathlib import Path

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from .document import Document
from .docx import header_org_size

CSS_FILE = Path(__file__).resolve().parent.parent / "static" / "css" / "bulletin.css"


def context_of(doc: Document) -> dict:
    """What the template needs besides the document: the sizes the .docx computes too."""
    return {
        "document": doc,
        "header_title": doc.header_title.replace(" ", "").replace("\u3000", ""),
        "org_size": header_org_size(doc.header_org),
    }


def render_html(doc: Document, *, for_print: bool = False) -> str:
    """The fragment for an app page, or with ``for_print`` a whole page with the CSS inside.

    The print page reads the stylesheet from disk at every call: WeasyPrint fetches nothing (it has
    no web server to ask, and its URL fetcher is closed), and a changed file shows at once.
    """
    context = context_of(doc)
    if not for_print:
        return render_to_string("bulletins/_document.html", context)
    # Our own file, inside <style>: escaping would break its quotes.
    context["css"] = mark_safe(CSS_FILE.read_text(encoding="utf-8"))  # noqa: S308
    return render_to_string("bulletins/print.html", context)
