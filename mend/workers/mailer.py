"""Sending one email: over SMTP when MEND_SMTP_HOST is set, otherwise printed to the console
(the embedded default), so `make run` shows every message it would have sent."""

from __future__ import annotations

import smtplib
import ssl
import sys
from email.message import EmailMessage
from email.utils import formatdate, parseaddr

from mend.config import Settings

SMTP_TIMEOUT = 10


def compose(settings: Settings, *, message_id: str, to_name: str, to_address: str,
            subject: str, body: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = settings.mail_from
    email["To"] = f"{to_name} <{to_address}>" if to_name else to_address
    email["Subject"] = subject
    email["Date"] = formatdate(localtime=False)
    # One Message-ID per outbox row, so a message sent again after a crash is the same
    # message to every mail system and reader that meets it twice.
    domain = parseaddr(settings.mail_from)[1].rpartition("@")[2] or "mend.invalid"
    email["Message-ID"] = f"<{message_id}@{domain}>"
    email.set_content(body)
    return email


def send(settings: Settings, email: EmailMessage) -> None:
    if not settings.smtp_host:
        sys.stdout.write(f"--- email (console; set MEND_SMTP_HOST to send) ---\n"
                         f"{email.as_string()}\n--- end of email ---\n")
        sys.stdout.flush()
        return
    if settings.smtp_security == "tls":
        client: smtplib.SMTP = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port,
                                                timeout=SMTP_TIMEOUT,
                                                context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT)
    with client:
        if settings.smtp_security == "starttls":
            client.starttls(context=ssl.create_default_context())
        if settings.smtp_username:
            client.login(settings.smtp_username, settings.smtp_password or "")
        client.send_message(email)


def reason(error: Exception) -> str:
    """Why a send failed, in words fit for the outbox: the SMTP code, never the message."""
    if isinstance(error, smtplib.SMTPResponseException):
        return f"the mail server refused it ({error.smtp_code})"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "the mail server refused the address"
    if isinstance(error, (ConnectionError, TimeoutError, OSError)):
        return "the mail server could not be reached"
    return f"sending failed ({type(error).__name__})"
