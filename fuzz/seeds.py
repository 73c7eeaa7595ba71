#!/usr/bin/env python3
"""Regenerates the seed corpus fuzz/corpus/<target>/ from the golden vectors (tests/vectors)
plus a few hand-picked inputs, in the encodings of crates/fuzz-harness (HTTP responses as
`status\\nname: value\\n\\nbody`, several inputs NUL-separated). Deterministic: file names are
the vector file and case index, so a re-run only changes what the vectors changed.

    python3 fuzz/seeds.py
"""

import base64
import json
import re
import shutil
import struct
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"
STATE = "fuzzstatefuzzstatefuzzstate0123"  # crates/fuzz-harness STATE

seeds: dict[str, dict[str, bytes]] = {}


def add(target: str, name: str, data):
    if isinstance(data, str):
        data = data.encode()
    seeds.setdefault(target, {})[name] = data


def http(resp: dict) -> str:
    head = "".join(f"{n}: {v}\n" for n, v in resp.get("headers", []))
    return f"{resp['status']}\n{head}\n{resp.get('body', '')}"


def pem_der(text: str) -> list[bytes]:
    blocks = re.findall(r"-----BEGIN [^-]+-----(.*?)-----END", text, re.S)
    return [base64.b64decode("".join(b.split())) for b in blocks]


def cases():
    for path in sorted((ROOT / "tests" / "vectors").glob("*.json")):
        for i, case in enumerate(json.loads(path.read_text())["cases"]):
            yield f"{path.stem}-{i:02}", case


def from_vectors():
    per_op: dict[str, int] = {}
    for name, case in cases():
        op, i = case["op"], case["input"]
        if per_op.get(op, 0) < 4:
            per_op[op] = per_op.get(op, 0) + 1
            add("abi_call", name, f"{op}\0{json.dumps(i)}")
        if op == "form.validate":
            add("form", name, json.dumps(i))
            for field in ("tenantId", "clientId", "clientSecret"):
                if i.get(field):
                    add("ids", f"{name}-{field}", i[field])
            if i.get("endpoint"):
                add("query_origin", f"{name}-endpoint", i["endpoint"])
        elif op.startswith("ids."):
            add("ids", name, i)
        elif op in ("oauth.parseCallback", "oauth.parseAdminConsentCallback"):
            query = i["query"].replace(i["expectedState"], STATE)
            add("callback", name, query)
            add("query_origin", name, i["query"])
        elif op == "oauth.parseToken":
            add("token_response", name, http(i["response"]))
            token = re.search(r'"id_token"\s*:\s*"([^"]+)"', i["response"]["body"])
            if token:
                add("jwt", f"{name}-id-token", token.group(1))
        elif op == "oauth.parseError":
            add("entra_error", name, http(i["response"]))
        elif op == "jwt.decodeUnverified":
            add("jwt", name, i)
        elif op == "cert.inspect":
            c = i["credential"]
            if c.get("certificate") or c.get("privateKey"):
                fields = [c.get("certificate", ""), c.get("privateKey", "")]
                if c.get("privateKeyPassphrase"):
                    fields.append(c["privateKeyPassphrase"])
                add("cert_pem", name, "\0".join(fields))
                for k, der in enumerate(pem_der(fields[0])[:1] + pem_der(fields[1])[:1]):
                    add("cert_der", f"{name}-der{k}", der)
            if c.get("pfx"):
                add("cert_der", f"{name}-pfx", base64.b64decode(c["pfx"]))
        elif op.startswith("graph.parse"):
            add("graph_response", name, http(i["response"]))
            if op in ("graph.parseApplication", "graph.parseAddedPassword"):
                add("rotation", name, http(i["response"]))
        elif op.startswith("appconfig.parse"):
            add("appconfig_response", name, http(i["response"]))
        elif op == "appconfig.syncTokens":
            for k, r in enumerate(i["responses"]):
                add("appconfig_response", f"{name}-{k}", http(r))
        elif op == "appconfig.sign":
            add("hmac_connection_string", name, i["connectionString"])
        elif op == "retry.decide":
            resp = i.get("response")
            prefix = struct.pack(
                "<9Q", 6, 500, 30_000, 120_000, i.get("attempt", 1),
                i.get("elapsedMs", 0), i.get("now", 1_767_225_600), 7, 1 if resp else 0,
            )
            add("retry", name, prefix + (http(resp) if resp else "").encode())
        elif op == "sync.plan":
            add("sync_planner", name, "\0".join(http(p) for p in i["pages"]))
        elif op == "rotation.onResponse":
            add("rotation", name, http(i["response"]))
        for date in re.findall(r'"(\d{4}-\d\d-\d\dT[0-9:.]+(?:Z|[+-]\d\d:\d\d))', json.dumps(i)):
            add("datetime", f"{name}-{date[:19].replace(':', '')}", date)


def hand_picked():
    for k, s in enumerate([
        "00000000-0000-0000-0000-000000000000", "{72F988BF-86F1-41AF-91AB-2D7CD011DB47}",
        "contoso.onmicrosoft.com", "common", "organizations", "xn--bcher-kva.example",
    ]):
        add("ids", f"hand-{k}", s)
    for k, s in enumerate([
        "https://[::1]:8080", "http://localhost:3000", "https://my-store.azconfig.io:443",
        "https://store.azconfig.azure.cn", "a%2Fb+c%20d&x=1&x=2", "%zz%F0%9F%98", "HTTPS://EXAMPLE.COM.",
    ]):
        add("query_origin", f"hand-{k}", s)
    add("callback", "hand-0", f"code=abc&state={STATE}&state={STATE}")
    add("callback", "hand-1", f"error=access_denied&error_description=AADSTS65004%3A+declined&state={STATE}")
    add("callback", "hand-2", f"admin_consent=True&tenant=00000000-0000-0000-0000-000000000001&state={STATE}")
    add("token_response", "hand-0", '200\ncontent-type: application/json\n\n{"token_type":"Bearer","expires_in":18446744073709551615,"access_token":"a.b.c"}')
    add("token_response", "hand-1", '200\n\n{"token_type":"Bearer","expires_in":"3599","ext_expires_in":"3599","access_token":"x"}')
    add("entra_error", "hand-0", "502\ncontent-type: text/html\nretry-after: 5\n\n<html>bad gateway</html>")
    add("jwt", "hand-0", "eyJhbGciOiJub25lIn0.eyJ0aWQiOiJ4Iiwic2NwIjoiYSBiIiwicm9sZXMiOlsicjEiXX0.")
    add("jwt", "hand-1", "a.b")
    add("graph_response", "hand-0", '429\nretry-after: 7\n\n{"error":{"code":"TooManyRequests","message":"slow down"}}')
    add("graph_response", "hand-1", '200\n\n{"value":[],"@odata.nextLink":"https://evil.example/v1.0/applications?$skiptoken=x"}')
    for k, resp in enumerate([
        '200\nlink: </kv?api-version=2023-11-01&after=abc>; rel="next"\nsync-token: a=b;sn=1,c=d;sn=2\n\n{"items":[]}',
        '200\nlink: <https://evil.example/kv?after=abc>; rel="next"\n\n{"items":[]}',
        '429\nretry-after-ms: 1500\nretry-after: Sun, 06 Nov 1994 08:49:37 GMT\n\n{"type":"https://azconfig.io/errors/too-many-requests","title":"Too many requests","status":429}',
        '412\n\n{"type":"https://azconfig.io/errors/precondition-failed","title":"Precondition Failed","status":412}',
        '200\nsync-token: x=y;sn=18446744073709551616\nsync-token: =;sn=1\n\n',
    ]):
        add("appconfig_response", f"hand-{k}", resp)
    for k, s in enumerate([
        "Endpoint=https://s.azconfig.io;Id=abc;Secret=c2VjcmV0",
        "Endpoint=https://s.azconfig.io/;Id=abc;Secret=c2VjcmV0;Extra=1",
        "Endpoint=https://evil.example;Id=abc;Secret=c2VjcmV0",
        "endpoint=HTTPS://S.AZCONFIG.IO;id=a;secret=!!",
    ]):
        add("hmac_connection_string", f"hand-{k}", s)
    for k, s in enumerate([
        "Sun, 06 Nov 1994 08:49:37 GMT", "2026-01-01T00:00:00.1234567Z", "2026-01-01T00:00:00+05:30",
        "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "1970-02-30T00:00:00Z",
    ]):
        add("datetime", f"hand-{k}", s)
    prefix = struct.pack("<9Q", 3, 1 << 63, 1 << 63, 1 << 64 - 1, 2, 1 << 62, 1 << 63, 0xFFFFFFFF, 1)
    add("retry", "hand-0", prefix + b"503\nretry-after: 18446744073709551615\n\n")
    add("retry", "hand-1", prefix + b"400\n\n{\"error\":{\"code\":\"Request_ResourceNotFound\"}}")
    add("sync_planner", "hand-0", '200\nlink: </kv?after=2>; rel="next"\n\n{"items":[]}\0' + '200\n\n{"items":[{"key":"app:x","label":"prod","value":"1","tags":{"managed-by":"azconn"}}]}')
    add("abi_call", "hand-0", "no.such.op\0{}")
    add("abi_call", "hand-1", "ids.tenantId\0[1,2")
    add("abi_call", "hand-2", b"\xff\xfe\0{}")
    add("form", "hand-0", '{"cloud":{"authorityHost":"https://login.example","graph":"x"}}')
    add("form", "hand-1", '{"name":"a","connectionType":"graph","method":"certificate","privateKey":"-----BEGIN X-----"}')


def main():
    from_vectors()
    hand_picked()
    if CORPUS.exists():
        shutil.rmtree(CORPUS)
    for target, files in sorted(seeds.items()):
        d = CORPUS / target
        d.mkdir(parents=True)
        for name, data in files.items():
            (d / name).write_bytes(data)
        print(f"{target}: {len(files)} seeds")


main()
