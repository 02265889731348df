"""sealing.py: what src/core/secret.c seals, done independently for the tests (issue #17).

Sealed value: "v2:" + key id + ":" + base64(iv 12 || AES-256-GCM ciphertext || tag 16).
Keys: HKDF-SHA256(master key file minus one trailing newline, no salt, info label):
settings "camp-config-v1", payment data "camp-paydata-v1", blind index
"camp-openid-index-v1" (HMAC-SHA256, lowercase hex), key id "camp-key-id-v1" (first 4
bytes, hex).  Associated data: a settings key's name; payment data "table.column#row".
"""
import base64
import hashlib
import hmac
import os
import pathlib

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from conftest import ENV, _hkdf_sha256

LABELS = {"settings": b"camp-config-v1", "paydata": b"camp-paydata-v1"}


def master(path=None):
    raw = pathlib.Path(path or ENV["CAMP_MASTER_KEY_FILE"]).read_bytes()
    return raw[:-1] if raw.endswith(b"\n") else raw


def key_id(path=None):
    return _hkdf_sha256(master(path), b"camp-key-id-v1")[:4].hex()


def seal(aad, value, use="paydata", path=None):
    key = _hkdf_sha256(master(path), LABELS[use])
    iv = os.urandom(12)
    ct = AESGCM(key).encrypt(iv, value.encode(), aad.encode())
    return f"v2:{key_id(path)}:" + base64.b64encode(iv + ct).decode()


def seal_setting(name, value, path=None):
    return seal(name, value, "settings", path)


def open_sealed(aad, sealed, use="paydata", path=None):
    """The plaintext, or None when it does not open (another key, row, column or use)."""
    if not sealed or not sealed.startswith("v2:") or sealed[3:11] != key_id(path):
        return None
    blob = base64.b64decode(sealed[12:])
    try:
        return AESGCM(_hkdf_sha256(master(path), LABELS[use])).decrypt(
            blob[:12], blob[12:], aad.encode()).decode()
    except InvalidTag:
        return None


def index(openid, path=None):
    return hmac.new(_hkdf_sha256(master(path), b"camp-openid-index-v1"), openid.encode(),
                    hashlib.sha256).hexdigest()


def openid_cols(table, row_id, openid):
    """(sealed, index) of an openid in camp_member or payment_record row row_id."""
    return seal(f"{table}.openid#{row_id}", openid), index(openid)


def seal_setting_v1(name, value, path=None):
    """A setting as sealed before key ids existed (before migration 011): "v1:" + base64."""
    iv = os.urandom(12)
    ct = AESGCM(_hkdf_sha256(master(path), LABELS["settings"])).encrypt(iv, value.encode(), name.encode())
    return "v1:" + base64.b64encode(iv + ct).decode()
