"""Writes tests/vectors/entra-errors.json: Entra ID error bodies as users posted them in public
issues (cited per case), run through `oauth.parseError`. Where an issue quoted only the
description, the JSON envelope is the one reference-error-codes.md documents (protocols.md §1.5)
and the case says so. The expected class and hint are azconn's policy (protocols.md §1.6)."""
import json, pathlib

HINTS = {
    7000215: ("invalid-client", "clientSecret", "the client secret is wrong: paste the secret's Value (shown once when created), not its Secret ID"),
    7000222: ("invalid-client", "clientSecret", "the client secret has expired: create a new one under Certificates & secrets and update the connection"),
    700016: ("misconfigured", "clientId", "no app with this client ID exists in the tenant: check the client ID, tenant and cloud; right after creating the app, retry in a minute (replication delay)"),
    700027: ("invalid-client", "certificate", "the certificate that signed the assertion is not registered on the app: upload it under Certificates & secrets (compare the thumbprints)"),
    9002326: ("misconfigured", None, "the token request carried an Origin header: redeem tokens server-side without forwarding the browser's Origin"),
    90023: ("misconfigured", None, "the token request carried an Origin header: redeem tokens server-side without forwarding the browser's Origin"),
    501481: ("reauth-required", None, "the PKCE verifier does not match the challenge: the stored sign-in state is stale or mixed up; start the sign-in again"),
    50148: ("reauth-required", None, "the PKCE verifier does not match the challenge: the stored sign-in state is stale or mixed up; start the sign-in again"),
    70011: ("misconfigured", None, "the scope is invalid: client credentials take exactly one `{resource}/.default` scope"),
    90002: ("misconfigured", "tenantId", "the tenant was not found: check the tenant ID and that it belongs to the selected cloud"),
    65001: ("consent-required", None, "the app's permissions have not been consented: an administrator can grant them with the admin-consent link"),
    700082: ("reauth-required", None, "the sign-in has expired: reconnect the connection to sign in again"),
    9001023: ("misconfigured", "tenantId", "this grant cannot use /common or /consumers: use the tenant ID"),
    54005: ("reauth-required", None, "this authorization code was already redeemed: do not retry the exchange; start the sign-in again if needed"),
    70008: ("reauth-required", None, "the sign-in has expired: reconnect the connection to sign in again"),
    53003: ("interaction-required", None, "blocked by a Conditional Access policy: ask your Entra administrator to allow this sign-in"),
    50196: ("retry-later", None, "Entra ID is throttling requests: back off and reuse cached tokens instead of requesting new ones"),
    50011: ("misconfigured", "redirectUri", "register this exact redirect URI (scheme, host, port, path) on the app registration under Authentication"),
}
BY_ERROR = {"invalid_client": ("invalid-client", None, "the client credential was rejected: check the client ID, secret or certificate"),
            "invalid_grant": ("reauth-required", None, "the sign-in has expired or was revoked: reconnect the connection")}
BOUNDARY = {"invalid-client": "token-request-failed", "misconfigured": "token-request-failed", "reauth-required": "reauth-required",
            "interaction-required": "reauth-required", "consent-required": "consent-required", "retry-later": "retry-later"}

def envelope(error, code, description, trace, correlation, ts, uri_host="login.microsoftonline.com"):
    return {"error": error, "error_description": f"{description}\r\nTrace ID: {trace}\r\nCorrelation ID: {correlation}\r\nTimestamp: {ts}",
            "error_codes": [code], "timestamp": ts, "trace_id": trace, "correlation_id": correlation,
            "error_uri": f"https://{uri_host}/error?code={code}"}

def case(name, status, body_text, retry_after=None):
    body = json.loads(body_text)
    codes = body.get("error_codes", [])
    cls, field, hint = HINTS.get(codes[0]) if codes else BY_ERROR[body["error"]]
    desc = body.get("error_description")
    first = desc.split("\r")[0].split("\n")[0].strip() if desc else body["error"]
    msg = f"Entra ID rejected the token request: {first} ({body['error']})"
    if body.get("trace_id"):
        msg += f" [trace ID {body['trace_id']}" + (f", correlation ID {body['correlation_id']}" if body.get("correlation_id") else "") + "]"
    boundary = {"code": BOUNDARY[cls], "message": msg, "hint": hint}
    if field:
        boundary["field"] = field
    headers = [["retry-after", str(retry_after)]] if retry_after is not None else []
    return {"name": name, "op": "oauth.parseError", "input": {"response": {"status": status, "headers": headers, "body": body_text}},
            "expect": {"entra": {"status": status, "error": body["error"], "errorDescription": desc, "errorCodes": codes,
                                 "timestamp": body.get("timestamp"), "traceId": body.get("trace_id"),
                                 "correlationId": body.get("correlation_id"), "errorUri": body.get("error_uri"), "retryAfter": retry_after},
                       "class": cls, "boundary": boundary}}

cases = [
    # Verbatim bodies.
    case("AADSTS7000215 secret ID vs value (Azure/sap-automation#418, verbatim)", 401,
         r'{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '
         r"'4d856d1f-8648-456c-9bb2-f36273bbe4e3'"
         r'.\r\nTrace ID: 6bad8289-db4a-49da-8609-0848d8d71700\r\nCorrelation ID: 63b8bb61-5ca6-4ae3-8224-15a4de11cd87\r\nTimestamp: 2023-02-20 07:21:29Z","error_codes":[7000215],"timestamp":"2023-02-20 07:21:29Z","trace_id":"6bad8289-db4a-49da-8609-0848d8d71700","correlation_id":"63b8bb61-5ca6-4ae3-8224-15a4de11cd87","error_uri":"https://login.microsoftonline.com/error?code=7000215"}'),
    case("AADSTS9002326 cross-origin redemption (umijs/umi-request#299, verbatim)", 400,
         r'{"error":"invalid_request","error_description":"AADSTS9002326: Cross-origin token redemption is permitted only for the '
         r"'Single-Page Application'"
         r' client-type.\r\nTrace ID: 0c7f2993-b612-434d-9cee-244e88f51600\r\nCorrelation ID: 45d80262-c77f-487b-a95b-4566c736e1bc\r\nTimestamp: 2022-06-07 19:14:30Z","error_codes":[9002326],"timestamp":"2022-06-07 19:14:30Z","trace_id":"0c7f2993-b612-434d-9cee-244e88f51600","correlation_id":"45d80262-c77f-487b-a95b-4566c736e1bc","error_uri":"https://login.windows.net/error?code=9002326"}'),
    case("AADSTS90023 older cross-origin code, no error_uri (heymind/OneDrive-Index-Cloudflare-Worker#51, verbatim)", 400,
         r'{"error":"invalid_request","error_description":"AADSTS90023: Cross-origin token redemption is permitted only for the '
         r"'Single-Page Application'"
         r' client-type.\r\nTrace ID: 453b0c3d-1fe6-4b38-ab32-b28f87451a01\r\nCorrelation ID: b822bb6f-d14b-48ec-bb56-c8e0b123935c\r\nTimestamp: 2020-08-09 07:49:42Z","error_codes":[90023],"timestamp":"2020-08-09 07:49:42Z","trace_id":"453b0c3d-1fe6-4b38-ab32-b28f87451a01","correlation_id":"b822bb6f-d14b-48ec-bb56-c8e0b123935c"}'),
    case("AADSTS50148 verifier mismatch, description only (pennersr/django-allauth#2916, verbatim)", 400,
         r'{"error":"invalid_grant","error_description":"AADSTS50148: The code_verifier does not match the code_challenge supplied in the authorization request for PKCE."}'),
    case("AADSTS7000222 expired secret, no error_codes (JetBrains/azure-tools-for-intellij#283, verbatim)", 401,
         r'{"error_description":"AADSTS7000222: The provided client secret keys are expired.\r\nTrace ID: 9b55ca53-4c86-49db-8aab-a3848f3a0500\r\nCorrelation ID: 8ade3bab-dcdb-4307-b6a6-d65e9c66156c\r\nTimestamp: 2020-03-31 07:31:31Z","error":"invalid_client"}'),
    case("AADSTS70011 invalid scope (reference-error-codes.md example shape, protocols.md §1.5)", 400,
         json.dumps(envelope("invalid_scope", 70011, "AADSTS70011: The provided value for the input parameter 'scope' isn't valid.",
                             "0000aaaa-11bb-cc22-dd33-444444eeeeee", "aaaa0000-bb11-2222-33cc-444444dddddd", "2016-01-09 02:02:12Z"))),
    # Descriptions quoted in issues, envelope per reference-error-codes.md.
    case("AADSTS7000222 expired secret with app id (dotnet/sign#849 description)", 401,
         json.dumps(envelope("invalid_client", 7000222,
             "AADSTS7000222: The provided client secret keys for app 'ccc25fb8-d83b-4225-b4b7-5f31bfb007be' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.",
             "de577a4f-a611-44e8-94e6-5ca7955a3800", "b1f881fe-810c-4731-a772-fa920ee90430", "2025-04-10 13:07:42Z"))),
    case("AADSTS700016 app not found (donwa/oneindex#621 description)", 400,
         json.dumps(envelope("unauthorized_client", 700016,
             "AADSTS700016: Application with identifier '160c5842-eeba-487b-bb30-be9fae7878d0' was not found in the directory '1cdf1d7c-ca85-45c7-b1a6-0d197aa07dc5'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.",
             "1b2c3d4e-0000-4000-8000-000000000016", "2b3c4d5e-0000-4000-8000-000000000016", "2020-02-07 10:00:00Z"))),
    case("AADSTS700027 certificate not registered (Azure/azure-sdk-for-net#29007 description)", 401,
         json.dumps(envelope("invalid_client", 700027,
             "AADSTS700027: Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of key used by client: '8BDEB513EAC11E9E9DA752EB9D5087F317F6D931', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '26790ce1-d05c-4de7-ba73-51837152f0bc'.]",
             "3c4d5e6f-0000-4000-8000-000000700027", "4d5e6f70-0000-4000-8000-000000700027", "2022-05-27 08:00:00Z"))),
    case("AADSTS501481 verifier mismatch (AzureAD/microsoft-authentication-library-for-js#2694 description)", 400,
         json.dumps(envelope("invalid_grant", 501481, "AADSTS501481: The Code_Verifier does not match the code_challenge supplied in the authorization request.",
                             "4dca72dd-f02e-4615-b1c9-e226952f2200", "0a49cdbc-2e94-4089-bc6f-1162b123592c", "2020-12-03 19:34:01Z"))),
    case("AADSTS70008 expired grant (Azure/azure-sdk-for-java#33235 description)", 400,
         json.dumps(envelope("invalid_grant", 70008, "AADSTS70008: The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
                             "5e6f7081-0000-4000-8000-000000070008", "6f708192-0000-4000-8000-000000070008", "2023-01-31 09:00:00Z"))),
    # Documented codes (reference-error-codes.md texts), envelope per §1.5.
    case("AADSTS90002 tenant not found (wrong cloud)", 400,
         json.dumps(envelope("invalid_request", 90002, "AADSTS90002: Tenant 'contoso.onmicrosoft.us' not found.",
                             "00000000-0000-4000-8000-000000090002", "10000000-0000-4000-8000-000000090002", "2024-04-24 00:00:00Z"))),
    case("AADSTS65001 consent missing on the token endpoint", 400,
         json.dumps(envelope("invalid_grant", 65001, "AADSTS65001: The user or administrator has not consented to use the application.",
                             "00000000-0000-4000-8000-000000065001", "10000000-0000-4000-8000-000000065001", "2024-04-24 00:00:00Z"))),
    case("AADSTS700082 refresh token expired after inactivity", 400,
         json.dumps(envelope("invalid_grant", 700082, "AADSTS700082: The refresh token has expired due to inactivity.",
                             "00000000-0000-4000-8000-000000700082", "10000000-0000-4000-8000-000000700082", "2024-04-24 00:00:00Z"))),
    case("AADSTS9001023 client credentials on /common", 400,
         json.dumps(envelope("unsupported_grant_type", 9001023, "AADSTS9001023: The grant type isn't supported over the /common or /consumers endpoints. Please use the /organizations or tenant-specific endpoint.",
                             "00000000-0000-4000-8000-000009001023", "10000000-0000-4000-8000-000009001023", "2024-04-24 00:00:00Z"))),
    case("AADSTS54005 code already redeemed", 400,
         json.dumps(envelope("invalid_grant", 54005, "AADSTS54005: OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
                             "00000000-0000-4000-8000-000000054005", "10000000-0000-4000-8000-000000054005", "2024-04-24 00:00:00Z"))),
    case("AADSTS53003 blocked by Conditional Access", 400,
         json.dumps(envelope("invalid_grant", 53003, "AADSTS53003: Access has been blocked by Conditional Access policies.",
                             "00000000-0000-4000-8000-000000053003", "10000000-0000-4000-8000-000000053003", "2024-04-24 00:00:00Z"))),
    case("AADSTS50196 client loop detected, with Retry-After", 429,
         json.dumps(envelope("temporarily_unavailable", 50196, "AADSTS50196: The server terminated an operation because it encountered a client request loop.",
                             "00000000-0000-4000-8000-000000050196", "10000000-0000-4000-8000-000000050196", "2024-04-24 00:00:00Z")), retry_after=30),
    case("AADSTS50011 redirect URI mismatch at redemption", 400,
         json.dumps(envelope("invalid_client", 50011, "AADSTS50011: The redirect URI 'https://azconn.example.com/oauth/callback' specified in the request does not match the redirect URIs configured for the application.",
                             "00000000-0000-4000-8000-000000050011", "10000000-0000-4000-8000-000000050011", "2024-04-24 00:00:00Z"))),
    # Not Entra's JSON.
    {"name": "HTML error page from a proxy", "op": "oauth.parseError",
     "input": {"response": {"status": 403, "headers": [], "body": "<!DOCTYPE html><html><body>Forbidden</body></html>"}},
     "expectError": {"code": "malformed-response", "message": "Entra answered HTTP 403 with an HTML page"}},
    {"name": "empty 503", "op": "oauth.parseError", "input": {"response": {"status": 503, "headers": [], "body": ""}},
     "expectError": {"code": "malformed-response", "message": "Entra answered HTTP 503 with a body that is not an Entra error"}},
    {"name": "JSON without `error`", "op": "oauth.parseError",
     "input": {"response": {"status": 400, "headers": [], "body": "{\"message\":\"Bad Request\"}"}},
     "expectError": {"code": "malformed-response"}},
]
out = pathlib.Path(__file__).resolve().parent.parent / "entra-errors.json"
out.write_text(json.dumps({"cases": cases}, indent=1, ensure_ascii=False) + "\n")
print(f"{len(cases)} cases -> {out}")
