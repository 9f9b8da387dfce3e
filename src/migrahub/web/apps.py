from django.apps import AppConfig
from django.db.models.signals import post_migrate


class WebConfig(AppConfig):
    name = "migrahub.web"
    label = "web"
    verbose_name = "MigraHub"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from migrahub.web import roles

        post_migrate.connect(roles.on_post_migrate, sender=self)
