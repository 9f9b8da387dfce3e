from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from migrahub.web import accounts


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's sign-in form, refusing a username+address pair after too many recent failures."""

    locked = False

    def clean(self):
        username = (self.cleaned_data.get("username") or "").strip()
        ip = accounts.client_ip(self.request)
        if username and accounts.is_locked(username, ip):
            self.locked = True
            raise ValidationError(
                "Too many failed sign-ins for this account from your address. Try again in %(minutes)s minutes.",
                code="locked", params={"minutes": settings.MIGRAHUB_LOGIN_LOCK_MINUTES})
        try:
            return super().clean()
        except ValidationError:
            if username and accounts.record_failure(username, ip):
                self.locked = True
            raise


class IngestForm(forms.Form):
    url = forms.URLField(label="Web page or feed URL", required=False, assume_scheme="https",
                         help_text="An http(s) address of a page, an RSS/Atom feed or an OPML list.")
    file = forms.FileField(label="Or upload a file", required=False,
                           help_text="Text, Markdown, HTML, PDF, Word (.docx), RSS/Atom or OPML.")

    def clean(self):
        data = super().clean()
        if not data.get("url") and not data.get("file"):
            raise ValidationError("Give a URL or choose a file.")
        return data
