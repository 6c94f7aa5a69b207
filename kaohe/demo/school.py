"""The demo school: the seed bulletin's university in 2021.

The 27 departments the seed names keep its names; the 8 marked "invented" are plausible
additions that bring the school to the seed's 35. People are invented; their usernames say
their role. Nothing here is loaded in production.
"""

from __future__ import annotations

TEACHING, FUNCTIONAL, OTHER = "teaching", "functional", "other"

# (name, short name, kind, assessment group)
DEPARTMENTS: list[tuple[str, str, str, str]] = [
    ("马克思主义学院", "马院", TEACHING, "教学院部"),
    ("人文学院", "人文", TEACHING, "教学院部"),
    ("经济管理学院", "经管学院", TEACHING, "教学院部"),
    ("会计学院", "会计", TEACHING, "教学院部"),
    ("机电工程学院", "机电学院", TEACHING, "教学院部"),
    ("太极武术学院", "太极学院", TEACHING, "教学院部"),
    ("艺术学院", "艺术", TEACHING, "教学院部"),
    ("土木建筑工程学院", "土建学院", TEACHING, "教学院部"),
    ("化学与环境工程学院", "化工学院", TEACHING, "教学院部"),
    ("信息工程学院", "信息学院", TEACHING, "教学院部"),
    ("外国语学院", "外语学院", TEACHING, "教学院部"),  # invented
    ("继续教育学院", "继教学院", TEACHING, "教学院部"),  # invented
    ("教务处", "", FUNCTIONAL, "职能部门"),
    ("学生处", "", FUNCTIONAL, "职能部门"),
    ("网信办", "", FUNCTIONAL, "职能部门"),
    ("组织部", "", FUNCTIONAL, "职能部门"),
    ("宣传统战部", "宣传部", FUNCTIONAL, "职能部门"),
    ("后勤处", "后勤基建处", FUNCTIONAL, "职能部门"),
    ("招生就业处", "招就处", FUNCTIONAL, "职能部门"),
    ("对外合作处", "", FUNCTIONAL, "职能部门"),
    ("科研处", "", FUNCTIONAL, "职能部门"),
    ("人事处", "", FUNCTIONAL, "职能部门"),
    ("纪委/监察专员办公室", "纪委", FUNCTIONAL, "职能部门"),
    ("校团委", "团委", FUNCTIONAL, "职能部门"),
    ("编辑部", "", FUNCTIONAL, "职能部门"),
    ("财务处", "", FUNCTIONAL, "职能部门"),
    ("国资处", "", FUNCTIONAL, "职能部门"),
    ("质量发展处", "考核办", FUNCTIONAL, "职能部门"),
    ("保卫处", "", FUNCTIONAL, "职能部门"),
    ("党政办公室", "党政办", FUNCTIONAL, "职能部门"),  # invented
    ("审计处", "", FUNCTIONAL, "职能部门"),  # invented
    ("发展规划处", "规划处", FUNCTIONAL, "职能部门"),  # invented
    ("图书馆", "", OTHER, "直属及其他"),  # invented
    ("工会", "", OTHER, "直属及其他"),  # invented
    ("档案馆", "", OTHER, "直属及其他"),  # invented
]

OFFICE_DEPARTMENT = "质量发展处"

# The demo password of every demo login; printed by load_demo and make run.
DEMO_PASSWORD = "Demo#2021q3"

# (username, full name, role, department or None)
PEOPLE: list[tuple[str, str, str, str | None]] = [
    ("office", "周考核", "office", OFFICE_DEPARTMENT),
    ("leader", "郑校长", "leader", None),
    ("inspector", "吴督查", "inspector", None),
    ("jwc_head", "钱处长", "head", "教务处"),
    ("jwc_liaison", "孙联络", "liaison", "教务处"),
    ("mks_head", "李院长", "head", "马克思主义学院"),
    ("mks_liaison", "陈联络", "liaison", "马克思主义学院"),
    ("auditor", "冯审计", "auditor", None),
    ("sysadmin", "蒋管理", "sysadmin", None),
]

YEAR = 2021
