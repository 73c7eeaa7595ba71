"""Writes tests/vectors/oauth.json. Expected values are computed here independently of the
Rust core (Python's urllib quoting and hashlib), so the vectors check the core, not themselves.
Authorize URLs follow entra-docs v2-oauth2-auth-code-flow.md: parameter order of Microsoft's
example, RFC 3986 percent-encoding with spaces as %20."""
import base64, hashlib, json, pathlib
from urllib.parse import quote

def b64u(b): return base64.urlsafe_b64encode(b).rstrip(b"=").decode()
def enc(s): return quote(s, safe="-._~")
def form(pairs): return "&".join(f"{enc(k)}={enc(v)}" for k, v in pairs)

CLIENT = "00001111-aaaa-2222-bbbb-3333cccc4444"
TENANT = "aaaabbbb-0000-cccc-1111-dddd2222eeee"
# RFC 7636 Appendix B octets.
VERIFIER_OCTETS = bytes([116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212,
                         37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121])
STATE_OCTETS = bytes(range(1, 17))
NONCE_OCTETS = bytes([0xAB] * 32)
ENTROPY = {"verifier": VERIFIER_OCTETS.hex(), "state": STATE_OCTETS.hex(), "nonce": NONCE_OCTETS.hex()}
VERIFIER = b64u(VERIFIER_OCTETS)
assert VERIFIER == "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
CHALLENGE = b64u(hashlib.sha256(VERIFIER.encode()).digest())
assert CHALLENGE == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
STATE, NONCE = b64u(STATE_OCTETS), b64u(NONCE_OCTETS)

CLOUDS = {
    "global": ("https://login.microsoftonline.com", "https://graph.microsoft.com", "https://appconfig.azure.com"),
    "us-government": ("https://login.microsoftonline.us", "https://graph.microsoft.us", "https://appconfig.azure.us"),
    "china": ("https://login.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn", "https://appconfig.azure.cn"),
}
EMULATOR = {"kind": "custom", "authorityHost": "http://127.0.0.1:4010", "graphRoot": "http://127.0.0.1:4010",
            "graphAudience": "https://graph.microsoft.com", "armHost": "http://127.0.0.1:4010",
            "appConfigurationHosts": ["127.0.0.1:4011"], "appConfigurationAudience": "https://appconfig.azure.com"}

def authorize_case(name, cloud, host, resource, ctype, tenant, redirect, extra=(), inp_extra=None):
    scopes = [f"{resource}/.default", "openid", "offline_access"]
    q = [("client_id", CLIENT), ("response_type", "code"), ("redirect_uri", redirect), ("response_mode", "query"),
         ("scope", " ".join(scopes)), ("state", STATE), ("nonce", NONCE), ("code_challenge", CHALLENGE),
         ("code_challenge_method", "S256"), *extra]
    inp = {"cloud": cloud, "clientId": CLIENT, "redirectUri": redirect, "connectionType": ctype, "entropy": ENTROPY}
    if tenant != "organizations":
        inp["tenantId"] = tenant
    inp.update(inp_extra or {})
    return {"name": name, "op": "oauth.authorize", "input": inp,
            "expect": {"url": f"{host}/{tenant}/oauth2/v2.0/authorize?{form(q)}", "codeVerifier": VERIFIER,
                       "state": STATE, "nonce": NONCE, "redirectUri": redirect, "tenant": tenant, "scopes": scopes}}

cases = [
    {"name": "PKCE RFC 7636 Appendix B from the verifier", "op": "oauth.pkceChallenge",
     "input": {"verifier": VERIFIER}, "expect": {"verifier": VERIFIER, "challenge": CHALLENGE, "method": "S256"}},
    {"name": "PKCE RFC 7636 Appendix B from the octets", "op": "oauth.pkceChallenge",
     "input": {"entropy": VERIFIER_OCTETS.hex()}, "expect": {"verifier": VERIFIER, "challenge": CHALLENGE, "method": "S256"}},
    {"name": "PKCE verifier too short", "op": "oauth.pkceChallenge", "input": {"verifier": "abc"},
     "expectError": {"code": "too-short", "field": "codeVerifier"}},
    {"name": "PKCE verifier with a plus", "op": "oauth.pkceChallenge", "input": {"verifier": VERIFIER + "+"},
     "expectError": {"code": "invalid-character", "field": "codeVerifier"}},
    {"name": "PKCE entropy of 31 bytes", "op": "oauth.pkceChallenge", "input": {"entropy": "00" * 31},
     "expectError": {"code": "invalid-format", "field": "entropy"}},
]
REDIRECT = "https://azconn.example.com/oauth/callback"
for cloud, (host, graph, appconfig) in CLOUDS.items():
    cases.append(authorize_case(f"authorize Client Secrets, {cloud}", cloud, host, graph, "azure-client-secrets", TENANT, REDIRECT))
    cases.append(authorize_case(f"authorize App Configuration, {cloud}", cloud, host, appconfig, "azure-app-configuration", "organizations", REDIRECT))
cases += [
    authorize_case("authorize as in Microsoft's example (localhost redirect)", "global", CLOUDS["global"][0],
                   "https://graph.microsoft.com", "azure-client-secrets", "common", "http://localhost/myapp/"),
    authorize_case("authorize App Configuration with the legacy azconfig.io audience", "global", CLOUDS["global"][0],
                   "https://azconfig.io", "azure-app-configuration", "contoso.onmicrosoft.com", REDIRECT,
                   inp_extra={"appConfigurationAudience": "legacy"}),
    authorize_case("authorize with prompt, login_hint and domain_hint", "global", CLOUDS["global"][0],
                   "https://graph.microsoft.com", "azure-client-secrets", TENANT, REDIRECT,
                   extra=[("prompt", "select_account"), ("login_hint", "ops admin+azconn@contoso.com"), ("domain_hint", "contoso.com")],
                   inp_extra={"prompt": "select_account", "loginHint": "ops admin+azconn@contoso.com", "domainHint": "contoso.com"}),
    authorize_case("authorize against the local emulator (custom loopback cloud)", EMULATOR, "http://127.0.0.1:4010",
                   "https://graph.microsoft.com", "azure-client-secrets", TENANT, "http://127.0.0.1:8787/oauth/callback"),
    {"name": "legacy audience outside the global cloud", "op": "oauth.authorize",
     "input": {"cloud": "china", "clientId": CLIENT, "redirectUri": REDIRECT, "connectionType": "azure-app-configuration",
               "appConfigurationAudience": "legacy", "entropy": ENTROPY},
     "expectError": {"code": "not-allowed", "field": "appConfigurationAudience"}},
    {"name": "authorize with an http redirect on a public host", "op": "oauth.authorize",
     "input": {"clientId": CLIENT, "redirectUri": "http://azconn.example.com/cb", "connectionType": "azure-client-secrets", "entropy": ENTROPY},
     "expectError": {"code": "insecure-url", "field": "redirectUri"}},
    {"name": "authorize with CRLF in the redirect URI", "op": "oauth.authorize",
     "input": {"clientId": CLIENT, "redirectUri": REDIRECT + "\r\nSet-Cookie: x=y", "connectionType": "azure-client-secrets", "entropy": ENTROPY},
     "expectError": {"code": "invalid-character", "field": "redirectUri"}},
    {"name": "authorize with a tenant that is a path", "op": "oauth.authorize",
     "input": {"tenantId": "contoso.com/../common", "clientId": CLIENT, "redirectUri": REDIRECT, "connectionType": "azure-client-secrets", "entropy": ENTROPY},
     "expectError": {"code": "invalid-character", "field": "tenantId"}},
    {"name": "authorize with 8 bytes of state entropy", "op": "oauth.authorize",
     "input": {"clientId": CLIENT, "redirectUri": REDIRECT, "connectionType": "azure-client-secrets",
               "entropy": {**ENTROPY, "state": "00" * 8}},
     "expectError": {"code": "too-short", "field": "state"}},
    {"name": "authorize with an unknown prompt", "op": "oauth.authorize",
     "input": {"clientId": CLIENT, "redirectUri": REDIRECT, "connectionType": "azure-client-secrets", "prompt": "always", "entropy": ENTROPY},
     "expectError": {"code": "invalid-format", "field": "input"}},
    {"name": "custom cloud over http on a public host is refused", "op": "oauth.authorize",
     "input": {"cloud": {**EMULATOR, "authorityHost": "http://login.evil.example"}, "clientId": CLIENT, "redirectUri": REDIRECT,
               "connectionType": "azure-client-secrets", "entropy": ENTROPY},
     "expectError": {"code": "invalid-format", "field": "input"}},
]
# Admin consent (entra-docs v2-admin-consent.md).
for cloud, tenant in [("global", TENANT), ("us-government", "organizations")]:
    host, graph, _ = CLOUDS[cloud]
    q = [("client_id", CLIENT), ("scope", f"{graph}/.default"), ("redirect_uri", REDIRECT), ("state", STATE)]
    cases.append({"name": f"admin consent, {cloud}, {tenant}", "op": "oauth.adminConsent",
                  "input": {"cloud": cloud, "tenantId": tenant, "clientId": CLIENT, "redirectUri": REDIRECT,
                            "connectionType": "azure-client-secrets", "stateEntropy": STATE_OCTETS.hex()},
                  "expect": {"url": f"{host}/{tenant}/v2.0/adminconsent?{form(q)}", "state": STATE}})
cases.append({"name": "admin consent never on common", "op": "oauth.adminConsent",
              "input": {"tenantId": "common", "clientId": CLIENT, "redirectUri": REDIRECT,
                        "connectionType": "azure-client-secrets", "stateEntropy": STATE_OCTETS.hex()},
              "expectError": {"code": "not-allowed", "field": "tenantId"}})

# Token requests (entra-docs v2-oauth2-auth-code-flow.md, v2-oauth2-client-creds-grant-flow.md).
SECRET = "Xy8Q~a.b_c+d/e=f"  # secrets contain ~ and may contain + / = (azure-docs#39037)
ASSERTION = "eyJhbGciOiJQUzI1NiJ9.eyJhdWQiOiJ4In0.c2lnbmF0dXJl"
GRAPH_SCOPES = ["https://graph.microsoft.com/.default", "openid", "offline_access"]
def token_case(name, inp, url, pairs):
    return {"name": name, "op": "oauth.tokenRequest", "input": inp,
            "expect": {"method": "POST", "url": url,
                       "headers": [["accept", "application/json"], ["content-type", "application/x-www-form-urlencoded"]],
                       "body": form(pairs)}}
G = CLOUDS["global"][0]
cases += [
    token_case("redeem an authorization code with a client secret",
               {"tenantId": TENANT, "clientId": CLIENT, "clientSecret": SECRET,
                "grant": {"type": "authorization_code", "code": "OAAABAAAAiL9Kn2Z27UubvWFPbm0gLWQJVzCTE9UkP3pSx1aXxUjq3n8b2JRLk4OxVXr",
                          "redirectUri": REDIRECT, "codeVerifier": VERIFIER, "scopes": GRAPH_SCOPES}},
               f"{G}/{TENANT}/oauth2/v2.0/token",
               [("client_id", CLIENT), ("scope", " ".join(GRAPH_SCOPES)),
                ("code", "OAAABAAAAiL9Kn2Z27UubvWFPbm0gLWQJVzCTE9UkP3pSx1aXxUjq3n8b2JRLk4OxVXr"),
                ("redirect_uri", REDIRECT), ("grant_type", "authorization_code"), ("code_verifier", VERIFIER), ("client_secret", SECRET)]),
    token_case("refresh with a client assertion, China, organizations",
               {"cloud": "china", "clientId": CLIENT, "clientAssertion": ASSERTION,
                "grant": {"type": "refresh_token", "refreshToken": "0.ARwA6WgJJ9X2qk-refresh", "scopes": ["https://appconfig.azure.cn/.default"]}},
               f"{CLOUDS['china'][0]}/organizations/oauth2/v2.0/token",
               [("client_id", CLIENT), ("scope", "https://appconfig.azure.cn/.default"), ("refresh_token", "0.ARwA6WgJJ9X2qk-refresh"),
                ("grant_type", "refresh_token"), ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
                ("client_assertion", ASSERTION)]),
    token_case("client credentials with a secret, US Government",
               {"cloud": "us-government", "tenantId": "contoso.onmicrosoft.us", "clientId": CLIENT, "clientSecret": SECRET,
                "grant": {"type": "client_credentials", "scope": "https://graph.microsoft.us/.default"}},
               f"{CLOUDS['us-government'][0]}/contoso.onmicrosoft.us/oauth2/v2.0/token",
               [("client_id", CLIENT), ("scope", "https://graph.microsoft.us/.default"), ("grant_type", "client_credentials"),
                ("client_secret", SECRET)]),
    token_case("client credentials with a certificate assertion",
               {"tenantId": TENANT, "clientId": CLIENT, "clientAssertion": ASSERTION,
                "grant": {"type": "client_credentials", "scope": "https://appconfig.azure.com/.default"}},
               f"{G}/{TENANT}/oauth2/v2.0/token",
               [("client_id", CLIENT), ("scope", "https://appconfig.azure.com/.default"), ("grant_type", "client_credentials"),
                ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"), ("client_assertion", ASSERTION)]),
    {"name": "client credentials never on common (AADSTS9001023)", "op": "oauth.tokenRequest",
     "input": {"tenantId": "common", "clientId": CLIENT, "clientSecret": SECRET,
               "grant": {"type": "client_credentials", "scope": "https://graph.microsoft.com/.default"}},
     "expectError": {"code": "not-allowed", "field": "tenantId"}},
    {"name": "client credentials without a tenant", "op": "oauth.tokenRequest",
     "input": {"clientId": CLIENT, "clientSecret": SECRET, "grant": {"type": "client_credentials", "scope": "https://graph.microsoft.com/.default"}},
     "expectError": {"code": "required", "field": "tenantId"}},
    {"name": "client credentials with two scopes", "op": "oauth.tokenRequest",
     "input": {"tenantId": TENANT, "clientId": CLIENT, "clientSecret": SECRET,
               "grant": {"type": "client_credentials", "scope": "https://graph.microsoft.com/.default openid"}},
     "expectError": {"code": "invalid-format", "field": "scope"}},
    {"name": "secret ID instead of the secret value", "op": "oauth.tokenRequest",
     "input": {"tenantId": TENANT, "clientId": CLIENT, "clientSecret": "3b5c4a1e-8f5d-4c1b-9a3e-2d1f0e9c8b7a",
               "grant": {"type": "client_credentials", "scope": "https://graph.microsoft.com/.default"}},
     "expectError": {"code": "secret-looks-like-id", "field": "clientSecret"}},
    {"name": "both a secret and an assertion", "op": "oauth.tokenRequest",
     "input": {"tenantId": TENANT, "clientId": CLIENT, "clientSecret": SECRET, "clientAssertion": ASSERTION,
               "grant": {"type": "client_credentials", "scope": "https://graph.microsoft.com/.default"}},
     "expectError": {"code": "required", "field": "clientSecret"}},
    {"name": "assertion that is not a compact JWS", "op": "oauth.tokenRequest",
     "input": {"tenantId": TENANT, "clientId": CLIENT, "clientAssertion": "not-a-jwt",
               "grant": {"type": "client_credentials", "scope": "https://graph.microsoft.com/.default"}},
     "expectError": {"code": "malformed-jwt", "field": "clientAssertion"}},
    {"name": "code redemption with a different verifier shape", "op": "oauth.tokenRequest",
     "input": {"clientId": CLIENT, "clientSecret": SECRET,
               "grant": {"type": "authorization_code", "code": "abc", "redirectUri": REDIRECT, "codeVerifier": "short", "scopes": GRAPH_SCOPES}},
     "expectError": {"code": "too-short", "field": "codeVerifier"}},
    {"name": "code with CRLF", "op": "oauth.tokenRequest",
     "input": {"clientId": CLIENT, "clientSecret": SECRET,
               "grant": {"type": "authorization_code", "code": "abc\r\ndef", "redirectUri": REDIRECT, "codeVerifier": VERIFIER, "scopes": GRAPH_SCOPES}},
     "expectError": {"code": "invalid-character", "field": "code"}},
]

# Token responses (protocols.md §1.4).
def resp(status, body, headers=()):
    return {"status": status, "headers": [list(h) for h in headers], "body": body}
cases += [
    {"name": "v2 token response with refresh token", "op": "oauth.parseToken",
     "input": {"now": 1700000000, "response": resp(200, json.dumps({"token_type": "Bearer", "scope": "https://graph.microsoft.com/.default openid",
               "expires_in": 3599, "ext_expires_in": 3599, "access_token": "eyJ0eXAiOiJKV1Qi.x.y", "refresh_token": "0.AXoA-rt", "id_token": "eyJh.eyJi.c2ln"}))},
     "expect": {"tokenType": "Bearer", "accessToken": "eyJ0eXAiOiJKV1Qi.x.y", "refreshToken": "0.AXoA-rt", "idToken": "eyJh.eyJi.c2ln",
                "scopes": ["https://graph.microsoft.com/.default", "openid"], "expiresIn": 3599, "extExpiresIn": 3599, "expiresAt": 1700003599}},
    {"name": "numeric strings and no refresh token (client credentials)", "op": "oauth.parseToken",
     "input": {"now": 100, "response": resp(200, '{"token_type":"Bearer","expires_in":"3599","ext_expires_in":"3599","access_token":"tok"}')},
     "expect": {"tokenType": "Bearer", "accessToken": "tok", "scopes": [], "expiresIn": 3599, "extExpiresIn": 3599, "expiresAt": 3699}},
    {"name": "token response without expires_in", "op": "oauth.parseToken",
     "input": {"now": 0, "response": resp(200, '{"token_type":"Bearer","access_token":"tok"}')},
     "expectError": {"code": "malformed-response"}},
    {"name": "HTML from a proxy instead of a token", "op": "oauth.parseToken",
     "input": {"now": 0, "response": resp(200, "<html><body>Access denied by proxy</body></html>")},
     "expectError": {"code": "malformed-response", "message": "token endpoint answered HTTP 200 with a body that is not a JSON token response"}},
    {"name": "HTML 502 from a proxy instead of an error", "op": "oauth.parseToken",
     "input": {"now": 0, "response": resp(502, "<html><head><title>502 Bad Gateway</title></head></html>")},
     "expectError": {"code": "malformed-response", "message": "Entra answered HTTP 502 with an HTML page"}},
    {"name": "token request error becomes the typed error", "op": "oauth.parseToken",
     "input": {"now": 0, "response": resp(400, '{"error":"invalid_grant","error_description":"AADSTS700082: The refresh token has expired due to inactivity.","error_codes":[700082]}')},
     "expectError": {"code": "reauth-required", "hint": "the sign-in has expired: reconnect the connection to sign in again"}},
]

# Authorize callback.
cases += [
    {"name": "callback with code and state", "op": "oauth.parseCallback",
     "input": {"query": f"?code=0.AXoA%2Fcode-123&state={STATE}&session_state=5f8c", "expectedState": STATE},
     "expect": {"code": "0.AXoA/code-123"}},
    {"name": "callback with another state", "op": "oauth.parseCallback",
     "input": {"query": "code=x&state=AQIDBAUGBwgJCgsMDQ4PEQ", "expectedState": STATE},
     "expectError": {"code": "state-mismatch", "field": "state"}},
    {"name": "callback without code or error", "op": "oauth.parseCallback",
     "input": {"query": f"state={STATE}", "expectedState": STATE},
     "expectError": {"code": "missing-code", "field": "code"}},
    {"name": "callback: user declined consent (AADSTS65004)", "op": "oauth.parseCallback",
     "input": {"query": f"error=access_denied&error_description=AADSTS65004%3a+User+declined+to+consent+to+access+the+app.%0d%0aTrace+ID%3a+1&state={STATE}",
               "expectedState": STATE},
     "expectError": {"code": "authorization-failed",
                     "message": "Entra ID refused the sign-in: AADSTS65004: User declined to consent to access the app. (access_denied)",
                     "hint": "consent was declined: start again and accept the requested permissions, or ask an administrator to grant them"}},
    {"name": "callback: admin consent required (AADSTS65001)", "op": "oauth.parseCallback",
     "input": {"query": f"error=consent_required&error_description=AADSTS65001%3A+The+user+or+administrator+has+not+consented+to+use+the+application.&state={STATE}",
               "expectedState": STATE},
     "expectError": {"code": "authorization-failed",
                     "hint": "the app's permissions have not been consented: an administrator can grant them with the admin-consent link"}},
    {"name": "callback: unregistered redirect URI (AADSTS50011)", "op": "oauth.parseCallback",
     "input": {"query": f"error=invalid_request&error_description=AADSTS50011%3A+The+redirect+URI+specified+in+the+request+does+not+match.&state={STATE}",
               "expectedState": STATE},
     "expectError": {"code": "authorization-failed", "field": "redirectUri"}},
    {"name": "callback with a broken escape", "op": "oauth.parseCallback",
     "input": {"query": f"code=%E0%A4%A&state={STATE}", "expectedState": STATE},
     "expectError": {"code": "invalid-format", "field": "query"}},
]

# Admin-consent callback (entra-docs v2-admin-consent.md).
cases += [
    {"name": "admin consent granted", "op": "oauth.parseAdminConsentCallback",
     "input": {"query": f"admin_consent=True&tenant={TENANT}&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default&state={STATE}", "expectedState": STATE},
     "expect": {"reportedTenant": TENANT, "scopes": ["https://graph.microsoft.com/.default"]}},
    {"name": "admin consent declined (AADSTS65004)", "op": "oauth.parseAdminConsentCallback",
     "input": {"query": f"error=consent_required&error_description=AADSTS65004%3a+The+resource+owner+or+authorization+server+denied+the+request.&state={STATE}",
               "expectedState": STATE},
     "expectError": {"code": "authorization-failed"}},
    {"name": "admin consent callback with a foreign state", "op": "oauth.parseAdminConsentCallback",
     "input": {"query": f"admin_consent=True&tenant={TENANT}&state=forged", "expectedState": STATE},
     "expectError": {"code": "state-mismatch", "field": "state"}},
    {"name": "refresh without scopes (AADSTS28003)", "op": "oauth.tokenRequest",
     "input": {"clientId": CLIENT, "clientSecret": SECRET, "grant": {"type": "refresh_token", "refreshToken": "rt", "scopes": []}},
     "expectError": {"code": "required", "field": "scopes"}},
]

# Unverified claims.
def jwt(payload): return f"{b64u(json.dumps({'alg': 'RS256', 'typ': 'JWT'}).encode())}.{b64u(json.dumps(payload).encode())}.c2ln"
cases += [
    {"name": "delegated Graph token claims (unverified)", "op": "jwt.decodeUnverified",
     "input": jwt({"aud": "https://graph.microsoft.com", "tid": TENANT, "oid": "11112222-bbbb-3333-cccc-4444dddd5555",
                   "upn": "admin@contoso.com", "appid": CLIENT, "scp": "Application.ReadWrite.All openid profile", "exp": 1700003599, "iat": 1700000000}),
     "expect": {"tid": TENANT, "oid": "11112222-bbbb-3333-cccc-4444dddd5555", "username": "admin@contoso.com", "appId": CLIENT,
                "aud": "https://graph.microsoft.com", "scopes": ["Application.ReadWrite.All", "openid", "profile"], "roles": [],
                "exp": 1700003599, "iat": 1700000000}},
    {"name": "app-only App Configuration token claims (v2, roles)", "op": "jwt.decodeUnverified",
     "input": jwt({"aud": "https://appconfig.azure.com", "tid": TENANT, "azp": CLIENT, "roles": ["KeyValue.Owner"], "exp": 5}),
     "expect": {"tid": TENANT, "oid": None, "username": None, "appId": CLIENT, "aud": "https://appconfig.azure.com",
                "scopes": [], "roles": ["KeyValue.Owner"], "exp": 5, "iat": None}},
    {"name": "not a JWT", "op": "jwt.decodeUnverified", "input": "eyJhbGciOi",
     "expectError": {"code": "malformed-jwt", "field": "token"}},
    {"name": "JWE (five parts) is not decoded", "op": "jwt.decodeUnverified", "input": "a.b.c.d.e",
     "expectError": {"code": "malformed-jwt", "field": "token"}},
]

out = pathlib.Path(__file__).resolve().parent.parent / "oauth.json"
out.write_text(json.dumps({"cases": cases}, indent=1, ensure_ascii=False) + "\n")
print(f"{len(cases)} cases -> {out}")
