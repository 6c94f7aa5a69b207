from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "kaohe.supervision"
    label = "supervision"
    verbose_name = _("Supervision rounds")

    def ready(self) -> None:
        from kaohe.org import access
        from kaohe.progress import todo
        from kaohe.supervision import selectors

        todo.register(selectors.todo_section)
        access.register_inspection_provider(selectors.inspecting_department_ids)
