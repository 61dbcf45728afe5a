"""Node-to-node HTTP: RFC 9421 HTTP Message Signatures with the node's Ed25519 key.

Covered: method, path, query, the recipient node id (`corridor-to`) and the body digest, so a
request cannot be replayed to another node or altered; `created` bounds clock skew and age.
The authority is not covered: nodes may sit behind reverse proxies. Each request carries a
random `nonce` (a signature parameter, so covered too) that the receiver accepts once: a
request captured and sent again within its window is refused, not taken for a duplicate.
Responses are not signed: what they carry back (records, receipts) is signed record by
record and stored idempotently."""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from http_message_signatures import (
    HTTPMessageSigner,
    HTTPMessageVerifier,
    HTTPSignatureKeyResolver,
    algorithms,
)
from http_message_signatures.exceptions import HTTPMessageSignaturesException

from corridor import clock
from corridor.errors import Unauthenticated
from corridor.keys import NodeKeys

COMPONENTS = ("@method", "@path", "@query", "corridor-to", "content-digest")
LABEL = "corridor"
TAG = "corridor-federation"
MAX_AGE = timedelta(minutes=5)
MAX_SKEW = timedelta(seconds=60)
# 128 random bits, base64url without padding (22 characters); a receiver takes 16 to 64.
NONCE_BYTES = 16
NONCE = re.compile(r"[A-Za-z0-9_-]{16,64}")
TIMEOUT = httpx.Timeout(15.0, connect=3.0)
# Kept-alive connections to every peer of a large network (the default keeps 20).
LIMITS = httpx.Limits(max_connections=200, max_keepalive_connections=100, keepalive_expiry=30)


class ReplayedRequest(Unauthenticated):
    """A signed request whose nonce its origin used already: sent again by someone."""

    title = "Replayed request"
    type_slug = "replayed-request"


# claim_nonce(origin, nonce, keep_until) -> False when the origin used the nonce already.
NonceClaim = Callable[[str, str, datetime], bool]


class _Resolver(HTTPSignatureKeyResolver):
    def __init__(
        self,
        *,
        private: NodeKeys | None = None,
        public: Callable[[str], bytes | None] | None = None,
    ) -> None:
        self.private = private
        self.public = public

    def resolve_private_key(self, key_id: str) -> Any:
        assert self.private is not None and key_id == self.private.node_id
        return self.private.signing

    def resolve_public_key(self, key_id: str) -> Any:
        raw = self.public(key_id) if self.public else None
        if raw is None:
            raise Unauthenticated(f"node {key_id!r} is not an approved peer of this node")
        return Ed25519PublicKey.from_public_bytes(raw)


def sign(request: httpx.Request, keys: NodeKeys, *, to: str, body: bytes) -> None:
    request.headers["corridor-to"] = to
    HTTPMessageSigner(
        signature_algorithm=algorithms.ED25519, key_resolver=_Resolver(private=keys)
    ).sign(
        request,
        key_id=keys.node_id,
        created=clock.now(),
        nonce=secrets.token_urlsafe(NONCE_BYTES),
        label=LABEL,
        tag=TAG,
        covered_component_ids=COMPONENTS,
        body=body,
    )


def verify(
    *,
    method: str,
    url: str,
    headers: dict[str, str],
    body: bytes,
    own_id: str,
    public_key_for: Callable[[str], bytes | None],
    claim_nonce: NonceClaim,
) -> str:
    """Return the calling node's id, or raise Unauthenticated with the reason. The nonce is
    claimed last, once the signature verified: unsigned traffic cannot fill the store."""
    if "signature" not in headers or "signature-input" not in headers:
        raise Unauthenticated("node requests must carry an HTTP message signature (RFC 9421)")
    if headers.get("corridor-to") != own_id:
        raise Unauthenticated("this request is addressed to another node")
    message = SimpleNamespace(method=method, url=url, headers=headers)
    verifier = HTTPMessageVerifier(
        signature_algorithm=algorithms.ED25519, key_resolver=_Resolver(public=public_key_for)
    )
    try:
        results = verifier.verify(
            message,
            max_age=MAX_AGE,
            require_components=COMPONENTS,
            body=body,
            expect_label=LABEL,
            expect_tag=TAG,
        )
    except Unauthenticated:
        raise
    except (HTTPMessageSignaturesException, ValueError, KeyError) as exc:
        reason = str(exc) or type(exc).__name__
        raise Unauthenticated(f"the request signature does not verify: {reason}") from None
    params = results[0].parameters
    created = params.get("created")
    if not isinstance(created, int):
        raise Unauthenticated("the signature has no creation time")
    if created > (clock.now() + MAX_SKEW).timestamp():
        raise Unauthenticated("the signature was created in the future: check the clocks")
    origin = str(params["keyid"])
    _claim(claim_nonce, origin, params.get("nonce"), created)
    return origin


def _claim(claim_nonce: NonceClaim, origin: str, nonce: object, created: int) -> None:
    if not isinstance(nonce, str) or not NONCE.fullmatch(nonce):
        raise Unauthenticated("the signature has no nonce (16 to 64 base64url characters)")
    # Kept while the signature can still verify: its age limit, plus the verifier's own
    # tolerance (a few seconds) with margin.
    keep_until = datetime.fromtimestamp(created, UTC) + MAX_AGE + MAX_SKEW
    if not claim_nonce(origin, nonce, keep_until):
        raise ReplayedRequest(
            "replayed request: this signed request (its nonce) was received already"
        )


def claimed_key_id(headers: dict[str, str]) -> str | None:
    """The keyid a request claims (before any verification)."""
    m = re.search(r'keyid="([a-z2-7]{26})"', headers.get("signature-input", ""))
    return m.group(1) if m else None


def client() -> httpx.Client:
    return httpx.Client(timeout=TIMEOUT, follow_redirects=False, limits=LIMITS)


_shared: httpx.Client | None = None
_shared_lock = threading.Lock()


def shared_client() -> httpx.Client:
    """The process's client for calls to peers. Building one costs milliseconds of CPU (TLS
    context) and a fresh connection per call costs a handshake: a message to thirty partners
    would pay both thirty times. httpx clients are safe to share between threads."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = client()
        return _shared


def send(
    http: httpx.Client,
    method: str,
    url: str,
    keys: NodeKeys,
    *,
    to: str,
    body: bytes = b"",
    params: dict[str, Any] | None = None,
) -> httpx.Response:
    request = http.build_request(
        method, url, content=body, params=params, headers={"content-type": "application/json"}
    )
    sign(request, keys, to=to, body=body)
    return http.send(request)
