"""Django admin for entity records (places, organisations, initiatives, people, events, practices, resources):
list and search them, edit a record's name and fields (a practice's summary, an organisation's country…), and merge
selected duplicates into one of them. Every write goes through :mod:`migrahub.services.entities`, which logs it in
``actions`` with the curator's user name."""

from __future__ import annotations

import json

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.response import TemplateResponse

from migrahub import safeload
from migrahub.services import entities
from migrahub.web.models import Entity


class EntityForm(forms.ModelForm):
    fields_json = forms.CharField(
        label="Record fields", required=False, widget=forms.Textarea(attrs={"rows": 18, "cols": 100}),
        help_text="The record's data as a JSON object (the name or title is edited above). Change a value, add a "
                  "field, or remove one (or set it to null) to delete it. The record is then curated: later "
                  "documents no longer overwrite it.")

    class Meta:
        model = Entity
        fields = ("name",)
        widgets = {"name": forms.TextInput(attrs={"size": 80})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.hidden = entities.name_fields(self.instance.category or "")  # the name box; the extractor's key
        if self.instance.pk:
            data = json.loads(self.instance.data or "{}")
            self.initial["fields_json"] = json.dumps({k: v for k, v in data.items() if k not in self.hidden},
                                                     indent=2, ensure_ascii=False)

    def clean_fields_json(self) -> dict:
        raw = (self.cleaned_data.get("fields_json") or "").strip() or "{}"
        try:  # depth-limited: a record nested too deeply for the services' and templates' walks is refused
            value = safeload.load_json(raw, "Record fields", max_depth=32)
        except safeload.InputError as exc:
            cause = exc.__context__
            if isinstance(cause, json.JSONDecodeError):
                raise ValidationError(f"Not valid JSON: {cause.msg} (line {cause.lineno}, column {cause.colno}).") \
                    from None
            raise ValidationError(str(exc)) from None
        if not isinstance(value, dict):
            raise ValidationError(f"Must be a JSON object ({{\"field\": value, …}}), not a {type(value).__name__}.")
        for key in self.hidden:
            if key in value:
                raise ValidationError(f"Remove the field {key!r}: " + (
                    "the key is the extractor's." if key == "key" else f"the {key} is edited in the Name box."))
        return value

    def clean(self):
        if self.instance.merged_into:
            raise ValidationError(f"This record was merged into record {self.instance.merged_into}: edit that one.")
        return super().clean()


class MergedFilter(admin.SimpleListFilter):
    title = "merged"
    parameter_name = "merged"

    def lookups(self, request, model_admin):
        return [("no", "current records"), ("yes", "merged into another")]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(merged_into__isnull=True)
        if self.value() == "yes":
            return queryset.filter(merged_into__isnull=False)
        return queryset


def merge_problem(records: list[Entity]) -> str | None:
    """Why these records cannot be merged together, or ``None``."""
    if len(records) < 2:
        return "Select at least two records to merge."
    categories = sorted({r.category for r in records})
    if len(categories) > 1:
        return f"Cannot merge records of different categories ({', '.join(categories)}): select records of one."
    merged = [r for r in records if r.merged_into]
    if merged:
        return "; ".join(f"{r.name} ({r.pk}) was already merged into {r.merged_into}" for r in merged) + "."
    return None


def _counts() -> dict[int, tuple[int, int]]:
    """``{record id: (current documents, mentions)}``, kept per process until the hub changes."""
    from migrahub.services import entity_pages
    from migrahub.services.documents import reader

    return entity_pages.mention_counts(reader(settings.MIGRAHUB_DB))


def _changed() -> None:
    from django.core.cache import cache

    cache.clear()  # cached networks, statistics and entity charts name records that just changed


@admin.register(Entity)
class EntityAdmin(admin.ModelAdmin):
    form = EntityForm
    list_display = ("id", "category", "name", "documents", "mentions", "curated", "merged_into")
    list_filter = ("category", "curated", MergedFilter)
    search_fields = ("name",)
    ordering = ("category", "name", "id")
    fields = ("category", "name", "fields_json", "curated", "merged_into", "created_at", "updated_at")
    readonly_fields = ("category", "curated", "merged_into", "created_at", "updated_at")
    actions = ["merge_selected"]
    show_full_result_count = False
    list_per_page = 50

    @admin.display(description="documents")
    def documents(self, obj) -> int:
        return _counts().get(obj.pk, (0, 0))[0]

    @admin.display(description="mentions")
    def mentions(self, obj) -> int:
        return _counts().get(obj.pk, (0, 0))[1]

    def has_add_permission(self, request):  # records come from extraction (or a split)
        return False

    def has_delete_permission(self, request, obj=None):  # records are merged, never deleted
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            raise PermissionDenied
        name = form.cleaned_data["name"] if "name" in form.changed_data else None
        fields = entities.field_changes(obj.category, json.loads(obj.data or "{}"), form.cleaned_data["fields_json"])
        if name is None and not fields:
            return
        # the admin view holds Django's write transaction on the same file: write once it has committed
        actor, pk = request.user.get_username(), obj.pk

        def edit():
            entities.edit_entity(settings.MIGRAHUB_DB, pk, actor, name=name, fields=fields or None)
            _changed()

        transaction.on_commit(edit)

    @admin.action(description="Merge selected records into one of them…", permissions=["change"])
    def merge_selected(self, request, queryset):
        records = list(queryset.order_by("id"))
        problem = merge_problem(records)
        if problem:
            self.message_user(request, problem, messages.ERROR)
            return None
        if request.POST.get("post") != "yes":
            counts = _counts()
            for r in records:
                r.documents_count, r.mentions_count = counts.get(r.pk, (0, 0))
            return TemplateResponse(request, "admin/web/entity/merge_selected.html", {
                **self.admin_site.each_context(request), "title": "Merge records", "records": records,
                "opts": self.model._meta, "action_checkbox_name": ACTION_CHECKBOX_NAME})
        target = next((r for r in records if str(r.pk) == request.POST.get("into")), None)
        if target is None:
            self.message_user(request, "Choose which of the selected records the others merge into.", messages.ERROR)
            return None
        actor, merged = request.user.get_username(), 0
        for record in records:
            if record.pk == target.pk:
                continue
            try:
                entities.merge_entities(settings.MIGRAHUB_DB, record.pk, target.pk, actor)
            except ValueError as exc:  # another curator changed a record meanwhile
                self.message_user(request, f"{record.name} ({record.pk}): {exc}", messages.ERROR)
                break
            merged += 1
        if merged:
            _changed()
            self.message_user(request, f"Merged {merged} record(s) into {target.name} ({target.pk}).",
                              messages.SUCCESS)
        return None
