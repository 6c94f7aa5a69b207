"""Progress and evidence under attack (reliability.md T-UP-1 … T-UP-6, T-FILE-URL-1, T-CONC-1, T-IDEM-1,
T-IDOR-1, T-IDOR-2, T-IDOR-4): every refusal is checked by its status, the rows and files it left
alone (business checksum, MEDIA_ROOT) and the audit event it wrote."""

from __future__ import annotations

import email.message
import hashlib
import io
import os
import re
import tempfile
import threading
import uuid
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection, connections
from django.test import Client, TransactionTestCase, override_settings
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from kaohe.audit.models import AuditEvent
from kaohe.lib.checksums import business_checksum
from kaohe.lib.uploads import ALLOWED_DESCRIPTION
from kaohe.org.models import AssessmentYear, Department, Role
from kaohe.progress import services
from kaohe.progress.exports import export_path
from kaohe.progress.models import ArchiveExport, Evidence, ProgressReport, Seal
from kaohe.progress.tests.factories import PDF, PNG, make_node, make_report, pdf
from kaohe.test import BaseTestCase, comparable_page, make_person

MB = 1024 * 1024
ROOT = Path(__file__).resolve().parents[3]
STORED_NAME = re.compile(r"^evidence/[0-9a-f]{32}$")

EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(50) + b"This program cannot be run in DOS mode."
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'

# The messages the views and services answer with (msgids; the page shows their translation).
FILE_TOO_LARGE = "Each file may be at most %(size)d MB. Nothing has been saved."
REQUEST_TOO_LARGE = "One upload may be at most %(size)d MB in all. Nothing has been saved; send fewer files at once."
QUOTA = "The department's evidence for this year would exceed %(size)d MB; %(left)d MB are left."
TOO_MANY_FILES = "A report may have at most %(count)d files."
MISMATCH = "The file's content does not match its extension."
NOT_ACCEPTED = "Files of this type are not accepted. Allowed: %(allowed)s."
CONFLICT = (
    "This report has been changed by someone else since you opened it. "
    "Below are the current values; make your change again."
)
SEALED = "The office has verified this node; its evidence is frozen until the office reopens it."


def zh(msgid: str, **params) -> str:
    """A message as the pages show it: in Chinese (the default language), HTML-escaped."""
    with translation.override("zh-hans"):
        text = translation.gettext(msgid)
    return escape(text % params if params else text)


def sized_pdf(size: int) -> bytes:
    return PDF + b"%" * (size - len(PDF))


class CountingStream:
    """A wsgi.input that counts what the server reads from it (and may look around on each read)."""

    def __init__(self, data: bytes, on_read=None):
        self._data = io.BytesIO(data)
        self.read_bytes = 0
        self.on_read = on_read

    def read(self, size=-1, /):
        chunk = self._data.read(size)
        self.read_bytes += len(chunk)
        if self.on_read:
            self.on_read()
        return chunk

    def readline(self, size=-1, /):
        line = self._data.readline(size)
        self.read_bytes += len(line)
        return line


BOUNDARY = "KaoheTestBoundary7MA4YWxkTrZu0gW"


def multipart(fields: dict[str, str], files: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    """A multipart body written by hand, so a part's filename parameter can be anything a client sends.

    ``files`` are (filename parameter as sent, e.g. ``filename="x.pdf"``, client content type, content).
    """
    parts = []
    for name, value in fields.items():
        parts.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for parameter, content_type, content in files:
        head = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; {parameter}\r\n'
        parts.append(f"{head}Content-Type: {content_type}\r\n\r\n".encode() + content + b"\r\n")
    parts.append(f"--{BOUNDARY}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={BOUNDARY}"


def report_fields(**fields) -> dict:
    return {
        "status": "in_progress",
        "narrative": "完成了年度总结",
        "kind": "document",
        "key": str(uuid.uuid4()),
    } | fields


class ProgressSecurityCase(BaseTestCase):
    def setUp(self):
        # Files are made per test: MEDIA_ROOT is a fresh temporary folder for each (conftest.py).
        self.node = make_node(self.year, self.dept_a)
        self.node_b = make_node(self.year, self.dept_b)

    def evidence_files(self) -> list[str]:
        folder = Path(settings.MEDIA_ROOT) / "evidence"
        return sorted(p.name for p in folder.iterdir()) if folder.exists() else []

    def create_url(self, node=None) -> str:
        return reverse("progress:report-create", args=[(node or self.node).pk])

    def post_report(self, on=None, files=(), **fields):
        data = report_fields(**fields)
        if files:
            data["files"] = list(files)
        return self.client.post(self.create_url(on), data)

    def post_raw(self, url: str, body: bytes, content_type: str, stream: CountingStream | None = None):
        extra = {"wsgi.input": stream} if stream is not None else {}
        return self.client.generic("POST", url, body, content_type=content_type, **extra)

    def denied_events(self):
        return AuditEvent.objects.filter(kind=AuditEvent.Kind.DENIED)

    def assertNothingCreated(self, before: str):
        self.assertEqual(ProgressReport.objects.count(), 0)
        self.assertEqual(Evidence.objects.count(), 0)
        self.assertEqual(self.evidence_files(), [])
        self.assertEqual(business_checksum(), before)


# T-UP-1: oversized uploads -------------------------------------------------------------------


@override_settings(EVIDENCE_MAX_FILE_BYTES=1 * MB, UPLOAD_MAX_REQUEST_BYTES=16 * MB)
class UploadSizeTests(ProgressSecurityCase):
    def setUp(self):
        super().setUp()
        self.login(self.liaison)
        self.temp_dir = Path(self.enterContext(tempfile.TemporaryDirectory()))

    def test_it_refuses_a_file_one_byte_over_the_limit_with_413(self):
        before = business_checksum()
        body, content_type = multipart(report_fields(), [('filename="总结.pdf"', "application/pdf", sized_pdf(MB + 1))])
        response = self.post_raw(self.create_url(), body, content_type, CountingStream(body))
        self.assertEqual(response.status_code, 413)
        self.assertContains(response, zh(FILE_TOO_LARGE, size=1), status_code=413)
        self.assertNothingCreated(before)

    def test_it_accepts_a_file_exactly_at_the_limit(self):
        response = self.post_report(files=[pdf(content=sized_pdf(MB))])
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Evidence.objects.get().size, MB)
        self.assertEqual(len(self.evidence_files()), 1)

    def test_it_stops_reading_an_oversized_file_and_leaves_no_temporary_file(self):
        seen = []
        with override_settings(FILE_UPLOAD_TEMP_DIR=str(self.temp_dir), FILE_UPLOAD_MAX_MEMORY_SIZE=64 * 1024):
            before = business_checksum()
            body, content_type = multipart(
                report_fields(), [('filename="总结.pdf"', "application/pdf", sized_pdf(8 * MB))]
            )
            stream = CountingStream(body, on_read=lambda: seen.append(len(os.listdir(self.temp_dir))))
            response = self.post_raw(self.create_url(), body, content_type, stream)
        self.assertEqual(response.status_code, 413)
        self.assertContains(response, zh(FILE_TOO_LARGE, size=1), status_code=413)
        # The parser stopped soon after the first megabyte: most of the 8 MB were never read.
        self.assertLess(stream.read_bytes, 2 * MB)
        self.assertGreater(max(seen), 0, "the upload should have gone to a temporary file")
        self.assertEqual(os.listdir(self.temp_dir), [])
        self.assertNothingCreated(before)

    def test_a_stored_upload_leaves_no_temporary_file_either(self):
        with override_settings(FILE_UPLOAD_TEMP_DIR=str(self.temp_dir), FILE_UPLOAD_MAX_MEMORY_SIZE=64 * 1024):
            response = self.post_report(files=[pdf(content=sized_pdf(512 * 1024))])
        self.assertEqual(response.status_code, 302)
        self.assertEqual(os.listdir(self.temp_dir), [])
        self.assertEqual(len(self.evidence_files()), 1)

    @override_settings(UPLOAD_MAX_REQUEST_BYTES=1 * MB, EVIDENCE_MAX_FILE_BYTES=20 * MB)
    def test_it_refuses_a_request_declared_too_large_without_reading_its_body(self):
        before = business_checksum()
        body, content_type = multipart(report_fields(), [('filename="总结.pdf"', "application/pdf", sized_pdf(2 * MB))])
        stream = CountingStream(body)
        response = self.post_raw(self.create_url(), body, content_type, stream)
        self.assertEqual(response.status_code, 413)
        self.assertContains(response, zh(REQUEST_TOO_LARGE, size=1), status_code=413)
        self.assertEqual(stream.read_bytes, 0)
        self.assertNothingCreated(before)

    @override_settings(DATA_UPLOAD_MAX_NUMBER_FILES=3, EVIDENCE_MAX_FILES_PER_REPORT=3)
    def test_it_refuses_more_files_than_one_request_may_carry(self):
        before = business_checksum()
        response = self.post_report(files=[pdf(f"第{i}份.pdf") for i in range(4)])
        self.assertEqual(response.status_code, 400)
        self.assertNothingCreated(before)

    def test_it_refuses_files_beyond_the_departments_yearly_quota(self):
        make_report(self.node, by=self.liaison, files=[pdf(content=sized_pdf(MB - 100))])
        with override_settings(EVIDENCE_DEPARTMENT_YEAR_BYTES=1 * MB):
            before = business_checksum()
            response = self.post_report(files=[pdf("第二份.pdf", content=sized_pdf(200))])
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, zh(QUOTA, size=1, left=0), status_code=400)
        self.assertEqual(ProgressReport.objects.count(), 1)
        self.assertEqual(Evidence.objects.count(), 1)
        self.assertEqual(len(self.evidence_files()), 1)
        self.assertEqual(business_checksum(), before)

    @override_settings(EVIDENCE_MAX_FILES_PER_REPORT=2)
    def test_it_refuses_more_files_per_report_across_an_edit(self):
        report = make_report(self.node, by=self.liaison, files=[pdf("一.pdf"), pdf("二.pdf")])
        before = business_checksum()
        response = self.client.post(
            reverse("progress:report-edit", args=[report.pk]),
            {**report_fields(narrative="补充一份材料"), "version": report.version, "files": [pdf("三.pdf")]},
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, zh(TOO_MANY_FILES, count=2), status_code=400)
        report.refresh_from_db()
        self.assertEqual((report.version, report.narrative), (1, "已完成阶段性工作"))
        self.assertEqual(report.evidence.count(), 2)
        self.assertEqual(len(self.evidence_files()), 2)
        self.assertEqual(business_checksum(), before)


# T-UP-2 … T-UP-6: disguised types, active content, polyglots, hostile names -------------------


class UploadContentTests(ProgressSecurityCase):
    def setUp(self):
        super().setUp()
        self.login(self.liaison)

    def test_it_refuses_files_whose_content_is_not_their_type(self):
        cases = [
            ("总结.pdf", EXECUTABLE, "application/pdf", zh(MISMATCH)),
            ("截图.png", HTML, "image/png", zh(MISMATCH)),
            (
                "会议纪要.docx",
                PDF,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                zh(MISMATCH),
            ),
            ("图标.svg", SVG, "image/svg+xml", zh(NOT_ACCEPTED, allowed=ALLOWED_DESCRIPTION)),
            ("页面.html", HTML, "text/html", zh(NOT_ACCEPTED, allowed=ALLOWED_DESCRIPTION)),
        ]
        for name, content, content_type, message in cases:
            with self.subTest(name):
                before = business_checksum()
                response = self.post_report(files=[pdf(name, content, content_type)])
                self.assertEqual(response.status_code, 400)
                self.assertContains(response, message, status_code=400)
                self.assertNothingCreated(before)

    def test_a_polyglot_is_only_ever_served_inert(self):
        content = PNG + HTML
        response = self.post_report(files=[pdf("照片.png", content, "text/html")])
        self.assertEqual(response.status_code, 302)
        evidence = Evidence.objects.get()
        self.assertEqual(evidence.content_type, "image/png")
        self.assertEqual(evidence.sha256, hashlib.sha256(content).hexdigest())

        download = self.client.get(reverse("progress:evidence-download", args=[evidence.pk]))
        self.assertEqual(download.status_code, 200)
        self.assertEqual(b"".join(download.streaming_content), content)
        self.assertEqual(download["Content-Type"], "image/png")
        disposition = download["Content-Disposition"]
        self.assertTrue(disposition.startswith("attachment;"), disposition)
        self.assertRegex(disposition, re.compile(r"; filename\*=UTF-8''" + re.escape(quote("照片.png")) + "$", re.I))
        self.assertEqual(download["X-Content-Type-Options"], "nosniff")
        self.assertIn("sandbox", download["Content-Security-Policy"].split(";")[0])
        self.assertEqual(
            AuditEvent.objects.filter(kind="download", object_type="progress.Evidence", actor=self.liaison).count(), 1
        )

    def test_hostile_names_are_kept_only_as_harmless_metadata(self):
        cases = [
            ('filename="../../etc/x.pdf"', "x.pdf"),
            ('filename="..\\..\\win.ini.pdf"', "win.ini.pdf"),
            ('filename="．．／．．／x.pdf"', "x.pdf"),  # full-width: a path only after NFKC
            ('filename="CON.pdf"', "_CON.pdf"),
            ("filename*=UTF-8''%E6%80%BB%E7%BB%93%0D%0ASet-Cookie%3A%20a%3Db.pdf", "总结Set-Cookie: a=b.pdf"),
            ("filename*=UTF-8''%22%3B%20filename%3D%22x.html%22%3B.pdf", "; filename=x.html;.pdf"),
        ]
        evidence_root = os.path.realpath(Path(settings.MEDIA_ROOT) / "evidence")
        for parameter, kept in cases:
            with self.subTest(parameter):
                body, content_type = multipart(report_fields(), [(parameter, "application/pdf", PDF)])
                response = self.post_raw(self.create_url(), body, content_type)
                self.assertEqual(response.status_code, 302)
                evidence = Evidence.objects.latest("pk")
                self.assertRegex(evidence.file.name, STORED_NAME)
                stored = os.path.realpath(evidence.file.path)
                self.assertEqual(os.path.commonpath([evidence_root, stored]), evidence_root)
                self.assertEqual(os.path.dirname(stored), evidence_root)
                self.assertTrue(os.path.isfile(stored))
                self.assertEqual(evidence.original_name, kept)

                download = self.client.get(reverse("progress:evidence-download", args=[evidence.pk]))
                self.assertEqual(download.status_code, 200)
                for header, value in download.headers.items():
                    self.assertNotRegex(value, r"[\r\n]", header)
                self.assertNotIn("Set-Cookie", download.headers)
                self.assertEqual(list(download.cookies), [])
                parsed = email.message.Message()
                parsed["Content-Disposition"] = download["Content-Disposition"]
                self.assertEqual(parsed.get_content_disposition(), "attachment")
                self.assertEqual(parsed.get_filename(), kept)
                self.assertEqual(len(parsed.get_params(header="Content-Disposition")), 2)
        # Nothing was written anywhere but under random names in MEDIA_ROOT/evidence.
        written = [
            os.path.relpath(os.path.join(folder, name), settings.MEDIA_ROOT)
            for folder, _dirs, names in os.walk(settings.MEDIA_ROOT)
            for name in names
        ]
        self.assertEqual(len(written), len(cases))
        self.assertTrue(all(STORED_NAME.match(name) for name in written), written)


# T-FILE-URL-1: no URL reaches a stored file but the checking view ----------------------------


class FileUrlTests(ProgressSecurityCase):
    def setUp(self):
        super().setUp()
        self.report = make_report(self.node, by=self.liaison, files=[pdf()])
        self.evidence = self.report.evidence.get()
        self.login(self.liaison)

    def test_stored_files_have_no_url_of_their_own(self):
        name = self.evidence.file.name
        self.assertRegex(name, STORED_NAME)
        self.assertTrue(Path(self.evidence.file.path).is_file())
        hex_name = name.split("/")[1]
        for url in (
            f"/media/{name}",
            f"/media/{hex_name}",
            f"/files/{name}",
            f"/files/{hex_name}",
            f"/{name}",
            f"/progress/{name}",
            f"/_kaohe_files/{name}",
            f"/_protected/{name}",
        ):
            with self.subTest(url):
                self.assertEqual(self.client.get(url).status_code, 404)

    @override_settings(EVIDENCE_ACCEL_REDIRECT="/_protected/")
    def test_behind_nginx_the_download_is_handed_over_with_x_accel_redirect(self):
        response = self.client.get(reverse("progress:evidence-download", args=[self.evidence.pk]))
        self.assertEqual(response.status_code, 200)
        self.assertRegex(response["X-Accel-Redirect"], r"^/_protected/evidence/[0-9a-f]{32}$")
        self.assertEqual(response["X-Accel-Redirect"], "/_protected/" + self.evidence.file.name)
        self.assertEqual(response.content, b"")
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertTrue(response["Content-Disposition"].startswith("attachment;"))
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertIn("sandbox", response["Content-Security-Policy"])

    def test_another_department_gets_no_x_accel_redirect(self):
        self.login(self.outsider)
        with override_settings(EVIDENCE_ACCEL_REDIRECT="/_protected/"):
            response = self.client.get(reverse("progress:evidence-download", args=[self.evidence.pk]))
        self.assertEqual(response.status_code, 404)
        self.assertNotIn("X-Accel-Redirect", response.headers)


def nginx_locations() -> dict[str, str]:
    """The active (uncommented) location blocks of deploy/nginx.conf.example: {prefix: body}."""
    text = (ROOT / "deploy" / "nginx.conf.example").read_text()
    active = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
    return {m.group(1): m.group(2) for m in re.finditer(r"location\s+(?:=\s*)?(\S+)\s*\{([^}]*)\}", active)}


def internal_location() -> tuple[str, str]:
    internal = [(prefix, body) for prefix, body in nginx_locations().items() if re.search(r"\binternal\s*;", body)]
    assert len(internal) == 1, "deploy/nginx.conf.example needs one internal location for X-Accel-Redirect"
    return internal[0]


def test_nginx_serves_evidence_only_from_an_internal_location():
    prefix, body = internal_location()
    # The location documented for KAOHE_EVIDENCE_ACCEL_REDIRECT, aliased to the files folder.
    deploy_doc = (ROOT / "docs" / "deploy.md").read_text()
    assert f"KAOHE_EVIDENCE_ACCEL_REDIRECT={prefix}" in deploy_doc
    assert re.search(r"\balias\s+/var/lib/kaohe/files/\s*;", body)
    # No other location serves files from disk.
    for other, other_body in nginx_locations().items():
        if other != prefix:
            assert not re.search(r"\b(alias|root)\s+/var/lib/kaohe", other_body), other


def test_nginx_keeps_downloads_inert_behind_x_accel_redirect():
    # nginx passes on only Content-Type, Content-Disposition, Accept-Ranges, Set-Cookie, Cache-Control and
    # Expires from a response with X-Accel-Redirect: the internal location must add the rest again.
    _prefix, body = internal_location()
    assert re.search(r"add_header\s+X-Content-Type-Options\s+\"?nosniff\"?\s+always\s*;", body)
    assert re.search(r"add_header\s+Content-Security-Policy\s+\"sandbox[^\"]*\"\s+always\s*;", body)


# T-CONC-1: two people edit the same report ----------------------------------------------------


class LostUpdateTests(ProgressSecurityCase):
    def setUp(self):
        super().setUp()
        self.report = make_report(self.node, by=self.liaison)
        self.url = reverse("progress:report-edit", args=[self.report.pk])
        # Two browsers open the same form; the second is kept from raising so a 500 is seen as one.
        self.browser_a, self.browser_b = Client(), Client(raise_request_exception=False)
        self.browser_a.force_login(self.liaison)
        self.browser_b.force_login(self.head)
        self.version = self.edit_form_version(self.browser_a)
        self.assertEqual(self.edit_form_version(self.browser_b), self.version)
        saved = self.browser_a.post(
            self.url, report_fields(narrative="甲：调研已完成", status="done") | {"version": self.version}
        )
        self.assertEqual(saved.status_code, 302)

    def edit_form_version(self, client: Client) -> int:
        response = client.get(self.url)
        self.assertEqual(response.status_code, 200)
        return int(re.search(r'name="version" value="(\d+)"', response.content.decode()).group(1))

    def post_stale(self):
        return self.browser_b.post(self.url, report_fields(narrative="乙：另一种说法") | {"version": self.version})

    def test_a_stale_save_changes_nothing(self):
        before = business_checksum()
        self.assertNotIn(self.post_stale().status_code, (200, 302))
        self.assertEqual(business_checksum(), before)
        self.report.refresh_from_db()
        self.assertEqual(
            (self.report.narrative, self.report.status, self.report.version),
            ("甲：调研已完成", "done", self.version + 1),
        )
        self.assertEqual(self.report.history.filter(history_type="~").count(), 1)

    def test_a_stale_save_gets_409_with_the_current_values(self):
        stale = self.post_stale()
        self.assertEqual(stale.status_code, 409)
        self.assertContains(stale, zh(CONFLICT), status_code=409)
        self.assertContains(stale, "已被他人修改", status_code=409)
        self.assertContains(stale, "甲：调研已完成", status_code=409)
        self.assertNotContains(stale, "乙：另一种说法", status_code=409)
        self.assertContains(stale, f'name="version" value="{self.version + 1}"', status_code=409)
        # With the version the 409 page carries, the second person's change goes through.
        retried = self.browser_b.post(
            self.url, report_fields(narrative="乙：另一种说法") | {"version": self.version + 1}
        )
        self.assertEqual(retried.status_code, 302)
        self.report.refresh_from_db()
        self.assertEqual((self.report.narrative, self.report.version), ("乙：另一种说法", self.version + 2))


# T-IDEM-1: the same form sent twice ------------------------------------------------------------


class DoubleSubmitTests(ProgressSecurityCase):
    def test_the_same_form_sent_twice_makes_one_report(self):
        self.login(self.liaison)
        form = self.client.get(self.create_url())
        key = re.search(r'name="key" value="([0-9a-f-]{36})"', form.content.decode()).group(1)
        first = self.post_report(files=[pdf()], key=key)
        second = self.post_report(files=[pdf()], key=key)
        report = ProgressReport.objects.get()
        self.assertEqual(first.status_code, 302)
        self.assertEqual(second.status_code, 302)
        self.assertEqual(first["Location"], reverse("progress:report-detail", args=[report.pk]))
        self.assertEqual(second["Location"], first["Location"])
        self.assertEqual(str(report.key), key)
        self.assertEqual(Evidence.objects.count(), 1)
        self.assertEqual(len(self.evidence_files()), 1)
        creates = AuditEvent.objects.filter(kind="create", object_type="progress.ProgressReport")
        self.assertEqual(list(creates.values_list("object_id", flat=True)), [str(report.pk)])


PARALLEL = 20


class ParallelDoubleSubmitTests(TransactionTestCase):
    """20 POSTs of one form at once, each from its own thread, client and database connection."""

    def setUp(self):
        if connection.vendor == "sqlite":
            self.skipTest(
                "SQLite's shared-cache in-memory test database answers concurrent threads with "
                "'database table is locked' (no busy timeout applies); run with DATABASE_URL=postgres://…"
            )
        self.year = AssessmentYear.objects.create(year=2021, state=AssessmentYear.State.RUNNING)
        self.dept_a = Department.objects.create(name="教务处", kind="functional", order=2)
        self.liaison = make_person("liaison", Role.LIAISON, self.dept_a)
        self.node = make_node(self.year, self.dept_a)

    def test_twenty_parallel_posts_with_one_key_make_one_report(self):
        url = reverse("progress:report-create", args=[self.node.pk])
        data = report_fields()
        clients = []
        for _ in range(PARALLEL):
            client = Client()
            client.force_login(self.liaison)
            clients.append(client)
        barrier = threading.Barrier(PARALLEL)
        results: list = [None] * PARALLEL

        def send(i: int) -> None:
            try:
                barrier.wait(timeout=30)
                response = clients[i].post(url, data)
                results[i] = (response.status_code, response.get("Location"))
            except Exception as exc:  # noqa: BLE001 - reported below with the others
                results[i] = exc
            finally:
                connections.close_all()

        threads = [threading.Thread(target=send, args=(i,)) for i in range(PARALLEL)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

        report = ProgressReport.objects.get()
        expected = (302, reverse("progress:report-detail", args=[report.pk]))
        self.assertEqual(results, [expected] * PARALLEL)
        self.assertEqual(str(report.key), data["key"])
        creates = AuditEvent.objects.filter(kind="create", object_type="progress.ProgressReport")
        self.assertEqual(creates.count(), 1)


# T-IDOR-1: another department's objects look exactly like missing ones -----------------------


class ObjectAccessTests(ProgressSecurityCase):
    def setUp(self):
        super().setUp()
        self.report = make_report(self.node, by=self.liaison, files=[pdf()])
        services.decide_report(report=self.report, by=self.head, approve=True)
        self.evidence = self.report.evidence.get()
        self.job = ArchiveExport.objects.create(
            department=self.dept_a,
            year=self.year,
            user=self.liaison,
            token=uuid.uuid4().hex,
            state=ArchiveExport.State.DONE,
        )
        path = export_path(self.job.token)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"PK\x05\x06" + bytes(18))

    def object_urls(self) -> list[tuple[str, int, str]]:
        return [
            ("progress:node-detail", self.node.pk, "plans.Node"),
            ("progress:report-create", self.node.pk, "plans.Node"),
            ("progress:report-detail", self.report.pk, "progress.ProgressReport"),
            ("progress:report-edit", self.report.pk, "progress.ProgressReport"),
            ("progress:evidence-download", self.evidence.pk, "progress.Evidence"),
            ("progress:target-archive", self.node.target_id, "plans.Target"),
            ("progress:export-detail", self.job.pk, "progress.ArchiveExport"),
            ("progress:export-download", self.job.pk, "progress.ArchiveExport"),
        ]

    def test_the_department_itself_reaches_every_object(self):
        self.login(self.liaison)
        for name, pk, _type in self.object_urls():
            with self.subTest(name):
                self.assertEqual(self.client.get(reverse(name, args=[pk])).status_code, 200)

    def test_another_departments_object_answers_exactly_like_a_missing_one(self):
        self.login(self.outsider)
        self.client.get(reverse("progress:todo"))  # the CSRF cookie is set once, before the comparison
        before = business_checksum()
        for name, pk, object_type in self.object_urls():
            with self.subTest(name):
                missing = pk + 100_000
                events = self.denied_events()
                count = events.count()
                other = self.client.get(reverse(name, args=[pk]))
                self.assertEqual(other.status_code, 404)
                self.assertEqual(events.count(), count + 1)
                event = events.latest("pk")
                self.assertEqual(
                    (event.actor, event.object_type, event.object_id, event.success),
                    (self.outsider, object_type, str(pk), False),
                )
                absent = self.client.get(reverse(name, args=[missing]))
                self.assertEqual(absent.status_code, 404)
                self.assertEqual(events.count(), count + 2)
                self.assertEqual(comparable_page(other, f"/{pk}/"), comparable_page(absent, f"/{missing}/"))
                headers = {k: v for k, v in other.headers.items() if k != "Content-Length"}
                self.assertEqual(headers, {k: v for k, v in absent.headers.items() if k != "Content-Length"})
                self.assertEqual(list(other.cookies), list(absent.cookies))
        self.assertEqual(business_checksum(), before)
        self.assertFalse(AuditEvent.objects.filter(kind__in=["download", "export"], actor=self.outsider).exists())


# T-IDOR-2: hidden fields and other departments' objects ------------------------------------------


class MassAssignmentTests(ProgressSecurityCase):
    def test_fields_the_form_does_not_name_are_ignored(self):
        self.login(self.liaison)
        response = self.post_report(
            department=self.dept_b.pk,
            state="approved",
            decided_by=self.office.pk,
            version=99,
            author=self.outsider.pk,
            node=self.node_b.pk,
            return_reason="x",
        )
        self.assertEqual(response.status_code, 302)
        report = ProgressReport.objects.get()
        self.assertEqual(
            (report.node, report.department, report.state, report.author, report.decided_by, report.version),
            (self.node, self.dept_a, ProgressReport.State.SUBMITTED, self.liaison, None, 1),
        )
        self.assertEqual(report.return_reason, "")

    def test_a_liaison_cannot_report_on_another_departments_node(self):
        self.login(self.liaison)
        before = business_checksum()
        response = self.post_report(on=self.node_b, files=[pdf()])
        self.assertEqual(response.status_code, 404)
        self.assertEqual(business_checksum(), before)
        self.assertEqual(self.evidence_files(), [])
        self.assertEqual(self.denied_events().get().object_type, "plans.Node")

    def test_a_head_cannot_decide_another_departments_report(self):
        report_b = make_report(self.node_b, by=self.outsider)
        self.login(self.head)
        before = business_checksum()
        response = self.client.post(reverse("progress:report-decide", args=[report_b.pk]), {"decision": "approve"})
        self.assertEqual(response.status_code, 404)
        self.assertEqual(business_checksum(), before)
        report_b.refresh_from_db()
        self.assertEqual((report_b.state, report_b.decided_by), (ProgressReport.State.SUBMITTED, None))
        event = self.denied_events().get()
        self.assertEqual((event.object_type, event.object_id), ("progress.ProgressReport", str(report_b.pk)))

    def test_only_the_departments_head_decides(self):
        report = make_report(self.node, by=self.liaison)
        url = reverse("progress:report-decide", args=[report.pk])
        for person in (self.liaison, self.office, self.leader):
            with self.subTest(person.username):
                self.login(person)
                before = business_checksum()
                count = self.denied_events().count()
                response = self.client.post(url, {"decision": "approve"})
                self.assertEqual(response.status_code, 403)
                self.assertEqual(business_checksum(), before)
                self.assertEqual(self.denied_events().count(), count + 1)
                self.assertEqual(self.denied_events().latest("pk").object_id, "progress:report-decide")
        self.login(self.head)
        self.assertEqual(self.client.post(url, {"decision": "approve"}).status_code, 302)
        report.refresh_from_db()
        self.assertEqual((report.state, report.decided_by), (ProgressReport.State.APPROVED, self.head))


# T-IDOR-4: a verified node is frozen until the office reopens it ------------------------------


class SealTests(ProgressSecurityCase):
    def setUp(self):
        super().setUp()
        self.report = make_report(self.node, by=self.liaison, files=[pdf()])
        self.evidence = self.report.evidence.get()
        self.office_client = Client()
        self.office_client.force_login(self.office)
        response = self.office_client.post(reverse("progress:node-seal", args=[self.node.pk]), {"reason": "材料齐全"})
        self.assertEqual(response.status_code, 302)
        self.assertTrue(Seal.objects.get(node=self.node).sealed)

    def edit(self, **fields):
        data = report_fields(narrative="核验后想改", **fields) | {"version": self.report.version}
        return self.client.post(reverse("progress:report-edit", args=[self.report.pk]), data)

    def test_after_verification_nothing_on_the_node_changes(self):
        self.login(self.liaison)
        before = business_checksum()
        files = self.evidence_files()

        edited = self.edit(files=[pdf("替换.pdf")])
        self.assertEqual(edited.status_code, 409)
        self.assertContains(edited, zh(SEALED), status_code=409)

        created = self.post_report(files=[pdf("新材料.pdf")])
        self.assertEqual(created.status_code, 409)
        self.assertContains(created, zh(SEALED), status_code=409)

        removed = self.client.post(reverse("progress:evidence-remove", args=[self.evidence.pk]))
        self.assertEqual(removed.status_code, 409)

        self.assertEqual(business_checksum(), before)
        self.assertEqual(self.evidence_files(), files)
        self.evidence.refresh_from_db()
        self.assertIsNone(self.evidence.removed_at)

    def test_only_the_office_reopens_and_the_reopening_is_audited(self):
        reopen = reverse("progress:node-reopen", args=[self.node.pk])
        for person in (self.head, self.liaison, self.leader):
            with self.subTest(person.username):
                self.login(person)
                before = business_checksum()
                self.assertEqual(self.client.post(reopen, {"reason": "需要补充材料"}).status_code, 403)
                self.assertEqual(business_checksum(), before)
                self.assertEqual(self.denied_events().latest("pk").object_id, "progress:node-reopen")

        # Not without a reason, even for the office.
        before = business_checksum()
        self.assertEqual(self.office_client.post(reopen, {"reason": "  "}).status_code, 302)
        self.assertEqual(business_checksum(), before)
        self.assertTrue(Seal.objects.get(node=self.node).sealed)

        self.assertEqual(self.office_client.post(reopen, {"reason": "需要补充材料"}).status_code, 302)
        seal = Seal.objects.get(node=self.node)
        self.assertEqual((seal.sealed, seal.reopened_by, seal.reopen_reason), (False, self.office, "需要补充材料"))
        event = AuditEvent.objects.filter(kind="update", object_type="progress.Seal", object_id=str(seal.pk)).get()
        self.assertEqual(event.actor, self.office)
        self.assertEqual(event.changes["sealed"], [True, False])

        # Reopened, the department works on the node again.
        self.login(self.liaison)
        self.assertEqual(self.edit().status_code, 302)
        self.assertEqual(self.post_report(files=[pdf("补充.pdf")]).status_code, 302)
        self.assertEqual(ProgressReport.objects.count(), 2)


# Messages -----------------------------------------------------------------------------------------


def test_refusals_are_in_chinese():
    with translation.override("zh-hans"):
        for msgid in (
            FILE_TOO_LARGE,
            REQUEST_TOO_LARGE,
            QUOTA,
            TOO_MANY_FILES,
            MISMATCH,
            NOT_ACCEPTED,
            CONFLICT,
            SEALED,
        ):
            assert re.search(r"[\u4e00-\u9fff]", translation.gettext(msgid)), msgid
        assert "已被他人修改" in translation.gettext(CONFLICT)
