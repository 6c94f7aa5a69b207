"""Brands (品牌创建): the checklist count, the list and a brand's page for every reader, and the
owners' changes (state, description, progress notes), with refusals that change nothing."""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.test import SimpleTestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kaohe.initiatives.brands import checklist_counts
from kaohe.initiatives.models import Achievement, Brand, BrandNote
from kaohe.lib.checksums import business_checksum
from kaohe.org.models import AssessmentYear
from kaohe.progress.tests.factories import make_node
from kaohe.test import BaseTestCase

DONE, RUNNING, PLANNED = Brand.State.DONE, Brand.State.RUNNING, Brand.State.PLANNED
TEN = ["全校一张网", "基础一平台", "网站一个群", "数据一个库", "集成一总线", "上网一个号", "信息一个站", "校园一张卡"]


class ChecklistCountsTests(SimpleTestCase):
    def test_the_seeds_ten_ones_eight_done_two_under_way(self):
        items = [Brand(name=n, state=DONE) for n in TEN] + [
            Brand(name="办事一张表", state=RUNNING),
            Brand(name="实况一幅画", state=RUNNING),
        ]
        counts = checklist_counts(items)
        self.assertEqual((counts.done, counts.total, counts.running, counts.planned), (8, 10, 2, 0))
        self.assertEqual(counts.percent_done, 80)

    def test_bare_states_and_an_empty_list(self):
        counts = checklist_counts([DONE, PLANNED, "running", PLANNED])
        self.assertEqual((counts.done, counts.running, counts.planned, counts.total), (1, 1, 2, 4))
        empty = checklist_counts([])
        self.assertEqual((empty.total, empty.done, empty.percent_done), (0, 0, None))


def make_brand(year, owners, name="数字校园品牌", parent=None, **kwargs) -> Brand:
    brand = Brand.objects.create(year=year, name=name, parent=parent, **kwargs)
    brand.owners.set(owners)
    return brand


class BrandCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # 教务处 (dept_a) owns a checklist brand; 马院 (dept_b) owns another one.
        cls.brand = make_brand(cls.year, [cls.dept_a], slogan="十个一", is_checklist=True)
        cls.items = [make_brand(cls.year, [], n, cls.brand, state=DONE, order=i) for i, n in enumerate(TEN)]
        cls.items.append(make_brand(cls.year, [], "办事一张表", cls.brand, state=RUNNING, order=8))
        cls.items.append(make_brand(cls.year, [], "实况一幅画", cls.brand, state=RUNNING, order=9))
        cls.other = make_brand(cls.year, [cls.dept_b], "思政工作品牌", slogan="四个自信、四个热爱")
        cls.item = cls.items[-1]

    def url(self, brand: Brand, name: str = "detail") -> str:
        return reverse(f"initiatives:brand-{name}", args=[brand.pk])


class ReadTests(BrandCase):
    def test_every_assessment_reader_sees_the_list_with_the_checklist_count(self):
        for person in ("office", "leader", "head", "liaison", "outsider", "inspector"):
            self.login(self.cast[person])
            response = self.client.get(reverse("initiatives:brand-list"))
            self.assertEqual(response.status_code, 200, person)
            self.assertContains(response, 'data-done="8" data-total="10" data-running="2"')
            self.assertContains(response, "思政工作品牌")
            self.assertContains(response, "办事一张表")
        for person in ("auditor", "sysadmin"):
            self.login(self.cast[person])
            self.assertEqual(self.client.get(reverse("initiatives:brand-list")).status_code, 403, person)

    def test_the_detail_shows_items_targets_verified_achievements_and_notes_newest_first(self):
        node = make_node(self.year, self.dept_a, code="JWC-09", title="建设数据中台")
        self.brand.targets.add(node.target)
        common = {"year": self.year, "department": self.dept_a, "kind": "platform", "level": "city"}
        Achievement.objects.create(
            title="数据中台上线",
            date=date(2021, 9, 1),
            state="verified",
            submitted_by=self.liaison,
            brand=self.item,
            **common,
        )
        Achievement.objects.create(
            title="未核实的成果", date=date(2021, 9, 2), submitted_by=self.liaison, brand=self.brand, **common
        )
        BrandNote.objects.create(brand=self.brand, date=date(2021, 7, 5), text="旧的进展", author=self.liaison)
        BrandNote.objects.create(brand=self.item, date=date(2021, 9, 20), text="新的进展", author=self.head)
        self.login(self.outsider)  # another department reads the showcase too
        response = self.client.get(self.url(self.brand))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'data-testid="brand-item"', count=10)
        self.assertContains(response, "JWC-09 建设数据中台")
        self.assertContains(response, "数据中台上线")
        self.assertNotContains(response, "未核实的成果")
        text = response.content.decode()
        self.assertLess(text.index("新的进展"), text.index("旧的进展"))
        self.assertNotContains(response, 'data-testid="brand-note-form"')
        self.assertNotContains(response, 'data-testid="brand-edit"')
        self.login(self.liaison)
        self.assertContains(self.client.get(self.url(self.brand)), 'data-testid="brand-note-form"')

    def test_a_missing_brand_is_404(self):
        self.login(self.liaison)
        self.assertEqual(self.client.get(reverse("initiatives:brand-detail", args=[999999])).status_code, 404)

    def test_the_list_takes_the_same_queries_for_more_brands(self):
        self.login(self.outsider)
        url = reverse("initiatives:brand-list")
        self.client.get(url)
        with CaptureQueriesContext(connection) as small:
            self.client.get(url)
        for n in range(5):
            parent = make_brand(self.year, [self.dept_a, self.dept_b], f"品牌{n}", is_checklist=bool(n % 2))
            for m in range(4):
                make_brand(self.year, [self.dept_b], f"品牌{n}-{m}", parent, state=DONE)
        with CaptureQueriesContext(connection) as large:
            response = self.client.get(url)
        self.assertContains(response, "品牌4-3")
        self.assertEqual(len(large), len(small))


class WriteTests(BrandCase):
    def test_an_owner_sets_an_items_state_and_description(self):
        self.login(self.liaison)
        self.assertEqual(self.client.get(self.url(self.item, "edit")).status_code, 200)
        response = self.client.post(self.url(self.item, "edit"), {"state": "done", "description": " 已上线 "})
        self.assertRedirects(response, self.url(self.item))
        self.item.refresh_from_db()
        self.assertEqual((self.item.state, self.item.description), (DONE, "已上线"))
        # Only state and description: the name stays whatever else is posted.
        self.client.post(self.url(self.item, "edit"), {"state": "done", "name": "改名", "description": ""})
        self.item.refresh_from_db()
        self.assertEqual(self.item.name, "实况一幅画")
        self.client.get(reverse("initiatives:brand-list"))
        response = self.client.get(reverse("initiatives:brand-list"))
        self.assertContains(response, 'data-done="9" data-total="10" data-running="1"')

    def test_the_head_adds_a_progress_note(self):
        self.login(self.head)
        response = self.client.post(
            self.url(self.brand, "note"), {"date": "2021-09-28", "text": " 办事一张表进入测试 "}
        )
        self.assertRedirects(response, self.url(self.brand))
        note = BrandNote.objects.get()
        self.assertEqual(
            (note.date, note.text, note.author, note.brand),
            (date(2021, 9, 28), "办事一张表进入测试", self.head, self.brand),
        )
        self.assertEqual(self.client.get(self.url(self.brand, "note")).status_code, 405)
        before = business_checksum()
        self.assertEqual(
            self.client.post(self.url(self.brand, "note"), {"date": "2021-09-28", "text": "  "}).status_code, 400
        )
        self.assertEqual(business_checksum(), before)

    def test_non_owners_are_refused_and_nothing_changes(self):
        before = business_checksum()
        self.login(self.outsider)  # may read the brand, so 403, not 404
        self.assertEqual(self.client.get(self.url(self.item, "edit")).status_code, 403)
        self.assertEqual(self.client.post(self.url(self.item, "edit"), {"state": "planned"}).status_code, 403)
        self.assertEqual(
            self.client.post(self.url(self.brand, "note"), {"date": "2021-09-28", "text": "x"}).status_code, 403
        )
        for person in (self.leader, self.inspector):
            self.login(person)
            self.assertEqual(self.client.post(self.url(self.item, "edit"), {"state": "planned"}).status_code, 403)
            self.assertEqual(
                self.client.post(self.url(self.brand, "note"), {"date": "2021-09-28", "text": "x"}).status_code, 403
            )
        self.login(self.liaison)  # owns 数字校园品牌, not 思政工作品牌
        self.assertEqual(
            self.client.post(self.url(self.other, "note"), {"date": "2021-09-28", "text": "x"}).status_code, 403
        )
        self.assertEqual(business_checksum(), before)

    def test_only_the_office_creates_brands_and_items(self):
        url = reverse("initiatives:brand-create")
        data = {
            "name": "党建品牌",
            "slogan": "一支部一品牌",
            "owners": [self.dept_a.pk],
            "state": "running",
            "order": 3,
        }
        before = business_checksum()
        for person in (self.liaison, self.head, self.leader, self.outsider):
            self.login(person)
            self.assertEqual(self.client.post(url, data).status_code, 403, person)
        self.assertEqual(business_checksum(), before)
        self.login(self.office)
        self.assertEqual(self.client.get(url).status_code, 200)
        response = self.client.post(url, data)
        brand = Brand.objects.get(name="党建品牌")
        self.assertRedirects(response, self.url(brand))
        self.assertEqual(
            (brand.year, brand.slogan, list(brand.owners.all())), (self.year, "一支部一品牌", [self.dept_a])
        )
        item_data = {"name": "样板党支部", "parent": brand.pk, "owners": [self.dept_b.pk], "state": "done", "order": 0}
        self.client.post(f"{url}?parent={brand.pk}", item_data)
        self.assertEqual(brand.children.get().name, "样板党支部")
        self.assertEqual(self.client.post(url, {**data, "name": " "}).status_code, 400)

    def test_the_office_changes_everything_of_a_brand(self):
        self.login(self.office)
        data = {"name": "数字校园", "slogan": "十个一", "owners": [self.dept_a.pk, self.dept_b.pk], "state": "running"}
        data |= {"order": 1, "is_checklist": "on", "description": "网信办牵头"}
        self.assertRedirects(self.client.post(self.url(self.brand, "edit"), data), self.url(self.brand))
        self.brand.refresh_from_db()
        self.assertEqual((self.brand.name, self.brand.owners.count()), ("数字校园", 2))
        # An item cannot become the parent of its own brand.
        self.assertEqual(
            self.client.post(self.url(self.brand, "edit"), {**data, "parent": self.item.pk}).status_code, 400
        )

    def test_a_closed_year_changes_nothing(self):
        AssessmentYear.objects.filter(pk=self.year.pk).update(state=AssessmentYear.State.CLOSED)
        before = business_checksum()
        self.login(self.liaison)
        self.assertEqual(self.client.post(self.url(self.item, "edit"), {"state": "done"}).status_code, 409)
        self.assertEqual(
            self.client.post(self.url(self.brand, "note"), {"date": "2021-09-28", "text": "x"}).status_code, 409
        )
        self.assertNotContains(self.client.get(self.url(self.brand)), 'data-testid="brand-note-form"')
        self.assertEqual(business_checksum(), before)
