"""Relay tokens in the operating system's keyring, never in the settings file or logs.

A token is stored per target URL (a host may use several relays). Machines without a usable
keyring (a bare server, a locked keychain) get a plain-words `SecretStoreError` when saving;
reading simply finds nothing, so the host types the token again.
"""

from __future__ import annotations

import logging

import keyring
from keyring.errors import KeyringError, PasswordDeleteError

log = logging.getLogger(__name__)

SERVICE = "livedesk"


class SecretStoreError(Exception):
    """The keyring could not store or remove a token (message in plain words)."""


def _key(url: str) -> str:
    return f"relay-token:{url.strip()}"


def get_token(url: str) -> str | None:
    """The token saved for `url`, or None (none saved, or no keyring available)."""
    if not url:
        return None
    try:
        return keyring.get_password(SERVICE, _key(url)) or None
    except (KeyringError, RuntimeError) as exc:
        log.warning("cannot read from the keyring: %s", type(exc).__name__)
        return None


def set_token(url: str, token: str) -> None:
    """Save `token` for `url` (an empty token removes it)."""
    if not token:
        delete_token(url)
        return
    try:
        keyring.set_password(SERVICE, _key(url), token)
    except (KeyringError, RuntimeError) as exc:
        raise SecretStoreError(
            "The token could not be saved in the system keyring "
            f"({type(exc).__name__}); it will be used for this session only."
        ) from None


def delete_token(url: str) -> None:
    try:
        keyring.delete_password(SERVICE, _key(url))
    except PasswordDeleteError:
        pass
    except (KeyringError, RuntimeError) as exc:
        raise SecretStoreError(
            f"The saved token could not be removed from the keyring ({type(exc).__name__})."
        ) from None
