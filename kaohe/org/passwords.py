"""Password validators beside Django's own (see settings.AUTH_PASSWORD_VALIDATORS)."""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class MaximumLengthValidator:
    """Long passphrases are welcome (ASVS: at least 64 characters), but not without bound."""

    def __init__(self, max_length: int = 128) -> None:
        self.max_length = max_length

    def validate(self, password: str, user=None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                ngettext(
                    "This password is too long. It must contain at most %(max_length)d character.",
                    "This password is too long. It must contain at most %(max_length)d characters.",
                    self.max_length,
                ),
                code="password_too_long",
                params={"max_length": self.max_length},
            )

    def get_help_text(self) -> str:
        return ngettext(
            "Your password can contain up to %(max_length)d character.",
            "Your password can contain up to %(max_length)d characters.",
            self.max_length,
        ) % {"max_length": self.max_length}


class ContextWordsValidator:
    """Refuses passwords built on the school's or the system's own name (ASVS 6.2.11)."""

    def __init__(self, words: list[str] | None = None) -> None:
        self.words = [w.casefold() for w in (words or []) if w]

    def validate(self, password: str, user=None) -> None:
        folded = unicodedata.normalize("NFKC", password).casefold()
        if any(word in folded for word in self.words):
            raise ValidationError(
                _("This password contains the name of the school or of this system."),
                code="password_context_word",
            )

    def get_help_text(self) -> str:
        return _("Your password can't contain the name of the school or of this system.")


class CharacterClassesValidator:
    """等级保护 complexity: characters from at least N of upper case, lower case, digits, symbols."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        classes = [
            any(c.isupper() for c in password),
            any(c.islower() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
        if sum(classes) < self.min_classes:
            raise ValidationError(
                _(
                    "This password must mix at least %(min_classes)d of: capital letters, "
                    "small letters, digits and symbols."
                ),
                code="password_too_simple",
                params={"min_classes": self.min_classes},
            )

    def get_help_text(self) -> str:
        return _(
            "Your password must mix at least %(min_classes)d of: capital letters, small letters, digits and symbols."
        ) % {"min_classes": self.min_classes}
