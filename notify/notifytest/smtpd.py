"""A real SMTP server for the tests of ismscomms/notify: aiosmtpd on loopback.

Started by notifytest.StartSMTP (Go), not by hand:

    /usr/bin/python3 smtpd.py --port P --inbox DIR --mode starttls \
        --cert cert.pem --key key.pem --user U   (password in SMTPD_PASSWORD)

Modes: starttls (STARTTLS required before MAIL, AUTH required and only
over TLS), implicit (TLS from the first byte, AUTH required), plain (no
TLS offered, no AUTH). Each message accepted is written to DIR as
NNNNNN.json: {"mail_from", "rcpt_tos", "data" (base64 of the raw
message)}, through a temporary file and a rename. Prints "ready <port>"
once it answers, then runs until its stdin closes.
"""

import argparse
import base64
import json
import os
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Inbox:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            n = self.count
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "data": base64.b64encode(envelope.original_content).decode("ascii"),
        }
        tmp = os.path.join(self.directory, ".%06d.tmp" % n)
        with open(tmp, "w") as f:
            json.dump(record, f)
        os.rename(tmp, os.path.join(self.directory, "%06d.json" % n))
        return "250 2.0.0 Message accepted for delivery"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--inbox", required=True)
    p.add_argument("--mode", choices=["starttls", "implicit", "plain"], default="starttls")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--user", default="")
    a = p.parse_args()
    password = os.environ.get("SMTPD_PASSWORD", "")

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == a.user.encode()
            and auth_data.password == password.encode()
        )
        return AuthResult(success=ok, handled=False)

    kwargs = {}
    ssl_context = None
    if a.mode != "plain":
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(a.cert, a.key)
        kwargs.update(authenticator=authenticator, auth_required=True)
        if a.mode == "starttls":
            kwargs.update(tls_context=ctx, require_starttls=True, auth_require_tls=True)
        else:
            # The whole connection is TLS; aiosmtpd only counts STARTTLS as TLS.
            ssl_context = ctx
            kwargs.update(auth_require_tls=False)
    controller = Controller(
        Inbox(a.inbox), hostname=a.host, port=a.port, ssl_context=ssl_context,
        server_hostname="localhost", ready_timeout=20, **kwargs)
    controller.start()
    print("ready %d" % a.port, flush=True)
    try:
        sys.stdin.read()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
