"""One `tollway serve` subprocess for the operations tests, its upstreams faked on loopback: OpenAI
(chat + videos), a Replicate-style API, ElevenLabs music, and a webhook receiver. Operations run
through the template's state machine in the embedded emulator, with 1 s between polls."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.elevenlabs import FakeElevenLabs
from tests.fakes.media_upstreams import KEYS, FakeMedia
from tests.fakes.openai_upstream import FakeOpenAI
from tests.fakes.openai_videos import FakeVideos
from tests.fakes.replicate import FakeReplicate
from tests.fakes.webhook_receiver import WebhookReceiver
from tests.integration.operations.gateway_client import OpsClient
from tests.served import ServedGateway

# In each provider's own key format, so tests of redaction see what a real key looks like.
OPENAI_KEY = KEYS["openai"]  # the media fake (async images, transcriptions) checks it too
ELEVENLABS_KEY = "sk_9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d"
REPLICATE_TOKEN = "r8_Hq4Wz8Lk2Xm6Np1Rv5Tb9Yc3Hd7Js0Ga4Ue"


@pytest.fixture(scope="session")
def videos() -> FakeVideos:
    return FakeVideos()


@pytest.fixture(scope="session")
def openai_media() -> Iterator[FakeMedia]:
    """OpenAI's images and audio endpoints (for `"async": true` generations and transcriptions)."""
    fake = FakeMedia().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def openai_videos_upstream(videos: FakeVideos, openai_media: FakeMedia) -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI(extra_routes=[*videos.routes(), *openai_media.openai_routes()]).start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def replicate() -> Iterator[FakeReplicate]:
    fake = FakeReplicate().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def eleven() -> Iterator[FakeElevenLabs]:
    fake = FakeElevenLabs(ELEVENLABS_KEY).start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def receiver() -> Iterator[WebhookReceiver]:
    fake = WebhookReceiver().start()
    yield fake
    fake.stop()


def ops_environment(openai: FakeOpenAI, replicate: FakeReplicate, eleven: FakeElevenLabs) -> dict[str, str]:
    return {"OPENAI_API_KEY": OPENAI_KEY, "OPENAI_BASE_URL": openai.base_url,
            "REPLICATE_API_TOKEN": REPLICATE_TOKEN, "REPLICATE_BASE_URL": replicate.base_url,
            "ELEVENLABS_API_KEY": ELEVENLABS_KEY, "ELEVENLABS_BASE_URL": eleven.url,
            "TOLLWAY_OPERATION_POLL_SECONDS": "1", "TOLLWAY_UPSTREAM_TIMEOUT": "5",
            "TOLLWAY_WEBHOOKS_ALLOW_PRIVATE": "1", "TOLLWAY_WEBHOOK_SECRET": "whmaster-for-tests",
            "TOLLWAY_DOCUMENT_SYNC_MAX_PAGES": "3", "TOLLWAY_ADMIN_KEY": "tw-admin-operations"}


@pytest.fixture(scope="session")
def ops_env(openai_videos_upstream: FakeOpenAI, replicate: FakeReplicate, eleven: FakeElevenLabs) -> dict[str, str]:
    return ops_environment(openai_videos_upstream, replicate, eleven)


@pytest.fixture(scope="session")
def ops(ops_env: dict[str, str]) -> Iterator[OpsClient]:
    with ServedGateway(env=ops_env) as served:
        yield OpsClient(served)


@pytest.fixture(autouse=True)
def _fresh_fakes(request: pytest.FixtureRequest) -> None:
    """Every test starts with fakes that finish jobs normally and remember nothing."""
    if "ops" in request.fixturenames or "ops_env" in request.fixturenames:
        request.getfixturevalue("videos").book.reset()
        request.getfixturevalue("replicate").book.reset()
        request.getfixturevalue("eleven").reset()
        request.getfixturevalue("openai_media").reset()
