from __future__ import annotations

from django.http import HttpRequest

from kaohe.org import access

# The navigation bar: (url name, label), shown to those the policy allows.
NAV = [
    ("home", "home"),
    ("org:department-list", "departments"),
    ("org:person-list", "people"),
    ("plans:plan-list", "plans"),
    ("plans:target-list", "targets"),
    ("plans:adjustment-list", "adjustments"),
    ("progress:todo", "todo"),
    ("progress:node-list", "progress"),
    ("supervision:round-list", "rounds"),
    ("bulletins:list", "bulletins"),
    ("initiatives:project-list", "initiatives"),
    ("plans:import", "plans_import"),
    ("org:year-list", "years"),
    ("audit:event-list", "audit"),
]


def access_context(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}, "my_roles": []}
    return {
        "nav": {key: True for name, key in NAV if access.allowed(user, name)},
        "my_roles": access.roles_of(user),
    }
