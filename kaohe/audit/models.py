"""The audit log: one append-only row per thing that happened.

Model changes are kept twice on purpose: django-simple-history keeps a full snapshot of every
version (``Target.history.as_of(...)``), and an ``AuditEvent`` of kind ``change`` carries the
fields that changed, before and after, so the auditor reads one feed for everything.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    class Kind(models.TextChoices):
        LOGIN = "login", _("Login")
        LOGOUT = "logout", _("Logout")
        LOGIN_FAILED = "login_failed", _("Failed login")
        LOCKOUT = "lockout", _("Account locked")
        UNLOCK = "unlock", _("Account unlocked")
        DENIED = "denied", _("Access denied")
        CREATE = "create", _("Created")
        UPDATE = "update", _("Changed")
        DELETE = "delete", _("Deleted")
        EXPORT = "export", _("Export")
        DOWNLOAD = "download", _("Download")
        IMPORT = "import", _("Import")
        PASSWORD = "password", _("Password changed")

    # Stored in UTC (USE_TZ); pages show Asia/Shanghai.
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        verbose_name=_("actor"),
    )
    # The name typed at login, or the actor's username at the time: kept even for unknown users.
    username = models.CharField(_("username"), max_length=150, blank=True, db_index=True)
    roles = models.CharField(_("roles"), max_length=200, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    request_id = models.CharField(_("request id"), max_length=32, blank=True)
    path = models.CharField(_("path"), max_length=300, blank=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    # {"field": [before, after]} for changes; free details for other kinds.
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    success = models.BooleanField(_("success"), default=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["kind", "username", "at"], name="audit_kind_user_at"),
            models.Index(fields=["kind", "ip", "at"], name="audit_kind_ip_at"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.get_kind_display()} {self.username}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise PermissionError("audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit events cannot be deleted")
