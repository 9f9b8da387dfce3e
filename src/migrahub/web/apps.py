from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.db.models.signals import post_migrate


class WebConfig(AppConfig):
    name = "migrahub.web"
    label = "web"
    verbose_name = "MigraHub"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from migrahub.web import roles, throttle

        post_migrate.connect(roles.on_post_migrate, sender=self)
        user_login_failed.connect(throttle.on_login_failed, dispatch_uid="migrahub-login-failed")
        user_logged_in.connect(throttle.on_logged_in, dispatch_uid="migrahub-logged-in")


class HubAdminConfig(AdminConfig):
    """Django's admin whose default site signs in through the hub's throttled form."""

    default_site = "migrahub.web.admin_site.HubAdminSite"
