"""SMTP capture server for tests (aiosmtpd): stores every message it receives, as received, in a
maildir. Options make it hold its reply to DATA while a hold file exists (the message is already
stored), and require STARTTLS with a given certificate and AUTH PLAIN/LOGIN with a given user.
"""

import argparse
import asyncio
import mailbox
import os
import ssl

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Capture:
    def __init__(self, maildir, hold_file):
        self.maildir = mailbox.Maildir(maildir, create=True)
        self.hold_file = hold_file

    async def handle_DATA(self, server, session, envelope):
        self.maildir.add(envelope.original_content or envelope.content)
        while self.hold_file and os.path.exists(self.hold_file):
            await asyncio.sleep(0.05)
        return "250 Message accepted for delivery"


class Authenticator:
    def __init__(self, user, password):
        self.user = user.encode()
        self.password = password.encode()

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == self.user
            and auth_data.password == self.password
        )
        return AuthResult(success=ok, handled=False)


async def serve(args):
    options = {}
    if args.cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)
        options.update(tls_context=context, require_starttls=True)
    if args.user:
        options.update(
            authenticator=Authenticator(args.user, os.environ["SMTP_CAPTURE_PASSWORD"]),
            auth_required=True,
            auth_require_tls=bool(args.cert),
        )
    handler = Capture(args.maildir, args.hold_file)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="capture.test", **options), "127.0.0.1", args.port
    )
    async with server:
        await server.serve_forever()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--maildir", required=True)
    parser.add_argument("--hold-file")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--user")
    asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    main()
