"""What the operations page may say of a failed job: the exception's last line only, with
ids and email addresses blanked, since the queue is shared by every practice."""

from __future__ import annotations

from mend.workers.queue_status import last_line

TRACEBACK = """Traceback (most recent call last):
  File "/srv/mend/workers/delivery.py", line 40, in deliver
    send(message, to="ana@harbor.test")
smtplib.SMTPRecipientsRefused: {'ana@harbor.test': (550, b'No such user')} \
for 5f0c9a52-3f0e-4a43-9a57-0d9bb5f1c0de
"""


def test_the_last_line_of_a_traceback_keeps_the_exception_and_blanks_ids_and_addresses():
    line = last_line(TRACEBACK)
    assert line.startswith("smtplib.SMTPRecipientsRefused: ")
    assert "ana@harbor.test" not in line and "5f0c9a52" not in line
    assert "File" not in line and "send(" not in line


def test_mends_own_job_failures_read_as_they_were_raised():
    assert last_line("Traceback ...\nmend.workers.queue.JobFailed: OperationalError\n") == (
        "mend.workers.queue.JobFailed: OperationalError")


def test_nothing_to_read_is_an_empty_line_and_a_long_one_is_cut():
    assert last_line(None) == "" and last_line("\n\n") == ""
    assert len(last_line("ValueError: " + "x" * 1000)) == 200
