#!/usr/bin/env python3
"""Cross-check Recur's Stripe-Signature code against the official `stripe` package.

PAYMENTS.md 2.1 and 2.4: the signer must agree with stripe.WebhookSignature. This script
is driven by the Swift test StripeCrossCheckTests; it needs `pip install stripe`.

Usage:
    stripe-crosscheck.py check                  -> {"ok": true, "stripe_version": "16.1.0"}
    stripe-crosscheck.py sign   < request.json  -> {"ok": true, "header": "t=...,v1=..."}
    stripe-crosscheck.py verify < request.json  -> {"ok": true} or {"ok": false, "error": "..."}
    stripe-crosscheck.py batch  < [requests]    -> [responses]  (each request names its "op")

A request is a JSON object:
    payload_b64  the raw body, base64 (so any bytes survive the pipe); it must be UTF-8,
                 because stripe-python verifies the decoded text
    secret       the endpoint secret, "whsec_..."
    timestamp    (sign) unix seconds
    header       (verify) the Stripe-Signature value
    tolerance    (verify) seconds, or null to skip the time check

Exit status: 0 when every request was answered (a rejected signature is an answer),
2 for a bad request, 3 when `stripe` cannot be imported.
"""

import base64
import json
import sys

try:
    import stripe
except ImportError as error:  # pragma: no cover - reported to the caller
    print(json.dumps({"ok": False, "error": f"stripe is not importable: {error}"}))
    sys.exit(3)


def sign(request):
    payload = base64.b64decode(request["payload_b64"]).decode("utf-8")
    header = stripe.WebhookSignature.generate_signature_header(
        payload, request["secret"], timestamp=int(request["timestamp"])
    )
    return {"ok": True, "header": header}


def verify(request):
    payload = base64.b64decode(request["payload_b64"])
    try:
        stripe.WebhookSignature.verify_header(
            payload, request.get("header"), request["secret"], tolerance=request.get("tolerance")
        )
    except stripe.SignatureVerificationError as error:
        return {"ok": False, "error": str(error)}
    return {"ok": True}


def answer(request):
    op = request.get("op")
    if op == "sign":
        return sign(request)
    if op == "verify":
        return verify(request)
    if op == "check":
        return {"ok": True, "stripe_version": getattr(stripe, "VERSION", "unknown")}
    raise ValueError(f"unknown op {op!r}")


def main(argv):
    if len(argv) != 2 or argv[1] not in ("check", "sign", "verify", "batch"):
        print(__doc__, file=sys.stderr)
        return 2
    op = argv[1]
    try:
        if op == "check":
            result = answer({"op": "check"})
        elif op == "batch":
            result = [answer(request) for request in json.load(sys.stdin)]
        else:
            request = json.load(sys.stdin)
            request["op"] = op
            result = answer(request)
    except (KeyError, ValueError, TypeError) as error:
        print(json.dumps({"ok": False, "error": f"bad request: {error}"}))
        return 2
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
