"""Backends that fail, for the failure paths of email and text messages."""

from smtplib import SMTPRecipientsRefused

from django.core.mail.backends.base import BaseEmailBackend

from interventions.communications.sms import BaseSMSBackend, SMSError

FAILING_EMAIL = "interventions.tests.communications_helpers.RefusingEmailBackend"
FAILING_SMS = "interventions.tests.communications_helpers.RefusingSMSBackend"


class RefusingEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise SMTPRecipientsRefused({email_messages[0].to[0]: (550, b"5.1.1 mailbox unavailable")})


class RefusingSMSBackend(BaseSMSBackend):
    def send(self, *, to, body):
        raise SMSError("provider refused the number")
