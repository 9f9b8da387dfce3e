"""Pages of the background jobs for curators: the queue with each job's status and progress, a job's attempts and
result, cancel and retry, and ingests submitted to run in the background. Thin: read the request, call
``migrahub.services.jobs``, render."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from migrahub.jobs import JobError, JobNotFound
from migrahub.services import jobs as service
from migrahub.services.intake import IntakeError, check_url, store_upload
from migrahub.web.forms import IngestForm

MANAGE = "web.ingest_document"  # curators (and admins) follow and run the hub's jobs
PAGE = 50
STATUS_CHOICES = ("active", "queued", "running", "succeeded", "failed", "cancelled")


def _curator(request) -> None:
    if not request.user.has_perm(MANAGE):
        raise PermissionDenied("your role does not allow following the hub's jobs")


def _job(job_id):
    try:
        return service.get(str(job_id))
    except JobNotFound:
        raise Http404("no such job") from None


@login_required
@require_safe
def job_list(request):
    _curator(request)
    status = request.GET.get("status") or None
    status = status if status in STATUS_CHOICES else None
    return render(request, "jobs/list.html", {
        "jobs": service.listing(status=status, limit=PAGE), "counts": service.counts(), "status": status,
        "statuses": STATUS_CHOICES, "workers": service.workers(), "form": IngestForm()})


@login_required
@require_safe
def job_detail(request, job_id):
    _curator(request)
    job = _job(job_id)
    result = job.result if isinstance(job.result, dict) else {}
    failed = result.get("failed") if isinstance(result.get("failed"), list) else []
    facts = [(key, value) for key, value in result.items() if not (key == "failed" and failed)]
    return render(request, "jobs/detail.html", {"job": job, "facts": facts, "failed": failed,
                                                "has_file": bool(result.get("file"))})


@login_required
@require_POST
def submit_ingest(request):
    _curator(request)
    form = IngestForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("jobs")
    try:
        targets = []
        if form.cleaned_data.get("url"):
            targets.append(check_url(form.cleaned_data["url"]))
        upload = form.cleaned_data.get("file")
        if upload:
            targets.append(str(store_upload(settings.MIGRAHUB_UPLOAD_DIR, upload.name, upload.chunks(),
                                            settings.MIGRAHUB_UPLOAD_MAX_BYTES)))
        job = service.submit("ingest", {"targets": targets}, request.user.get_username())
    except (IntakeError, JobError) as exc:
        messages.error(request, str(exc))
        return redirect("jobs")
    messages.success(request, f"Queued: {job.label}.")
    return redirect("job", job_id=job.id)


@login_required
@require_POST
def submit_watch(request):
    _curator(request)
    job = service.submit("watch", {}, request.user.get_username())
    messages.success(request, "Queued: one pass over the watched feeds and pages.")
    return redirect("job", job_id=job.id)


@login_required
@require_POST
def job_cancel(request, job_id):
    _curator(request)
    _job(job_id)
    try:
        job = service.cancel(str(job_id), request.user.get_username())
        messages.success(request, "Cancelled." if job.status == "cancelled" else "Asked the job to stop.")
    except JobError as exc:
        messages.error(request, str(exc))
    return redirect("job", job_id=job_id)


@login_required
@require_POST
def job_retry(request, job_id):
    _curator(request)
    _job(job_id)
    try:
        job = service.retry(str(job_id), request.user.get_username())
    except JobError as exc:
        messages.error(request, str(exc))
        return redirect("job", job_id=job_id)
    messages.success(request, "Queued again as a new job.")
    return redirect("job", job_id=job.id)


@login_required
@require_safe
def job_file(request, job_id):
    """The file an export or report job wrote to the hub's export folder."""
    _curator(request)
    job = _job(job_id)
    name = job.result.get("file") if job.status == "succeeded" and isinstance(job.result, dict) else None
    folder = service.exports_dir().resolve()
    path = Path(name).resolve() if name else None
    if path is None or not path.is_relative_to(folder) or not path.is_file():
        raise Http404("this job wrote no file to the hub's export folder")
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)
