"""Real Chromium (Debian's package, no browser download) driven by Playwright against a real
`tollway serve`, with a virtual authenticator standing in for Touch ID (CDP's WebAuthn domain).

The browser opens http://localhost:<port>, the origin the served console expects, so the passkeys
are made and used for RP ID `localhost` exactly as on a developer's machine. Every page a test
visits can be kept as a screenshot in tests/artifacts/console/ (git-ignored).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fakes.replicate import FakeReplicate
from tests.served import ServedGateway

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts" / "console"
CHROMIUM = ("/usr/lib/chromium/chromium", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
REPLICATE_TOKEN = "r8_Hq4Wz8Lk2Xm6Np1Rv5Tb9Yc3Hd7Js0Ga4Ue"


def chromium_path() -> str:
    found = next((p for p in CHROMIUM if os.access(p, os.X_OK)), None)
    if found is None:
        pytest.fail("Chromium is not installed: `make test` installs Debian's package (apt-get install chromium)")
    return found


@pytest.fixture(scope="session")
def replicate() -> Iterator[FakeReplicate]:
    fake = FakeReplicate().start()
    yield fake
    fake.stop()


class Site:
    """The served gateway as the browser and the CLI reach it."""

    def __init__(self, served: ServedGateway) -> None:
        self.served = served
        self.origin = f"http://localhost:{served.port}"
        self.admin = httpx.Client(base_url=served.url, headers={"authorization": f"Bearer {served.admin_key}"},
                                  timeout=10)

    def url(self, path: str) -> str:
        return self.origin + path

    def dynamodb(self) -> Any:
        import boto3

        return boto3.client("dynamodb", endpoint_url=self.served.emulator_url, region_name="us-east-1",
                            aws_access_key_id="testing", aws_secret_access_key="testing")


@pytest.fixture(scope="module")
def site(replicate: FakeReplicate) -> Iterator[Site]:
    port_env = {"TOLLWAY_OPERATION_POLL_SECONDS": "1", "REPLICATE_API_TOKEN": REPLICATE_TOKEN,
                "REPLICATE_BASE_URL": replicate.base_url, "TOLLWAY_SIGNUP": "open"}
    served = ServedGateway(env=port_env)
    served.env["TOLLWAY_CONSOLE_ORIGIN"] = f"http://localhost:{served.port}"
    with served:
        yield Site(served)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Module-scoped: Playwright's sync API keeps an event loop running in this thread while it is open,
    which the in-process Lambda handler tests of other modules must not find."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # launch() gives every run a fresh, temporary user data dir.
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


class Visitor:
    """One browser profile with its own passkey device: a page, and the virtual authenticator in it."""

    def __init__(self, browser: Any, site: Site) -> None:
        self.site = site
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.cdp = self.context.new_cdp_session(self.page)
        self.cdp.send("WebAuthn.enable")
        self.authenticator = self.cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
            "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
            "isUserVerified": True, "automaticPresenceSimulation": True}})["authenticatorId"]

    def go(self, path: str) -> Any:
        self.page.goto(self.site.url(path))
        return self.page

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    def sign_up(self, name: str) -> None:
        self.go("/console/sign-up")
        self.page.fill("input[name=name]", name)
        self.page.fill("input[name=passkey_name]", "Virtual Touch ID")
        self.page.click("form[data-form=sign-up] button[type=submit]")
        self.page.wait_for_url("**/console/keys")

    def api(self, method: str, path: str, body: Any = None) -> Any:
        """The console's API called from the page itself (its cookie, its CSRF token)."""
        return self.page.evaluate("""async ([method, path, body]) => {
            const csrf = document.querySelector('meta[name="csrf-token"]').content;
            const r = await fetch('/console/api' + path, {method, headers: {'Content-Type': 'application/json',
                'X-CSRF-Token': csrf}, body: body === null ? undefined : JSON.stringify(body)});
            return {status: r.status, body: r.status === 204 ? null : await r.json()};
        }""", [method, path, body])

    def close(self) -> None:
        self.context.close()


@pytest.fixture()
def visitor(chromium: Any, site: Site) -> Iterator[Visitor]:
    made = Visitor(chromium, site)
    yield made
    made.close()


@pytest.fixture(scope="session", autouse=True)
def _fresh_artifacts() -> None:
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
