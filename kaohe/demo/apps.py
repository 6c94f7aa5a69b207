from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "kaohe.demo"
    label = "demo"
