"""Media and uploads, tried as an attacker would (issue 16, item 5), against the real
`balagh run` with a fake Twilio API: WhatsApp media arrive whole or not at all, Twilio's
credentials go only to Twilio, a slow or hostile media host is a handled failure, widget
uploads are typed by their bytes and refused when too large before being read, and a
report document is a stored file or an https link, nothing else."""

from __future__ import annotations

import json
import os
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from bot.store.models import Report
from channels.rest import conversation_id
from channels.webchat import new_token
from tests.e2e.conftest import running_bot
from tests.fakes.twilio_api import FakeTwilio, ForeignHost

pytestmark = pytest.mark.e2e

PUBLIC = "https://balagh.example.sa"
WHATSAPP_FROM = "whatsapp:+966500000001"
WEBCHAT_SECRET = "test-webchat-secret-" + "0" * 40
MEDIA_TIMEOUT = 2.0
NOT_RECEIVED = "تعذّر استلام الملف المرفق"
NOT_ACCEPTED = "لا يمكن قبول هذا المرفق"
PNG = b"\x89PNG\r\n\x1a\n"
MB = 1024 * 1024


@pytest.fixture(scope="module")
def twilio():
    fake = FakeTwilio()
    fake.start()
    return fake


@pytest.fixture(scope="module")
def foreign():
    host = ForeignHost()
    host.start()
    return host


@pytest.fixture(scope="module")
def media_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="module")
def media_bot(tmp_path_factory, twilio, media_dir):
    work = tmp_path_factory.mktemp("media-bot")
    env = {
        "TWILIO_ACCOUNT_SID": twilio.account_sid,
        "TWILIO_AUTH_TOKEN": twilio.auth_token,
        "TWILIO_WHATSAPP_NUMBER": WHATSAPP_FROM,
        "TWILIO_API_BASE": twilio.base_url,
        "TWILIO_RETRY_DELAY": "0.05",
        "TWILIO_MEDIA_TIMEOUT": str(MEDIA_TIMEOUT),
        "BALAGH_PUBLIC_URL": PUBLIC,
        "BALAGH_MEDIA_DIR": str(media_dir),
        "BALAGH_WEBCHAT_SECRET": WEBCHAT_SECRET,
    }
    with running_bot(
        work, f"sqlite:///{work / 'reports.db'}", f"sqlite:///{work / 'conv.db'}", env
    ) as bot:
        yield bot


def stored(media_dir: Path) -> set[str]:
    """Every file in the media folder, hidden (partial) ones included."""
    return set(os.listdir(media_dir)) if media_dir.exists() else set()


def new_user() -> str:
    return "whatsapp:+9665" + str(uuid.uuid4().int)[:8]


def whatsapp_media(bot, user: str, url: str, declared: str, body: str = "") -> int:
    """A signed WhatsApp webhook carrying one medium; returns the HTTP status."""
    params = {
        "MessageSid": "SM" + uuid.uuid4().hex,
        "From": user,
        "To": WHATSAPP_FROM,
        "Body": body,
        "NumMedia": "1",
        "MediaUrl0": url,
        "MediaContentType0": declared,
    }
    signature = RequestValidator("fake-auth-token").compute_signature(
        f"{PUBLIC}/webhooks/whatsapp/webhook", params
    )
    request = urllib.request.Request(
        f"{bot.rasa_url}/webhooks/whatsapp/webhook",
        data=urllib.parse.urlencode(params).encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": signature,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:
            assert "<Response>" in reply.read().decode()
            return reply.status
    except urllib.error.HTTPError as failure:
        return failure.code


def user_turns(bot, user: str) -> list[dict]:
    return [e for e in bot.tracker(user)["events"] if e["event"] == "user"]


def assert_refused(bot, twilio, user: str, media_dir: Path, before: set[str]) -> None:
    """The citizen was asked in Arabic to send the file again; nothing was stored and no
    turn was processed with the file."""
    assert stored(media_dir) == before
    twilio.wait_for_text(user, NOT_RECEIVED)
    assert all(not (e.get("metadata") or {}).get("attachments") for e in user_turns(bot, user))


# --- WhatsApp media -------------------------------------------------------------------


def test_a_300_kb_image_arrives_whole_and_the_cdn_gets_no_credentials(media_bot, twilio, media_dir):
    image = PNG + os.urandom(300 * 1024)
    twilio.media["big.png"] = (image, "image/png")
    twilio.unsized.add("big.png")  # chunked: many reads, no Content-Length
    twilio.redirects["big.png"] = f"{twilio.base_url}/cdn/big.png"  # as Twilio does (307)
    user, before = new_user(), stored(media_dir)
    assert whatsapp_media(media_bot, user, twilio.media_url("big.png"), "image/jpeg") == 200
    [name] = stored(media_dir) - before
    assert name.endswith(".png")  # the bytes decide, not the declared image/jpeg
    assert (media_dir / name).read_bytes() == image
    [(first, auth), (second, cdn_auth)] = twilio.requests_for("big.png")
    assert (first, second) == ("/media/big.png", "/cdn/big.png")
    assert auth and auth.startswith("Basic ") and cdn_auth is None
    [turn] = user_turns(media_bot, user)
    assert turn["metadata"]["attachments"] == [
        {"url": f"media/{name}", "content_type": "image/png", "size": len(image)}
    ]


@pytest.mark.parametrize("sized", [True, False], ids=["content-length", "chunked"])
def test_an_11_mb_file_is_refused_and_the_citizen_told(media_bot, twilio, media_dir, sized):
    name = f"huge-{sized}.pdf"
    twilio.media[name] = (b"%PDF-1.7\n" + b"0" * (11 * MB), "application/pdf")
    if not sized:
        twilio.unsized.add(name)
    user, before = new_user(), stored(media_dir)
    assert whatsapp_media(media_bot, user, twilio.media_url(name), "application/pdf") == 200
    assert_refused(media_bot, twilio, user, media_dir, before)


def test_a_media_url_on_another_host_never_gets_the_credentials(
    media_bot, twilio, foreign, media_dir
):
    before = stored(media_dir)
    elsewhere = [
        f"{foreign.base_url}/media/x.png",
        # userinfo that looks like the API's address: the host is still 127.0.0.2
        f"http://127.0.0.1:{twilio.port}@{foreign.host}:{foreign.port}/media/y.png",
    ]
    for url in elsewhere:
        user = new_user()
        assert whatsapp_media(media_bot, user, url, "image/png") == 200
        assert_refused(media_bot, twilio, user, media_dir, before)
    # Twilio's URL redirecting to a host that is not one of Twilio's media hosts
    twilio.media["away.png"] = (PNG + b"0" * 64, "image/png")
    twilio.redirects["away.png"] = f"{foreign.base_url}/steal/away.png"
    user = new_user()
    assert whatsapp_media(media_bot, user, twilio.media_url("away.png"), "image/png") == 200
    assert_refused(media_bot, twilio, user, media_dir, before)
    assert [path for path, _ in twilio.requests_for("away.png")] == ["/media/away.png"]
    assert foreign.seen == []  # not one request, with or without credentials


def test_a_slow_media_host_is_a_handled_failure(media_bot, twilio, media_dir):
    twilio.media["slow.png"] = (PNG + b"0" * 64, "image/png")
    twilio.slow.add("slow.png")
    user, before = new_user(), stored(media_dir)
    started = time.monotonic()
    status = whatsapp_media(
        media_bot, user, twilio.media_url("slow.png"), "image/png", body="هذه صورة الخطأ"
    )
    assert status == 200
    assert time.monotonic() - started < MEDIA_TIMEOUT + 10  # bounded, not the host's pace
    assert_refused(media_bot, twilio, user, media_dir, before)
    [turn] = user_turns(media_bot, user)  # the text itself was still answered
    assert turn["text"] == "هذه صورة الخطأ"


def test_a_file_that_is_not_an_allowed_type_is_refused_whatever_was_declared(
    media_bot, twilio, media_dir
):
    twilio.media["page.png"] = (b"<html><script>alert(1)</script></html>", "image/png")
    user, before = new_user(), stored(media_dir)
    assert whatsapp_media(media_bot, user, twilio.media_url("page.png"), "image/png") == 200
    assert_refused(media_bot, twilio, user, media_dir, before)


# --- Widget uploads ---------------------------------------------------------------------


def multipart(data: bytes, declared: str, filename: str = "file.png") -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    head = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        f"Content-Type: {declared}\r\n\r\n"
    ).encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode(), boundary


def upload_path(session: str | None = None) -> str:
    token = new_token(WEBCHAT_SECRET) if session is None else session
    return f"/webhooks/webchat/upload?session={urllib.parse.quote(token)}"


def upload(bot, data: bytes, declared: str, session: str | None = None) -> tuple[int, dict]:
    body, boundary = multipart(data, declared)
    request = urllib.request.Request(
        f"{bot.rasa_url}{upload_path(session)}",
        data=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as failure:
        return failure.code, json.loads(failure.read() or b"{}")


def raw_exchange(bot, head: str, body_chunks: list[bytes]) -> bytes:
    """Send a request's head and as much of its body as the server takes; return the
    response head. The socket's timeout fails the test if the server waits for a body."""
    address = urllib.parse.urlsplit(bot.rasa_url)
    with socket.create_connection((address.hostname, address.port), timeout=15) as sock:
        sock.sendall(head.encode())
        try:
            for chunk in body_chunks:
                sock.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed without reading the rest
        reply = b""
        while b"\r\n\r\n" not in reply:
            data = sock.recv(65536)
            if not data:
                break
            reply += data
    return reply


def test_html_declared_as_png_is_refused(media_bot, media_dir):
    before = stored(media_dir)
    status, body = upload(media_bot, b"<!doctype html><script>alert(1)</script>", "image/png")
    assert (status, body) == (415, {"error": "type not allowed"})
    assert stored(media_dir) == before


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"--b\r\nno colon here\r\n\r\n" + PNG + b"\r\n--b--\r\n", "boundary=b"),
        (PNG + b"0" * 64, "image/png"),  # not multipart at all
        (b"", "boundary=b"),
    ],
    ids=["bad-part-header", "raw-body", "empty"],
)
def test_a_malformed_upload_is_a_400(media_bot, media_dir, body, content_type):
    before = stored(media_dir)
    if content_type.startswith("boundary"):
        content_type = f"multipart/form-data; {content_type}"
    request = urllib.request.Request(
        f"{media_bot.rasa_url}{upload_path()}", data=body, headers={"Content-Type": content_type}
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=60)
    assert refused.value.code == 400
    assert stored(media_dir) == before


def test_an_upload_without_a_valid_session_is_refused(media_bot, media_dir):
    before = stored(media_dir)
    status, _ = upload(media_bot, PNG + b"0" * 64, "image/png", session="0" * 32 + ".forged")
    assert status == 403
    assert stored(media_dir) == before


def test_a_too_large_upload_is_refused_before_its_body_is_read(media_bot, media_dir):
    before = stored(media_dir)
    host = urllib.parse.urlsplit(media_bot.rasa_url).netloc
    head = (
        f"POST {upload_path()} HTTP/1.1\r\nHost: {host}\r\n"
        "Content-Type: multipart/form-data; boundary=b\r\n"
        f"Content-Length: {10 * MB + 100 * 1024}\r\n\r\n"
    )
    # Only the head is sent: an answer proves the server did not wait for the body. (Under
    # the app's own request limit, so that it is this route that refuses it.)
    reply = raw_exchange(media_bot, head, [])
    assert reply.startswith(b"HTTP/1.1 413"), reply
    assert stored(media_dir) == before


def test_a_chunked_upload_is_cut_off_at_the_limit(media_bot, media_dir):
    before = stored(media_dir)
    host = urllib.parse.urlsplit(media_bot.rasa_url).netloc
    head = (
        f"POST {upload_path()} HTTP/1.1\r\nHost: {host}\r\n"
        "Content-Type: multipart/form-data; boundary=b\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    )
    piece = b"--b\r\n" + PNG + b"0" * (MB // 2)
    chunks = [b"%x\r\n%s\r\n" % (len(piece), piece)] * 21 + [b"0\r\n\r\n"]  # 10.5 MB
    reply = raw_exchange(media_bot, head, chunks)
    assert reply.startswith(b"HTTP/1.1 413"), reply
    assert stored(media_dir) == before


def test_a_png_declared_as_pdf_is_stored_as_png(media_bot, media_dir):
    image = PNG + os.urandom(2048)
    before = stored(media_dir)
    status, body = upload(media_bot, image, "application/pdf")
    assert status == 200
    [name] = stored(media_dir) - before
    assert name.endswith(".png") and body["url"] == f"media/{name}"
    assert (body["content_type"], body["size"]) == ("image/png", len(image))
    assert (media_dir / name).read_bytes() == image


# --- Report documents -------------------------------------------------------------------


def to_screenshot_step(bot, sender: str) -> None:
    assert "ما اسمك الكامل" in bot.say(sender, "ابي اقدم شكوى على جهة حكومية")
    assert "رقم الهوية" in bot.say(sender, "نورة سعد القحطاني")
    assert "جوالك" in bot.say(sender, "1000000008")
    assert "رمز تحقق" in bot.say(sender, "0551234567")
    assert "سبب التصعيد" in bot.verify_mobile(sender)
    for text in ["1", "وزارة الداخلية", "أبشر", "تجديد الهوية"]:
        bot.say(sender, text)
    assert "صورة من المشكلة" in bot.say(sender, "الموقع")


def test_attachment_references_that_are_not_stored_media_are_refused(media_bot, media_dir, sender):
    to_screenshot_step(media_bot, sender)
    references = [
        "file:///etc/passwd",
        "javascript:alert(1)",
        "media/../../etc/passwd",
        "http://files.example/shot.png",
        "media/shot.png",
        f"media/{uuid.uuid4().hex}.png",  # the right shape, but nothing of ours
        str(media_dir / "x.png"),
    ]
    for reference in references:
        shot = {"attachments": [{"url": reference, "content_type": "image/png", "size": 10}]}
        assert NOT_ACCEPTED in media_bot.say(sender, "📎 shot.png", metadata=shot), reference
    for typed in references[:5]:
        assert NOT_ACCEPTED in media_bot.say(sender, typed), typed
    documents = media_bot.tracker(sender)["slots"].get("documents") or []
    assert documents == []
    # A link the citizen types is kept as a link; the report holds only that.
    assert "عنواناً" in media_bot.say(sender, "https://files.example/shot.png")
    media_bot.say(sender, "تعطل الموقع")
    media_bot.say(sender, "تظهر رسالة خطأ عند تقديم الشكوى في أبشر.")
    assert "صورة المشكلة: مرفقة" in media_bot.say(sender, "تخطي")
    assert "تم تقديم بلاغك" in media_bot.say(sender, "تأكيد")
    with media_bot.store.session() as session:
        report = session.execute(
            select(Report).where(Report.conversation_id == conversation_id(sender))
        ).scalar_one()
        assert [(d.kind, d.reference) for d in report.documents] == [
            ("screenshot", "https://files.example/shot.png")
        ]
