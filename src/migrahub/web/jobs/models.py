"""The hub's layer over django-tasks' queue table (``DBTaskResult``): what a job is for people (kind, label, who
submitted it, progress, each failed attempt, cancellation) and the workers' heartbeats. Read and written only
through ``migrahub.store.jobs``."""

from django.db import models


class JobInfo(models.Model):
    task = models.OneToOneField("django_tasks_database.DBTaskResult", primary_key=True, on_delete=models.CASCADE,
                                related_name="hub_job")
    kind = models.CharField(max_length=40)
    label = models.CharField(max_length=500)
    submitted_by = models.CharField(max_length=150)
    max_attempts = models.PositiveSmallIntegerField(default=5)
    cancel_requested = models.BooleanField(default=False)
    cancelled = models.BooleanField(default=False)
    done = models.IntegerField(default=0)
    total = models.IntegerField(null=True)
    note = models.CharField(max_length=500, blank=True, default="")
    errors = models.JSONField(default=list)
    retry_of = models.UUIDField(null=True)

    class Meta:
        indexes = [models.Index(fields=["kind"])]


class JobWorker(models.Model):
    worker_id = models.CharField(primary_key=True, max_length=64)
    host = models.CharField(max_length=255)
    pid = models.IntegerField()
    started_at = models.DateTimeField()
    heartbeat_at = models.DateTimeField(db_index=True)
    stopped_at = models.DateTimeField(null=True)
