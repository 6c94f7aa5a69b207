from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BulletinsConfig(AppConfig):
    name = "kaohe.bulletins"
    label = "bulletins"
    verbose_name = _("Bulletins")

    def ready(self) -> None:
        from kaohe.bulletins import services
        from kaohe.progress import todo

        todo.register(services.todo_section)
