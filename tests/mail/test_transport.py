"""Transports: what arrives at a real SMTP server, what lands in a mail folder, mail URLs."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from app.db import Database
from app.mail.sender import MailSender
from app.mail.transport import FileTransport, SmtpTransport, build_message, transport_from_url
from app.models import OutboxStatus
from tests.helpers.smtp import SmtpSink
from tests.mail.conftest import SENDER, mail_settings, outbox, queue, row_id


def _parts(message: EmailMessage) -> tuple[str, str]:
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert plain is not None and html is not None
    assert plain.get_content_type() == "text/plain" and html.get_content_type() == "text/html"
    assert plain.get_content_charset() == "utf-8" and html.get_content_charset() == "utf-8"
    # SMTP carries CRLF line ends; a mail client shows plain lines.
    return plain.get_content().replace("\r\n", "\n"), html.get_content().replace("\r\n", "\n")


async def test_norwegian_mail_arrives_intact_over_smtp(
    database: Database, database_url: str, smtp_sink: SmtpSink
) -> None:
    settings = mail_settings(database_url)
    hostile = "Åse <script>Ødegård</script>"
    first, second = await queue(
        database, settings, 2, "account_request_rejected", name=hostile, reason="Ikke æøå-kunde"
    )
    rows = await outbox(database)
    assert [row.id for row in rows] == [first, second]

    transport = transport_from_url(smtp_sink.url)
    assert isinstance(transport, SmtpTransport)
    # The first row twice (as a retry would), then the second.
    messages = [build_message(rows[0], SENDER), build_message(rows[0], SENDER), build_message(rows[1], SENDER)]
    assert await transport.send(messages) == [None, None, None]

    received = smtp_sink.messages
    assert len(received) == 3
    mail = received[0]
    assert mail["Subject"] == "Forespørselen din om konto hos Nettbutikken"
    assert mail["From"] == "Nettbutikken <no-reply@nettbutikken.test>"
    assert mail["From"].addresses[0].addr_spec == SENDER
    assert mail["To"] == "kunde0@klinikk.test"
    assert mail["Date"] is not None
    assert mail.get_content_type() == "multipart/alternative"
    text, html = _parts(mail)
    assert "Hei Åse <script>Ødegård</script>," in text
    assert "Begrunnelse:\nIkke æøå-kunde" in text
    assert "Hei Åse &lt;script&gt;Ødegård&lt;/script&gt;," in html
    assert "<script>" not in html
    assert "Ikke æøå-kunde" in html

    # Message-ID: stable for a row (a retry is recognisably the same mail), distinct between rows.
    ids = [row_id(m["Message-ID"]) for m in received]
    assert ids[0] == ids[1] == first
    assert ids[2] == second
    assert received[2]["To"] == "kunde1@klinikk.test"


async def test_file_transport_writes_one_eml_per_message(database: Database, database_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "utboks"
    settings = mail_settings(database_url, f"file://{folder}")
    ids = await queue(database, settings, 3, "invitation")

    sender = MailSender(database, transport_from_url(settings.mail_url), SENDER)
    report = await sender.deliver_pending()
    assert (report.sent, report.failed) == (3, 0)

    files = sorted(folder.iterdir())
    assert [f.suffix for f in files] == [".eml"] * 3  # no temporary files left behind
    parsed = [message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]
    assert sorted(row_id(m["Message-ID"]) for m in parsed) == sorted(i for i in ids)
    assert sorted(m["To"] for m in parsed) == ["kunde0@klinikk.test", "kunde1@klinikk.test", "kunde2@klinikk.test"]
    for mail in parsed:
        assert mail["Subject"] == "Du er invitert til Nettbutikken"
        text, html = _parts(mail)  # type: ignore[arg-type]
        assert "Åse Ødegaard har invitert deg" in text
        assert "<li>Legekontoret på Løten (20002)</li>" in html
    assert all(row.status is OutboxStatus.SENT for row in await outbox(database))
    # Readable as it lies: a person finds the whole link and the Norwegian text in the file.
    raw = files[0].read_text(encoding="utf-8")
    link = next(line for line in _parts(parsed[0])[0].splitlines() if "reset-password?token=" in line).strip()
    assert link in raw and "Åse Ødegaard har invitert deg" in raw


def test_transport_from_url_smtp_variants() -> None:
    assert transport_from_url("smtp://ola:hemmelig@mail.example.test:2525") == SmtpTransport(
        hostname="mail.example.test", port=2525, username="ola", password="hemmelig", start_tls=False, use_tls=False
    )
    # Percent-encoded credentials are decoded.
    encoded = transport_from_url("smtp://ola%40firma.test:p%40ss%3Aord@mail.example.test:25")
    assert isinstance(encoded, SmtpTransport)
    assert (encoded.username, encoded.password) == ("ola@firma.test", "p@ss:ord")

    starttls = transport_from_url("smtp+starttls://ola:pw@mail.example.test:587")
    assert starttls == SmtpTransport(
        hostname="mail.example.test", port=587, username="ola", password="pw", start_tls=True, use_tls=False
    )
    tls = transport_from_url("smtps://mail.example.test")
    assert tls == SmtpTransport(hostname="mail.example.test", port=465, start_tls=False, use_tls=True)
    plain = transport_from_url("smtp://127.0.0.1")
    assert plain == SmtpTransport(hostname="127.0.0.1", port=25, start_tls=False, use_tls=False)


def test_transport_from_url_file_variants() -> None:
    assert transport_from_url("file://./var/mail") == FileTransport(Path("var/mail"))
    assert transport_from_url("file:///srv/commerce/mail") == FileTransport(Path("/srv/commerce/mail"))
    assert transport_from_url("file:///srv/e-post%20ut") == FileTransport(Path("/srv/e-post ut"))


@pytest.mark.parametrize(
    "url", ["http://mail.example.test", "mailto:ola@example.test", "", "/var/mail", "smtp://", "smtp://:25"]
)
def test_transport_from_url_rejects_others(url: str) -> None:
    with pytest.raises(ValueError):
        transport_from_url(url)
