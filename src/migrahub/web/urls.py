from django.contrib import admin
from django.urls import path, re_path

from migrahub.web.api import api
from migrahub.web.views import auth, entities, pages

admin.site.site_header = "MigraHub curation"
admin.site.site_title = "MigraHub"

urlpatterns = [
    path("", pages.search, name="search"),
    re_path(r"^export\.(?P<fmt>csv|json)$", pages.export, name="export"),
    path("documents/<int:document_id>", pages.document, name="document"),
    path("feed", pages.feed, name="feed"),
    path("entities/<int:entity_id>", entities.entity, name="entity"),
    path("entities/<str:category>", entities.entity_list, name="entities"),
    path("sources", pages.sources, name="sources"),
    path("stats", pages.stats, name="stats"),
    path("curate/ingest", auth.ingest, name="ingest"),
    path("accounts/login/", auth.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth.LogoutView.as_view(), name="logout"),
    path("healthz", pages.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]
