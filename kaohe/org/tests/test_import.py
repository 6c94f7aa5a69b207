"""Excel import of departments and people: preview with row-numbered Chinese errors, all or nothing."""

from __future__ import annotations

import io
import zipfile

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kaohe.audit.models import AuditEvent
from kaohe.lib.checksums import business_checksum
from kaohe.org.models import Department, Membership, User
from kaohe.test import BaseTestCase

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PEOPLE_HEADER = ["用户名", "姓名", "邮箱", "手机", "角色", "部门"]


def workbook(rows: list[list], header: list[str] = PEOPLE_HEADER, name: str = "people.xlsx") -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=XLSX)


class PeopleImportTests(BaseTestCase):
    url = reverse("org:person-import")

    def setUp(self):
        self.login(self.office)

    def upload(self, file):
        return self.client.post(self.url, {"file": file}, HTTP_ACCEPT_LANGUAGE="zh-hans")

    def test_errors_are_listed_by_excel_row_in_chinese_and_nothing_is_written(self):
        before = business_checksum()
        response = self.upload(
            workbook(
                [
                    ["zhang.san", "张三", "", "", "联络员", "教务处"],  # row 2: fine
                    ["li si", "李四", "", "", "联络员", "教务处"],  # row 3: bad username
                    ["wang.wu", "", "not-an-email", "", "联络员", "教务处"],  # row 4: no name, bad email
                    ["zhao.liu", "赵六", "", "", "校长", "教务处"],  # row 5: no such role
                    ["qian.qi", "钱七", "", "", "联络员", "不存在的部门"],  # row 6: no such department
                    ["sun.ba", "孙八", "", "", "联络员", ""],  # row 7: liaison without department
                ]
            )
        )
        self.assertEqual(response.status_code, 200)
        check = response.context["check"]
        self.assertFalse(check.ok)
        errors = {row.number: " ".join(row.errors) for row in check.rows}
        self.assertEqual(errors[2], "")
        self.assertIn("用户名", errors[3])
        self.assertIn("姓名：这个字段是必填项。", errors[4])
        self.assertIn("邮箱：输入一个有效的 Email 地址。", errors[4])
        self.assertIn("角色", errors[5])
        self.assertIn("不存在的部门", errors[6])
        self.assertIn("部门", errors[7])
        self.assertContains(response, "第 3 行")
        self.assertNotContains(response, 'name="confirm"')
        self.assertEqual(business_checksum(), before)

    def test_a_clean_file_is_previewed_then_written_on_confirmation(self):
        file = workbook(
            [
                ["zhang.san", "张三", "zs@example.edu.cn", "13800000000", "联络员", "教务处"],
                ["zhang.san", "张三", "zs@example.edu.cn", "13800000000", "部门负责人", "马院"],
                ["liaison", "联络员甲", "", "", "liaison", "教务处"],
            ]
        )
        response = self.upload(file)
        self.assertTrue(response.context["check"].ok)
        self.assertFalse(User.objects.filter(username="zhang.san").exists())
        token = response.context["token"]
        response = self.client.post(self.url, {"confirm": "1", "token": token})
        self.assertRedirects(response, reverse("org:person-list"))
        zhang = User.objects.get(username="zhang.san")
        self.assertEqual(
            sorted(zhang.memberships.values_list("role", "department__name")),
            [("head", "马克思主义学院"), ("liaison", "教务处")],
        )
        self.assertEqual(User.objects.get(username="liaison").name, "联络员甲")
        self.assertEqual(AuditEvent.objects.filter(kind="import").count(), 1)

    def test_importing_the_same_file_twice_duplicates_nothing(self):
        rows = [["zhang.san", "张三", "", "", "联络员", "教务处"]]
        for _ in range(2):
            token = self.upload(workbook(rows)).context["token"]
            self.client.post(self.url, {"confirm": "1", "token": token})
        self.assertEqual(User.objects.filter(username="zhang.san").count(), 1)
        self.assertEqual(Membership.objects.filter(user__username="zhang.san").count(), 1)

    def test_a_confirmation_without_this_sessions_token_does_nothing(self):
        self.upload(workbook([["zhang.san", "张三", "", "", "联络员", "教务处"]]))
        before = business_checksum()
        response = self.client.post(self.url, {"confirm": "1", "token": "0" * 32})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(business_checksum(), before)

    def test_the_office_cannot_import_administrators(self):
        response = self.upload(workbook([["x.admin", "某人", "", "", "系统管理员", ""]]))
        self.assertIn("您无权授予此角色", " ".join(response.context["check"].rows[0].errors))

    def test_missing_columns_are_named(self):
        response = self.upload(workbook([["zhang.san"]], header=["用户名"]))
        self.assertContains(response, "姓名")
        self.assertContains(response, "角色")
        self.assertNotIn("check", response.context)

    def test_files_that_are_not_sheets_are_refused(self):
        cases = [
            SimpleUploadedFile("people.xlsx", b"MZ\x90\x00 not a workbook"),
            SimpleUploadedFile("people.csv", b"a,b,c"),
            SimpleUploadedFile("people.xls", b"<html><script>alert(1)</script></html>"),
            SimpleUploadedFile("people.xlsx", b""),
        ]
        for file in cases:
            response = self.upload(file)
            self.assertEqual(response.status_code, 200, file.name)
            self.assertTrue(response.context["form"].errors, file.name)

    def test_a_zip_bomb_is_refused_before_it_is_opened(self):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (60 * 1024 * 1024))
        response = self.upload(SimpleUploadedFile("bomb.xlsx", buffer.getvalue()))
        self.assertIn("远超", " ".join(response.context["form"].errors["file"]))

    def test_the_template_has_instructions_and_dropdowns(self):
        response = self.client.get(reverse("org:person-import-template"))
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        self.assertEqual(book.sheetnames[0], "填写说明")
        data = book.worksheets[1]
        self.assertEqual([c.value for c in data[1]], PEOPLE_HEADER)
        self.assertEqual(len(data.data_validations.dataValidation), 2)

    def test_export_then_import_gives_the_same_people(self):
        self.login(self.sysadmin)  # who may grant every role, administrators' included
        exported = self.client.get(reverse("org:person-export")).content
        before = business_checksum()
        response = self.upload(SimpleUploadedFile("people.xlsx", exported))
        self.assertTrue(response.context["check"].ok, [r.errors for r in response.context["check"].rows])
        self.client.post(self.url, {"confirm": "1", "token": response.context["token"]})
        self.assertEqual(business_checksum(), before)


class DepartmentImportTests(BaseTestCase):
    url = reverse("org:department-import")
    header = ["部门名称", "简称", "类型", "考核组", "排序"]

    def setUp(self):
        self.login(self.sysadmin)

    def test_it_creates_and_updates_by_name(self):
        file = workbook(
            [["外国语学院", "外语", "教学院部", "教学院部", 40], ["教务处", "", "职能部门", "职能部门", 2]],
            header=self.header,
        )
        response = self.client.post(self.url, {"file": file})
        self.assertEqual([r.action for r in response.context["check"].rows], ["create", "update"])
        self.client.post(self.url, {"confirm": "1", "token": response.context["token"]})
        self.assertEqual(Department.objects.get(name="外国语学院").kind, "teaching")
        self.assertEqual(Department.objects.get(name="教务处").group, "职能部门")

    def test_a_duplicate_row_stops_everything(self):
        before = business_checksum()
        file = workbook([["外国语学院", "", "教学院部", "", 1], ["外国语学院", "", "其他", "", 2]], header=self.header)
        response = self.client.post(self.url, {"file": file}, HTTP_ACCEPT_LANGUAGE="zh-hans")
        self.assertFalse(response.context["check"].ok)
        self.assertContains(response, "第 2 行")
        self.assertEqual(business_checksum(), before)

    def test_the_export_can_be_imported_again_unchanged(self):
        exported = self.client.get(reverse("org:department-export")).content
        self.snapshot = {
            d.pk: (d.name, d.short_name, d.kind, d.group, d.order, d.active) for d in Department.objects.all()
        }
        before = business_checksum()
        response = self.client.post(self.url, {"file": SimpleUploadedFile("d.xlsx", exported)})
        self.assertTrue(response.context["check"].ok)
        self.client.post(self.url, {"confirm": "1", "token": response.context["token"]})
        after = {d.pk: (d.name, d.short_name, d.kind, d.group, d.order, d.active) for d in Department.objects.all()}
        self.assertEqual(after, self.snapshot)
        self.assertEqual(business_checksum(), before)
