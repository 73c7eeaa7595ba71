//! Opening a PFX (RFC 7292): the password-integrity MAC, the safes and bags, and their
//! decryption (PBES2, and with `pfx-legacy` the PKCS#12 PBEs).

use super::super::der::{self, DerError, Reader, Tlv};
use super::super::key::{self, RsaKey};
use super::super::pbes2::{self, SchemeError};
use super::{MacData, content_info, parse_pfx};
use crate::error::{Code, Error};
use crate::prelude::*;
use crate::sha1::Sha1;
use crate::text::cat;
use hmac::digest::KeyInit;
use hmac::{Mac, SimpleHmac};
use sha2::Sha256;
use sha2::digest::Digest;
use zeroize::Zeroizing;

const FIELD: &str = "pfx";
const PASSWORD_FIELD: &str = "pfxPassword";

/// OID contents (1.2.840.113549.1.7.1 `id-data` and so on).
const ID_DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01];
const ID_ENCRYPTED_DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x06];
const KEY_BAG: &[u8] = &[
    0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x0a, 0x01, 0x01,
];
const SHROUDED_KEY_BAG: &[u8] = &[
    0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x0a, 0x01, 0x02,
];
const CERT_BAG: &[u8] = &[
    0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x0a, 0x01, 0x03,
];
const X509_CERTIFICATE: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x16, 0x01];
/// `pkcs-12PbeIds` (RFC 7292 App. C): 1.2.840.113549.1.12.1.{3,4,5,6}.
const PBE_SHA1_3DES3: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x01, 0x03];
const PBE_SHA1_3DES2: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x01, 0x04];
const PBE_SHA1_RC2_128: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x01, 0x05];
const PBE_SHA1_RC2_40: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x01, 0x06];
const SHA1_OID: &[u8] = &[0x2b, 0x0e, 0x03, 0x02, 0x1a];
const SHA256_OID: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];

pub(crate) const REEXPORT_HINT: &str = "re-export it with modern encryption: openssl pkcs12 -legacy -in old.pfx -nodes -out all.pem, then openssl pkcs12 -export -in all.pem -out new.pfx (OpenSSL 3 uses AES-256-CBC); on Windows choose AES256-SHA256 when exporting";

/// SafeBag ::= SEQUENCE { bagId OID, bagValue [0] EXPLICIT ANY, bagAttributes SET OPTIONAL }.
fn safe_bag(value: &[u8]) -> Result<(&[u8], Tlv<'_>), DerError> {
    let mut r = Reader::new(value);
    let id = r.read(der::OID)?;
    der::check_oid(id)?;
    let mut explicit = Reader::new(r.read(der::context(0))?);
    let bag_value = explicit.any()?;
    explicit.finish()?;
    if !r.is_empty() {
        r.any()?;
    }
    r.finish()?;
    Ok((id, bag_value))
}

/// The elements of a SEQUENCE OF `T` given as a whole DER element.
fn sequence_of(der: &[u8]) -> Result<Vec<&[u8]>, DerError> {
    let mut r = der::sequence(der)?;
    let mut items = Vec::new();
    while !r.is_empty() {
        items.push(r.read(der::SEQUENCE)?);
    }
    Ok(items)
}

/// What a PFX holds: its certificates (DER, file order) and its one private key.
pub(crate) struct PfxContents {
    pub certificates: Vec<Vec<u8>>,
    pub key: RsaKey,
}

fn malformed(what: &str) -> Error {
    Error::field(
        FIELD,
        Code::InvalidFormat,
        cat(&["the PFX file is malformed: ", what]),
    )
}

/// Opens a PFX with `password` (empty when the file has none).
pub(crate) fn open(der: &[u8], password: &str) -> Result<PfxContents, Error> {
    let pfx = parse_pfx(der).map_err(|e| {
        if e == DerError::Truncated {
            Error::field(FIELD, Code::InvalidFormat, "the PFX file is truncated")
        } else {
            Error::field(
                FIELD,
                Code::InvalidFormat,
                "this is not a PKCS#12 (.pfx/.p12) file",
            )
        }
    })?;
    if pfx.version != 3 {
        return Err(malformed("version is not 3"));
    }
    if pfx.auth_safe.content_type != ID_DATA {
        return Err(Error::field(
            FIELD,
            Code::UnsupportedAlgorithm,
            "the PFX uses public-key integrity mode; only password integrity is supported",
        ));
    }
    let auth_safe = octets(pfx.auth_safe.content)?;
    let bmp = match &pfx.mac_data {
        Some(mac) => verify_mac(mac, auth_safe, password)?,
        None => bmp_password(password),
    };
    let password = Password {
        utf8: password,
        bmp: &bmp,
    };
    let contents = sequence_of(auth_safe)
        .and_then(|items| {
            items
                .into_iter()
                .map(content_info)
                .collect::<Result<Vec<_>, _>>()
        })
        .map_err(|_| malformed("authenticated safe"))?;
    let mut certificates = Vec::new();
    let mut keys = Vec::new();
    for info in contents {
        let (safe, encrypted): (Zeroizing<Vec<u8>>, bool) = match info.content_type {
            ID_DATA => (Zeroizing::new(octets(info.content)?.to_vec()), false),
            ID_ENCRYPTED_DATA => (decrypt_safe(info.content, &password)?, true),
            _ => continue,
        };
        // Without a MAC, a wrong password can still pass the padding check (1 in 256); the
        // garbage it decrypts to is then the sign of the wrong password, not of a broken file.
        let bags = sequence_of(&safe)
            .and_then(|items| {
                items
                    .into_iter()
                    .map(safe_bag)
                    .collect::<Result<Vec<_>, _>>()
            })
            .map_err(|_| {
                if encrypted {
                    key::wrong_password(PASSWORD_FIELD)
                } else {
                    malformed("safe contents")
                }
            })?;
        for (bag_id, bag_value) in bags {
            match bag_id {
                CERT_BAG => {
                    let cert = cert_bag(bag_value).map_err(|_| malformed("cert bag"))?;
                    if let Some(cert) = cert {
                        certificates.push(cert.to_vec());
                    }
                }
                KEY_BAG => keys.push(key::from_pkcs8(bag_value.raw, FIELD)?),
                SHROUDED_KEY_BAG => keys.push(shrouded_key(bag_value.raw, &password)?),
                _ => {}
            }
        }
    }
    if certificates.is_empty() {
        return Err(Error::field(
            FIELD,
            Code::Required,
            "the PFX file holds no certificate",
        ));
    }
    let mut keys = keys.into_iter();
    match (keys.next(), keys.next()) {
        (Some(key), None) => Ok(PfxContents { certificates, key }),
        (None, _) => Err(
            Error::field(FIELD, Code::Required, "the PFX file holds no private key").with_hint(
                "export the certificate with its private key (\"Yes, export the private key\")",
            ),
        ),
        (Some(_), Some(_)) => Err(Error::field(
            FIELD,
            Code::NotAllowed,
            "the PFX file holds more than one private key; export only the one credential",
        )),
    }
}

/// CertBag ::= SEQUENCE { certId OID, certValue [0] EXPLICIT OCTET STRING }: the DER of an
/// X.509 certificate, `None` for other certificate types.
fn cert_bag(bag: Tlv<'_>) -> Result<Option<&[u8]>, DerError> {
    if bag.tag != der::SEQUENCE {
        return Err(DerError::Malformed);
    }
    let mut r = Reader::new(bag.value);
    let id = r.read(der::OID)?;
    der::check_oid(id)?;
    let value = der::whole(r.read(der::context(0))?, der::OCTET_STRING)?;
    r.finish()?;
    Ok((id == X509_CERTIFICATE).then_some(value))
}

fn octets<'a>(content: Option<Tlv<'a>>) -> Result<&'a [u8], Error> {
    let any = content.ok_or_else(|| malformed("missing content"))?;
    if any.tag != der::OCTET_STRING {
        return Err(malformed("content is not an OCTET STRING"));
    }
    Ok(any.value)
}

/// The password in both encodings PKCS#12 uses: UTF-8 for PBES2 (what OpenSSL and Windows
/// feed PBKDF2), BMPString for the PKCS#12 KDF (the one that matched the MAC).
struct Password<'a> {
    /// Unread when PBES2 is left to the host (no `pbes2` feature).
    #[cfg_attr(not(feature = "pbes2"), allow(dead_code))]
    utf8: &'a str,
    bmp: &'a [u8],
}

/// How a safe or key bag is encrypted. The parameters are checked in every build and read
/// only by the decryptors the build has.
#[cfg_attr(not(all(feature = "pbes2", feature = "pfx-legacy")), allow(dead_code))]
enum Scheme<'a> {
    Pbes2(pbes2::Params<'a>),
    Pkcs12Pbe(LegacyCipher, PbeParams<'a>),
}

/// Parsed and checked in every build, so a file gets the same verdict on its shape; only a
/// `pfx-legacy` build reads the cipher details to decrypt.
#[cfg_attr(not(feature = "pfx-legacy"), allow(dead_code))]
#[derive(Clone, Copy)]
enum LegacyCipher {
    TripleDes3,
    TripleDes2,
    /// RC2-CBC with this many effective key bits (and as many key bytes / 8).
    Rc2(usize),
}

/// pkcs-12PbeParams ::= SEQUENCE { salt OCTET STRING, iterations INTEGER }.
#[cfg_attr(not(feature = "pfx-legacy"), allow(dead_code))]
struct PbeParams<'a> {
    salt: &'a [u8],
    iterations: u32,
}

/// The scheme of an AlgorithmIdentifier given as its whole DER element.
fn scheme<'a>(algorithm: Tlv<'a>) -> Result<Scheme<'a>, Error> {
    if algorithm.tag != der::SEQUENCE {
        return Err(malformed("encryption algorithm"));
    }
    let (oid, parameters) =
        der::algorithm(algorithm.value).map_err(|_| malformed("encryption algorithm"))?;
    let cipher = match oid {
        pbes2::PBES2 => {
            let params = pbes2::params(parameters).map_err(|e| {
                if e == SchemeError::TooCostly {
                    return key::too_costly(FIELD);
                }
                Error::field(
                    FIELD,
                    Code::UnsupportedAlgorithm,
                    "the PFX's PBES2 parameters are not supported",
                )
                .with_hint(REEXPORT_HINT)
            })?;
            return Ok(Scheme::Pbes2(params));
        }
        PBE_SHA1_3DES3 => LegacyCipher::TripleDes3,
        PBE_SHA1_3DES2 => LegacyCipher::TripleDes2,
        PBE_SHA1_RC2_128 => LegacyCipher::Rc2(128),
        PBE_SHA1_RC2_40 => LegacyCipher::Rc2(40),
        other => {
            return Err(Error::field(
                FIELD,
                Code::UnsupportedAlgorithm,
                cat(&[
                    "the PFX uses an unsupported encryption algorithm (",
                    &der::oid_text(other),
                    ")",
                ]),
            )
            .with_hint(REEXPORT_HINT));
        }
    };
    let parameters = parameters.ok_or_else(|| malformed("missing PBE parameters"))?;
    let params = pbe_params(parameters).map_err(|_| malformed("PBE parameters"))?;
    if params.iterations > key::MAX_KDF_ITERATIONS {
        return Err(Error::field(
            FIELD,
            Code::OutOfRange,
            "the PFX's key-derivation cost is unreasonably high",
        ));
    }
    Ok(Scheme::Pkcs12Pbe(cipher, params))
}

fn pbe_params(parameters: Tlv<'_>) -> Result<PbeParams<'_>, DerError> {
    if parameters.tag != der::SEQUENCE {
        return Err(DerError::Malformed);
    }
    let mut r = Reader::new(parameters.value);
    let salt = r.read(der::OCTET_STRING)?;
    let iterations = der::small_unsigned(r.read(der::INTEGER)?)?;
    r.finish()?;
    Ok(PbeParams { salt, iterations })
}

fn decrypt(
    scheme: &Scheme<'_>,
    password: &Password<'_>,
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>, Error> {
    match scheme {
        #[cfg(feature = "pbes2")]
        Scheme::Pbes2(params) => pbes2::decrypt(params, password.utf8.as_bytes(), ciphertext)
            .ok_or_else(|| key::wrong_password(PASSWORD_FIELD)),
        #[cfg(not(feature = "pbes2"))]
        Scheme::Pbes2(_) => Err(pbes2::host_decrypts(FIELD)),
        Scheme::Pkcs12Pbe(cipher, params) => {
            pkcs12_pbe_decrypt(*cipher, params, password.bmp, ciphertext)
        }
    }
}

/// Without the `pfx-legacy` feature the legacy ciphers are left out of the build.
#[cfg(not(feature = "pfx-legacy"))]
fn pkcs12_pbe_decrypt(
    _: LegacyCipher,
    _: &PbeParams<'_>,
    _: &[u8],
    _: &[u8],
) -> Result<Zeroizing<Vec<u8>>, Error> {
    Err(Error::field(
        FIELD,
        Code::UnsupportedAlgorithm,
        "the PFX uses legacy encryption (3DES or RC2), which this build leaves out",
    )
    .with_hint(REEXPORT_HINT))
}

/// PKCS#12 PBE decryption (RFC 7292 App. B.2 key ID 1 and IV ID 2 with SHA-1, then CBC).
#[cfg(feature = "pfx-legacy")]
fn pkcs12_pbe_decrypt(
    cipher: LegacyCipher,
    params: &PbeParams<'_>,
    bmp: &[u8],
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>, Error> {
    use cbc::cipher::block_padding::Pkcs7;
    use cbc::cipher::{BlockDecryptMut, InnerIvInit, KeyIvInit};
    let key_len = match cipher {
        LegacyCipher::TripleDes3 => 24,
        LegacyCipher::TripleDes2 => 16,
        LegacyCipher::Rc2(bits) => bits / 8,
    };
    let salt = params.salt;
    let key = pkcs12_kdf::<Sha1>(bmp, salt, 1, params.iterations, key_len);
    let iv = pkcs12_kdf::<Sha1>(bmp, salt, 2, params.iterations, 8);
    let mut buf = Zeroizing::new(ciphertext.to_vec());
    let plain_len = match cipher {
        LegacyCipher::TripleDes3 => cbc::Decryptor::<des::TdesEde3>::new_from_slices(&key, &iv)
            .ok()
            .and_then(|d| {
                d.decrypt_padded_mut::<Pkcs7>(&mut buf)
                    .ok()
                    .map(<[u8]>::len)
            }),
        LegacyCipher::TripleDes2 => cbc::Decryptor::<des::TdesEde2>::new_from_slices(&key, &iv)
            .ok()
            .and_then(|d| {
                d.decrypt_padded_mut::<Pkcs7>(&mut buf)
                    .ok()
                    .map(<[u8]>::len)
            }),
        LegacyCipher::Rc2(bits) => {
            let rc2 = rc2::Rc2::new_with_eff_key_len(&key, bits);
            cbc::Decryptor::<rc2::Rc2>::inner_iv_slice_init(rc2, &iv)
                .ok()
                .and_then(|d| {
                    d.decrypt_padded_mut::<Pkcs7>(&mut buf)
                        .ok()
                        .map(<[u8]>::len)
                })
        }
    };
    let len = plain_len.ok_or_else(|| key::wrong_password(PASSWORD_FIELD))?;
    buf.truncate(len);
    Ok(buf)
}

/// EncryptedData ::= SEQUENCE { version INTEGER, EncryptedContentInfo ::= SEQUENCE {
/// contentType OID, contentEncryptionAlgorithm AlgorithmIdentifier,
/// encryptedContent [0] IMPLICIT OCTET STRING OPTIONAL } } (RFC 5652 §6.1, §8).
fn encrypted_data(any: Tlv<'_>) -> Result<(Tlv<'_>, Option<&[u8]>), DerError> {
    if any.tag != der::SEQUENCE {
        return Err(DerError::Malformed);
    }
    let mut r = Reader::new(any.value);
    der::small_unsigned(r.read(der::INTEGER)?)?;
    let mut info = r.sequence()?;
    r.finish()?;
    der::check_oid(info.read(der::OID)?)?;
    let algorithm = info.any()?;
    let content = info.optional(der::context_primitive(0))?;
    info.finish()?;
    Ok((algorithm, content))
}

fn decrypt_safe(
    content: Option<Tlv<'_>>,
    password: &Password<'_>,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let any = content.ok_or_else(|| malformed("missing encrypted data"))?;
    let (algorithm, ciphertext) = encrypted_data(any).map_err(|_| malformed("encrypted data"))?;
    let scheme = scheme(algorithm)?;
    let ciphertext = ciphertext.ok_or_else(|| malformed("missing encrypted content"))?;
    decrypt(&scheme, password, ciphertext)
}

fn shrouded_key(der: &[u8], password: &Password<'_>) -> Result<RsaKey, Error> {
    let (algorithm, data) =
        key::encrypted_pkcs8_parts(der).map_err(|_| malformed("shrouded key bag"))?;
    let scheme = scheme(algorithm)?;
    let plain = decrypt(&scheme, password, data)?;
    key::from_pkcs8(&plain, FIELD).map_err(|e| {
        if e.code == Code::InvalidFormat {
            key::wrong_password(PASSWORD_FIELD)
        } else {
            e
        }
    })
}

/// Verifies the password-integrity MAC (RFC 7292 §5 and App. B).
/// Returns the BMPString password encoding that matched, for the PKCS#12 PBEs.
fn verify_mac(
    mac: &MacData<'_>,
    auth_safe: &[u8],
    password: &str,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    if mac.iterations > key::MAX_KDF_ITERATIONS {
        return Err(Error::field(
            FIELD,
            Code::OutOfRange,
            "the PFX's MAC iteration count is unreasonably high",
        ));
    }
    let salt = mac.salt;
    let expected = mac.digest;
    // An empty password is encoded either as the BMPString terminator alone or as nothing at all
    // (RFC 7292 App. B.1 leaves it open; Windows and OpenSSL differ), so try both.
    let candidates: Vec<Zeroizing<Vec<u8>>> = if password.is_empty() {
        vec![bmp_password(""), Zeroizing::new(Vec::new())]
    } else {
        vec![bmp_password(password)]
    };
    let matched = match mac.algorithm {
        SHA256_OID => candidates
            .into_iter()
            .find(|p| mac_matches::<Sha256>(p, salt, mac.iterations, auth_safe, expected)),
        SHA1_OID => candidates
            .into_iter()
            .find(|p| mac_matches::<Sha1>(p, salt, mac.iterations, auth_safe, expected)),
        other => {
            return Err(Error::field(
                FIELD,
                Code::UnsupportedAlgorithm,
                cat(&[
                    "the PFX's integrity MAC algorithm (",
                    &der::oid_text(other),
                    ") is not supported",
                ]),
            )
            .with_hint(REEXPORT_HINT));
        }
    };
    match matched {
        Some(bmp) => Ok(bmp),
        None => Err(Error::field(
            PASSWORD_FIELD,
            Code::WrongPassword,
            "the password does not open the PFX file (its integrity check failed)",
        )
        .with_hint("check the password; leave it empty only if the file was exported without one")),
    }
}

/// The password as a NUL-terminated big-endian BMPString (RFC 7292 App. B.1).
fn bmp_password(password: &str) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(password.len() * 2 + 2));
    for unit in password.encode_utf16() {
        out.extend_from_slice(&unit.to_be_bytes());
    }
    out.extend_from_slice(&[0, 0]);
    out
}

fn mac_matches<D>(
    password: &[u8],
    salt: &[u8],
    iterations: u32,
    data: &[u8],
    expected: &[u8],
) -> bool
where
    D: Digest + hmac::digest::core_api::BlockSizeUser,
{
    let key = pkcs12_kdf::<D>(password, salt, 3, iterations, <D as Digest>::output_size());
    let Ok(mut mac) = <SimpleHmac<D> as KeyInit>::new_from_slice(&key) else {
        return false;
    };
    mac.update(data);
    mac.verify_slice(expected).is_ok()
}

/// The PKCS#12 key-derivation function (RFC 7292 App. B.2) with a 64-byte block (SHA-1, SHA-256).
fn pkcs12_kdf<D: Digest>(
    password: &[u8],
    salt: &[u8],
    id: u8,
    iterations: u32,
    len: usize,
) -> Zeroizing<Vec<u8>> {
    const V: usize = 64;
    let u = <D as Digest>::output_size();
    let fill = |src: &[u8]| -> Vec<u8> {
        if src.is_empty() {
            return Vec::new();
        }
        let n = V * src.len().div_ceil(V);
        src.iter().cycle().take(n).copied().collect()
    };
    let mut i_block = Zeroizing::new([fill(salt), fill(password)].concat());
    let d = [id; V];
    let mut out = Zeroizing::new(Vec::with_capacity(len + u));
    while out.len() < len {
        let mut a = D::new()
            .chain_update(d)
            .chain_update(&*i_block)
            .finalize()
            .to_vec();
        for _ in 1..iterations.max(1) {
            a = D::digest(&a).to_vec();
        }
        out.extend_from_slice(&a);
        let b: Vec<u8> = a.iter().cycle().take(V).copied().collect();
        for chunk in i_block.chunks_mut(V) {
            let mut carry = 1u16;
            for (x, y) in chunk.iter_mut().zip(b.iter()).rev() {
                let sum = u16::from(*x) + u16::from(*y) + carry;
                *x = sum as u8;
                carry = sum >> 8;
            }
        }
    }
    out.truncate(len);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bmp_password_is_utf16be_with_terminator() {
        assert_eq!(&bmp_password("ab")[..], &[0, b'a', 0, b'b', 0, 0]);
        assert_eq!(&bmp_password("")[..], &[0, 0]);
    }

    #[test]
    fn kdf_output_length_and_determinism() {
        let a = pkcs12_kdf::<Sha256>(&bmp_password("pw"), b"saltsalt", 3, 2, 32);
        let b = pkcs12_kdf::<Sha256>(&bmp_password("pw"), b"saltsalt", 3, 2, 32);
        let c = pkcs12_kdf::<Sha256>(&bmp_password("pw"), b"saltsalt", 1, 2, 32);
        assert_eq!(a.len(), 32);
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn garbage_is_not_a_pfx() {
        let e = open(&[0x30, 0x03, 0x02, 0x01, 0x03], "").err().unwrap();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (Code::InvalidFormat, Some("pfx"))
        );
        let e = open(&[0x30, 0x80], "").err().unwrap();
        assert_eq!(e.code, Code::InvalidFormat);
    }
}
