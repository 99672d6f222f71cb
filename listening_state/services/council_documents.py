"""Documents published with council meetings: checked on upload, stored by their SHA-256.

A file is accepted only when its extension is on the list *and* its first bytes (and, for the
zip-based office formats, its inner structure) match that extension, so a renamed executable
or HTML page is refused. The bytes live under ``instance/council_documents/<sha256>``; the row
keeps the original name people see, cleaned of path parts and control characters.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from listening_state import authz
from listening_state.authz import Actor
from listening_state.extensions import db
from listening_state.models import CouncilMeeting, MeetingDocument, User
from listening_state.sanitize import clean_line
from listening_state.services import audit
from listening_state.services.errors import NotFound, PermissionDenied, ValidationFailed

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAX_NAME_CHARS = 255
ZIP_MAGIC = b"PK\x03\x04"
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"


def _zip_names(data: bytes) -> set[str] | None:
    """The entry names of a zip archive, or None when it is not a readable one."""
    if not data.startswith(ZIP_MAGIC):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return set(archive.namelist())
    except (zipfile.BadZipFile, ValueError):
        return None


def _is_pdf(data: bytes) -> bool:
    return data.startswith(b"%PDF-")


def _is_docx(data: bytes) -> bool:
    names = _zip_names(data)
    return names is not None and {"[Content_Types].xml", "word/document.xml"} <= names


def _is_xlsx(data: bytes) -> bool:
    names = _zip_names(data)
    return names is not None and {"[Content_Types].xml", "xl/workbook.xml"} <= names


def _is_odt(data: bytes) -> bool:
    # OpenDocument stores its media type, uncompressed, in an entry named "mimetype".
    if _zip_names(data) is None:
        return False
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        try:
            with archive.open("mimetype") as entry:
                return entry.read(len(ODT_MIMETYPE) + 2).strip() == ODT_MIMETYPE
        except (KeyError, zipfile.BadZipFile, ValueError, NotImplementedError):
            return False


def _is_text(data: bytes) -> bool:
    """UTF-8 text without NUL bytes (binary files nearly always contain one)."""
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@dataclass(frozen=True)
class DocumentKind:
    content_type: str
    matches: Callable[[bytes], bool]


KINDS: dict[str, DocumentKind] = {
    "pdf": DocumentKind("application/pdf", _is_pdf),
    "docx": DocumentKind(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", _is_docx
    ),
    "odt": DocumentKind("application/vnd.oasis.opendocument.text", _is_odt),
    "xlsx": DocumentKind(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _is_xlsx
    ),
    "txt": DocumentKind("text/plain; charset=utf-8", _is_text),
}

# Characters that Windows or shells treat specially; they never help a reader.
_RESERVED = re.compile(r'[<>:"|?*;\x00-\x1f]')


def clean_file_name(name: str) -> str:
    """The last path part of an uploaded name, without control, format or reserved characters.

    Unlike werkzeug's ``secure_filename`` it keeps Cyrillic and Kazakh letters, which are what
    most file names here are written in.
    """
    name = unicodedata.normalize("NFC", name)
    name = re.split(r"[/\\]", name)[-1]
    # Category C covers controls and format characters such as U+202E, which can make
    # "fdp.exe" display as "exe.pdf".
    name = "".join(ch for ch in name if not unicodedata.category(ch).startswith("C"))
    name = " ".join(_RESERVED.sub("_", name).split()).strip(" .")
    if len(name) > MAX_NAME_CHARS:
        stem, dot, extension = name.rpartition(".")
        if dot and len(extension) < 10:
            name = stem[: MAX_NAME_CHARS - len(extension) - 1].rstrip(" .") + "." + extension
        else:
            name = name[:MAX_NAME_CHARS]
    return name


def extension_of(file_name: str) -> str:
    stem, dot, extension = file_name.rpartition(".")
    return extension.lower() if dot and stem else ""


def max_document_bytes() -> int:
    return int(current_app.config.get("COUNCIL_DOCUMENT_MAX_BYTES") or DEFAULT_MAX_BYTES)


def storage_dir() -> Path:
    configured = current_app.config.get("COUNCIL_DOCUMENT_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "council_documents"


def document_path(document: MeetingDocument) -> Path:
    """Where a document's bytes are; NotFound when they have gone missing from the disk."""
    path = storage_dir() / document.sha256
    if not re.fullmatch(r"[0-9a-f]{64}", document.sha256) or not path.is_file():
        raise NotFound("document file")
    return path


def _too_large(limit: int) -> str:
    if limit >= 1024 * 1024:
        size = f"{limit / (1024 * 1024):.1f}".removesuffix(".0")
        return str(_l("The file is too large: the limit is %(size)s MB.", size=size))
    return str(_l("The file is too large: the limit is %(size)s KB.", size=limit // 1024))


def _read_checked(file_name: str, stream: IO[bytes]) -> tuple[bytes, DocumentKind]:
    extension = extension_of(file_name)
    kind = KINDS.get(extension)
    if kind is None:
        raise ValidationFailed({"file": [str(_l("Upload a PDF, DOCX, ODT, XLSX or TXT file."))]})
    limit = max_document_bytes()
    data = stream.read(limit + 1)  # one byte more tells a file at the limit from a larger one
    if len(data) > limit:
        raise ValidationFailed({"file": [_too_large(limit)]})
    if not data:
        raise ValidationFailed({"file": [str(_l("The file is empty."))]})
    if not kind.matches(data):
        message = _l(
            "The file's contents do not match its .%(extension)s extension.", extension=extension
        )
        raise ValidationFailed({"file": [str(message)]})
    return data, kind


def _store(data: bytes, sha256: str) -> None:
    directory = storage_dir()
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / sha256
    if target.is_file():  # identical bytes are stored once
        return
    # Write beside the target, then rename: a reader never sees half a file.
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _snapshot(document: MeetingDocument) -> dict[str, Any]:
    return {
        "meeting_id": document.meeting_id,
        "title": document.title,
        "file_name": document.file_name,
        "content_type": document.content_type,
        "size_bytes": document.size_bytes,
        "sha256": document.sha256,
    }


def _require_keeper(actor: Actor, meeting: CouncilMeeting) -> None:
    if not authz.can_keep_council_records(actor, meeting.council):
        raise PermissionDenied("not allowed to keep this council's records")


def upload_document(
    *, actor: Actor, meeting: CouncilMeeting, file_name: str, stream: IO[bytes], title: str = ""
) -> MeetingDocument:
    """Check a file and publish it with a meeting."""
    _require_keeper(actor, meeting)
    file_name = clean_file_name(file_name)
    title = clean_line(title) or file_name.rpartition(".")[0] or file_name
    if len(title) > MAX_NAME_CHARS:
        raise ValidationFailed({"title": [str(_l("The title may be at most 255 characters."))]})
    data, kind = _read_checked(file_name, stream)
    sha256 = hashlib.sha256(data).hexdigest()
    _store(data, sha256)
    document = MeetingDocument(
        meeting=meeting,
        title=title,
        file_name=file_name,
        content_type=kind.content_type,
        size_bytes=len(data),
        sha256=sha256,
        uploaded_by_id=actor.id if isinstance(actor, User) else None,
    )
    db.session.add(document)
    db.session.flush()
    audit.record(
        actor=actor,
        action="council.document_uploaded",
        target=document,
        target_label=file_name,
        after=_snapshot(document),
    )
    db.session.commit()
    return document


def delete_document(*, actor: Actor, document: MeetingDocument) -> None:
    """Withdraw a document; its bytes go too unless another document has the same ones."""
    _require_keeper(actor, document.meeting)
    sha256 = document.sha256
    audit.record(
        actor=actor,
        action="council.document_deleted",
        target=document,
        target_label=document.file_name,
        before=_snapshot(document),
    )
    db.session.delete(document)
    db.session.commit()
    still_used = db.session.scalar(
        select(func.count(MeetingDocument.id)).where(MeetingDocument.sha256 == sha256)
    )
    if not still_used and re.fullmatch(r"[0-9a-f]{64}", sha256):
        (storage_dir() / sha256).unlink(missing_ok=True)


def get_document(document_id: int) -> MeetingDocument:
    document = db.session.get(MeetingDocument, document_id)
    if document is None:
        raise NotFound("document")
    return document


def get_managed_document(*, actor: Actor, document_id: int) -> MeetingDocument:
    document = get_document(document_id)
    _require_keeper(actor, document.meeting)
    return document
