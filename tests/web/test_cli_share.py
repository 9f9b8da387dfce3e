"""CLI of the share area: `migrahub user create`, `migrahub token create` (serve is driven by the browser tests)."""

from __future__ import annotations

from click.testing import CliRunner
from webhelpers import sql

from migrahub.cli import main


def test_user_create_with_role_and_password_from_env(hub):
    runner = CliRunner()
    result = runner.invoke(main, ["--db", str(hub.db), "user", "create", "cli-curator", "--role", "curator"],
                           env={"MIGRAHUB_PASSWORD": "a-long-enough-passphrase-7"})
    assert result.exit_code == 0, result.output
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="cli-curator")
    assert user.has_perm("web.ingest_document") and user.is_staff and not user.is_superuser
    assert user.check_password("a-long-enough-passphrase-7")
    row = sql(hub, "SELECT actor, payload FROM actions WHERE verb = 'user.create' AND object_id = 'cli-curator'")[0]
    assert row["actor"].startswith("cli") and '"curator"' in row["payload"]


def test_user_create_prompts_and_refuses_weak_password_and_duplicates(hub):
    runner = CliRunner()
    result = runner.invoke(main, ["--db", str(hub.db), "user", "create", "weakling"], input="12345\n12345\n",
                           env={"MIGRAHUB_PASSWORD": ""})
    assert result.exit_code == 2 and "password refused" in result.output
    result = runner.invoke(main, ["--db", str(hub.db), "user", "create", "reader1"],
                           env={"MIGRAHUB_PASSWORD": "a-long-enough-passphrase-7"})
    assert result.exit_code == 2 and "already exists" in result.output
    result = runner.invoke(main, ["--db", str(hub.db), "user", "create", "x", "--role", "king"])
    assert result.exit_code == 2


def test_token_create_prints_a_working_token(hub, client):
    result = CliRunner().invoke(main, ["--db", str(hub.db), "token", "create", "admin1", "--name", "ci"])
    assert result.exit_code == 0, result.output
    raw = result.output.strip()
    assert raw.startswith("mh_")
    me = client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    assert me["username"] == "admin1" and me["role"] == "admin"
    result = CliRunner().invoke(main, ["--db", str(hub.db), "token", "create", "nobody"])
    assert result.exit_code == 2 and "no user" in result.output
