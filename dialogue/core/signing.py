"""Signed tokens and cookies, with their signing keys derived once per process instead of per request.

itsdangerous derives the signing key from the secret on every sign and check, and Flask and Flask-WTF
build a new serializer for every request. The tokens here are byte for byte the same; only that
repeated set-up is skipped, which matters on the questionnaire's hot path.
"""

from __future__ import annotations

from flask.sessions import SecureCookieSessionInterface
from itsdangerous import TimestampSigner, URLSafeTimedSerializer


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


def serializer(app, salt: str) -> URLSafeTimedSerializer:
    """``URLSafeTimedSerializer(SECRET_KEY, salt=salt)``, one per app and salt."""
    cache = app.extensions.setdefault("dialogue.serializers", {})
    secret = app.config["SECRET_KEY"]
    found = cache.get(salt)
    if found is None or found[0] != secret:
        found = cache[salt] = (secret, URLSafeTimedSerializer(secret, salt=salt, signer=KeyOnceSigner))
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
            found = cache["serializer"] = (keys, URLSafeTimedSerializer(
                keys, salt=self.salt, serializer=self.serializer, signer=KeyOnceSigner,
                signer_kwargs={"key_derivation": self.key_derivation, "digest_method": self.digest_method}))
        return found[1]
