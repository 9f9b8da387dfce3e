from django.apps import AppConfig
from django.db.models.signals import post_migrate

# permission codename → the hub's roles that get it (granted by our own post_migrate handler)
PERMISSIONS = {
    "organise_consultation": ("Organise consultations (create, edit, report, import)", ("curator", "admin")),
    "moderate_consultation": ("Moderate consultation submissions and incident reports", ("curator", "admin")),
}


def grant_permissions(**kwargs) -> None:
    """Create the consult permissions and give them to the hub's roles; idempotent, runs after every migrate."""
    from migrahub.web.roles import grant_feature_permissions

    grant_feature_permissions("consult", "consultation", PERMISSIONS)


class ConsultConfig(AppConfig):
    name = "migrahub.web.consult"
    label = "consult"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # the app has no models, so Django sends it no post_migrate of its own: listen to every app's
        post_migrate.connect(grant_permissions, dispatch_uid="migrahub-consult-permissions")
