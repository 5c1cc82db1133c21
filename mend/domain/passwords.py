"""Password hashing with argon2id, and the policy a new password must meet."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from mend.domain import vocabulary as v
from mend.domain.errors import InvalidValue

MIN_LENGTH = v.PASSWORD_MIN

# The most used passwords in public breach corpora that are at least MIN_LENGTH long; a
# longer list belongs with the sign-in work, this keeps the worst out from the start.
COMMON_PASSWORDS = frozenset(
    {
        "1234567890", "0123456789", "1111111111", "0000000000", "qwertyuiop",
        "password123", "password12", "password1!", "iloveyou12", "abcdefghij",
        "qwerty1234", "1q2w3e4r5t", "123456789a", "a123456789", "passw0rd12",
        "letmein123", "welcome123", "football12", "baseball12", "sunshine12",
        "princess12", "trustno1!!", "changeme12", "administrator", "1qaz2wsx3edc",
        "qwertyuiop1", "zaq12wsxcde", "q1w2e3r4t5", "asdfghjkl1", "987654321a",
    }
)

# Parameters are argon2-cffi's RFC 9106 "low memory" profile: memory-hard, about 40 ms here.
_hasher = PasswordHasher()
# A fixed hash to verify against when an email is unknown, so both answers take as long.
_DECOY_HASH = _hasher.hash("decoy-password-for-unknown-accounts")


def check_policy(password: object, field: str = "password") -> str:
    if not isinstance(password, str):
        raise InvalidValue(field, "must be text")
    if len(password) < MIN_LENGTH:
        raise InvalidValue(field, f"must be at least {MIN_LENGTH} characters")
    if len(password) > v.PASSWORD_MAX:
        raise InvalidValue(field, f"must be at most {v.PASSWORD_MAX} characters")
    if password.lower() in COMMON_PASSWORDS:
        raise InvalidValue(field, "is one of the most common passwords; choose another")
    return password


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches; spends the same time when there is no hash at all."""
    try:
        return _hasher.verify(password_hash or _DECOY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False
