"""The `tollway` command as a user of a gateway runs it: `tollway auth CODE` saves a key only the
user can read, then whoami, usage and chat use it (or TOLLWAY_API_KEY); the operator grants credits
and makes invites from the same command."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import httpx

from tests.integration.console.client import Console, ConsoleUser
from tests.integration.console.funding import fund
from tests.integration.console.test_device_codes import make_code

ROOT = Path(__file__).resolve().parents[3]


def tollway(console: Console, home: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("TOLLWAY_API_KEY", "TOLLWAY_CONFIG_DIR", "TOLLWAY_URL")}
    return subprocess.run([sys.executable, "-m", "tollway.cli", *args], capture_output=True, text=True, timeout=60,
                          cwd=ROOT, env=clean | {"XDG_CONFIG_HOME": str(home), "HOME": str(home),
                                                 "TOLLWAY_URL": console.url, "COLUMNS": "120",
                                                 "PYTHONPATH": str(ROOT / "layers" / "core")} | env)


def signed_in_cli(console: Console, home: Path, user: ConsoleUser, name: str = "laptop") -> dict[str, str]:
    done = tollway(console, home, "auth", make_code(user), "--name", name)
    assert done.returncode == 0, done.stderr
    return json.loads((home / "tollway" / "credentials.json").read_text())  # type: ignore[no-any-return]


def test_tollway_auth_saves_a_key_only_the_user_can_read_and_whoami_uses_it(console: Console, tmp_path: Path) -> None:
    ada = console.user().sign_up("Ada")
    saved = signed_in_cli(console, tmp_path, ada)
    path = tmp_path / "tollway" / "credentials.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert saved["url"] == console.url and saved["name"] == "laptop" and saved["account_id"] == ada.account_id
    assert saved["key"].startswith(f"sk-tw-{saved['key_id']}")
    me = tollway(console, tmp_path, "whoami")
    assert me.returncode == 0, me.stderr
    assert "laptop" in me.stdout and ada.account_id in me.stdout and "credits:  0" in me.stdout
    other = ada.create_key("ci")
    as_env = tollway(console, tmp_path, "whoami", TOLLWAY_API_KEY=other["key"])
    assert as_env.returncode == 0 and "ci (" in as_env.stdout  # the environment wins over the saved key


def test_a_wrong_expired_or_used_code_tells_the_cli_user_what_to_do(console: Console, tmp_path: Path) -> None:
    ada = console.user().sign_up("Ada")
    wrong = tollway(console, tmp_path, "auth", "ZZZZ-ZZZ2")
    assert wrong.returncode == 1 and "that code does not exist" in wrong.stderr
    code = make_code(ada)
    assert tollway(console, tmp_path, "auth", code).returncode == 0
    used = tollway(console, tmp_path / "other", "auth", code)
    assert used.returncode == 1 and "already used" in used.stderr and "Traceback" not in used.stderr
    nothing = tollway(console, tmp_path / "empty", "whoami")
    assert nothing.returncode == 1 and "tollway auth CODE" in nothing.stderr


def test_tollway_chat_streams_and_usage_prints_a_table(console: Console, tmp_path: Path) -> None:
    ada = console.user().sign_up("Ada")
    signed_in_cli(console, tmp_path, ada)
    fund(console.admin, ada.account_id, "1")
    answer = tollway(console, tmp_path, "chat", "hello from the terminal", "--model", "local/echo")
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.strip() == "hello from the terminal" and "local/echo" in answer.stderr
    assert "credits]" in answer.stderr
    table = tollway(console, tmp_path, "usage")
    assert table.returncode == 0, table.stderr
    assert "last 7 days" in table.stdout and "local/echo" in table.stdout
    total = next(line for line in table.stdout.splitlines() if "total" in line)
    assert " 1 " in total


def test_a_revoked_key_is_refused_with_a_way_forward(console: Console, tmp_path: Path) -> None:
    ada = console.user().sign_up("Ada")
    saved = signed_in_cli(console, tmp_path, ada)
    assert ada.api("DELETE", f"/keys/{saved['key_id']}").status_code == 204
    refused = tollway(console, tmp_path, "whoami")
    assert refused.returncode == 1 and "revoked" in refused.stderr and "tollway auth CODE" in refused.stderr


def test_the_operator_grants_credits_and_makes_invites_from_the_cli(console: Console, tmp_path: Path) -> None:
    ada = console.user().sign_up("Ada")
    admin_key = str(console.admin.headers["authorization"]).split()[1]
    granted = tollway(console, tmp_path, "accounts", "credit", ada.account_id, "7.5", "--note", "pilot",
                      "--url", console.url, "--admin-key", admin_key)
    assert granted.returncode == 0 and granted.stdout.strip() == "7.5", granted.stderr
    shown = tollway(console, tmp_path, "accounts", "show", ada.account_id, "--url", console.url, "--admin-key", admin_key)
    assert json.loads(shown.stdout)["grants"][0]["note"] == "pilot"
    assert ada.api("GET", "/account").json()["account"]["credits"] == 7.5
    invite = tollway(console, tmp_path, "invites", "create", "--uses", "2", "--url", console.url, "--admin-key", admin_key)
    assert invite.returncode == 0 and invite.stdout.strip().startswith("inv_")
    missing = tollway(console, tmp_path, "accounts", "credit", "acct_0000000000000000", "1", "--url", console.url,
                      "--admin-key", admin_key)
    assert missing.returncode == 1 and "HTTP 404" in missing.stderr
    assert httpx.get(f"{console.url}/admin/accounts/{ada.account_id}").status_code == 401
