"""The demo school's third-quarter bulletin, 〔2021〕第2期, drafted from the demo's live data: what
the seed's bulletin says, in the seed's order, in the .docx the office downloads."""

from __future__ import annotations

import io
import shutil
import tempfile
from io import StringIO

import docx as python_docx
from django.core.management import call_command
from django.test import TestCase, override_settings

from kaohe.bulletins import services
from kaohe.bulletins.docx import build_docx
from kaohe.bulletins.models import Bulletin, SectionKey
from kaohe.demo.bulletins import NEXT_STEPS, PROBLEMS

SENTENCE = "各部门重点工作目标项目应完成96项，已完成94.5项，未完成1.5项，完成比例98.4%"
MARXISM_ITEMS = (
    "马克思主义学院未按时完成项目1.5项："
    "红色思政智慧教室及VR综合实训室建设项目因进度原因未按工作节点完成，经积极争取已经完成招标进入建设阶段；"
    "教研室优秀数目标设置为2个，完成1个，完成率50%"
)
# The seed's headings, in its order.
HEADINGS = [
    "一、督查工作开展情况",
    "二、第三季度重点工作目标完成情况",
    "三、“五个品牌”创建及推进情况",
    "四、重大项目建设及推进情况",
    "五、其他亮点工作",
    "六、职能部门通报制度执行情况",
    "七、存在的主要问题",
    "八、下一步工作要求",
]


class DemoBulletinTests(TestCase):
    @classmethod
    def setUpClass(cls):
        cls.media = tempfile.mkdtemp(prefix="kaohe-demo-")
        cls.addClassCleanup(shutil.rmtree, cls.media, ignore_errors=True)
        media = override_settings(MEDIA_ROOT=cls.media)
        media.enable()
        cls.addClassCleanup(media.disable)
        super().setUpClass()

    @classmethod
    def setUpTestData(cls):
        call_command("load_demo", quiet_logins=True, stdout=StringIO())
        cls.bulletin = Bulletin.objects.select_related("year", "round").get(year__year=2021, number=2)
        data = build_docx(services.document_of(cls.bulletin))
        cls.paragraphs = [p.text for p in python_docx.Document(io.BytesIO(data)).paragraphs if p.text.strip()]
        cls.text = "\n".join(cls.paragraphs)

    def test_the_docx_has_the_number_and_the_completion_sentence(self):
        self.assertEqual(self.bulletin.number_text, "〔2021〕第2期")
        self.assertIn("〔2021〕第2期", self.paragraphs)
        self.assertIn(SENTENCE, self.text)
        self.assertIn("截至9月30日，" + SENTENCE + "。", self.text)

    def test_the_docx_names_marxisms_two_incomplete_items_with_reasons_and_stage(self):
        self.assertIn(MARXISM_ITEMS, self.text)
        completion = self.bulletin.sections.get(key=SectionKey.COMPLETION).text
        self.assertEqual(completion.count("马克思主义学院"), 1, "the only department with incomplete items")

    def test_the_sections_come_in_the_seeds_order(self):
        found = [p for p in self.paragraphs if p in HEADINGS]
        self.assertEqual(found, HEADINGS)
        positions = [self.paragraphs.index(h) for h in HEADINGS]
        self.assertEqual(positions, sorted(positions))
        opening = next(i for i, p in enumerate(self.paragraphs) if p.startswith("为确保学校2021年度重点工作目标"))
        self.assertLess(opening, positions[0])

    def test_the_red_header_titles_signature_and_date_are_the_seeds(self):
        self.assertIn("——2021年第三季度各部门重点工作完成情况督查通报", self.paragraphs)
        self.assertIn("重点工作目标完成情况通报", self.paragraphs)
        self.assertIn("焦作大学目标管理与绩效考核领导小组办公室", self.paragraphs)
        self.assertIn("2021年10月19日", self.paragraphs)
        self.assertTrue(any(p.startswith("焦作大学目标管理与绩效考核领导小组") for p in self.paragraphs[:3]))

    def test_the_opening_and_section_one_come_from_the_rounds_dates_and_scope(self):
        self.assertIn("10月5日—14日期间", self.text)
        self.assertIn("对全校35个部门的第三季度重点工作目标完成情况", self.text)
        self.assertIn(
            "9月28日，领导小组办公室（质量发展处）下发了《关于对各部门重点工作目标完成情况进行（第三季度）督查的通知》",
            self.text,
        )
        self.assertIn("现场督查主要围绕以下五个方面开展：一是核实各部门第三季度应完成的重点工作项目", self.text)
        self.assertIn("二是重点了解“五个品牌”、学校重大项目的建设和推进情况", self.text)

    def test_brands_projects_highlights_and_notification_are_composed_from_the_records(self):
        self.assertIn("（一）教务处围绕“五改”积极推进教学工作品牌建设", self.paragraphs)
        self.assertIn("1. “改教师”——创建“双师型”品牌", self.paragraphs)
        projects = self.paragraphs[self.paragraphs.index(HEADINGS[3]) : self.paragraphs.index(HEADINGS[4])]
        owners = [p for p in projects if p.endswith("承担的重大项目建设及推进情况")]
        self.assertEqual(
            owners,
            [
                "（一）教务处承担的重大项目建设及推进情况",
                "（二）网信办承担的重大项目建设及推进情况",
                "（三）后勤处承担的重大项目建设及推进情况",
            ],
            "by owner department, in the departments' order",
        )
        self.assertIn(
            "1.人事管理系统项目，已完成签订开发合同、系统开发、部署上线、用户培训，目前正在试运行及功能优化，计划10月进行项目验收。",
            projects,
        )
        self.assertIn("招生子系统已完成系统开发", self.text)
        self.assertIn("已支付90%的款项", self.text)
        teaching, functional = self.paragraphs.index("（一）教学院部"), self.paragraphs.index("（二）职能部门")
        self.assertLess(teaching, self.paragraphs.index("2.机电工程学院"), "teaching departments first")
        self.assertLess(teaching, functional)
        self.assertIn("第十届全国大学生金相技能大赛三等奖，王金龙（学生），指导教师：李蒙。", self.text)
        self.assertIn(
            "根据《关于落实工作通报制度有关要求的通知》对9月30日前职能部门通报的完成情况进行了检查", self.text
        )
        self.assertIn("通报不规范、报备不及时", self.text)

    def test_problems_and_next_steps_are_the_offices_writing(self):
        for text in (PROBLEMS, NEXT_STEPS):
            for line in text.splitlines():
                self.assertIn(line, self.paragraphs)
        self.assertEqual(self.paragraphs[-2:], ["焦作大学目标管理与绩效考核领导小组办公室", "2021年10月19日"])
