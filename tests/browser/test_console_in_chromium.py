"""The console in real Chromium against `tollway serve`: sign up with a passkey, sign out, sign in
again; make a key and stream a playground answer, then see it in the usage charts and the request
log; connect the CLI with a device code (both flows) and see it refused once its key is revoked;
follow and cancel operations; and the attacks a browser can make — a page of another origin riding
the session cookie, a replayed assertion, a cloned authenticator, a key named `<script>`."""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from tests.browser.conftest import ROOT, Site, Visitor
from tests.fakes.jobs import JobScript
from tests.fakes.replicate import FakeReplicate
from tests.fakes.server import ThreadedServer


def tollway(site: Site, home: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tollway.cli", *args], capture_output=True, text=True, timeout=60,
                          cwd=ROOT, env=_cli_env(site, home) | env)


def _cli_env(site: Site, home: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("TOLLWAY_API_KEY", "TOLLWAY_CONFIG_DIR")}
    return clean | {"XDG_CONFIG_HOME": str(home), "HOME": str(home), "TOLLWAY_URL": site.served.url,
                    "COLUMNS": "120", "PYTHONPATH": str(ROOT / "layers" / "core")}


def fund(site: Site, account_id: str, credits: str) -> None:
    """The operator grants the account its credits, which all its keys spend."""
    from tests.integration.console.funding import fund as grant

    grant(site.admin, account_id, credits)


def until(check: Any, timeout_s: float = 15.0) -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        found = check()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def test_a_user_signs_up_with_a_passkey_signs_out_and_signs_in_again(visitor: Visitor, site: Site) -> None:
    page = visitor.go("/console/sign-up")
    page.fill("input[name=name]", "Ada Lovelace")
    page.fill("input[name=passkey_name]", "Virtual Touch ID")
    visitor.shot("sign-up")
    page.click("form[data-form=sign-up] button[type=submit]")
    page.wait_for_url("**/console/keys")
    assert page.text_content(".user-name") == "Ada Lovelace"
    credentials = visitor.cdp.send("WebAuthn.getCredentials", {"authenticatorId": visitor.authenticator})["credentials"]
    assert len(credentials) == 1 and credentials[0]["isResidentCredential"] and credentials[0]["rpId"] == "localhost"
    cookie = next(c for c in visitor.context.cookies() if c["name"] == "tollway_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["domain"] == "localhost"

    page.click("[data-action=sign-out]")
    page.wait_for_url("**/console/sign-in")
    assert not any(c["name"] == "tollway_session" for c in visitor.context.cookies())
    visitor.go("/console/account")
    assert page.url == site.url("/console/sign-in?next=/console/account")
    visitor.shot("sign-in")

    page.click("[data-action=sign-in]")
    page.wait_for_url("**/console/account")  # back where the sign-in began
    assert page.text_content("[data-testid=account-balance]").strip() == "0 credits"
    assert page.locator("[data-testid=passkeys] tbody tr").count() == 1
    assert "Virtual Touch ID" in page.text_content("[data-testid=passkeys]")
    assert page.locator("[data-testid=sessions] tbody tr").count() == 1
    visitor.shot("account")


def test_a_new_key_streams_a_playground_answer_that_shows_in_the_usage_charts_and_log(visitor: Visitor,
                                                                                     site: Site) -> None:
    visitor.sign_up("Grace")
    page = visitor.page
    page.fill("form[data-form=create-key] input[name=name]", "playground")
    page.select_option("form[data-form=create-key] select[name=rpm]", "120")
    page.click("form[data-form=create-key] button[type=submit]")
    secret = page.locator("[data-testid=new-key] .secret-value")
    secret.wait_for()
    assert secret.text_content().startswith("sk-tw-")
    assert page.get_attribute("[data-testid=keys] tbody tr", "data-key-id")
    visitor.shot("keys")
    account_id = visitor.api("GET", "/account")["body"]["account"]["id"]
    fund(site, account_id, "1")

    visitor.go("/console/playground")
    assert not page.is_visible(".secret-input")  # the secret made in this tab is kept for the playground
    page.fill(".message textarea", "stream this answer word by word")
    page.click("form[data-form=playground] button[type=submit]")
    # (Locators, not wait_for_function: the page's CSP forbids the eval that one would need.)
    page.locator("[data-testid=answer]", has_text="word by word").wait_for()
    assert page.text_content("[data-testid=answer]").strip() == "stream this answer word by word"
    assert page.text_content("[data-testid=status]").startswith("200")
    headers = page.text_content("[data-testid=headers]")
    assert "x-model-used" in headers and "local/echo" in headers and "x-request-id" in headers
    assert "x-credits-reserved" in headers and "data: " in page.text_content("[data-testid=raw]")
    visitor.shot("playground")
    page.uncheck("input[name=stream]")
    page.click("form[data-form=playground] button[type=submit]")
    page.locator("[data-testid=raw]", has_text=re.compile(r'"chat\.completion"')).wait_for()
    assert "x-credits-used" in page.text_content("[data-testid=headers]")
    page.click("[data-action=copy-curl]")
    snippet = page.text_content("[data-testid=snippet]")
    assert f"{site.origin}/v1/chat/completions" in snippet and "$TOLLWAY_API_KEY" in snippet
    assert "sk-tw-" not in snippet  # the secret never lands in a copied command

    def logged() -> bool:
        visitor.go("/console/usage")
        return page.locator("[data-testid=request-log] tbody tr:not(.empty)").count() == 2

    assert until(logged), page.text_content("[data-testid=request-log]")
    assert page.text_content("[data-testid=total-requests]") == "2"
    assert page.locator("[data-testid=credits-chart] rect").count() >= 1
    assert page.locator("[data-testid=requests-chart] rect title").first.text_content().endswith("local/echo: 2")
    visitor.shot("usage")
    page.click("[data-testid=request-log] tbody tr a")
    page.wait_for_url("**/console/usage/requests/req_*")
    assert "chat.completions" in page.text_content("[data-testid=request]")
    visitor.shot("request")
    page.click("a[href$='/console/usage']")
    page.click("a[href$='/usage?days=30']")
    assert page.locator("[data-testid=requests-chart] svg text").count() >= 6


def test_a_device_code_connects_the_cli_which_is_refused_once_its_key_is_revoked(visitor: Visitor, site: Site,
                                                                                  tmp_path: Path) -> None:
    visitor.sign_up("Linus")
    page = visitor.go("/console/devices")
    page.uncheck("form[data-form=device-code] input[value='ai:generate']")
    page.click("form[data-form=device-code] button[type=submit]")
    page.locator("[data-testid=device-code] .command").wait_for()
    command = page.text_content("[data-testid=device-code] .command")
    code = re.fullmatch(r"tollway auth ([2-9A-Z]{4}-[2-9A-Z]{4})", command).group(1)  # type: ignore[union-attr]
    signed_in = tollway(site, tmp_path, "auth", code, "--name", "build box")
    assert signed_in.returncode == 0, signed_in.stderr
    assert "Signed in" in signed_in.stdout and "scopes ai:read" in signed_in.stdout
    me = tollway(site, tmp_path, "whoami")
    assert me.returncode == 0 and "build box" in me.stdout, me.stderr

    visitor.go("/console/devices")
    row = page.locator("[data-testid=device-keys] tbody tr", has_text="build box")
    assert row.count() == 1
    visitor.shot("devices")
    row.locator("[data-action=revoke-key]").click()
    page.locator("[data-testid=device-keys] tbody tr.revoked").wait_for()
    refused = tollway(site, tmp_path, "whoami")
    assert refused.returncode == 1 and "revoked" in refused.stderr

    # RFC 8628 style: the CLI shows a code, the user approves it in the console.
    device = subprocess.Popen([sys.executable, "-m", "tollway.cli", "auth", "--device", "--name", "ci runner"],
                              cwd=ROOT, env=_cli_env(site, tmp_path / "ci"), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        assert device.stdout is not None
        shown = "".join(device.stdout.readline() for _ in range(5))
        link = re.search(r"\(or open (\S+)\)", shown).group(1)  # type: ignore[union-attr]
        assert link.startswith(f"{site.origin}/console/device?code=")
        page.goto(link)
        assert page.text_content("[data-testid=pending-device]") == "ci runner"
        visitor.shot("device-approval")
        page.click("form[data-form=approve-device] button[type=submit]")
        page.locator(".flash[data-kind=info]").wait_for()
        out, err = device.communicate(timeout=30)
    finally:
        device.kill()
    assert device.returncode == 0, err
    assert "Signed in" in out and "ci runner" in tollway(site, tmp_path / "ci", "whoami").stdout


def test_operations_are_listed_followed_from_the_cli_and_cancelled(visitor: Visitor, site: Site,
                                                                   replicate: FakeReplicate, tmp_path: Path) -> None:
    visitor.sign_up("Hedy")
    created = visitor.api("POST", "/keys", {"name": "jobs"})["body"]
    account_id = visitor.api("GET", "/account")["body"]["account"]["id"]
    fund(site, account_id, "20")
    auth = {"authorization": f"Bearer {created['key']}"}
    replicate.book.script = JobScript(polls=10_000)
    long_job = httpx.post(f"{site.served.url}/v1/music/generations", headers=auth, timeout=10,
                          json={"model": "replicate/acme/music-gen", "prompt": "lofi"}).json()
    document = base64.b64encode(b"# Title\n\nA paragraph to parse.").decode()
    quick = httpx.post(f"{site.served.url}/v1/documents/parse", headers=auth, timeout=10,
                       json={"data": document, "filename": "notes.md", "async": True}).json()
    waited = tollway(site, tmp_path, "operations", "wait", quick["id"], "--interval", "0.5",
                     TOLLWAY_API_KEY=created["key"])
    assert waited.returncode == 0, waited.stderr
    assert waited.stdout.strip().splitlines()[-1].startswith("http") and "succeeded" in waited.stdout + waited.stderr

    page = visitor.go("/console/operations")
    rows = page.locator("[data-testid=operations] tbody tr")
    assert rows.count() == 2
    assert page.locator(f"tr[data-operation-id='{quick['id']}'] .status").text_content() == "succeeded"
    visitor.shot("operations")
    page.click(f"tr[data-operation-id='{long_job['id']}'] [data-action=cancel-operation]")
    page.locator(f"tr[data-operation-id='{long_job['id']}'] .status", has_text="cancelled").wait_for()
    final = httpx.get(f"{site.served.url}/v1/operations/{long_job['id']}", headers=auth).json()
    assert final["status"] == "cancelled" and final["credits_used"] == 0


def test_a_page_of_another_origin_riding_the_session_cookie_changes_nothing(visitor: Visitor, site: Site) -> None:
    visitor.sign_up("Ada")
    target = site.origin
    evil_html = f"""<!doctype html><body><form id=f method=POST action="{target}/console/api/keys"
        enctype="text/plain"><input name='{{"name":"evil","x":"' value='"}}'></form><script>
        window.results = [];
        const tries = [
          fetch("{target}/console/api/keys", {{method: "POST", credentials: "include", mode: "no-cors",
                headers: {{"Content-Type": "text/plain"}}, body: JSON.stringify({{name: "evil-fetch"}})}}),
          fetch("{target}/console/api/keys", {{credentials: "include"}}).then(r => r.text()),
          fetch("{target}/console/api/sessions/revoke-all", {{method: "POST", credentials: "include", mode: "no-cors"}}),
        ];
        Promise.allSettled(tries).then(r => {{ window.results = r.map(x => x.status); document.getElementById("f").submit(); }});
        </script></body>"""

    async def evil(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/html")]})
        await send({"type": "http.response.body", "body": evil_html.encode()})

    with ThreadedServer(evil) as server:  # same site (localhost), another origin (another port)
        attacker = visitor.context.new_page()
        attacker.goto(f"http://localhost:{server.port}/")
        attacker.wait_for_url(f"{target}/console/api/keys", timeout=10_000)  # the form's post landed
        assert '"cross_origin_request"' in attacker.content()
        attacker.close()
    keys = visitor.api("GET", "/keys")
    assert keys["status"] == 200 and keys["body"]["data"] == []  # and the session is still alive


def test_a_replayed_assertion_and_a_cloned_authenticator_cannot_sign_in(visitor: Visitor, site: Site) -> None:
    visitor.sign_up("Ada")
    page = visitor.page
    page.click("[data-action=sign-out]")
    page.wait_for_url("**/console/sign-in")
    with page.expect_request("**/console/api/sign-in/verify") as captured:
        page.click("[data-action=sign-in]")
    page.wait_for_url("**/console/keys")
    answer = captured.value.post_data_json
    replayed = httpx.post(f"{site.served.url}/console/api/sign-in/verify", json=answer,
                          headers={"origin": site.origin})
    assert replayed.status_code == 400 and replayed.json()["error"]["code"] == "ceremony_expired"
    assert "set-cookie" not in replayed.headers

    # A clone of the passkey whose counter lags the original's: the stored count is ahead of it.
    user_id = visitor.api("GET", "/account")["body"]["user"]["id"]
    ddb = site.dynamodb()
    (item,) = ddb.query(TableName="AccountsTable", KeyConditionExpression="pk = :pk AND begins_with(sk, :p)",
                        ExpressionAttributeValues={":pk": {"S": f"user#{user_id}"}, ":p": {"S": "passkey#"}})["Items"]
    ddb.update_item(TableName="AccountsTable", Key={"pk": item["pk"], "sk": item["sk"]},
                    UpdateExpression="SET sign_count = :ahead", ExpressionAttributeValues={":ahead": {"N": "1000"}})
    page.click("[data-action=sign-out]")
    page.wait_for_url("**/console/sign-in")
    page.click("[data-action=sign-in]")
    page.locator(".flash:not([hidden])").wait_for()
    assert "sign count" in page.text_content(".flash")
    assert page.url.endswith("/console/sign-in") and not any(c["name"] == "tollway_session"
                                                             for c in visitor.context.cookies())


def test_a_key_named_script_is_text_on_the_page(visitor: Visitor) -> None:
    hostile = "<script>window.pwn=1</script><img src=x onerror=window.pwn=2>"  # within the 64 characters of a name
    visitor.sign_up(hostile)
    page = visitor.page
    page.fill("form[data-form=create-key] input[name=name]", hostile)
    page.click("form[data-form=create-key] button[type=submit]")
    page.locator("[data-testid=new-key] .secret-value").wait_for()
    visitor.go("/console/keys")
    assert page.text_content("[data-testid=keys] tbody .key-name").strip() == hostile
    assert page.text_content(".user-name") == hostile
    assert page.evaluate("window.pwn") is None
    assert page.locator("[data-testid=keys] img, [data-testid=keys] script").count() == 0
