from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from migrahub.web import throttle

LOCKED = {
    "user": "Too many failed sign-ins for this account from your address. Try again in %(minutes)s minutes.",
    "client": "Too many failed sign-ins from your address. Try again in %(minutes)s minutes.",
}


class ThrottledFormMixin:
    """Says why a sign-in was refused when the throttle (:mod:`migrahub.web.throttle`, enforced by the
    authentication backend for every form) holds a lock on it; ``locked`` tells the view to answer 429."""

    locked = False

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            lock = getattr(self.request, throttle.LOCK, None) if self.request is not None else None
            if lock:
                self.locked = True
                raise ValidationError(LOCKED[lock], code="locked",
                                      params={"minutes": settings.MIGRAHUB_LOGIN_LOCK_MINUTES}) from None
            raise


class ThrottledAuthenticationForm(ThrottledFormMixin, AuthenticationForm):
    """Django's sign-in form with the throttle's message."""


class IngestForm(forms.Form):
    url = forms.URLField(label="Web page or feed URL", required=False, assume_scheme="https",
                         help_text="An http(s) address of a page, an RSS/Atom feed or an OPML list.")
    file = forms.FileField(label="Or upload a file", required=False,
                           help_text="Text, Markdown, HTML, PDF, Word (.docx), RSS/Atom or OPML.")
    background = forms.BooleanField(label="Run in the background", required=False,
                                    help_text="Queue the ingest as a job and follow it on the jobs page (large "
                                              "feeds, OPML lists and files).")

    def clean(self):
        data = super().clean()
        if not data.get("url") and not data.get("file"):
            raise ValidationError("Give a URL or choose a file.")
        return data
