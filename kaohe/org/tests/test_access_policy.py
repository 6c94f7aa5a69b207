"""The policy table drives these tests (reliability.md T-AUTHZ-1, T-CSRF-1, T-CSRF-2)."""

from __future__ import annotations

from datetime import date

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from kaohe.audit.models import AuditEvent
from kaohe.lib.checksums import business_checksum
from kaohe.org import access
from kaohe.test import BaseTestCase

# URLs that belong to other packages and are not ours to classify.
FOREIGN = set()


def url_names(resolver=None, namespace: str = "") -> dict[str, object]:
    """Every named URL in the project, with its view."""
    names = {}
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names.update(url_names(entry, inner))
        elif isinstance(entry, URLPattern) and entry.name:
            names[f"{namespace}{entry.name}"] = entry.callback
    return names


class PolicyTableTests(BaseTestCase):
    def test_every_url_is_classified(self):
        unclassified = set(url_names()) - set(access.POLICY) - FOREIGN
        self.assertEqual(unclassified, set(), "add these URL names to access.POLICY")

    def test_the_table_names_no_missing_url(self):
        self.assertEqual(set(access.POLICY) - set(url_names()), set())

    def test_public_urls_and_login_exemption_agree(self):
        for name, view in url_names().items():
            public = access.POLICY.get(name) == access.PUBLIC
            self.assertEqual(public, getattr(view, "login_required", True) is False, name)


class RoleMatrixTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        from kaohe.plans.tests.factories import make_adjustment, make_plan, make_target

        cls.plan = make_plan(cls.year, cls.dept_a, state="approved")
        cls.target = make_target(cls.plan)
        cls.adjustment = make_adjustment(make_target(cls.plan, code="A-2"), by=cls.liaison)
        from kaohe.plans.models import ImportJob

        cls.job = ImportJob.objects.create(year=cls.year, user=cls.office, filename="x.xlsx", token="t" * 32)
        from kaohe.progress.models import ArchiveExport

        cls.node = cls.target.nodes.get()
        cls.export = ArchiveExport.objects.create(department=cls.dept_a, year=cls.year, user=cls.office, token="e" * 32)
        from kaohe.supervision.tests.factories import announce, make_round

        cls.round = announce(make_round(cls.year, cls.office), cls.office)
        cls.selfcheck = cls.round.selfchecks.get(department=cls.dept_a)
        cls.item = cls.round.items.filter(department=cls.dept_a).first()
        from kaohe.initiatives.models import Brand, MajorProject, NotificationDuty, ProjectStage

        cls.project = MajorProject.objects.create(year=cls.year, name="人事管理系统", owner=cls.dept_a)
        cls.stage = ProjectStage.objects.create(
            project=cls.project,
            kind="build",
            planned_start=date(2021, 3, 1),
            planned_end=date(2021, 6, 30),
            responsible=cls.dept_a,
        )
        cls.brand = Brand.objects.create(year=cls.year, name="教学工作品牌", slogan="五改")
        cls.brand.owners.add(cls.dept_a)
        cls.duty = NotificationDuty.objects.create(
            year=cls.year, department=cls.dept_a, topic="教学运行情况通报", frequency="quarterly"
        )

        from kaohe.bulletins.models import Bulletin, Section

        cls.bulletin = Bulletin.objects.create(
            year=cls.year,
            round=cls.round,
            number=1,
            header_org="焦作大学目标管理与绩效考核领导小组",
            title="重点工作目标完成情况通报",
            signature="焦作大学目标管理与绩效考核领导小组办公室",
            issue_date=date(2021, 10, 19),
            created_by=cls.office,
        )
        cls.section = Section.objects.create(bulletin=cls.bulletin, key="opening", text="为确保学校重点工作按时完成。")

    def setUp(self):
        # Per test, so that the evidence file lands in the test's own MEDIA_ROOT.
        from kaohe.progress.tests.factories import make_report, pdf

        self.report = make_report(self.node, by=self.liaison, files=[pdf()])
        self.evidence = self.report.evidence.get()
        from kaohe.supervision import services as supervision

        self.rectification = supervision.create_rectification(
            round_=self.round, department=self.dept_a, by=self.office, finding="建档不规范", deadline=date(2021, 12, 31)
        )
        supervision.submit_rectification(
            rectification=self.rectification, by=self.liaison, response="已整改", files=[pdf()]
        )
        self.rectification_file = self.rectification.files.get()
        from kaohe.initiatives import achievements, duties

        self.achievement = achievements.submit_achievement(
            department=self.dept_a,
            by=self.liaison,
            title="教学能力大赛二等奖",
            date=date(2021, 9, 1),
            kind="competition",
            level="provincial",
            files=[pdf()],
        )
        self.achievement_file = self.achievement.files.get()
        self.record = duties.record_notice(
            duty=self.duty,
            by=self.liaison,
            period_start=date(2021, 1, 1),
            title="第一季度教学运行情况通报",
            issued_date=date(2021, 4, 5),
            upload=pdf(),
        )

    def url_for(self, name: str) -> str:
        kwargs = {}
        plan_urls = {
            "plans:plan-detail": {"pk": "plan"},
            "plans:plan-submit": {"pk": "plan"},
            "plans:plan-decide": {"pk": "plan"},
            "plans:target-create": {"plan_pk": "plan"},
            "plans:target-detail": {"pk": "target"},
            "plans:target-edit": {"pk": "target"},
            "plans:target-split": {"pk": "target"},
            "plans:adjustment-create": {"target_pk": "target"},
            "plans:adjustment-decide": {"pk": "adjustment"},
            "plans:import-job": {"pk": "job"},
            "plans:import-confirm": {"pk": "job"},
            "progress:node-detail": {"pk": "node"},
            "progress:report-create": {"node_pk": "node"},
            "progress:node-seal": {"pk": "node"},
            "progress:node-reopen": {"pk": "node"},
            "progress:report-detail": {"pk": "report"},
            "progress:report-edit": {"pk": "report"},
            "progress:report-decide": {"pk": "report"},
            "progress:evidence-download": {"pk": "evidence"},
            "progress:evidence-remove": {"pk": "evidence"},
            "progress:target-archive": {"pk": "target"},
            "progress:export-detail": {"pk": "export"},
            "progress:export-download": {"pk": "export"},
            "supervision:round-detail": {"pk": "round"},
            "supervision:round-edit": {"pk": "round"},
            "supervision:round-advance": {"pk": "round"},
            "supervision:round-inspectors": {"pk": "round"},
            "supervision:round-stats": {"pk": "round"},
            "supervision:stats-export": {"pk": "round"},
            "supervision:department": {"round_pk": "round", "department_pk": "dept_a"},
            "supervision:checkpoints": {"round_pk": "round", "department_pk": "dept_a"},
            "supervision:item-verify": {"pk": "item"},
            "supervision:selfcheck": {"pk": "selfcheck"},
            "supervision:selfcheck-submit": {"pk": "selfcheck"},
            "supervision:selfcheck-decide": {"pk": "selfcheck"},
            "supervision:rectification-create": {"round_pk": "round", "department_pk": "dept_a"},
            "supervision:rectification-detail": {"pk": "rectification"},
            "supervision:rectification-submit": {"pk": "rectification"},
            "supervision:rectification-decide": {"pk": "rectification"},
            "supervision:rectification-file": {"pk": "rectification_file"},
            "initiatives:project-detail": {"pk": "project"},
            "initiatives:project-edit": {"pk": "project"},
            "initiatives:project-gantt": {"pk": "project"},
            "initiatives:stage-create": {"pk": "project"},
            "initiatives:stage-edit": {"pk": "stage"},
            "initiatives:brand-detail": {"pk": "brand"},
            "initiatives:brand-edit": {"pk": "brand"},
            "initiatives:brand-note": {"pk": "brand"},
            "initiatives:achievement-detail": {"pk": "achievement"},
            "initiatives:achievement-edit": {"pk": "achievement"},
            "initiatives:achievement-verify": {"pk": "achievement"},
            "initiatives:achievement-file": {"pk": "achievement_file"},
            "initiatives:duty-detail": {"pk": "duty"},
            "initiatives:duty-edit": {"pk": "duty"},
            "initiatives:record-create": {"duty_pk": "duty"},
            "initiatives:record-edit": {"pk": "record"},
            "initiatives:record-check": {"pk": "record"},
            "initiatives:record-file": {"pk": "record"},
            "bulletins:detail": {"pk": "bulletin"},
            "bulletins:edit": {"pk": "bulletin"},
            "bulletins:preview": {"pk": "bulletin"},
            "bulletins:issue": {"pk": "bulletin"},
            "bulletins:submit": {"pk": "bulletin"},
            "bulletins:sign": {"pk": "bulletin"},
            "bulletins:issue-cancel": {"pk": "bulletin"},
            "bulletins:correct": {"pk": "bulletin"},
            "bulletins:section-edit": {"pk": "section"},
            "bulletins:section-regenerate": {"pk": "section"},
            "bulletins:section-suggest": {"pk": "section"},
            "bulletins:section-changes": {"pk": "section"},
        }
        if name == "bulletins:download":
            return reverse(name, kwargs={"pk": self.bulletin.pk, "kind": "docx"})
        if name in plan_urls:
            return reverse(name, kwargs={k: getattr(self, v).pk for k, v in plan_urls[name].items()})
        if name.startswith("org:department-") and name.split("-", 1)[1] in (
            "detail",
            "edit",
            "deactivate",
            "activate",
        ):
            kwargs = {"pk": self.dept_a.pk}
        elif name.startswith("org:person-") and name.split("-", 1)[1] in (
            "detail",
            "edit",
            "deactivate",
            "activate",
            "unlock",
            "password",
        ):
            kwargs = {"pk": self.liaison.pk}
        elif name == "org:membership-add":
            kwargs = {"pk": self.liaison.pk}
        elif name == "org:membership-end":
            kwargs = {"pk": self.liaison.pk, "membership_pk": self.liaison.memberships.get().pk}
        elif name.startswith("org:year-") and name not in ("org:year-list", "org:year-create"):
            kwargs = {"pk": self.year.pk}
        elif name == "audit:event-detail":
            kwargs = {"pk": AuditEvent.objects.create(kind="login", username="x").pk}
        return reverse(name, kwargs=kwargs)

    def test_each_role_gets_exactly_what_the_table_allows(self):
        checked = 0
        for name, rule in access.POLICY.items():
            if rule == access.PUBLIC or name == "logout":
                continue
            url = self.url_for(name)
            for role_name, person in self.cast.items():
                client = Client()
                client.force_login(person)
                before = business_checksum()
                policy_denials = AuditEvent.objects.filter(kind="denied", object_type="url")
                denied_before = policy_denials.count()
                response = client.get(url)
                allowed = access.has_role(person, rule)
                if allowed:
                    # Past the policy (object checks may still refuse): no policy refusal recorded.
                    self.assertEqual(policy_denials.count(), denied_before, f"{role_name} {name}")
                    self.assertLess(response.status_code, 500, f"{role_name} {name}")
                else:
                    self.assertEqual(response.status_code, 403, f"{role_name} should not reach {name}")
                    self.assertEqual(policy_denials.count(), denied_before + 1)
                    self.assertEqual(business_checksum(), before)
                checked += 1
        self.assertGreater(checked, 200)

    def test_anonymous_is_sent_to_login(self):
        for name, rule in access.POLICY.items():
            if rule == access.PUBLIC:
                continue
            response = Client().get(self.url_for(name))
            self.assertEqual(response.status_code, 302, name)
            self.assertTrue(response["Location"].startswith(reverse("login")), name)

    def test_every_url_refuses_a_post_without_csrf_token(self):
        before = business_checksum()
        for name in access.POLICY:
            if name.startswith("cas_ng"):
                continue  # off unless CAS is configured (404); CAS has its own tests
            for person in (self.office, self.sysadmin):
                client = Client(enforce_csrf_checks=True)
                client.force_login(person)
                response = client.post(self.url_for(name), {"name": "x", "active": "0"})
                self.assertEqual(response.status_code, 403, f"{name} accepted a POST without a CSRF token")
        self.assertEqual(business_checksum(), before)

    def test_get_changes_nothing(self):
        before = business_checksum()
        for name in access.POLICY:
            if name in ("logout",):
                continue
            for person in (self.office, self.sysadmin):
                client = Client()
                client.force_login(person)
                client.get(self.url_for(name))
        self.assertEqual(business_checksum(), before)
