"""Sending one email: over SMTP when MEND_SMTP_HOST is set, otherwise printed to the console
(the embedded default), so `make run` shows every message it would have sent."""

from __future__ import annotations

import logging
import smtplib
import ssl
import sys
from email.charset import QP, Charset
from email.header import Header, decode_header, make_header
from email.message import Message
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, parseaddr

from mend.config import Settings

SMTP_TIMEOUT = 10
#: UTF-8 bodies as quoted-printable: plain English stays legible in the raw message.
_UTF8 = Charset("utf-8")
_UTF8.body_encoding = QP

log = logging.getLogger(__name__)


def compose(settings: Settings, *, message_id: str, to_name: str, to_address: str,
            subject: str, body: str) -> Message:
    # MIMEText (the compat32 policy) builds a plain message in a tenth of EmailMessage's
    # time, which was an eighth of a delivery.
    email = MIMEText(body, "plain", _UTF8)
    email["From"] = settings.mail_from
    email["To"] = formataddr((to_name, to_address)) if to_name else to_address
    email["Subject"] = subject if subject.isascii() else Header(subject, "utf-8").encode()
    email["Date"] = formatdate(localtime=False)
    # One Message-ID per outbox row, so a message sent again after a crash is the same
    # message to every mail system and reader that meets it twice.
    domain = parseaddr(settings.mail_from)[1].rpartition("@")[2] or "mend.invalid"
    email["Message-ID"] = f"<{message_id}@{domain}>"
    return email


def send(settings: Settings, email: Message) -> None:
    if not settings.smtp_host:
        headers = "".join(f"{name}: {make_header(decode_header(email[name]))}\n" for name in
                          ("From", "To", "Subject", "Date", "Message-ID"))
        text = email.get_payload(decode=True).decode("utf-8")
        sys.stdout.write(f"--- email (console; set MEND_SMTP_HOST to send) ---\n"
                         f"{headers}\n{text}--- end of email ---\n")
        sys.stdout.flush()
        return
    client, reused = _connection(settings)
    try:
        _hand_over(client, email)
    except (smtplib.SMTPServerDisconnected, ConnectionError) as error:
        _forget()
        if not reused:
            raise
        # The server closed a connection kept from an earlier message (idle timeouts are
        # common), almost always before this message was accepted: send it once more on a
        # new one. Had the server taken it already, the repeat carries the same Message-ID.
        log.info("SMTP connection was closed (%s); sending on a new one", type(error).__name__)
        client, _ = _connection(settings)
        _hand_over(client, email)
    except BaseException:
        _forget()
        raise


def _hand_over(client: smtplib.SMTP, email: Message) -> None:
    """One message to the server. ``send_message`` copies the message and flattens it again
    through a generator of its own, a third of the client's time on a short reminder; the
    message's own bytes and its two addresses are the same envelope without that. An address
    outside ASCII needs the server's SMTPUTF8, which ``send_message`` negotiates."""
    sender, recipient = parseaddr(email["From"])[1], parseaddr(email["To"])[1]
    if not (sender.isascii() and recipient.isascii()):
        client.send_message(email)
        return
    client.sendmail(sender, [recipient], email.as_bytes())


#: The worker's open SMTP connection, kept between messages: opening one (TCP, greeting,
#: EHLO, STARTTLS, login) costs more than sending a short message on it.
_open: dict[tuple, smtplib.SMTP] = {}


def _connection(settings: Settings) -> tuple[smtplib.SMTP, bool]:
    key = (settings.smtp_host, settings.smtp_port, settings.smtp_security,
           settings.smtp_username)
    if key in _open:
        return _open[key], True
    _forget()
    if settings.smtp_security == "tls":
        client: smtplib.SMTP = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port,
                                                timeout=SMTP_TIMEOUT,
                                                context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT)
    try:
        if settings.smtp_security == "starttls":
            client.starttls(context=ssl.create_default_context())
        if settings.smtp_username:
            client.login(settings.smtp_username, settings.smtp_password or "")
    except BaseException:
        client.close()
        raise
    _open[key] = client
    return client, False


def _forget() -> None:
    for client in _open.values():
        try:
            client.close()
        except Exception:  # closing a broken connection: nothing more to do with it
            pass
    _open.clear()


def reason(error: Exception) -> str:
    """Why a send failed, in words fit for the outbox: the SMTP code, never the message."""
    if isinstance(error, smtplib.SMTPResponseException):
        return f"the mail server refused it ({error.smtp_code})"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "the mail server refused the address"
    if isinstance(error, (ConnectionError, TimeoutError, OSError)):
        return "the mail server could not be reached"
    return f"sending failed ({type(error).__name__})"
