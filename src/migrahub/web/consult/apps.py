from django.apps import AppConfig


class ConsultConfig(AppConfig):
    name = "migrahub.web.consult"
    label = "consult"
    default_auto_field = "django.db.models.BigAutoField"
