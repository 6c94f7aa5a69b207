"""The two refusals of the progress workflow that answer 409 Conflict."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class Conflict(Exception):
    """Someone else saved the report since this form was opened; ``current`` is what is there now."""

    def __init__(self, current):
        super().__init__("version conflict")
        self.current = current


class Locked(ValidationError):
    """The node's evidence is frozen (verified), or the report is no longer editable."""
