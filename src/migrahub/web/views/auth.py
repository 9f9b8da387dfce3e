"""Sign-in (throttled) and the curator's ingest form."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required, permission_required
from django.core.cache import cache
from django.shortcuts import redirect, render

from migrahub.services import curation, jobs
from migrahub.services.documents import reader
from migrahub.services.intake import IntakeError, check_url, ingest_for, store_upload
from migrahub.web.forms import IngestForm, ThrottledAuthenticationForm

REPORT_KEY = "ingest_report"


class LoginView(auth_views.LoginView):
    form_class = ThrottledAuthenticationForm
    template_name = "web/login.html"
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.locked:
            response.status_code = 429
        return response


class LogoutView(auth_views.LogoutView):
    pass


@login_required
@permission_required("web.ingest_document", raise_exception=True)
def ingest(request):
    form = IngestForm(request.POST or None, request.FILES or None)
    summary = None
    if request.method == "POST" and form.is_valid():
        try:
            targets = []
            if form.cleaned_data.get("url"):
                targets.append(check_url(form.cleaned_data["url"]))
            upload = form.cleaned_data.get("file")
            if upload:
                path = store_upload(settings.MIGRAHUB_UPLOAD_DIR, upload.name, upload.chunks(),
                                    settings.MIGRAHUB_UPLOAD_MAX_BYTES)
                targets.append(str(path))
            if form.cleaned_data.get("background"):
                job = jobs.submit("ingest", {"targets": targets}, request.user.get_username())
                messages.success(request, f"Queued: {job.label}.")
                return redirect("job", job_id=job.id)
            summary = ingest_for(settings.MIGRAHUB_DB, request.user.get_username(), targets)
        except (IntakeError, jobs.JobError) as exc:
            form.add_error(None, str(exc))
        else:
            cache.clear()  # cached counts, networks and charts now miss the new documents
            messages.success(request, f"Ingested: {summary.added} added, {summary.versions} new versions, "
                                      f"{summary.unchanged + summary.linked} already known, "
                                      f"{len(summary.failed)} failed.")
            report = curation.ingest_report(reader(settings.MIGRAHUB_DB), list(summary.documents),
                                            list(summary.failed), settings.MIGRAHUB_UPLOAD_DIR)
            request.session[REPORT_KEY] = {**report, "run": summary.run_id}
            return redirect("ingest")
    return render(request, "web/ingest.html", {"form": form, "report": request.session.pop(REPORT_KEY, None)})
