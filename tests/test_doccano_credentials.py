"""doccano credentials: from the environment or netrc, never shown (no server needed)."""

from __future__ import annotations

import pytest

from .conftest import import_doccano

doccano = import_doccano()
DoccanoError, credentials = doccano.DoccanoError, doccano.credentials


def test_credentials_come_from_the_environment_and_hide_the_password():
    creds = credentials({"DOCCANO_URL": "http://127.0.0.1:8000/", "DOCCANO_USERNAME": "ann",
                         "DOCCANO_PASSWORD": "s3cret-value"})
    assert (creds.url, creds.username, creds.password) == ("http://127.0.0.1:8000", "ann", "s3cret-value")
    assert "s3cret-value" not in repr(creds) and "s3cret-value" not in str(creds)


def test_netrc_gives_the_login_for_the_servers_host(tmp_path):
    rc = tmp_path / "netrc"
    rc.write_text("machine 127.0.0.1 login ann password from-netrc\n")
    rc.chmod(0o600)
    creds = credentials({"DOCCANO_URL": "http://127.0.0.1:8000"}, netrc_file=str(rc))
    assert (creds.username, creds.password) == ("ann", "from-netrc")


def test_missing_settings_are_named_without_secrets(tmp_path):
    with pytest.raises(DoccanoError, match="DOCCANO_URL"):
        credentials({})
    with pytest.raises(DoccanoError, match="DOCCANO_USERNAME and DOCCANO_PASSWORD"):
        credentials({"DOCCANO_URL": "http://127.0.0.1:8000", "DOCCANO_PASSWORD": "half"},
                    netrc_file=str(tmp_path / "none"))


def test_the_password_never_reaches_output_errors_or_argv(tmp_path):
    import os
    import subprocess
    import sys

    from .conftest import ROOT, SEED

    secret = "pw-7f3a9c-never-shown"
    env = {**os.environ, "DOCCANO_URL": "http://127.0.0.1:9", "DOCCANO_USERNAME": "admin",
           "DOCCANO_PASSWORD": secret, "PYTHONPATH": str(ROOT)}
    for action in (["push", str(SEED), "--project", "p"], ["pull", "--project", "p", "-o", str(tmp_path / "o.jsonl")]):
        # port 9 (discard) is closed: the login fails, and says so without the secret
        proc = subprocess.run([sys.executable, "-m", "thresher", "doccano", *action], env=env,
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode != 0
        assert "Traceback" not in proc.stderr
        assert secret not in proc.stdout + proc.stderr
    help_text = subprocess.run([sys.executable, "-m", "thresher", "doccano", "push", "--help"], env=env,
                               capture_output=True, text=True, timeout=120).stdout
    assert "--password" not in help_text and "DOCCANO_PASSWORD" in help_text
    assert not list(tmp_path.iterdir())  # nothing written for a pull that could not log in
