"""Relay tokens in the keyring (app/secrets.py): stored per URL, never logged, and a machine
without a usable keyring gets a plain message instead of a crash."""

from __future__ import annotations

import logging

import keyring
import pytest
from keyring.backends.fail import Keyring as NoKeyring

from app import secrets


def test_tokens_are_kept_per_url(memory_keyring, caplog):
    caplog.set_level(logging.DEBUG)
    secrets.set_token("https://a.example/whip", "token-a")
    secrets.set_token("https://b.example/whip", "token-b")
    assert secrets.get_token("https://a.example/whip") == "token-a"
    assert secrets.get_token(" https://b.example/whip ") == "token-b"
    assert secrets.get_token("https://c.example/whip") is None
    secrets.set_token("https://a.example/whip", "")  # empty = forget
    assert secrets.get_token("https://a.example/whip") is None
    secrets.delete_token("https://a.example/whip")  # forgetting twice is fine
    assert "token-a" not in caplog.text and "token-b" not in caplog.text


def test_no_keyring_means_plain_error_on_save_and_nothing_on_read(caplog):
    previous = keyring.get_keyring()
    keyring.set_keyring(NoKeyring())
    try:
        with pytest.raises(secrets.SecretStoreError, match="this session only"):
            secrets.set_token("https://a.example/whip", "very-secret")
        assert secrets.get_token("https://a.example/whip") is None
    finally:
        keyring.set_keyring(previous)
    assert "very-secret" not in caplog.text
