"""Pages of the background jobs (included at the hub's root by `migrahub.web.urls`)."""

from django.urls import path

from migrahub.web.jobs import views

urlpatterns = [
    path("jobs/", views.job_list, name="jobs"),
    path("jobs/ingest", views.submit_ingest, name="jobs-ingest"),
    path("jobs/watch", views.submit_watch, name="jobs-watch"),
    path("jobs/<uuid:job_id>/", views.job_detail, name="job"),
    path("jobs/<uuid:job_id>/cancel", views.job_cancel, name="job-cancel"),
    path("jobs/<uuid:job_id>/retry", views.job_retry, name="job-retry"),
    path("jobs/<uuid:job_id>/file", views.job_file, name="job-file"),
]
