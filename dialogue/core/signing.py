"""Signed tokens and cookies, with their signing keys derived once per process instead of per request.

itsdangerous derives the signing key from the secret on every sign and check, and Flask and Flask-WTF
build a new serializer for every request. The tokens here are byte for byte the same; only that
repeated set-up is skipped, which matters on the questionnaire's hot path.
"""

from __future__ import annotations

import base64
import hmac
import time

from flask.sessions import SecureCookieSessionInterface
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from itsdangerous.signer import HMACAlgorithm


class KeyOnceSigner(TimestampSigner):
    """itsdangerous' timestamp signer that remembers each derived key (serializers make a signer per call)."""

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        recipe = (secret_key if secret_key is not None else self.secret_keys[-1], self.salt, self.key_derivation,
                  self.digest_method)
        key = _derived.get(recipe)
        if key is None:
            key = _derived[recipe] = super().derive_key(secret_key)
        return key


_derived: dict[tuple, bytes] = {}


class TimedSerializer(URLSafeTimedSerializer):
    """itsdangerous' URL-safe timed serializer, which first checks a token the short way.

    itsdangerous walks some twenty Python calls per token (a signer per key, the algorithm, the
    timestamp signer), which under load cost more than the HMAC itself. The short way computes the
    newest key's HMAC in one call to OpenSSL and checks the timestamp; a token it accepts is one
    itsdangerous accepts with the same key, and it hands everything else (an older key, a bad or
    expired token, anything unusual) to itsdangerous unchanged, so both accept and refuse exactly the
    same tokens with the same errors.
    """

    def loads(self, s, max_age=None, return_timestamp=False, salt=None):
        checked = self._checked(s, max_age) if salt is None else None
        if checked is None:
            return super().loads(s, max_age=max_age, return_timestamp=return_timestamp, salt=salt)
        payload, signed_at = checked
        value = self.load_payload(payload)
        return (value, signed_at) if return_timestamp else value

    def _checked(self, s, max_age):
        """(payload, time signed) of a token signed with the newest key and not expired, else None."""
        prepared = self.__dict__.get("_prepared")
        if prepared is None:
            signer = self.make_signer(self.salt)
            usable = isinstance(signer.algorithm, HMACAlgorithm) and signer.sep in (".", b".")
            prepared = self._prepared = (signer.derive_key(), signer.digest_method().name, signer) if usable else ()
        if not prepared:
            return None
        key, digest, signer = prepared
        try:
            token = s.encode("ascii") if isinstance(s, str) else bytes(s)
            value, dot, signature = token.rpartition(b".")
            if not dot or not hmac.compare_digest(_decode(signature), hmac.digest(key, value, digest)):
                return None
            payload, dot, stamp = value.rpartition(b".")
            if not dot:
                return None
            stamped = int.from_bytes(_decode(stamp), "big")
            if max_age is not None and not 0 <= int(time.time()) - stamped <= max_age:
                return None
            return payload, signer.timestamp_to_datetime(stamped)
        except (ValueError, TypeError, OSError, OverflowError):  # itsdangerous says what is wrong
            return None


def _decode(text: bytes) -> bytes:
    """itsdangerous' base64_decode (URL-safe, padding restored, stray characters skipped)."""
    return base64.urlsafe_b64decode(text + b"=" * (-len(text) % 4))


def serializer(app, salt: str) -> TimedSerializer:
    """``URLSafeTimedSerializer(SECRET_KEY, salt=salt)``, one per app and salt."""
    cache = app.extensions.setdefault("dialogue.serializers", {})
    secret = app.config["SECRET_KEY"]
    found = cache.get(salt)
    if found is None or found[0] != secret:
        found = cache[salt] = (secret, TimedSerializer(secret, salt=salt, signer=KeyOnceSigner))
    return found[1]


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, the same cookies, with the serializer built once per app."""

    def get_signing_serializer(self, app):
        if not app.secret_key:
            return None
        keys = [*(app.config.get("SECRET_KEY_FALLBACKS") or ()), app.secret_key]
        cache = app.extensions.setdefault("dialogue.session_serializer", {})
        found = cache.get("serializer")
        if found is None or found[0] != keys:
            found = cache["serializer"] = (keys, TimedSerializer(
                keys, salt=self.salt, serializer=self.serializer, signer=KeyOnceSigner,
                signer_kwargs={"key_derivation": self.key_derivation, "digest_method": self.digest_method}))
        return found[1]
