"""Files typed by their first bytes, stored whole, and the report documents the forms
accept (bot/store/media.py, `attachments_of` in bot/actions/form_validation.py)."""

from __future__ import annotations

import os
import uuid

import pytest
from rasa_sdk import Tracker

from bot.actions.form_validation import Rejection, attachments_of
from bot.store import media

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF"
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 "
PDF = b"%PDF-1.7\n%\xe2\xe3"


@pytest.mark.parametrize(
    ("first_bytes", "expected"),
    [
        (JPEG, "image/jpeg"),
        (PNG, "image/png"),
        (WEBP, "image/webp"),
        (PDF, "application/pdf"),
        (b"<!doctype html><script>", None),
        (b"\x89PNG fake image", None),  # half a signature
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", None),  # a RIFF that is not WebP
        (b"GIF89a", None),
        (b"PK\x03\x04", None),  # zip, docx
        (b"", None),
        (b"\xff\xd8", None),
    ],
)
def test_detect_type_reads_the_signature(first_bytes, expected):
    assert media.detect_type(first_bytes) == expected


def test_store_names_the_file_by_its_detected_type_and_writes_it_whole(tmp_path):
    data = PNG + os.urandom(300 * 1024)
    result = media.store(tmp_path / "media", data)
    assert result is not None
    name = str(result["url"]).removeprefix("media/")
    assert media.REFERENCE.fullmatch(str(result["url"])) and name.endswith(".png")
    assert (result["content_type"], result["size"]) == ("image/png", len(data))
    assert (tmp_path / "media" / name).read_bytes() == data
    assert os.listdir(tmp_path / "media") == [name]  # no partial file left behind


@pytest.mark.parametrize(
    "data",
    [b"<html></html>", b"", PDF + b"0" * media.MAX_MEDIA_BYTES],
    ids=["html", "empty", "oversize"],
)
def test_store_refuses_other_types_and_oversize_files(tmp_path, data):
    assert media.store(tmp_path, data) is None
    assert os.listdir(tmp_path) == []


def test_stored_file_accepts_only_our_names_of_existing_files(tmp_path):
    stored = media.store(tmp_path, PDF)
    assert stored is not None
    assert media.stored_file(stored["url"], tmp_path) == ("application/pdf", len(PDF))
    missing = f"media/{uuid.uuid4().hex}.png"
    for reference in [
        missing,
        "media/../../etc/passwd",
        "media/shot.png",
        f"media/{uuid.uuid4().hex.upper()}.png",
        f"{stored['url']}\n",
        f"/{stored['url']}",
        f"media/{uuid.uuid4().hex}.html",
        "file:///etc/passwd",
        None,
        42,
    ]:
        assert media.stored_file(reference, tmp_path) is None, reference


def tracker(text: str, metadata: object = None) -> Tracker:
    event = {"event": "user", "text": text, "metadata": metadata}
    return Tracker("rest:unit", {}, {"text": text}, [event], False, None, {}, "")


@pytest.fixture
def media_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("BALAGH_MEDIA_DIR", str(tmp_path))
    return tmp_path


def test_a_stored_file_and_a_typed_https_link_are_accepted(media_dir):
    stored = media.store(media_dir, PNG)
    assert stored is not None
    # The declared type is ignored: the stored name says what the bytes were.
    metadata = {"attachments": [{"url": stored["url"], "content_type": "application/pdf"}]}
    found = attachments_of(tracker("📎", metadata), "انظر https://files.example/a/shot.pdf")
    assert found == [
        {"reference": stored["url"], "content_type": "image/png"},
        {"reference": "https://files.example/a/shot.pdf", "content_type": "application/pdf"},
    ]


@pytest.mark.parametrize(
    "attachments",
    [
        [{"url": "file:///etc/passwd", "content_type": "image/png"}],
        [{"url": "javascript:alert(1)", "content_type": "image/png"}],
        [{"url": "media/../../etc/passwd", "content_type": "image/png"}],
        [{"url": "https://files.example/shot.png", "content_type": "image/png"}],
        [{"url": f"media/{uuid.uuid4().hex}.png", "content_type": "image/png"}],
        [{"url": "/etc/passwd"}],
        [{"content_type": "image/png"}],
        ["media/x.png"],
        "file:///etc/passwd",
        {"url": "file:///etc/passwd"},
        5,
    ],
)
def test_metadata_attachments_that_are_not_our_stored_files_are_refused(media_dir, attachments):
    with pytest.raises(Rejection) as refused:
        attachments_of(tracker("📎", {"attachments": attachments}), "📎")
    assert refused.value.response == "utter_attachment_not_accepted"


@pytest.mark.parametrize(
    "text",
    [
        "file:///etc/passwd",
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "media/../../etc/passwd",
        "../../etc/passwd",
        "http://files.example/shot.png",
        "الرابط ftp://files.example/shot.png",
        "data:text/html,<script>alert(1)</script>",
        "انظر /etc/passwd",
        "https:///etc/passwd",
        "https://:443/x.png",
        "https://files.example:notaport/x.png",
        f"media/{uuid.uuid4().hex}.png",
    ],
)
def test_typed_references_that_are_not_https_links_are_refused(media_dir, text):
    with pytest.raises(Rejection) as refused:
        attachments_of(tracker(text), text)
    assert refused.value.response == "utter_attachment_not_accepted"


@pytest.mark.parametrize(
    "text",
    ["تخطي", '/inform{"choice": "skip"}', "ما عندي صورة", "الموعد 1/5/2026 الساعة 10:30", ""],
)
def test_plain_answers_have_no_attachments(media_dir, text):
    assert attachments_of(tracker(text, {"other": 1}), text) == []


def test_metadata_that_is_not_an_object_is_no_attachment(media_dir):
    assert attachments_of(tracker("📎", ["file:///etc/passwd"]), "📎") == []
