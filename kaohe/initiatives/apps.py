from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InitiativesConfig(AppConfig):
    name = "kaohe.initiatives"
    label = "initiatives"
    verbose_name = _("Projects, brands, highlights and notification duty")

    def ready(self) -> None:
        from kaohe.initiatives import projects
        from kaohe.progress import todo

        todo.register(projects.todo_section)
