"""What a private hub (``MIGRAHUB_ANONYMOUS_READ`` off) still opens without signing in: the anonymous incident form
and the links whose secret token is the key (private alert feeds, unsubscribe links); and the bibliography upload
routes, which only curators may use."""

from __future__ import annotations

from django.test import override_settings


def test_a_private_hub_opens_the_incident_form_and_token_links_only(client):
    with override_settings(MIGRAHUB_ANONYMOUS_READ=False):
        assert client.get("/incidents/report").status_code == 200
        assert client.get("/monitor/feeds/alert/not-a-token.atom").status_code == 404  # the token decides, not login
        assert client.get("/monitor/alerts/unsubscribe/not-a-secret/").status_code in (400, 404)
        for path in ("/incidents/", "/monitor/stories/", "/library/resources", "/compare/"):
            response = client.get(path)
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], path


def test_bibliography_uploads_need_a_curator_before_the_body_is_read(client, login):
    ris = b"TY  - RPRT\nTI  - Local integration in small towns\nPY  - 2021\nER  - \n"
    from django.core.files.uploadedfile import SimpleUploadedFile

    refused = client.post("/library/resources/import", {"file": SimpleUploadedFile("refs.ris", ris)})
    assert refused.status_code == 302 and "/accounts/login/" in refused["Location"]
    forbidden = login("coder").post("/library/resources/import", {"file": SimpleUploadedFile("refs.ris", ris)})
    assert forbidden.status_code == 403
    assert client.post("/api/connect/resources/import", {"file": SimpleUploadedFile("refs.ris", ris)}).status_code \
        == 401
    curator = login("curator")
    done = curator.post("/library/resources/import", {"file": SimpleUploadedFile("refs.ris", ris)})
    assert done.status_code == 302 and done["Location"].endswith("/library/resources")
    assert "Local integration in small towns" in curator.get("/library/resources").content.decode()
