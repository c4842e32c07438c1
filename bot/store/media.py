"""What a citizen's file is, and where Balagh keeps it.

A file is typed by its first bytes (magic numbers), never by its name or the content type a
client declared: the web widget's uploads and WhatsApp media are both stored through
`store`, under a random name whose extension comes from the detected type. A report
document that names a stored file is `media/<32 hex>.<jpg|png|webp|pdf>` and nothing else.
Lives in `bot/` (not `channels/`) because the action server checks references too.
"""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

from bot.private import private_dir, write_private

MAX_MEDIA_BYTES = 10 * 1024 * 1024
# How many first bytes `detect_type` needs.
SIGNATURE_BYTES = 12
EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "application/pdf": ".pdf",
}
CONTENT_TYPES = {extension: content_type for content_type, extension in EXTENSIONS.items()}
REFERENCE = re.compile(r"media/([0-9a-f]{32})(\.(?:jpg|png|webp|pdf))")
# The domain's answer when a channel could not receive a file (sent by the channel itself).
NOT_RECEIVED_RESPONSE = "utter_media_not_received"


def detect_type(first_bytes: bytes) -> str | None:
    """The content type the bytes are (JPEG, PNG, WebP or PDF), or None for anything else."""
    if first_bytes.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if first_bytes.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if first_bytes[:4] == b"RIFF" and first_bytes[8:12] == b"WEBP":
        return "image/webp"
    if first_bytes.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def store(media_dir: Path, data: bytes) -> dict[str, object] | None:
    """Keep `data` as a new media file; None (nothing written) when it is not an allowed
    type or too large. Written under a temporary name and renamed, so a reader never sees
    part of a file."""
    content_type = detect_type(data[:SIGNATURE_BYTES])
    if content_type is None or not data or len(data) > MAX_MEDIA_BYTES:
        return None
    private_dir(media_dir, tighten=True)  # citizens' documents: 0700, the files 0600
    name = f"{uuid.uuid4().hex}{EXTENSIONS[content_type]}"
    partial = media_dir / f".{name}.part"
    try:
        write_private(partial, data)
        os.replace(partial, media_dir / name)
    finally:
        partial.unlink(missing_ok=True)
    return {"url": f"media/{name}", "content_type": content_type, "size": len(data)}


def stored_file(reference: object, media_dir: Path) -> tuple[str, int] | None:
    """(content type, size) of the stored file a reference names, or None when the
    reference is not exactly `media/<32 hex>.<ext>` or no such file is stored."""
    if not isinstance(reference, str):
        return None
    match = REFERENCE.fullmatch(reference)
    if match is None:
        return None
    path = media_dir / f"{match.group(1)}{match.group(2)}"
    try:
        if not path.is_file():
            return None
        size = path.stat().st_size
    except OSError:
        return None
    return CONTENT_TYPES[match.group(2)], size
