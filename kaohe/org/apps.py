from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "kaohe.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from django.contrib.auth import models as auth_models
        from django.contrib.auth.signals import user_logged_in

        from kaohe.org.signals import update_last_login

        # Django's own handler saves the whole user, which would write a history version on
        # every login; the login is already an audit event, so only the column is updated.
        user_logged_in.disconnect(auth_models.update_last_login, dispatch_uid="update_last_login")
        user_logged_in.connect(update_last_login, dispatch_uid="kaohe_update_last_login")
