"""Interoperability check: a third-party OpenID Connect client library (authlib) against a
running assetstatus instance. Run by crates/assetstatus/tests/it/oidc_interop.rs, which starts the
server, registers the clients and passes everything in environment variables. Prints one JSON
object with what it observed; any failed expectation raises and exits non-zero."""

import base64
import hashlib
import json
import os
import re
import secrets
import sys
import time
import traceback
from urllib.parse import parse_qs, urlencode, urljoin, urlparse

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt
from authlib.oauth2.rfc7523 import PrivateKeyJWT, private_key_jwt_sign

# Loopback test server without TLS.
os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"

ISSUER = os.environ["ISSUER"]
EMAIL = os.environ["EMAIL"]
PASSWORD = os.environ["PASSWORD"]
CODE_CLIENT_ID = os.environ["CODE_CLIENT_ID"]
CODE_CLIENT_SECRET = os.environ["CODE_CLIENT_SECRET"]
REDIRECT_URI = os.environ["REDIRECT_URI"]
SERVICE_CLIENT_ID = os.environ["SERVICE_CLIENT_ID"]
SERVICE_KEY_PEM = os.environ["SERVICE_KEY_PEM"]
API_AUDIENCE = os.environ["API_AUDIENCE"]
FAPI_CLIENT_ID = os.environ["FAPI_CLIENT_ID"]
FAPI_KEY_PEM = os.environ["FAPI_KEY_PEM"]


class ShortPrivateKeyJWT(PrivateKeyJWT):
    """private_key_jwt with a one-minute assertion (the provider accepts a few minutes at most;
    authlib's default is an hour), for `audience`: the issuer, as FAPI 2.0 wants, or the token
    endpoint."""

    def __init__(self, audience):
        super().__init__(audience, alg="ES256")
        self.audience = audience

    def sign(self, auth, token_endpoint):
        return private_key_jwt_sign(
            auth.client_secret,
            client_id=auth.client_id,
            token_endpoint=self.audience,
            alg="ES256",
            expires_in=60,
        )


class DpopKey:
    """A DPoP key pair (RFC 9449) and the proofs it signs."""

    def __init__(self):
        self.key = JsonWebKey.generate_key("EC", "P-256", is_private=True)
        self.public = self.key.as_dict(is_private=False)

    def thumbprint(self):
        return JsonWebKey.import_key(self.public).thumbprint()

    def proof(self, method, url, access_token=None):
        claims = {
            "jti": secrets.token_urlsafe(24),
            "htm": method,
            "htu": url,
            "iat": int(time.time()),
        }
        if access_token:
            digest = hashlib.sha256(access_token.encode("ascii")).digest()
            claims["ath"] = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
        header = {"typ": "dpop+jwt", "alg": "ES256", "jwk": self.public}
        return jwt.encode(header, claims, self.key).decode("ascii")


def expect(condition, what):
    if not condition:
        raise AssertionError(what)


def main():
    seen = {}
    config = requests.get(ISSUER + "/.well-known/openid-configuration", timeout=10).json()
    expect(config["issuer"] == ISSUER, "discovery issuer")
    expect(config["code_challenge_methods_supported"] == ["S256"], "S256 only")
    keys = JsonWebKey.import_key_set(requests.get(config["jwks_uri"], timeout=10).json())

    client = OAuth2Session(
        CODE_CLIENT_ID,
        CODE_CLIENT_SECRET,
        scope="openid email profile assets:read",
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
    )
    verifier = generate_token(64)
    nonce = generate_token(20)
    url, state = client.create_authorization_url(
        config["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )

    # The customer's browser: sent to log in first, then back to the authorization request.
    browser = requests.Session()
    first = browser.get(url, allow_redirects=False, timeout=10)
    expect(first.status_code in (302, 303) and first.headers["Location"] == "/login", "login first")
    page = browser.get(ISSUER + "/login", timeout=10).text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    login = browser.post(
        ISSUER + "/login",
        data={"csrf": csrf, "email": EMAIL, "password": PASSWORD},
        allow_redirects=False,
        timeout=10,
    )
    resume = login.headers["Location"]
    expect(resume.startswith("/oauth2/authorize?"), "login resumes the authorization request")
    back = browser.get(urljoin(ISSUER, resume), allow_redirects=False, timeout=10)
    callback = back.headers["Location"]
    expect(callback.startswith(REDIRECT_URI + "?"), "code goes to the registered redirect URI")
    query = parse_qs(urlparse(callback).query)
    expect(query["iss"] == [ISSUER], "iss response parameter (RFC 9207)")
    expect(query["state"] == [state], "state returned")

    token = client.fetch_token(
        config["token_endpoint"], authorization_response=callback, code_verifier=verifier
    )
    id_claims = jwt.decode(
        token["id_token"],
        keys,
        claims_options={
            "iss": {"essential": True, "value": ISSUER},
            "aud": {"essential": True, "value": CODE_CLIENT_ID},
            "nonce": {"essential": True, "value": nonce},
            "sub": {"essential": True},
        },
    )
    id_claims.validate()
    seen["id_token_sub"] = id_claims["sub"]
    seen["id_token_amr"] = id_claims["amr"]
    seen["id_token_kid"] = jwt_header(token["id_token"])["kid"]
    access = jwt.decode(
        token["access_token"],
        keys,
        claims_options={
            "iss": {"essential": True, "value": ISSUER},
            "aud": {"essential": True, "value": API_AUDIENCE},
        },
    )
    access.validate()
    seen["access_scope"] = access["scope"]

    info = client.get(config["userinfo_endpoint"]).json()
    expect(info["sub"] == id_claims["sub"], "userinfo subject matches the ID token")
    seen["userinfo_email"] = info["email"]

    first_refresh = token["refresh_token"]
    renewed = client.refresh_token(config["token_endpoint"], refresh_token=first_refresh)
    expect(renewed["refresh_token"] != first_refresh, "refresh token rotated")
    jwt.decode(renewed["id_token"], keys).validate()
    seen["refreshed"] = True

    # Presenting the rotated token again revokes the whole family, the new token included.
    seen["refresh_reuse"] = refresh_error(config, first_refresh)
    seen["refresh_after_reuse"] = refresh_error(config, renewed["refresh_token"])

    # Redeeming the same code again is refused.
    replay = requests.post(
        config["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": query["code"][0],
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
        },
        auth=(CODE_CLIENT_ID, CODE_CLIENT_SECRET),
        timeout=10,
    )
    seen["code_replay"] = replay.json()["error"]

    service = OAuth2Session(
        SERVICE_CLIENT_ID,
        SERVICE_KEY_PEM,
        token_endpoint_auth_method=ShortPrivateKeyJWT(config["token_endpoint"]),
        scope="ledger:read",
    )
    service_token = service.fetch_token(config["token_endpoint"], grant_type="client_credentials")
    service_claims = jwt.decode(
        service_token["access_token"],
        keys,
        claims_options={"aud": {"essential": True, "value": API_AUDIENCE}},
    )
    service_claims.validate()
    expect(service_claims["sub"] == SERVICE_CLIENT_ID, "service token names the client")
    seen["service_scope"] = service_claims["scope"]
    expect("refresh_token" not in service_token, "no refresh token for client credentials")

    # Revocation (RFC 7009) of a fresh customer grant ends its refresh token.
    second = fresh_grant(config, browser)
    client.revoke_token(config["revocation_endpoint"], token=second, token_type_hint="refresh_token")
    seen["refresh_after_revoke"] = refresh_error(config, second)

    fapi_flow(config, keys, browser, seen)
    print(json.dumps(seen))


def fapi_flow(config, keys, browser, seen):
    """FAPI 2.0: a pushed request, private_key_jwt, PKCE, DPoP-bound tokens used with proofs."""
    expect(
        config["pushed_authorization_request_endpoint"] == ISSUER + "/oauth2/par", "PAR endpoint"
    )
    expect("ES256" in config["dpop_signing_alg_values_supported"], "DPoP with ES256")
    client_auth = ShortPrivateKeyJWT(ISSUER)
    client = OAuth2Session(
        FAPI_CLIENT_ID,
        FAPI_KEY_PEM,
        scope="openid email assets:read",
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
        token_endpoint_auth_method=client_auth,
    )
    verifier = generate_token(64)
    nonce = generate_token(20)
    url, state = client.create_authorization_url(
        config["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )

    # Sent in full, the request is refused: this client must push it.
    plain = browser.get(url, allow_redirects=False, timeout=10).headers["Location"]
    seen["fapi_plain_request"] = parse_qs(urlparse(plain).query)["error"][0]

    # Pushed with the client's assertion; the browser brings only the reference.
    params = dict(parse_qs(urlparse(url).query))
    form = {name: values[0] for name, values in params.items()}
    form["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    form["client_assertion"] = client_auth.sign(client, config["pushed_authorization_request_endpoint"])
    pushed = requests.post(config["pushed_authorization_request_endpoint"], data=form, timeout=10)
    expect(pushed.status_code == 201, "PAR accepted: " + pushed.text)
    pushed = pushed.json()
    seen["fapi_par_expires_in"] = pushed["expires_in"]
    by_reference = config["authorization_endpoint"] + "?" + urlencode(
        {"client_id": FAPI_CLIENT_ID, "request_uri": pushed["request_uri"]}
    )
    callback = browser.get(by_reference, allow_redirects=False, timeout=10).headers["Location"]
    query = parse_qs(urlparse(callback).query)
    expect(query["iss"] == [ISSUER], "iss response parameter (RFC 9207)")
    expect(query["state"] == [state], "state returned")
    again = browser.get(by_reference, allow_redirects=False, timeout=10)
    seen["fapi_request_uri_reuse"] = again.status_code

    dpop = DpopKey()
    token_endpoint = config["token_endpoint"]
    token = client.fetch_token(
        token_endpoint,
        authorization_response=callback,
        code_verifier=verifier,
        headers={"DPoP": dpop.proof("POST", token_endpoint)},
    )
    seen["fapi_token_type"] = token["token_type"]
    access = token["access_token"]
    access_claims = jwt.decode(
        access,
        keys,
        claims_options={
            "iss": {"essential": True, "value": ISSUER},
            "aud": {"essential": True, "value": API_AUDIENCE},
        },
    )
    access_claims.validate()
    seen["fapi_jkt_matches"] = access_claims["cnf"]["jkt"] == dpop.thumbprint()
    id_claims = jwt.decode(
        token["id_token"],
        keys,
        claims_options={
            "aud": {"essential": True, "value": FAPI_CLIENT_ID},
            "nonce": {"essential": True, "value": nonce},
        },
    )
    id_claims.validate()

    def with_proof(url, access_token):
        return requests.get(
            url,
            headers={
                "Authorization": "DPoP " + access_token,
                "DPoP": dpop.proof("GET", url, access_token),
            },
            timeout=10,
        )

    info = with_proof(config["userinfo_endpoint"], access)
    expect(info.status_code == 200, "userinfo with DPoP: " + info.text)
    seen["fapi_userinfo_sub_matches"] = info.json()["sub"] == id_claims["sub"]
    me = with_proof(ISSUER + "/api/v1/me", access)
    expect(me.status_code == 200, "/api/v1/me with DPoP: " + me.text)
    seen["fapi_me_id_matches"] = me.json()["id"] == id_claims["sub"]
    stolen = requests.get(
        ISSUER + "/api/v1/me", headers={"Authorization": "Bearer " + access}, timeout=10
    )
    seen["fapi_bearer_use"] = stolen.status_code
    seen["fapi_bearer_challenge"] = stolen.headers.get("WWW-Authenticate", "").split(" ")[0]

    renewed = client.refresh_token(
        token_endpoint,
        refresh_token=token["refresh_token"],
        headers={"DPoP": dpop.proof("POST", token_endpoint)},
    )
    seen["fapi_refreshed_type"] = renewed["token_type"]
    expect(with_proof(ISSUER + "/api/v1/me", renewed["access_token"]).status_code == 200, "renewed token works")


def refresh_error(config, refresh_token):
    answer = requests.post(
        config["token_endpoint"],
        data={"grant_type": "refresh_token", "refresh_token": refresh_token},
        auth=(CODE_CLIENT_ID, CODE_CLIENT_SECRET),
        timeout=10,
    )
    return answer.json().get("error")


def fresh_grant(config, browser):
    """Another authorization with the already logged-in browser; returns its refresh token."""
    client = OAuth2Session(
        CODE_CLIENT_ID,
        CODE_CLIENT_SECRET,
        scope="openid",
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
    )
    verifier = generate_token(48)
    url, _ = client.create_authorization_url(
        config["authorization_endpoint"], code_verifier=verifier, nonce=secrets.token_urlsafe(8)
    )
    callback = browser.get(url, allow_redirects=False, timeout=10).headers["Location"]
    token = client.fetch_token(
        config["token_endpoint"], authorization_response=callback, code_verifier=verifier
    )
    return token["refresh_token"]


def jwt_header(token):
    import base64

    head = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))


if __name__ == "__main__":
    try:
        main()
    except Exception:  # report where and why, then fail
        traceback.print_exc()
        sys.exit(1)
