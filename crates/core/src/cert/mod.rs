//! Certificate credentials: parse, check and report what a user pasted or uploaded for the
//! Certificate sign-in method (protocols.md §2).
//!
//! Accepted: a certificate as PEM (one or a chain) or base64 DER, with a private key as PEM
//! PKCS#8, PKCS#1 or encrypted PKCS#8 (PBES2) or base64 DER; or one PKCS#12/.pfx (base64) with
//! an optional password. Infisical hashes whatever text sits between the first BEGIN/END markers,
//! so a pasted chain gives a wrong thumbprint, and never checks that the key belongs to the
//! certificate (infisical.md §5.2, §13 row 10); here the leaf is the certificate whose public key
//! matches the private key, and every check names its field.

use crate::prelude::*;
mod der;
mod key;
mod name;
mod pbes2;
mod pfx;
mod text;
mod x509;

use crate::base64;
use crate::datetime::format_rfc3339;
use crate::error::{Code, Error};
use crate::jose::assertion::{Claims, Options, UnsignedAssertion};
use crate::sha1::Sha1;
use crate::text::{cat, decimal, upper_hex};
use core::fmt;
use der::DerError;
use key::RsaKey;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use x509::Certificate;

/// Largest pasted certificate (or chain) text accepted.
pub const MAX_CERTIFICATE_CHARS: usize = 64 * 1024;
/// Largest pasted private-key text accepted (the same as the form's `PEM_MAX_LEN`).
pub const MAX_PRIVATE_KEY_CHARS: usize = 64 * 1024;
/// Largest PFX (as base64) accepted.
pub const MAX_PFX_CHARS: usize = 128 * 1024;
/// Largest PFX given as bytes: what [`MAX_PFX_CHARS`] of base64 decode to.
pub const MAX_PFX_BYTES: usize = MAX_PFX_CHARS / 4 * 3;
/// Largest passphrase or PFX password accepted.
pub const MAX_PASSWORD_CHARS: usize = 1024;
/// Certificates expiring within this many seconds of `now` get a warning.
pub const EXPIRY_WARNING_SECS: i64 = 30 * 24 * 60 * 60;
/// Smallest RSA key accepted (Entra requires 2048).
pub const MIN_RSA_BITS: u32 = 2048;

/// What the user gave: a certificate and a key, or a PFX. Field names are the form's.
#[derive(Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CredentialInput {
    #[serde(default)]
    pub certificate: Option<String>,
    #[serde(default)]
    pub private_key: Option<String>,
    #[serde(default)]
    pub private_key_passphrase: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(type = "string | Uint8Array", optional))]
    pub pfx: Option<String>,
    #[serde(default)]
    pub pfx_password: Option<String>,
}

impl fmt::Debug for CredentialInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = |v: &Option<String>| v.as_ref().map(|_| "<redacted>");
        f.debug_struct("CredentialInput")
            .field("certificate", &self.certificate.as_ref().map(|c| c.len()))
            .field("private_key", &shown(&self.private_key))
            .field(
                "private_key_passphrase",
                &shown(&self.private_key_passphrase),
            )
            .field("pfx", &shown(&self.pfx))
            .field("pfx_password", &shown(&self.pfx_password))
            .finish()
    }
}

/// SHA-1 and SHA-256 digests of a certificate's DER.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thumbprints {
    pub sha1: [u8; 20],
    pub sha256: [u8; 32],
}

impl Thumbprints {
    pub fn of(der: &[u8]) -> Thumbprints {
        Thumbprints {
            sha1: Sha1::digest(der).into(),
            sha256: Sha256::digest(der).into(),
        }
    }

    /// `x5t`: base64url of the raw SHA-1 digest (RFC 7515 §4.1.7), not of its hex.
    pub fn x5t(&self) -> String {
        base64::encode_url(self.sha1)
    }

    /// `x5t#S256`: base64url of the raw SHA-256 digest (RFC 7515 §4.1.8).
    pub fn x5t_s256(&self) -> String {
        base64::encode_url(self.sha256)
    }

    /// Upper-case hex SHA-1, as the Entra portal's Thumbprint column shows it.
    pub fn sha1_hex(&self) -> String {
        upper_hex(&self.sha1)
    }

    pub fn sha256_hex(&self) -> String {
        upper_hex(&self.sha256)
    }

    /// Standard base64 of the raw SHA-1: what Graph shows as `keyCredentials[].customKeyIdentifier`
    /// for an uploaded certificate, so a pre-flight check can say whether it is registered.
    pub fn sha1_base64(&self) -> String {
        base64::encode(self.sha1)
    }
}

/// What the UI shows about a loaded credential. Times are RFC 3339 and unix seconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct CertificateReport {
    pub subject: String,
    pub issuer: String,
    /// Upper-case hex, without leading zero bytes.
    pub serial_number: String,
    pub not_before: String,
    pub not_after: String,
    pub not_before_unix: i64,
    pub not_after_unix: i64,
    /// Always `RSA`: other key types are rejected.
    pub key_type: &'static str,
    pub key_size: u32,
    pub thumbprint_sha1: String,
    pub thumbprint_sha256: String,
    pub x5t: String,
    #[serde(rename = "x5tS256")]
    pub x5t_s256: String,
    /// The Graph `keyCredentials[].customKeyIdentifier` of this certificate (base64 SHA-1).
    pub custom_key_identifier: String,
    /// Certificates given, leaf included.
    pub chain_length: usize,
    /// Non-fatal findings, e.g. `certificate-expiring-soon`.
    pub warnings: Vec<Error>,
}

/// A parsed, checked certificate credential: the leaf certificate, the rest of the chain, and
/// the RSA private key as PKCS#8 DER (zeroized on drop, never in Debug output).
#[derive(Clone)]
pub struct Credential {
    chain: Vec<Vec<u8>>,
    thumbprints: Thumbprints,
    report: CertificateReport,
    key: RsaKey,
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credential")
            .field("subject", &self.report.subject)
            .field("thumbprint_sha1", &self.report.thumbprint_sha1)
            .field("key", &self.key)
            .finish()
    }
}

/// A form value that is present and not blank, trimmed.
fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Which field errors about the certificate and the key are reported against.
#[derive(Clone, Copy)]
struct Fields {
    certificate: &'static str,
    key: &'static str,
}

impl Credential {
    /// Parses and checks `input` at time `now` (unix seconds).
    pub fn load(input: &CredentialInput, now: i64) -> Result<Credential, Error> {
        let (certs, key, fields) = match given(&input.pfx) {
            Some(pfx_text) => {
                if given(&input.certificate).is_some() || given(&input.private_key).is_some() {
                    return Err(Error::field(
                        "pfx",
                        Code::NotAllowed,
                        "give either a PFX file or a certificate and a private key, not both",
                    ));
                }
                text::check_size(pfx_text, "pfx", MAX_PFX_CHARS)?;
                let password = input.pfx_password.as_deref().unwrap_or("");
                text::check_size(password, "pfxPassword", MAX_PASSWORD_CHARS)?;
                if text::is_pem(pfx_text) {
                    return Err(Error::field(
                        "pfx",
                        Code::WrongField,
                        "this is PEM text, not a PFX file",
                    )
                    .with_hint("paste the certificate and the private key into their own fields"));
                }
                let der = text::decode_base64(pfx_text, "pfx")?;
                return Credential::load_pfx(&der, password, now);
            }
            None => {
                let cert_text = given(&input.certificate).ok_or_else(|| {
                    Error::field("certificate", Code::Required, "the certificate is required")
                })?;
                let key_text = given(&input.private_key).ok_or_else(|| {
                    Error::field("privateKey", Code::Required, "the private key is required")
                })?;
                text::check_size(cert_text, "certificate", MAX_CERTIFICATE_CHARS)?;
                text::check_size(key_text, "privateKey", MAX_PRIVATE_KEY_CHARS)?;
                let passphrase = input.private_key_passphrase.as_deref().unwrap_or("");
                text::check_size(passphrase, "privateKeyPassphrase", MAX_PASSWORD_CHARS)?;
                let certs = parse_certificates(cert_text)?;
                let key = parse_private_key(key_text, passphrase)?;
                let fields = Fields {
                    certificate: "certificate",
                    key: "privateKey",
                };
                (certs, key, fields)
            }
        };
        Credential::assemble(certs, key, fields, now)
    }

    /// Opens a PKCS#12 file given as bytes (an uploaded `.pfx`) at time `now` (unix seconds).
    pub fn load_pfx(der: &[u8], password: &str, now: i64) -> Result<Credential, Error> {
        if der.len() > MAX_PFX_BYTES {
            return Err(text::too_long(
                "pfx",
                "PFX file",
                der.len(),
                MAX_PFX_BYTES,
                "bytes",
            ));
        }
        text::check_size(password, "pfxPassword", MAX_PASSWORD_CHARS)?;
        #[cfg(feature = "pfx")]
        {
            let contents = pfx::open(der, password)?;
            let fields = Fields {
                certificate: "pfx",
                key: "pfx",
            };
            Credential::assemble(contents.certificates, contents.key, fields, now)
        }
        #[cfg(not(feature = "pfx"))]
        {
            let _ = now;
            Err(pfx_left_out())
        }
    }

    fn assemble(
        certs: Vec<Vec<u8>>,
        key: RsaKey,
        fields: Fields,
        now: i64,
    ) -> Result<Credential, Error> {
        let bits = key.public.bits();
        if bits < MIN_RSA_BITS {
            return Err(Error::field(
                fields.key,
                Code::WeakKey,
                cat(&[
                    "the RSA key has ",
                    &decimal(u64::from(bits)),
                    " bits; at least ",
                    &decimal(u64::from(MIN_RSA_BITS)),
                    " are required",
                ]),
            )
            .with_hint(
                "create a new certificate with openssl req -x509 -newkey rsa:2048 (or 3072/4096)",
            ));
        }
        let mut parsed: Vec<Certificate<'_>> = certs
            .iter()
            .map(|der| x509::parse(der).map_err(|e| cert_der_error(der, e, fields.certificate)))
            .collect::<Result<_, _>>()?;
        let publics: Vec<Option<key::RsaPublic>> = parsed.iter().map(rsa_public).collect();
        let leaf = match publics.iter().position(|p| p.as_ref() == Some(&key.public)) {
            Some(i) => i,
            None => {
                let first = parsed.first().ok_or_else(|| {
                    Error::field(
                        fields.certificate,
                        Code::Required,
                        "no certificate was found",
                    )
                })?;
                let alg = first.key_algorithm;
                if alg != key::RSA_ENCRYPTION {
                    return Err(key::unsupported_key_type(fields.certificate, alg));
                }
                return Err(Error::field(
                    fields.key,
                    Code::KeyCertMismatch,
                    "the private key does not belong to the certificate",
                )
                .with_hint("pick the key file generated together with this certificate (their RSA moduli differ)"));
            }
        };
        // The leaf goes first: `x5c` (RFC 7515 §4.1.6) starts with the signing certificate.
        // `leaf` is a position in `publics`, which is as long as `parsed` and `certs`.
        let cert = parsed.swap_remove(leaf);
        let thumbprints = Thumbprints::of(certs[leaf].as_slice());
        let report = report(&cert, &thumbprints, certs.len(), &key, fields, now)?;
        drop(parsed);
        let mut chain = certs;
        chain[..=leaf].rotate_right(1);
        Ok(Credential {
            thumbprints,
            chain,
            report,
            key,
        })
    }

    pub fn report(&self) -> &CertificateReport {
        &self.report
    }

    pub fn thumbprints(&self) -> &Thumbprints {
        &self.thumbprints
    }

    /// The leaf certificate's DER.
    pub fn leaf_der(&self) -> &[u8] {
        self.chain.first().map_or(&[], Vec::as_slice)
    }

    /// Every certificate given, leaf first, as DER (for `x5c`).
    pub fn chain_der(&self) -> &[Vec<u8>] {
        &self.chain
    }

    /// The private key as PKCS#8 `PrivateKeyInfo` DER: what WebCrypto
    /// `importKey("pkcs8", ...)` takes. PKCS#1 keys are wrapped, encrypted keys decrypted.
    pub fn pkcs8_der(&self) -> &[u8] {
        &self.key.pkcs8
    }

    /// Standard base64 of [`Credential::pkcs8_der`], for JSON boundaries (`atob` decodes it).
    pub fn pkcs8_base64(&self) -> String {
        base64::encode(&*self.key.pkcs8)
    }

    /// The signing input of a client assertion (RFC 7523) signed with this credential, for the
    /// host to sign. Nothing is parsed again: thumbprints and key size were taken at load.
    pub fn assertion(
        &self,
        claims: &Claims,
        options: &Options,
    ) -> Result<UnsignedAssertion, Error> {
        crate::jose::assertion::prepare(self, claims, options)
    }

    /// The key size in bits; an RSA signature is `ceil(bits / 8)` bytes.
    pub fn key_bits(&self) -> u32 {
        self.key.public.bits()
    }
}

fn rsa_public(cert: &Certificate<'_>) -> Option<key::RsaPublic> {
    if cert.key_algorithm != key::RSA_ENCRYPTION {
        return None;
    }
    key::rsa_public_key(cert.public_key).ok()
}

fn report(
    cert: &Certificate<'_>,
    thumbprints: &Thumbprints,
    chain_length: usize,
    key: &RsaKey,
    fields: Fields,
    now: i64,
) -> Result<CertificateReport, Error> {
    let nb = cert.not_before;
    let na = cert.not_after;
    if now < nb {
        return Err(Error::field(
            fields.certificate,
            Code::CertificateNotYetValid,
            cat(&["the certificate is not valid before ", &format_rfc3339(nb)]),
        )
        .with_hint("check the clock of the machine that created it, or wait"));
    }
    if now > na {
        return Err(Error::field(
            fields.certificate,
            Code::CertificateExpired,
            cat(&["the certificate expired on ", &format_rfc3339(na)]),
        )
        .with_hint("create a new certificate and upload it to the app registration"));
    }
    let mut warnings = Vec::new();
    if na - now <= EXPIRY_WARNING_SECS {
        let days = (na - now) / 86_400;
        warnings.push(
            Error::field(
                fields.certificate,
                Code::CertificateExpiringSoon,
                cat(&[
                    "the certificate expires in ",
                    &decimal(days as u64),
                    " days, on ",
                    &format_rfc3339(na),
                ]),
            )
            .with_hint("upload a new certificate to the app registration before then"),
        );
    }
    let serial = cert.serial;
    let first = serial
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(serial.len().saturating_sub(1));
    Ok(CertificateReport {
        subject: name::rfc4514(cert.subject),
        issuer: name::rfc4514(cert.issuer),
        serial_number: upper_hex(&serial[first..]),
        not_before: format_rfc3339(nb),
        not_after: format_rfc3339(na),
        not_before_unix: nb,
        not_after_unix: na,
        key_type: "RSA",
        key_size: key.public.bits(),
        thumbprint_sha1: thumbprints.sha1_hex(),
        thumbprint_sha256: thumbprints.sha256_hex(),
        x5t: thumbprints.x5t(),
        x5t_s256: thumbprints.x5t_s256(),
        custom_key_identifier: thumbprints.sha1_base64(),
        chain_length,
        warnings,
    })
}

/// What a DER blob is, to tell users they pasted something into the wrong field.
#[derive(Debug, PartialEq, Eq)]
enum DerKind {
    Certificate,
    PrivateKey,
    EncryptedPrivateKey,
    Pfx,
    Other,
}

fn classify(der: &[u8]) -> DerKind {
    if x509::parse(der).is_ok() {
        DerKind::Certificate
    } else if key::pkcs8_parts(der).is_ok() || key::pkcs1_public(der).is_ok() {
        DerKind::PrivateKey
    } else if key::is_encrypted_pkcs8(der) {
        DerKind::EncryptedPrivateKey
    } else if pfx::is_pfx(der) {
        DerKind::Pfx
    } else {
        DerKind::Other
    }
}

fn key_in_certificate_field() -> Error {
    Error::field("certificate", Code::WrongField, "this is a private key, not a certificate")
        .with_hint("paste it into the private key field; the certificate starts with -----BEGIN CERTIFICATE-----")
}

fn pfx_in_field(field: &str) -> Error {
    Error::field(field, Code::WrongField, "this is a PKCS#12 (.pfx) file")
        .with_hint("upload it in the PFX field instead of the certificate and key fields")
}

/// The refusal of a build without the `pfx` feature (the default certificate module of
/// `azconn/forms`): PKCS#12 is the module of its own that `loadCertificates({ pfx: true })` loads.
#[cfg(not(feature = "pfx"))]
fn pfx_left_out() -> Error {
    Error::field(
        "pfx",
        Code::UnsupportedAlgorithm,
        "this certificate module does not open PFX (PKCS#12) files",
    )
    .with_hint("load the PFX module with loadCertificates({ pfx: true }), or give the certificate and the private key as PEM")
}

fn cert_der_error(der: &[u8], e: DerError, field: &str) -> Error {
    if field == "certificate" {
        match classify(der) {
            DerKind::PrivateKey | DerKind::EncryptedPrivateKey => {
                return key_in_certificate_field();
            }
            DerKind::Pfx => return pfx_in_field(field),
            DerKind::Certificate | DerKind::Other => {}
        }
    }
    let what = if e == DerError::Truncated {
        "the certificate is truncated"
    } else {
        "this is not an X.509 certificate"
    };
    Error::field(field, Code::InvalidFormat, what)
}

const KEY_LABELS: [&str; 5] = [
    "PRIVATE KEY",
    "RSA PRIVATE KEY",
    "ENCRYPTED PRIVATE KEY",
    "EC PRIVATE KEY",
    "DSA PRIVATE KEY",
];

/// Certificates from the `certificate` field, in the order given.
fn parse_certificates(input: &str) -> Result<Vec<Vec<u8>>, Error> {
    const FIELD: &str = "certificate";
    if !text::is_pem(input) {
        let der = text::decode_base64(input, FIELD)?;
        return match x509::parse(&der) {
            Ok(_) => Ok(vec![der.to_vec()]),
            Err(e) => Err(cert_der_error(&der, e, FIELD)),
        };
    }
    let blocks = text::pem_blocks(input, FIELD)?;
    let mut certs = Vec::new();
    for block in &blocks {
        match block.label.as_str() {
            "CERTIFICATE" | "X509 CERTIFICATE" => certs.push(block.der.to_vec()),
            label if KEY_LABELS.contains(&label) => {}
            _ => {
                return Err(Error::field(
                    FIELD,
                    Code::InvalidFormat,
                    cat(&["a BEGIN ", &block.label, " block is not a certificate"]),
                )
                .with_hint(
                    "paste the certificate: the block starting with -----BEGIN CERTIFICATE-----",
                ));
            }
        }
    }
    if certs.is_empty() {
        return Err(key_in_certificate_field());
    }
    Ok(certs)
}

/// The RSA key from the `privateKey` field.
fn parse_private_key(input: &str, passphrase: &str) -> Result<RsaKey, Error> {
    const FIELD: &str = "privateKey";
    const PASS: &str = "privateKeyPassphrase";
    let encrypted = |der: &[u8]| {
        if passphrase.is_empty() {
            return Err(Error::field(
                PASS,
                Code::Required,
                "the private key is encrypted: enter its passphrase",
            ));
        }
        key::decrypt_pkcs8(der, passphrase.as_bytes(), FIELD, PASS)
    };
    if !text::is_pem(input) {
        let der = text::decode_base64(input, FIELD)?;
        return match classify(&der) {
            DerKind::Certificate => Err(cert_in_key_field()),
            DerKind::EncryptedPrivateKey => encrypted(&der),
            DerKind::PrivateKey if key::pkcs8_parts(&der).is_ok() => key::from_pkcs8(&der, FIELD),
            DerKind::PrivateKey => key::from_pkcs1(&der, FIELD),
            DerKind::Pfx => Err(pfx_in_field(FIELD)),
            DerKind::Other => key::from_pkcs8(&der, FIELD),
        };
    }
    let blocks = text::pem_blocks(input, FIELD)?;
    let mut keys = blocks
        .iter()
        .filter(|b| KEY_LABELS.contains(&b.label.as_str()));
    let block = match (keys.next(), keys.next()) {
        (Some(b), None) => b,
        (Some(_), Some(_)) => {
            return Err(Error::field(
                FIELD,
                Code::NotAllowed,
                "the text holds more than one private key",
            ));
        }
        (None, _) => {
            return Err(match blocks.first().map(|b| b.label.as_str()) {
                Some("CERTIFICATE") => cert_in_key_field(),
                Some("PUBLIC KEY") | Some("RSA PUBLIC KEY") => Error::field(
                    FIELD,
                    Code::WrongField,
                    "this is a public key; the private key is needed to sign",
                ),
                Some(label) => Error::field(
                    FIELD,
                    Code::InvalidFormat,
                    cat(&["a BEGIN ", label, " block is not a private key"]),
                ),
                None => Error::field(FIELD, Code::InvalidFormat, "no PEM block found"),
            }
            .with_hint("paste the key file, starting with -----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----"));
        }
    };
    match block.label.as_str() {
        "PRIVATE KEY" => key::from_pkcs8(&block.der, FIELD),
        "RSA PRIVATE KEY" if block.has_headers => Err(Error::field(
            FIELD,
            Code::UnsupportedAlgorithm,
            "the key uses legacy OpenSSL PEM encryption (Proc-Type: 4,ENCRYPTED)",
        )
        .with_hint(key::REENCRYPT_HINT)),
        "RSA PRIVATE KEY" => key::from_pkcs1(&block.der, FIELD),
        "ENCRYPTED PRIVATE KEY" => encrypted(&block.der),
        _ => Err(Error::field(
            FIELD,
            Code::UnsupportedKeyType,
            cat(&["this is a ", &block.label.to_ascii_lowercase(), "; Entra app credentials are RSA"]),
        )
        .with_hint("create an RSA certificate of at least 2048 bits, e.g. openssl req -x509 -newkey rsa:2048")),
    }
}

fn cert_in_key_field() -> Error {
    Error::field("privateKey", Code::WrongField, "this is a certificate, not a private key")
        .with_hint("paste it into the certificate field; the key starts with -----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----")
}

/// What a host needs to decrypt an encrypted PKCS#8 key itself, for builds without the `pbes2`
/// decryptor: WebCrypto `deriveKey({name: "PBKDF2", salt, iterations, hash}, passphrase,
/// {name: "AES-CBC", length: keyLength})`, then `decrypt({name: "AES-CBC", iv}, ciphertext)`.
/// The plaintext is the PKCS#8 key, to load as the `privateKey` (base64 DER).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct EncryptedKeyParameters {
    pub salt: Vec<u8>,
    pub iterations: u32,
    /// WebCrypto's name of the PBKDF2 hash: `SHA-1` or `SHA-256`.
    pub hash: &'static str,
    /// The AES-CBC key length in bits: 128, 192 or 256.
    pub key_length: u32,
    pub iv: Vec<u8>,
    pub ciphertext: Vec<u8>,
}

/// The PBES2 parameters of the encrypted key in `private_key` (PEM `ENCRYPTED PRIVATE KEY` or
/// base64 DER), checked as [`Credential::load`] checks them.
pub fn encrypted_key_parameters(private_key: &str) -> Result<EncryptedKeyParameters, Error> {
    const FIELD: &str = "privateKey";
    text::check_size(private_key, FIELD, MAX_PRIVATE_KEY_CHARS)?;
    let der = if text::is_pem(private_key) {
        let blocks = text::pem_blocks(private_key, FIELD)?;
        let block = blocks
            .into_iter()
            .find(|b| b.label == "ENCRYPTED PRIVATE KEY")
            .ok_or_else(|| {
                Error::field(
                    FIELD,
                    Code::InvalidFormat,
                    "this is not an encrypted private key",
                )
            })?;
        block.der
    } else {
        text::decode_base64(private_key, FIELD)?
    };
    let (params, ciphertext) = key::pbes2_parts(&der, FIELD)?;
    Ok(EncryptedKeyParameters {
        salt: params.salt.to_vec(),
        iterations: params.iterations,
        hash: match params.prf {
            pbes2::Prf::Sha1 => "SHA-1",
            pbes2::Prf::Sha256 => "SHA-256",
        },
        key_length: params.key_len as u32 * 8,
        iv: params.iv.to_vec(),
        ciphertext: ciphertext.to_vec(),
    })
}

/// Standard base64 of DER, as `x5c` entries are (RFC 7515 §4.1.6: not base64url).
pub(crate) fn x5c_entry(der: &[u8]) -> String {
    base64::encode(der)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_secrets() {
        let input = CredentialInput {
            certificate: Some("CERT".into()),
            private_key: Some("SECRET-KEY".into()),
            private_key_passphrase: Some("SECRET-PASS".into()),
            pfx: Some("SECRET-PFX".into()),
            pfx_password: Some("SECRET-PFXPASS".into()),
        };
        let debug = format!("{input:?}");
        assert!(!debug.contains("SECRET"), "{debug}");
        assert!(debug.contains("<redacted>"));
    }

    #[test]
    fn thumbprints_are_raw_digests_in_base64url_and_upper_hex() {
        let t = Thumbprints::of(b"abc");
        assert_eq!(t.sha1_hex(), "A9993E364706816ABA3E25717850C26C9CD0D89D");
        assert_eq!(t.x5t(), "qZk-NkcGgWq6PiVxeFDCbJzQ2J0");
        assert_eq!(
            t.sha256_hex(),
            "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"
        );
        assert_eq!(t.x5t_s256(), "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");
    }

    #[cfg(feature = "pfx")]
    #[test]
    fn pfx_bytes_load_as_the_base64_text_does() {
        let ders = vector_ders();
        let der = &ders.iter().find(|(n, _)| *n == "pfx").unwrap().1;
        let text = CredentialInput {
            pfx: Some(base64::encode(der)),
            pfx_password: Some("vector pfx".into()),
            ..CredentialInput::default()
        };
        let now = 1_900_000_000;
        let from_text = Credential::load(&text, now).unwrap();
        let from_bytes = Credential::load_pfx(der, "vector pfx", now).unwrap();
        assert_eq!(from_bytes.report(), from_text.report());
        assert_eq!(from_bytes.pkcs8_der(), from_text.pkcs8_der());
        let wrong = Credential::load_pfx(der, "nope", now).unwrap_err();
        assert_eq!(
            (wrong.code, wrong.field.as_deref()),
            (Code::WrongPassword, Some("pfxPassword"))
        );
        let big = Credential::load_pfx(&vec![0x30; MAX_PFX_BYTES + 1], "", now).unwrap_err();
        assert_eq!(
            (big.code, big.field.as_deref()),
            (Code::TooLong, Some("pfx"))
        );
    }

    #[cfg(not(feature = "pfx"))]
    #[test]
    fn a_build_without_pfx_refuses_a_pfx_and_says_which_module_opens_it() {
        let ders = vector_ders();
        let der = &ders.iter().find(|(n, _)| *n == "pfx").unwrap().1;
        assert!(pfx::is_pfx(der));
        let text = CredentialInput {
            pfx: Some(base64::encode(der)),
            pfx_password: Some("vector pfx".into()),
            ..CredentialInput::default()
        };
        for e in [
            Credential::load(&text, 0).unwrap_err(),
            Credential::load_pfx(der, "vector pfx", 0).unwrap_err(),
        ] {
            assert_eq!(
                (e.code, e.field.as_deref()),
                (Code::UnsupportedAlgorithm, Some("pfx"))
            );
            assert!(e.hint.unwrap().contains("loadCertificates({ pfx: true })"));
        }
    }

    /// The credentials of the golden vectors, as DER: certificate, PKCS#8 and PKCS#1 keys,
    /// encrypted PKCS#8 and PFX.
    fn vector_ders() -> Vec<(&'static str, Vec<u8>)> {
        let doc: serde_json::Value =
            serde_json::from_str(include_str!("../../../../tests/vectors/cert.json")).unwrap();
        let credential = |name: &str| {
            doc["cases"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["name"] == name)
                .unwrap()["input"]["credential"]
                .clone()
        };
        let pem = |text: &serde_json::Value| {
            text::pem_blocks(text.as_str().unwrap(), "f").unwrap()[0]
                .der
                .to_vec()
        };
        let plain = credential("PKCS#8 PEM key with its certificate");
        let pkcs1 = credential("PKCS#1 PEM key gives the same report");
        let encrypted =
            credential("encrypted PKCS#8 (PBES2, PBKDF2-SHA256, AES-256-CBC) with its passphrase");
        let pfx = credential("PFX (OpenSSL 3 default: AES-256-CBC, HMAC-SHA256 MAC)");
        vec![
            ("certificate", pem(&plain["certificate"])),
            ("pkcs8", pem(&plain["privateKey"])),
            ("pkcs1", pem(&pkcs1["privateKey"])),
            ("encrypted", pem(&encrypted["privateKey"])),
            (
                "pfx",
                text::decode_base64(pfx["pfx"].as_str().unwrap(), "pfx")
                    .unwrap()
                    .to_vec(),
            ),
        ]
    }

    /// The vectors this build parses: the PFX only with the `pfx` feature.
    fn parsed_vector_ders() -> Vec<(&'static str, Vec<u8>)> {
        let mut ders = vector_ders();
        ders.retain(|(kind, _)| cfg!(feature = "pfx") || *kind != "pfx");
        ders
    }

    /// Runs the parser for `kind` and says whether it accepted, and whether it saw truncation.
    fn parse_as(kind: &str, der: &[u8]) -> Result<(), DerError> {
        match kind {
            "certificate" => x509::parse(der).map(drop),
            "pkcs8" => key::pkcs8_parts(der).map(drop),
            "pkcs1" => key::pkcs1_public(der).map(drop),
            "encrypted" => key::encrypted_pkcs8_parts(der).map(drop),
            #[cfg(feature = "pfx")]
            _ => match pfx::open(der, "vector pfx") {
                Err(e) if e.message.contains("truncated") => Err(DerError::Truncated),
                Err(e) if e.field.as_deref() == Some("pfx") => Err(DerError::Malformed),
                _ => Ok(()),
            },
            #[cfg(not(feature = "pfx"))]
            _ => unreachable!("no PFX vector without the pfx feature"),
        }
    }

    #[test]
    fn every_parser_accepts_its_vector_and_reads_what_x509_cert_reads() {
        use ::der::Decode;
        for (kind, der) in parsed_vector_ders() {
            assert_eq!(parse_as(kind, &der), Ok(()), "{kind}");
        }
        let (_, cert_der) = &vector_ders()[0];
        let cert = x509::parse(cert_der).unwrap();
        let reference = x509_cert::Certificate::from_der(cert_der).unwrap();
        let tbs = &reference.tbs_certificate;
        assert_eq!(cert.serial, tbs.serial_number.as_bytes());
        assert_eq!(name::rfc4514(cert.subject), tbs.subject.to_string());
        assert_eq!(name::rfc4514(cert.issuer), tbs.issuer.to_string());
        assert_eq!(
            cert.not_after,
            tbs.validity.not_after.to_unix_duration().as_secs() as i64
        );
        assert_eq!(
            cert.public_key,
            tbs.subject_public_key_info.subject_public_key.raw_bytes()
        );
    }

    #[test]
    fn malformed_input_is_refused_by_every_parser() {
        for (kind, der) in parsed_vector_ders() {
            // Truncated anywhere: every strict prefix is refused as truncated.
            for len in 0..der.len() {
                assert_eq!(
                    parse_as(kind, &der[..len]),
                    Err(DerError::Truncated),
                    "{kind} cut at {len}"
                );
            }
            // Trailing bytes after the outer element.
            let mut trailing = der.clone();
            trailing.push(0);
            assert_eq!(
                parse_as(kind, &trailing),
                Err(DerError::Malformed),
                "{kind} + trailing"
            );
            // A wrong outer tag (SET instead of SEQUENCE).
            let mut wrong_tag = der.clone();
            wrong_tag[0] = der::SET;
            assert_eq!(
                parse_as(kind, &wrong_tag),
                Err(DerError::Malformed),
                "{kind} SET"
            );
            // An overlong length: the same length with a leading zero byte.
            assert_eq!(der[1], 0x82, "{kind}: a two-byte length");
            let mut overlong = vec![der[0], 0x83, 0x00];
            overlong.extend_from_slice(&der[2..]);
            assert_eq!(
                parse_as(kind, &overlong),
                Err(DerError::Malformed),
                "{kind} overlong"
            );
            // An inner element's length one too long runs out of its parent.
            let mut inner = der.clone();
            inner[5] = inner[5].wrapping_add(1);
            assert!(parse_as(kind, &inner).is_err(), "{kind} inner length");
        }
    }

    #[test]
    fn encrypted_key_parameters_decrypt_to_the_loaded_key() {
        let doc: serde_json::Value =
            serde_json::from_str(include_str!("../../../../tests/vectors/cert.json")).unwrap();
        let case = doc["cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| {
                c["name"]
                    == "encrypted PKCS#8 (PBES2, PBKDF2-SHA256, AES-256-CBC) with its passphrase"
            })
            .unwrap();
        let credential = &case["input"]["credential"];
        let key_text = credential["privateKey"].as_str().unwrap();
        let p = encrypted_key_parameters(key_text).unwrap();
        assert_eq!((p.hash, p.key_length, p.iv.len()), ("SHA-256", 256, 16));
        let input: CredentialInput = serde_json::from_value(credential.clone()).unwrap();
        let loaded = Credential::load(&input, case["input"]["now"].as_i64().unwrap());
        #[cfg(feature = "pbes2")]
        {
            let der = text::pem_blocks(key_text, "f").unwrap().remove(0).der;
            let (params, data) = key::pbes2_parts(&der, "f").unwrap();
            let pass = credential["privateKeyPassphrase"].as_str().unwrap();
            let plain = pbes2::decrypt(&params, pass.as_bytes(), data).unwrap();
            assert_eq!(&plain[..], loaded.unwrap().pkcs8_der());
        }
        #[cfg(not(feature = "pbes2"))]
        assert_eq!(loaded.unwrap_err().code, Code::UnsupportedAlgorithm);
        let e = encrypted_key_parameters(
            "-----BEGIN PRIVATE KEY-----\nAQID\n-----END PRIVATE KEY-----",
        )
        .unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (Code::InvalidFormat, Some("privateKey"))
        );
    }
}
