"""What the attachment tests of every owner kind share: sample bytes, a signed-in page client,
an upload through the owner's card and the files left on disk."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
HTML = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"


def session(person) -> Client:
    client = Client()
    client.force_login(person)
    client.cookies["django_language"] = "en"
    return client


def upload(client, kind: str, owner_id: int, name: str, content: bytes, **extra):
    return client.post(
        f"/files/{kind}/{owner_id}/upload/", {"file": SimpleUploadedFile(name, content), **extra}
    )


def stored_files(directory) -> list:
    return [p for p in directory.rglob("*") if p.is_file()] if directory.exists() else []


def use_storage(settings, tmp_path):
    settings.ATTACHMENTS_DIR = tmp_path / "attachments"
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.ATTACHMENTS_DIR
