from django.apps import AppConfig
from django.db.models.signals import post_migrate

# permission codename → the hub's roles that get it (granted by our own post_migrate handler)
PERMISSIONS = {
    "organise_consultation": ("Organise consultations (create, edit, report, import)", ("curator", "admin")),
    "moderate_consultation": ("Moderate consultation submissions and incident reports", ("curator", "admin")),
}


def grant_permissions(**kwargs) -> None:
    """Create the consult permissions and give them to the hub's roles; idempotent, runs after every migrate."""
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    kind, _ = ContentType.objects.get_or_create(app_label="consult", model="consultation")
    for codename, (name, roles) in PERMISSIONS.items():
        perm, _ = Permission.objects.get_or_create(content_type=kind, codename=codename, defaults={"name": name})
        for role in roles:
            group, _ = Group.objects.get_or_create(name=role)
            group.permissions.add(perm)


class ConsultConfig(AppConfig):
    name = "migrahub.web.consult"
    label = "consult"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # the app has no models, so Django sends it no post_migrate of its own: listen to every app's
        post_migrate.connect(grant_permissions, dispatch_uid="migrahub-consult-permissions")
