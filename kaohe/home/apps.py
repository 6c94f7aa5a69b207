from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "kaohe.home"
    label = "home"
