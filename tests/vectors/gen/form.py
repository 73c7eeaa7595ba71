"""Writes tests/vectors/form.json: `form.validate` on good forms and on every rule's failure.
Errors are compared by field and code (the UI's stable contract) plus the exact message where
the text is part of the contract."""
import json, pathlib

G = "72f988bf-86f1-41af-91ab-2d7cd011db47"
CERT = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ\n-----END CERTIFICATE-----\n"
KEY = "-----BEGIN PRIVATE KEY-----\r\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\r\n-----END PRIVATE KEY-----\r\n"
BASE = {"name": "prod-graph", "connectionType": "azure-client-secrets", "method": "client-secret",
        "tenantId": G, "clientId": G, "clientSecret": "Xy8Q~a.b_c+d/e=fGh1JkLmNoPqRsTuVwXyZ0123"}

def ok(name, form, connection):
    return {"name": name, "op": "form.validate", "input": form, "expect": {"valid": True, "connection": connection}}

def connection(**kw):
    c = {"name": "prod-graph", "description": None, "connectionType": "azure-client-secrets", "method": "client-secret",
         "cloud": "global", "tenantId": G, "clientId": G, "endpoint": None}
    c.update(kw)
    return c

cases = [
    ok("client secret form", BASE, connection()),
    ok("OAuth without a tenant signs in to organizations", {"name": "graph-oauth", "connectionType": "azure-client-secrets", "method": "oauth"},
       connection(name="graph-oauth", method="oauth", tenantId="organizations", clientId=None)),
    ok("OAuth with a verified domain, US Government", {"name": "gov", "connectionType": "azure-app-configuration", "method": "oauth",
                                                       "tenantId": "Contoso.onmicrosoft.us", "cloud": "us-government"},
       connection(name="gov", method="oauth", connectionType="azure-app-configuration", tenantId="contoso.onmicrosoft.us", clientId=None, cloud="us-government")),
    ok("certificate form with store endpoint and description",
       {**BASE, "method": "certificate", "connectionType": "azure-app-configuration", "certificate": CERT, "privateKey": KEY,
        "privateKeyPassphrase": "correct horse", "endpoint": "https://My-Store.azconfig.io/", "description": "  Sync for prod  ", "clientSecret": ""},
       connection(method="certificate", connectionType="azure-app-configuration", endpoint="https://my-store.azconfig.io", description="Sync for prod")),
    ok("regional appconfig.azure.com endpoint", {**BASE, "connectionType": "azure-app-configuration", "endpoint": "https://demo.eastus.appconfig.azure.com"},
       connection(connectionType="azure-app-configuration", endpoint="https://demo.eastus.appconfig.azure.com")),
    ok("emulator cloud with a loopback store", {**BASE, "connectionType": "azure-app-configuration", "endpoint": "http://127.0.0.1:4011",
        "cloud": {"kind": "custom", "authorityHost": "http://127.0.0.1:4010", "graphRoot": "http://127.0.0.1:4010",
                  "graphAudience": "https://graph.microsoft.com", "armHost": "http://127.0.0.1:4010",
                  "appConfigurationHosts": ["127.0.0.1:4011"], "appConfigurationAudience": "https://appconfig.azure.com"}},
       connection(connectionType="azure-app-configuration", endpoint="http://127.0.0.1:4011", cloud="custom")),
]

def bad(name, form, errors):
    return {"name": name, "op": "form.validate", "input": form, "expect": {"valid": False, "errors": errors}}

def err(field, code, message, hint=None):
    e = {"code": code, "field": field, "message": message}
    if hint:
        e["hint"] = hint
    return e

cases += [
    bad("empty form", {}, [err("name", "required", "the name is required"),
                           err("connectionType", "required", "choose one of azure-client-secrets, azure-app-configuration"),
                           err("method", "required", "choose one of oauth, client-secret, certificate")]),
    bad("name with capitals and spaces", {**BASE, "name": "Prod Graph"},
        [err("name", "invalid-character", "the name can only contain lowercase letters, numbers and hyphens", "for example `prod-graph`")]),
    bad("name too long", {**BASE, "name": "a" * 65}, [err("name", "too-long", "the name is at most 64 characters")]),
    bad("name ending in a hyphen", {**BASE, "name": "prod-"},
        [err("name", "invalid-format", "the name cannot start or end with a hyphen or contain two in a row", "for example `prod`")]),
    bad("description with CRLF", {**BASE, "description": "a\r\nX-Injected: 1"},
        [err("description", "invalid-character", "the description contains a line break or control character")]),
    bad("description too long", {**BASE, "description": "x" * 257}, [err("description", "too-long", "the description is at most 256 characters")]),
    bad("unknown type and method", {**BASE, "connectionType": "azure-key-vault", "method": "password"},
        [err("connectionType", "invalid-format", "expected one of azure-client-secrets, azure-app-configuration"),
         err("method", "invalid-format", "expected one of oauth, client-secret, certificate")]),
    bad("client secret form with every credential wrong", {**BASE, "tenantId": "common", "clientId": "my-app", "clientSecret": "3b5c4a1e-8f5d-4c1b-9a3e-2d1f0e9c8b7a"},
        [err("tenantId", "not-allowed", "`common` is not a tenant: this method needs your directory's tenant ID",
             "use the Directory (tenant) ID GUID from Entra ID > Overview, or a verified domain"),
         err("clientId", "invalid-format", "the client ID must be a GUID like 00000000-0000-0000-0000-000000000000",
             "copy the Application (client) ID from the app registration's Overview page"),
         err("clientSecret", "secret-looks-like-id", "this looks like the secret's ID, not its value",
             "in Certificates & secrets, copy the Value column (shown only when the secret is created), not the Secret ID")]),
    bad("tenant with a path", {**BASE, "tenantId": "contoso.onmicrosoft.com/oauth2/v2.0/token"},
        [err("tenantId", "invalid-character", "the tenant ID must be a GUID or a domain name, not a URL or path",
             "give only the tenant, e.g. contoso.onmicrosoft.com")]),
    bad("tenant with CRLF", {**BASE, "tenantId": "contoso.com\r\nHost: evil"},
        [err("tenantId", "invalid-character", "the tenant ID contains a control character (a line break?)")]),
    bad("missing client secret", {**BASE, "clientSecret": "   "}, [err("clientSecret", "required", "the client secret is required")]),
    bad("certificate form without PEMs", {**BASE, "method": "certificate", "clientSecret": ""},
        [err("certificate", "required", "the certificate is required"), err("privateKey", "required", "the private key is required")]),
    bad("oversized private key", {**BASE, "method": "certificate", "certificate": CERT, "privateKey": "A" * (64 * 1024 + 1)},
        [err("privateKey", "too-long", "the private key is larger than 64 KiB")]),
    bad("store endpoint with the Infisical suffix bypass", {**BASE, "connectionType": "azure-app-configuration", "endpoint": "https://evil.example/?.azconfig.io"},
        [err("endpoint", "invalid-format", "the URL must not have a path, query or fragment: give only https://host",
             "give the store's endpoint exactly as the portal shows it, e.g. https://my-store.azconfig.io")]),
    bad("store endpoint on a look-alike host", {**BASE, "connectionType": "azure-app-configuration", "endpoint": "https://demo.azconfig.io.evil.example"},
        [err("endpoint", "host-not-allowed", "demo.azconfig.io.evil.example is not an App Configuration store of this cloud",
             "the endpoint's host must match *.azconfig.io or *.appconfig.azure.com")]),
    bad("store endpoint of another cloud", {**BASE, "connectionType": "azure-app-configuration", "endpoint": "https://demo.azconfig.io", "cloud": "china"},
        [err("endpoint", "host-not-allowed", "demo.azconfig.io is not an App Configuration store of this cloud",
             "the endpoint's host must match *.azconfig.azure.cn or *.appconfig.azure.cn")]),
    bad("store endpoint over http", {**BASE, "connectionType": "azure-app-configuration", "endpoint": "http://demo.azconfig.io"},
        [err("endpoint", "insecure-url", "http://demo.azconfig.io must use https (plain http is allowed only on loopback)")]),
    {"name": "unknown cloud name", "op": "form.validate", "input": {**BASE, "cloud": "germany"},
     "expectError": {"code": "invalid-format", "field": "input"}},
]
out = pathlib.Path(__file__).resolve().parent.parent / "form.json"
out.write_text(json.dumps({"cases": cases}, indent=1, ensure_ascii=False) + "\n")
print(f"{len(cases)} cases -> {out}")
