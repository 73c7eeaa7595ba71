// Starts the emulator binary with a seed, reads its ready line, and stops it.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, "../../../..");
export const emulatorBin =
  process.env.AZCONN_EMULATOR_BIN ?? join(repoRoot, "target/debug/azconn-emulator");

export const TENANT = "11111111-2222-4333-8444-555555555555";
export const APP_ID = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";
export const SECRET = "abc8Q~fidelity.test-secret_value~01234567";
export const USER = "0d0d0d0d-0000-4000-8000-000000000001";
export const REDIRECT = "http://localhost:3000/callback";
export const STORE_KEY = { id: "fid-rw", secret: Buffer.from("fidelity-store-secret-0123456789").toString("base64") };

function openssl(args, cwd) {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

/** A test CA, a TLS server certificate for localhost signed by it, and a client certificate. */
export function makeCertificates() {
  const dir = mkdtempSync(join(tmpdir(), "azconn-emu-"));
  openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
    "-days", "2", "-subj", "/CN=azconn emulator test CA"], dir);
  openssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
    "-subj", "/CN=localhost"], dir);
  writeFileSync(join(dir, "san.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
  openssl(["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
    "-out", "server.pem", "-days", "2", "-extfile", "san.ext"], dir);
  openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "client.key", "-out", "client.pem",
    "-days", "2", "-subj", "/CN=azconn client credential"], dir);
  const fp = execFileSync("openssl", ["x509", "-in", join(dir, "client.pem"), "-noout", "-fingerprint", "-sha256"])
    .toString().trim().split("=")[1].replaceAll(":", "");
  const fp1 = execFileSync("openssl", ["x509", "-in", join(dir, "client.pem"), "-noout", "-fingerprint", "-sha1"])
    .toString().trim().split("=")[1].replaceAll(":", "");
  return { dir, thumbprintSha256: fp, thumbprintSha1: fp1, clientKey: readFileSync(join(dir, "client.key"), "utf8") };
}

export function seed(certs) {
  return {
    listen: "127.0.0.1:0",
    tls: { listen: "127.0.0.1:0", certFile: "server.pem", keyFile: "server.key" },
    tenants: [{ id: TENANT, displayName: "Fidelity", domains: ["fidelity.onmicrosoft.com"] }],
    users: [{ id: USER, tenantId: TENANT, userPrincipalName: "ada@fidelity.onmicrosoft.com", displayName: "Ada" }],
    applications: [{
      id: "0a0a0a0a-0000-4000-8000-000000000001", appId: APP_ID, tenantId: TENANT,
      displayName: "fidelity", servicePrincipalId: "0a0a0a0a-0000-4000-8000-000000000002",
      passwordCredentials: [{ keyId: "0a0a0a0a-0000-4000-8000-000000000003", secretText: SECRET,
        startDateTime: "2020-01-01T00:00:00Z", endDateTime: "2099-01-01T00:00:00Z" }],
      keyCredentials: [{ keyId: "0a0a0a0a-0000-4000-8000-000000000004", certificateFile: "client.pem",
        startDateTime: "2020-01-01T00:00:00Z", endDateTime: "2099-01-01T00:00:00Z" }],
      redirectUris: [REDIRECT],
      appRoles: { "https://graph.microsoft.com": ["Application.Read.All"] },
      delegatedScopes: { "https://graph.microsoft.com": ["User.Read"] },
    }],
    stores: [{ name: "fid", tenantId: TENANT, accessKeys: [STORE_KEY], pageSize: 2,
      roleAssignments: [{ principalId: "0a0a0a0a-0000-4000-8000-000000000002", role: "App Configuration Data Owner" }] }],
  };
}

/** Starts the emulator; resolves with its ready line and a stop function. */
export async function start(certs) {
  const seedPath = join(certs.dir, "seed.json");
  writeFileSync(seedPath, JSON.stringify(seed(certs)));
  const child = spawn(emulatorBin, ["--seed", seedPath], { stdio: ["ignore", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout });
  const ready = await new Promise((ok, fail) => {
    child.once("exit", (code) => fail(new Error(`emulator exited with ${code}`)));
    lines.once("line", (l) => ok(JSON.parse(l)));
  });
  const stop = () => new Promise((ok) => {
    if (child.exitCode !== null) return ok();
    child.once("exit", ok);
    child.kill("SIGTERM");
  });
  return { ready, stop };
}
