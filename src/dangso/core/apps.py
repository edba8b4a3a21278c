from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "dangso.core"
    label = "core"
    verbose_name = "Core"
