"""Uploaded images and audio: magic bytes decide. Empty or corrupt → 400; another format, or a type
we do not take → 415; accepted files get a name carrying their real extension."""

import pytest

from tests.fakes.media_samples import flac, gif, jpeg, mp3, png, wav, webp
from tollway.errors import InvalidRequest, UnsupportedMediaType
from tollway.wire.media_types import check_audio, check_image

OGG = b"OggS\x00\x02" + bytes(40)
WEBM = b"\x1a\x45\xdf\xa3" + bytes(40)
M4A = b"\x00\x00\x00\x20ftypM4A " + bytes(40)
MP4 = b"\x00\x00\x00\x20ftypisom" + bytes(40)
FRAME_ONLY_MP3 = b"\xff\xfb\x90\x64" + bytes(100)
ADTS_AAC = b"\xff\xf1\x50\x80" + bytes(100)


@pytest.mark.parametrize(("data", "filename", "content_type", "name", "media_type"), [
    (png(), "cat.png", "image/png", "cat.png", "image/png"),
    (png(), None, None, "image.png", "image/png"),
    (jpeg(), "photo.jpeg", "application/octet-stream", "photo.jpeg", "image/jpeg"),
    (jpeg(), "photo.png", "image/png", "photo.jpg", "image/jpeg"),  # the bytes win over the claim
    (webp(), "a.webp", "image/webp", "a.webp", "image/webp"),
])
def test_accepted_images(data: bytes, filename, content_type, name: str, media_type: str) -> None:
    blob = check_image(data, filename, content_type, param="image")
    assert (blob.filename, blob.content_type, blob.data) == (name, media_type, data)


@pytest.mark.parametrize(("data", "filename", "content_type", "name", "media_type"), [
    (mp3(), "talk.mp3", "audio/mpeg", "talk.mp3", "audio/mpeg"),
    (mp3(), "talk.mpga", None, "talk.mpga", "audio/mpeg"),
    (FRAME_ONLY_MP3, "talk.mpeg", "audio/mpeg", "talk.mpeg", "audio/mpeg"),
    (wav(), None, "audio/wav", "audio.wav", "audio/wav"),
    (flac(), "a.flac", "audio/flac", "a.flac", "audio/flac"),
    (OGG, "a.ogg", "audio/ogg", "a.ogg", "audio/ogg"),
    (WEBM, "a.webm", "audio/webm", "a.webm", "audio/webm"),
    (M4A, "voice.m4a", "audio/mp4", "voice.m4a", "audio/mp4"),
    (MP4, "clip.mp4", "video/mp4", "clip.mp4", "audio/mp4"),
    (mp3(), "recording", None, "recording.mp3", "audio/mpeg"),
])
def test_accepted_audio(data: bytes, filename, content_type, name: str, media_type: str) -> None:
    blob = check_audio(data, filename, content_type, param="file")
    assert (blob.filename, blob.content_type) == (name, media_type)


@pytest.mark.parametrize(("check", "data", "filename", "content_type", "error", "code"), [
    (check_image, b"", "a.png", "image/png", InvalidRequest, "empty_file"),
    (check_image, b"\x89PNG\r\n\x1a\n", "a.png", "image/png", InvalidRequest, "invalid_image"),
    (check_image, b"garbage", None, None, InvalidRequest, "invalid_image"),
    (check_image, gif(), "a.gif", "image/gif", UnsupportedMediaType, "unsupported_image_format"),
    (check_image, b"garbage", "a.svg", "image/svg+xml", UnsupportedMediaType, "unsupported_image_format"),
    (check_image, mp3(), "a.png", "image/png", UnsupportedMediaType, "unsupported_image_format"),
    (check_audio, b"", None, None, InvalidRequest, "empty_file"),
    (check_audio, b"not audio", "a.wav", "audio/wav", InvalidRequest, "invalid_audio"),
    (check_audio, ADTS_AAC, "a.aac", "audio/aac", UnsupportedMediaType, "unsupported_audio_format"),
    (check_audio, png(), "a.mp3", "audio/mpeg", UnsupportedMediaType, "unsupported_audio_format"),
    (check_audio, b"%PDF-1.7", "a.pdf", None, UnsupportedMediaType, "unsupported_audio_format"),
    (check_audio, b"garbage", "notes.txt", "text/plain", UnsupportedMediaType, "unsupported_audio_format"),
])
def test_refused_files(check, data: bytes, filename, content_type, error: type, code: str) -> None:
    with pytest.raises(error) as caught:
        check(data, filename, content_type, param="file")
    assert caught.value.code == code and caught.value.param == "file"


def test_the_415_names_what_the_file_really_is() -> None:
    with pytest.raises(UnsupportedMediaType) as caught:
        check_audio(png(), "song.mp3", "audio/mpeg", param="file")
    assert "this is a PNG image" in caught.value.message
