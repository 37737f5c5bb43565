"""The signed token of a feedback link (django.core.signing): it carries only the link's random nonce,
is valid for 14 days from signing, and is refused once the link was used. A tampered, expired,
unknown or used token gives the same answer: not found."""

from __future__ import annotations

import datetime
import secrets

from django.core import signing

from core.errors import NotFoundError

SALT = "interventions.feedback.link"
LIFETIME = datetime.timedelta(days=14)


def new_nonce() -> str:
    return secrets.token_urlsafe(32)  # 43 characters


def token_for(nonce: str) -> str:
    return signing.dumps({"n": nonce}, salt=SALT, compress=False)


def nonce_from(token: str) -> str:
    """The nonce of a token that is genuine and not older than LIFETIME; NotFoundError otherwise."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=LIFETIME)
    except (signing.BadSignature, ValueError, TypeError):  # SignatureExpired is a BadSignature
        raise NotFoundError() from None
    nonce = payload.get("n") if isinstance(payload, dict) else None
    if not isinstance(nonce, str) or not nonce:
        raise NotFoundError()
    return nonce
