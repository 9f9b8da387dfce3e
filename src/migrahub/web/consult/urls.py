"""Pages of the consult feature (included at the hub's root by `migrahub.web.urls`)."""

from django.urls import path, re_path

from migrahub.web.consult import incidents, views

urlpatterns = [
    path("consult/", views.index, name="consult-index"),
    path("consult/new", views.new, name="consult-new"),
    path("consult/receipt/<str:receipt>", views.receipt, name="consult-receipt"),
    path("consult/<slug:slug>/", views.detail, name="consult-detail"),
    path("consult/<slug:slug>/manage", views.manage, name="consult-manage"),
    path("consult/<slug:slug>/answer", views.answer, name="consult-answer"),
    path("consult/<slug:slug>/submissions", views.submissions, name="consult-submissions"),
    re_path(r"^consult/(?P<slug>[-\w]+)/submissions\.(?P<fmt>csv|json)$", views.submissions_export,
            name="consult-submissions-export"),
    path("consult/<slug:slug>/submissions/<int:sid>/flag", views.flag, name="consult-flag"),
    path("consult/<slug:slug>/moderate", views.moderate, name="consult-moderate"),
    path("consult/<slug:slug>/import", views.import_rows, name="consult-import"),
    path("consult/<slug:slug>/report", views.report, name="consult-report"),
    path("consult/<slug:slug>/report/edit", views.report_edit, name="consult-report-edit"),
    re_path(r"^consult/(?P<slug>[-\w]+)/report\.(?P<fmt>html|md|pdf|docx)$", views.report_export,
            name="consult-report-export"),
    re_path(r"^consult/(?P<slug>[-\w]+)/polis/(?P<name>comments|votes|participants-votes)\.csv$", views.polis_file,
            name="consult-polis"),
    path("incidents/", incidents.aggregates, name="incidents"),
    path("incidents/report", incidents.report_form, name="incidents-report"),
    path("incidents/review", incidents.review, name="incidents-review"),
    re_path(r"^incidents\.(?P<fmt>csv|json)$", incidents.export, name="incidents-export"),
]
