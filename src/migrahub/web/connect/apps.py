from django.apps import AppConfig


class ConnectConfig(AppConfig):
    name = "migrahub.web.connect"
    label = "connect"
    default_auto_field = "django.db.models.BigAutoField"
