"""The organisation: assessment years, departments, people and the roles they hold."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class AssessmentYear(models.Model):
    class State(models.TextChoices):
        PLANNING = "planning", _("Planning")
        RUNNING = "running", _("Running")
        CLOSED = "closed", _("Closed")
        ARCHIVED = "archived", _("Archived")

    # Closed and archived years keep their assessment data as it was.
    READ_ONLY_STATES = (State.CLOSED, State.ARCHIVED)
    # Each state may only move to the next one; closing is final for assessment data.
    NEXT_STATE = {
        State.PLANNING: State.RUNNING,
        State.RUNNING: State.CLOSED,
        State.CLOSED: State.ARCHIVED,
    }

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    name = models.CharField(_("name"), max_length=100, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.PLANNING)
    # The plan check warns about a department with more targets than this (the seed's §七.2).
    plan_target_limit = models.PositiveSmallIntegerField(_("targets per plan before a warning"), default=15)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("assessment year")
        verbose_name_plural = _("assessment years")
        constraints = [
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="year_in_range"),
        ]

    def __str__(self) -> str:
        return self.name or str(self.year)

    @property
    def is_read_only(self) -> bool:
        return self.state in self.READ_ONLY_STATES

    @property
    def next_state(self) -> str | None:
        return self.NEXT_STATE.get(self.state)


class DepartmentQuerySet(models.QuerySet):
    def active(self) -> DepartmentQuerySet:
        return self.filter(active=True)


class Department(models.Model):
    class Kind(models.TextChoices):
        TEACHING = "teaching", _("Teaching department")
        FUNCTIONAL = "functional", _("Functional department")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=100, unique=True)
    short_name = models.CharField(_("short name"), max_length=30, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind)
    # Departments are ranked against the others of the same group at year end.
    group = models.CharField(_("assessment group"), max_length=50, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who can log in. Chinese names are one field; first/last names stay unused."""

    name = models.CharField(_("full name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)
    must_change_password = models.BooleanField(_("must change password"), default=False)
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    objects = UserManager()

    class Meta:
        ordering = ["username"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return f"{self.name}（{self.username}）" if self.name else self.username

    def set_password(self, raw_password: str | None) -> None:
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()


class Role(models.TextChoices):
    OFFICE = "office", _("Assessment office")
    LEADER = "leader", _("School leader")
    INSPECTOR = "inspector", _("Inspector")
    HEAD = "head", _("Department head")
    LIAISON = "liaison", _("Department liaison")
    AUDITOR = "auditor", _("Auditor")
    SYSADMIN = "sysadmin", _("System administrator")


# Roles that act for one department, and so need one.
DEPARTMENT_ROLES = {Role.HEAD, Role.LIAISON}
# 三员分立: an administrative role is held alone, never beside another role.
ADMIN_ROLES = {Role.SYSADMIN, Role.AUDITOR}


class MembershipQuerySet(models.QuerySet):
    def active(self) -> MembershipQuerySet:
        return self.filter(active=True, user__is_active=True)


class Membership(models.Model):
    """A person's role, in a department where the role is a department's (head, liaison)."""

    user = models.ForeignKey(User, models.CASCADE, related_name="memberships", verbose_name=_("person"))
    role = models.CharField(_("role"), max_length=12, choices=Role)
    department = models.ForeignKey(
        Department,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("department"),
    )
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["user__username", "role"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "department"],
                condition=Q(department__isnull=False),
                name="membership_unique_in_department",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(department__isnull=True),
                name="membership_unique_schoolwide",
            ),
        ]

    def __str__(self) -> str:
        if self.department_id:
            return f"{self.department} · {self.get_role_display()}"
        return str(self.get_role_display())

    def clean(self) -> None:
        if self.role in DEPARTMENT_ROLES and not self.department_id:
            raise ValidationError({"department": _("This role needs a department.")})
        if self.role not in DEPARTMENT_ROLES and self.role != Role.OFFICE:
            # Only department roles and the office (which sits in its own department) carry one.
            self.department = None
        if self.active and self.user_id:
            others = Membership.objects.filter(user_id=self.user_id, active=True).exclude(pk=self.pk)
            other_roles = set(others.values_list("role", flat=True))
            if self.role in ADMIN_ROLES and other_roles:
                raise ValidationError(_("An administrator or auditor role cannot be combined with any other role."))
            if other_roles & ADMIN_ROLES:
                raise ValidationError(_("This person is an administrator or auditor and cannot hold another role."))
