from django.apps import AppConfig
from django.db.models.signals import post_migrate

# permission codename → (its name, the hub's roles that get it); granted by our own post_migrate handler
PERMISSIONS = {
    "submit_practice": ("Submit practices, make peer-exchange requests and relay messages",
                        ("reader", "coder", "curator", "admin")),
    "curate_practice": ("Review and publish practices, import references, record peer-exchange outcomes, add "
                        "contacts and declarations", ("curator", "admin")),
}


def grant_permissions(**kwargs) -> None:
    """Create the connect permissions and give them to the hub's roles; idempotent, runs after every migrate."""
    from migrahub.web.roles import grant_feature_permissions

    grant_feature_permissions("connect", "practice", PERMISSIONS)


class ConnectConfig(AppConfig):
    name = "migrahub.web.connect"
    label = "connect"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # the app has no models, so Django sends it no post_migrate of its own: listen to every app's
        post_migrate.connect(grant_permissions, dispatch_uid="migrahub-connect-permissions")
