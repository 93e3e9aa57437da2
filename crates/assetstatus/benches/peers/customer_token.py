#!/usr/bin/env python3
"""Gets a customer's access token from assetstatus the way an application does, for
scripts/bench-peers: the customer logs in with the portal's own form (GET /login for the CSRF
token, POST /login), the authorization request (with PKCE, S256) answers with a code, and the
code is redeemed at the token endpoint with the client's HTTP Basic credentials.
Standard library only. Prints the access token on stdout; anything else goes to stderr.

    customer_token.py BASE_URL CLIENT_ID CLIENT_SECRET REDIRECT_URI EMAIL PASSWORD [SCOPE]
"""

import base64
import hashlib
import http.cookiejar
import json
import re
import secrets
import sys
import urllib.error
import urllib.parse
import urllib.request


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def fail(why):
    print(f"customer_token: {why}", file=sys.stderr)
    sys.exit(1)


def call(opener, url, data=None, headers=None):
    """(status, headers, body) of one request; redirects are not followed."""
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode(errors="replace")


def main():
    if len(sys.argv) not in (7, 8):
        fail(__doc__.strip().splitlines()[-1].strip())
    base, client_id, client_secret, redirect_uri, email, password = sys.argv[1:7]
    scope = sys.argv[7] if len(sys.argv) == 8 else "openid assets:read"
    base = base.rstrip("/") + "/"
    browser = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect()
    )

    status, _, html = call(browser, base + "login")
    if status != 200:
        fail(f"GET /login answered {status}")
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    if not found:
        fail("no CSRF token on the login page")
    form = urllib.parse.urlencode(
        {"csrf": found.group(1), "email": email, "password": password}
    ).encode()
    status, headers, _ = call(
        browser,
        base + "login",
        form,
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    if status != 303:
        fail(f"POST /login answered {status} (expected 303), Location: {headers.get('Location')}")

    verifier = secrets.token_urlsafe(48)
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        .rstrip(b"=")
        .decode()
    )
    state = secrets.token_urlsafe(16)
    query = urllib.parse.urlencode(
        {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "scope": scope,
            "state": state,
            "nonce": secrets.token_urlsafe(16),
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    status, headers, _ = call(browser, base + "oauth2/authorize?" + query)
    location = headers.get("Location") or ""
    if status not in (302, 303, 307) or not location.startswith(redirect_uri):
        fail(f"authorization answered {status}, Location: {location or '(none)'}")
    params = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)
    if params.get("state") != [state] or "code" not in params:
        fail(f"authorization returned no code: {location}")

    basic = base64.b64encode(
        f"{urllib.parse.quote(client_id, safe='')}:{urllib.parse.quote(client_secret, safe='')}".encode()
    ).decode()
    form = urllib.parse.urlencode(
        {
            "grant_type": "authorization_code",
            "code": params["code"][0],
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
        }
    ).encode()
    status, _, body = call(
        urllib.request.build_opener(NoRedirect()),
        base + "oauth2/token",
        form,
        {
            "Authorization": f"Basic {basic}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    if status != 200:
        fail(f"code exchange answered {status}: {body[:300]}")
    token = json.loads(body).get("access_token")
    if not token:
        fail("code exchange returned no access token")
    print(token)


if __name__ == "__main__":
    main()
