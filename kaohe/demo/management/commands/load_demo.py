"""Loads the demo school built from the seed. Idempotent: a second run changes nothing."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from kaohe.demo import bulletins, initiatives, progress, rounds, school, targets
from kaohe.org.models import AssessmentYear, Department, Membership, User


class Command(BaseCommand):
    help = "Load the demo school (35 departments, the 2021 year, one login per role)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--force", action="store_true", help="load even with KAOHE_PRODUCTION set")
        parser.add_argument("--quiet-logins", action="store_true", help="do not print the demo logins")

    def handle(self, *args, force: bool = False, quiet_logins: bool = False, **options) -> None:
        if settings.PRODUCTION and not force:
            raise CommandError("Refusing to load demo people into a production installation (use --force).")
        with transaction.atomic():
            changed = load()
            changed += progress.load_progress()
            changed += rounds.load_round()
            changed += initiatives.load_initiatives()
            changed += bulletins.load_bulletin()
        self.stdout.write(f"Demo school: {changed} change(s).")
        if not quiet_logins:
            self.stdout.write(logins_table())


def _sync(obj, **values) -> bool:
    """Set the values that differ and save only then, so reruns write no history."""
    dirty = [k for k, v in values.items() if getattr(obj, k) != v]
    for k in dirty:
        setattr(obj, k, values[k])
    if dirty or obj.pk is None:
        obj.save()
        return True
    return False


def load() -> int:
    changed = 0
    year = AssessmentYear.objects.filter(year=school.YEAR).first() or AssessmentYear(year=school.YEAR)
    changed += _sync(year, name=f"{school.YEAR}年度", state=AssessmentYear.State.RUNNING)

    departments = {d.name: d for d in Department.objects.all()}
    for order, (name, short, kind, group) in enumerate(school.DEPARTMENTS, start=1):
        department = departments.get(name) or Department(name=name)
        changed += _sync(department, short_name=short, kind=kind, group=group, order=order * 10, active=True)
        departments[name] = department

    for username, name, role, department_name in school.PEOPLE:
        person = User.objects.filter(username=username).first() or User(username=username)
        changed += _sync(person, name=name, is_active=True, must_change_password=False)
        if not person.check_password(school.DEMO_PASSWORD):
            person.set_password(school.DEMO_PASSWORD)
            person.save()
            changed += 1
        department = departments[department_name] if department_name else None
        membership = Membership.objects.filter(user=person, role=role, department=department).first()
        changed += _sync(membership or Membership(user=person, role=role, department=department), active=True)
    changed += targets.load_targets(year, departments)
    return changed


def logins_table() -> str:
    lines = ["", f"Demo logins (password for all: {school.DEMO_PASSWORD})"]
    for username, name, role, department in school.PEOPLE:
        lines.append(f"  {username:<12} {name}  {role}{' · ' + department if department else ''}")
    return "\n".join(lines)
