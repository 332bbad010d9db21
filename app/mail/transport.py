"""Where delivered email goes: an SMTP server, or ``.eml`` files in a folder."""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

import aiosmtplib

from app import clock
from app import settings as limits
from app.models import OutboxMessage

log = logging.getLogger("app.mail")


def build_message(row: OutboxMessage, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = formataddr(("Nettbutikken", sender))
    message["To"] = row.to_address
    message["Subject"] = row.subject
    message["Date"] = format_datetime(row.created_at)
    # Stable per outbox row, so a receiver can tell a retried delivery is the same
    # mail; the creation time keeps ids unique across databases sharing a domain.
    domain = sender.rpartition("@")[2] or "localhost"
    message["Message-ID"] = f"<outbox-{row.id}.{row.created_at:%Y%m%d%H%M%S%f}@{domain}>"
    message.set_content(row.text_body)
    message.add_alternative(row.html_body, subtype="html")
    return message


def readable(message: EmailMessage) -> EmailMessage:
    """The same mail with 8-bit UTF-8 parts, so a person can read the file as it is.

    Over SMTP the parts stay quoted-printable, which every server accepts; in a
    file, a reset link must not be broken across soft line breaks.
    """
    copy = EmailMessage()
    for header in ("From", "To", "Subject", "Date", "Message-ID"):
        copy[header] = message[header]
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    copy.set_content(text.get_content() if text else "", cte="8bit")
    if html is not None:
        copy.add_alternative(html.get_content(), subtype="html", cte="8bit")
    return copy


class Transport(Protocol):
    async def send(self, messages: list[EmailMessage]) -> list[Exception | None]:
        """Deliver each message; the result holds None or the failure, per message."""
        ...


@dataclass(slots=True)
class SmtpTransport:
    hostname: str
    port: int
    username: str | None = None
    password: str | None = None
    start_tls: bool | None = None
    use_tls: bool = False

    async def send(self, messages: list[EmailMessage]) -> list[Exception | None]:
        client = aiosmtplib.SMTP(
            hostname=self.hostname,
            port=self.port,
            username=self.username,
            password=self.password,
            start_tls=self.start_tls,
            use_tls=self.use_tls,
            timeout=limits.MAIL_SMTP_TIMEOUT_SECONDS,
        )
        try:
            await client.connect()
        except (aiosmtplib.SMTPException, OSError) as error:
            # The server is down: every message waits for the next attempt.
            return [error] * len(messages)
        results: list[Exception | None] = []
        try:
            for message in messages:
                try:
                    await client.send_message(message)
                    results.append(None)
                except (aiosmtplib.SMTPException, OSError) as error:
                    results.append(error)
                    if not client.is_connected:
                        results.extend([error] * (len(messages) - len(results)))
                        break
        finally:
            if client.is_connected:
                try:
                    await client.quit()
                except (aiosmtplib.SMTPException, OSError):
                    client.close()
        return results


@dataclass(slots=True)
class FileTransport:
    directory: Path

    async def send(self, messages: list[EmailMessage]) -> list[Exception | None]:
        return await asyncio.to_thread(self._write_all, messages)

    def _write_all(self, messages: list[EmailMessage]) -> list[Exception | None]:
        results: list[Exception | None] = []
        for message in messages:
            try:
                path = self._write(message)
                log.info("mail written", extra={"path": str(path), "to": message["To"], "subject": message["Subject"]})
                results.append(None)
            except OSError as error:
                results.append(error)
        return results

    def _write(self, message: EmailMessage) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = clock.now().strftime("%Y%m%dT%H%M%S")
        ident = message["Message-ID"].strip("<>").split("@")[0]
        path = self.directory / f"{stamp}-{ident}.eml"
        temporary = path.with_suffix(".tmp")
        temporary.write_bytes(readable(message).as_bytes())
        # A reader never sees half a file.
        os.replace(temporary, path)
        return path


def transport_from_url(url: str) -> Transport:
    """``smtp://[user:pass@]host:port``, ``smtp+starttls://...``, ``smtps://...`` or ``file://DIR``."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        # file://./var/mail is relative; file:///var/mail is absolute.
        return FileTransport(Path(unquote(parts.netloc + parts.path)))
    if parts.scheme in {"smtp", "smtp+starttls", "smtps"}:
        if not parts.hostname:
            raise ValueError(f"mail URL {url!r} names no host")
        return SmtpTransport(
            hostname=parts.hostname,
            port=parts.port or (465 if parts.scheme == "smtps" else 25),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            # Plain smtp:// never upgrades on its own: loopback test servers have no TLS.
            start_tls=True if parts.scheme == "smtp+starttls" else False,
            use_tls=parts.scheme == "smtps",
        )
    raise ValueError(f"unsupported mail URL {url!r}: use smtp://, smtp+starttls://, smtps:// or file://")
