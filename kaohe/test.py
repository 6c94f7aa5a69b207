"""The cast every test knows (after healthchecks' hc/test.py).

- ``office``: 考核办, sees and manages everything in the assessment.
- ``leader``: 校领导, reads everything.
- ``head`` and ``liaison``: 教务处 (department ``dept_a``).
- ``outsider``: liaison of 马克思主义学院 (``dept_b``); must never see 教务处's data.
- ``inspector``: no round yet, so no department.
- ``auditor`` and ``sysadmin``: the separated administrative roles (三员分立).
"""

from __future__ import annotations

import re

from django.test import TestCase

from kaohe.org.models import AssessmentYear, Department, Membership, Role, User

PASSWORD = "Correct-horse-battery-9"


def make_person(username: str, role: str, department: Department | None = None, **kwargs) -> User:
    person = User(username=username, name=kwargs.pop("name", username), **kwargs)
    person.set_password(PASSWORD)
    person.save()
    Membership.objects.create(user=person, role=role, department=department)
    return person


class BaseTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.year = AssessmentYear.objects.create(year=2021, state=AssessmentYear.State.RUNNING)
        cls.office_dept = Department.objects.create(name="质量发展处", kind="functional", order=1)
        cls.dept_a = Department.objects.create(name="教务处", kind="functional", order=2)
        cls.dept_b = Department.objects.create(name="马克思主义学院", short_name="马院", kind="teaching", order=3)
        cls.dept_empty = Department.objects.create(name="图书馆", kind="other", order=4)
        cls.office = make_person("office", Role.OFFICE, cls.office_dept)
        cls.leader = make_person("leader", Role.LEADER)
        cls.head = make_person("head", Role.HEAD, cls.dept_a)
        cls.liaison = make_person("liaison", Role.LIAISON, cls.dept_a)
        cls.outsider = make_person("outsider", Role.LIAISON, cls.dept_b)
        cls.inspector = make_person("inspector", Role.INSPECTOR)
        cls.auditor = make_person("auditor", Role.AUDITOR)
        cls.sysadmin = make_person("sysadmin", Role.SYSADMIN)
        cls.cast = {
            "office": cls.office,
            "leader": cls.leader,
            "head": cls.head,
            "liaison": cls.liaison,
            "outsider": cls.outsider,
            "inspector": cls.inspector,
            "auditor": cls.auditor,
            "sysadmin": cls.sysadmin,
        }

    def login(self, user: User) -> None:
        self.client.force_login(user)


def comparable_page(response, *typed: str) -> str:
    """A page without what differs on every render (CSRF tokens) or what the person typed."""
    text = re.sub(r'(X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+', r"\1", response.content.decode())
    for value in typed:
        text = text.replace(value, "")
    return text
