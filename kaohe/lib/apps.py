from django.apps import AppConfig


class LibConfig(AppConfig):
    name = "kaohe.lib"
    label = "lib"
