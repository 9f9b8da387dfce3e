"""Django admin for curators: users and roles, API tokens, the hub's documents (metadata edits are logged) and its
entity records (edits and merges are logged; :mod:`migrahub.web.admin_entities`)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import transaction

from migrahub.services import curation
from migrahub.services.documents import reader
from migrahub.web import admin_entities  # noqa: F401  (registers the entity records' admin)
from migrahub.web.models import ApiToken, Document, Source


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "name", "created", "last_used")
    readonly_fields = ("prefix", "created", "last_used")
    search_fields = ("user__username", "name", "prefix")

    def has_add_permission(self, request):  # tokens are issued by `migrahub token create` (shown once)
        return False


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ("locator", "kind", "status", "fetched_at", "item_count")
    list_filter = ("kind", "status")
    search_fields = ("locator",)
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ("id", "title", "doc_type", "language", "published")
    list_filter = ("doc_type", "language")
    search_fields = ("title",)
    fields = ("title", "published", "language", "author", "summary", "doc_type", "content_type", "source_kind", "url",
              "created_at")
    readonly_fields = ("doc_type", "content_type", "source_kind", "url", "created_at")
    show_full_result_count = False
    list_per_page = 50

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):  # documents are never deleted, only superseded
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            raise PermissionDenied
        changes = {k: form.cleaned_data.get(k) or None for k in form.changed_data if k in curation.EDITABLE}
        if changes:
            # the admin view holds Django's write transaction on the same file: write once it has committed
            actor, pk = request.user.get_username(), obj.pk
            transaction.on_commit(
                lambda: curation.update_document(reader(settings.MIGRAHUB_DB), pk, actor, changes))
