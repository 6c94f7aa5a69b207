"""Password policy (reliability.md T-AUTH-4): ASVS by default, 等保 complexity and rotation by setting."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from kaohe.org.models import User
from kaohe.test import PASSWORD, BaseTestCase

DENGBAO_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "kaohe.org.passwords.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
]


def problems(password: str, user: User | None = None) -> list[str]:
    try:
        password_validation.validate_password(password, user or User(username="zhangsan", name="张三"))
    except ValidationError as exc:
        return exc.messages
    return []


class AsvsPolicyTests(BaseTestCase):
    def test_weak_and_context_passwords_are_refused_in_chinese(self):
        with override("zh-hans"):
            for weak in ["123456", "jzu123456", "焦作大学2021", "short7!", "password1", "Kaohe2021!!"]:
                self.assertTrue(problems(weak), weak)
            self.assertTrue(any("密码" in m for m in problems("123456")))

    def test_long_passphrases_are_accepted_exactly_as_typed(self):
        phrase = "月落乌啼霜满天 江枫渔火对愁眠 姑苏城外寒山寺 夜半钟声到客船 correct horse battery"
        self.assertGreaterEqual(len(phrase), 50)
        self.assertEqual(problems(phrase), [])
        self.assertEqual(problems("x" * 64 + "Q9!"), [])
        self.assertTrue(problems("a1B!" * 33))  # 132 characters: over the maximum

    def test_no_composition_rule_by_default(self):
        self.assertEqual(problems("lowercase only passphrase"), [])


@override_settings(AUTH_PASSWORD_VALIDATORS=DENGBAO_VALIDATORS, PASSWORD_MAX_AGE_DAYS=90)
class DengbaoPolicyTests(BaseTestCase):
    def test_three_character_classes_are_required(self):
        self.assertTrue(problems("lowercase only passphrase"))
        self.assertEqual(problems("Lower and Upper 2021"), [])

    def test_an_old_password_must_be_changed(self):
        with time_machine.travel(timezone.now() + timedelta(days=91), tick=False):
            self.client.force_login(self.liaison)
            response = self.client.get("/")
            self.assertRedirects(response, reverse("password-change"), fetch_redirect_response=False)
            response = self.client.post(
                reverse("password-change"),
                {
                    "old_password": PASSWORD,
                    "new_password1": "New-Secret-2022",
                    "new_password2": "New-Secret-2022",
                },
            )
            self.assertRedirects(response, "/", fetch_redirect_response=False)
            self.assertEqual(self.client.get("/").status_code, 200)


class ForcedChangeTests(BaseTestCase):
    def test_a_password_set_by_an_administrator_must_be_changed(self):
        self.client.force_login(self.sysadmin)
        response = self.client.post(
            reverse("org:person-password", args=[self.liaison.pk]), {"password": "Temporary-Pass-77"}
        )
        self.assertEqual(response.status_code, 302)
        self.liaison.refresh_from_db()
        self.assertTrue(self.liaison.must_change_password)
        self.client.force_login(self.liaison)
        self.assertRedirects(self.client.get("/"), reverse("password-change"), fetch_redirect_response=False)

    def test_a_weak_password_is_refused_with_a_message(self):
        self.client.force_login(self.sysadmin)
        response = self.client.post(reverse("org:person-password", args=[self.liaison.pk]), {"password": "123"})
        self.assertEqual(response.status_code, 200)
        self.liaison.refresh_from_db()
        self.assertTrue(self.liaison.check_password(PASSWORD))
