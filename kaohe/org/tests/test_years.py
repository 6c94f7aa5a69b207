"""Assessment years: planning → running → closed → archived, one running at a time."""

from __future__ import annotations

from django.urls import reverse

from kaohe.org.models import AssessmentYear
from kaohe.test import BaseTestCase


class YearTests(BaseTestCase):
    def setUp(self):
        self.login(self.office)

    def test_a_year_moves_through_its_states_in_order(self):
        next_year = AssessmentYear.objects.create(year=2022)
        self.client.post(reverse("org:year-advance", args=[self.year.pk]))  # 2021: running → closed
        for expected in ("running", "closed", "archived"):
            self.client.post(reverse("org:year-advance", args=[next_year.pk]))
            next_year.refresh_from_db()
            self.assertEqual(next_year.state, expected)
        response = self.client.post(reverse("org:year-advance", args=[next_year.pk]), follow=True)
        self.assertContains(response, "已归档的年度不能再变更状态")
        self.assertTrue(next_year.is_read_only)

    def test_only_one_year_runs_at_a_time(self):
        next_year = AssessmentYear.objects.create(year=2022)
        response = self.client.post(reverse("org:year-advance", args=[next_year.pk]), follow=True)
        next_year.refresh_from_db()
        self.assertEqual(next_year.state, "planning")
        self.assertContains(response, "已有其他年度正在执行")

    def test_an_archived_year_is_read_only(self):
        AssessmentYear.objects.filter(pk=self.year.pk).update(state="archived")
        response = self.client.post(reverse("org:year-edit", args=[self.year.pk]), {"year": 2021, "name": "改"})
        self.assertEqual(response.status_code, 302)
        self.year.refresh_from_db()
        self.assertEqual(self.year.name, "")

    def test_a_bad_year_is_refused_with_a_message(self):
        response = self.client.post(reverse("org:year-create"), {"year": "１９９９", "name": ""})
        self.assertEqual(response.status_code, 200)
        self.assertFalse(AssessmentYear.objects.filter(year=1999).exists())
        response = self.client.post(reverse("org:year-create"), {"year": "2021"})
        self.assertContains(response, "已存在")

    def test_leaders_read_and_cannot_change(self):
        self.login(self.leader)
        self.assertEqual(self.client.get(reverse("org:year-list")).status_code, 200)
        self.assertEqual(self.client.post(reverse("org:year-advance", args=[self.year.pk])).status_code, 403)
