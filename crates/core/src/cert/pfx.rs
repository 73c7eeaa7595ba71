//! PKCS#12 / .pfx (RFC 7292), the format Azure Key Vault and the portal hand out.
//!
//! Supported: password-integrity mode with an HMAC-SHA-256 (or SHA-1) MAC; plain or encrypted
//! safes and shrouded key bags, encrypted with PBES2 (PBKDF2 + AES-CBC: OpenSSL 3's default and
//! Windows' "AES256-SHA256" export) or with the legacy PKCS#12 PBEs that Windows and Key Vault
//! still produce (pbeWithSHAAnd3-KeyTripleDES-CBC, 2-key 3DES, 128- and 40-bit RC2-CBC; RFC 7292
//! App. C), decrypt-only. RC4 and public-key integrity mode are rejected with a field-named error
//! saying how to re-export the file.
//!
//! The structure is read in every build (to tell a PFX put into the certificate or key field);
//! opening one (the MAC, the PKCS#12 KDF and the ciphers: `open`) only with the `pfx` feature,
//! the module `loadCertificates({ pfx: true })` loads in browsers.

use super::der::{self, DerError, Reader, Tlv};

#[cfg(feature = "pfx")]
mod open;
#[cfg(feature = "pfx")]
pub(crate) use open::open;

/// PFX ::= SEQUENCE { version INTEGER {v3(3)}, authSafe ContentInfo, macData MacData OPTIONAL }.
#[cfg_attr(not(feature = "pfx"), allow(dead_code))]
struct Pfx<'a> {
    version: u32,
    auth_safe: ContentInfo<'a>,
    mac_data: Option<MacData<'a>>,
}

/// ContentInfo ::= SEQUENCE { contentType OID, content [0] EXPLICIT ANY OPTIONAL }.
#[cfg_attr(not(feature = "pfx"), allow(dead_code))]
struct ContentInfo<'a> {
    content_type: &'a [u8],
    content: Option<Tlv<'a>>,
}

/// MacData ::= SEQUENCE { mac DigestInfo, macSalt OCTET STRING, iterations INTEGER DEFAULT 1 }.
#[cfg_attr(not(feature = "pfx"), allow(dead_code))]
struct MacData<'a> {
    algorithm: &'a [u8],
    digest: &'a [u8],
    salt: &'a [u8],
    iterations: u32,
}

fn parse_pfx(der: &[u8]) -> Result<Pfx<'_>, DerError> {
    let mut r = der::sequence(der)?;
    let version = der::small_unsigned(r.read(der::INTEGER)?)?;
    let auth_safe = content_info(r.read(der::SEQUENCE)?)?;
    let mac_data = match r.optional(der::SEQUENCE)? {
        None => None,
        Some(mac) => {
            let mut m = Reader::new(mac);
            let mut digest_info = m.sequence()?;
            let (algorithm, _) = der::algorithm(digest_info.read(der::SEQUENCE)?)?;
            let digest = digest_info.read(der::OCTET_STRING)?;
            digest_info.finish()?;
            let salt = m.read(der::OCTET_STRING)?;
            let iterations = match m.optional(der::INTEGER)? {
                Some(n) => der::small_unsigned(n)?,
                None => 1,
            };
            m.finish()?;
            Some(MacData {
                algorithm,
                digest,
                salt,
                iterations,
            })
        }
    };
    r.finish()?;
    Ok(Pfx {
        version,
        auth_safe,
        mac_data,
    })
}

fn content_info(value: &[u8]) -> Result<ContentInfo<'_>, DerError> {
    let mut r = Reader::new(value);
    let content_type = r.read(der::OID)?;
    der::check_oid(content_type)?;
    let content = match r.optional(der::context(0))? {
        Some(explicit) => {
            let mut inner = Reader::new(explicit);
            let any = inner.any()?;
            inner.finish()?;
            Some(any)
        }
        None => None,
    };
    r.finish()?;
    Ok(ContentInfo {
        content_type,
        content,
    })
}

/// Is this DER a PKCS#12 PFX structure (to tell users they put it in the wrong field)?
pub(crate) fn is_pfx(der: &[u8]) -> bool {
    parse_pfx(der).is_ok_and(|p| p.version == 3)
}
