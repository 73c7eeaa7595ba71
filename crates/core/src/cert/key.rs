//! RSA private keys: PKCS#8, PKCS#1 and encrypted PKCS#8 (PBES2), normalized to the PKCS#8
//! DER WebCrypto `importKey("pkcs8")` takes.
//!
//! The modulus and public exponent are read from the PKCS#1 `RSAPrivateKey` structure (RFC 8017
//! §A.1.2) so that the key/certificate match and the key size are checked without the `rsa`
//! crate in the production graph (RUSTSEC-2023-0071).

use super::der::{self, DerError};
use super::pbes2::{self, SchemeError};
use crate::error::{Code, Error};
use crate::prelude::*;
use crate::text::cat;
use core::fmt;
use zeroize::Zeroizing;

/// `rsaEncryption` (1.2.840.113549.1.1.1), as OID contents.
pub(crate) const RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const RSASSA_PSS: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a];
const EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const ED25519: &[u8] = &[0x2b, 0x65, 0x70];
const ED448: &[u8] = &[0x2b, 0x65, 0x71];
const DSA: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01];

/// The largest PBKDF2 (and PKCS#12 KDF/MAC) iteration count accepted: OpenSSL and Windows export
/// with 2,048-10,000; a pasted key must not make the Worker spin for seconds.
pub(crate) const MAX_KDF_ITERATIONS: u32 = 1_000_000;

/// An RSA private key, held as PKCS#8 DER (zeroized on drop) with its public parts.
#[derive(Clone)]
pub(crate) struct RsaKey {
    pub pkcs8: Zeroizing<Vec<u8>>,
    pub public: RsaPublic,
}

/// The public half of an RSA key: big-endian modulus and exponent, no leading zeros.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct RsaPublic {
    pub modulus: Vec<u8>,
    pub exponent: Vec<u8>,
}

impl RsaPublic {
    /// Key size in bits (the bit length of the modulus).
    pub fn bits(&self) -> u32 {
        match self.modulus.first() {
            Some(&b) => (self.modulus.len() as u32) * 8 - b.leading_zeros(),
            None => 0,
        }
    }
}

impl fmt::Debug for RsaKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "RsaKey({} bits, private key redacted)",
            self.public.bits()
        )
    }
}

/// The error for a key type Entra app credentials cannot use.
pub(crate) fn unsupported_key_type(field: &str, oid: &[u8]) -> Error {
    let name = match oid {
        EC_PUBLIC_KEY => "an EC key",
        ED25519 => "an Ed25519 key",
        ED448 => "an Ed448 key",
        DSA => "a DSA key",
        RSASSA_PSS => "an RSASSA-PSS-only key",
        _ => "not an RSA key",
    };
    Error::field(
        field,
        Code::UnsupportedKeyType,
        cat(&["this is ", name, "; Entra app credentials are RSA"]),
    )
    .with_hint(
        "create an RSA certificate of at least 2048 bits, e.g. openssl req -x509 -newkey rsa:2048",
    )
}

/// RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } (RFC 8017 §A.1.1).
pub(crate) fn rsa_public_key(der: &[u8]) -> Result<RsaPublic, DerError> {
    let mut r = der::sequence(der)?;
    let public = RsaPublic {
        modulus: der::unsigned(r.read(der::INTEGER)?)?.to_vec(),
        exponent: der::unsigned(r.read(der::INTEGER)?)?.to_vec(),
    };
    r.finish()?;
    Ok(public)
}

/// Reads a PKCS#1 `RSAPrivateKey`'s public parts (RFC 8017 §A.1.2: two-prime, version 0).
pub(crate) fn pkcs1_public(der: &[u8]) -> Result<RsaPublic, DerError> {
    let mut r = der::sequence(der)?;
    if der::small_unsigned(r.read(der::INTEGER)?)? != 0 {
        return Err(DerError::Malformed);
    }
    let modulus = der::unsigned(r.read(der::INTEGER)?)?.to_vec();
    let exponent = der::unsigned(r.read(der::INTEGER)?)?.to_vec();
    // privateExponent, prime1, prime2, exponent1, exponent2, coefficient.
    for _ in 0..6 {
        der::unsigned(r.read(der::INTEGER)?)?;
    }
    r.finish()?;
    Ok(RsaPublic { modulus, exponent })
}

/// PrivateKeyInfo / OneAsymmetricKey (RFC 5958 §2): the algorithm OID and the key octets.
pub(crate) fn pkcs8_parts(der: &[u8]) -> Result<(&[u8], &[u8]), DerError> {
    let mut r = der::sequence(der)?;
    if der::small_unsigned(r.read(der::INTEGER)?)? > 1 {
        return Err(DerError::Malformed);
    }
    let (oid, _) = der::algorithm(r.read(der::SEQUENCE)?)?;
    let key = r.read(der::OCTET_STRING)?;
    r.optional(der::context(0))?;
    r.optional(der::context_primitive(1))?;
    r.finish()?;
    Ok((oid, key))
}

/// EncryptedPrivateKeyInfo (RFC 5958 §3): the whole AlgorithmIdentifier and the ciphertext.
pub(crate) fn encrypted_pkcs8_parts(der: &[u8]) -> Result<(der::Tlv<'_>, &[u8]), DerError> {
    let mut r = der::sequence(der)?;
    let algorithm = r.any()?;
    if algorithm.tag != der::SEQUENCE {
        return Err(DerError::Malformed);
    }
    der::algorithm(algorithm.value)?;
    let data = r.read(der::OCTET_STRING)?;
    r.finish()?;
    Ok((algorithm, data))
}

/// Is this an EncryptedPrivateKeyInfo with a password-based scheme (PBES2 or PBES1)?
pub(crate) fn is_encrypted_pkcs8(der: &[u8]) -> bool {
    encrypted_pkcs8_parts(der).is_ok_and(|(alg, _)| {
        der::algorithm(alg.value).is_ok_and(|(oid, _)| oid == pbes2::PBES2 || pbes2::is_pbes1(oid))
    })
}

fn malformed_key(field: &str, e: DerError) -> Error {
    let what = if e == DerError::Truncated {
        "the private key is truncated"
    } else {
        "the private key is not a valid RSA private key"
    };
    Error::field(field, Code::InvalidFormat, what)
}

/// A PKCS#8 `PrivateKeyInfo` holding an RSA key.
pub(crate) fn from_pkcs8(der: &[u8], field: &str) -> Result<RsaKey, Error> {
    let (oid, key) = pkcs8_parts(der).map_err(|e| malformed_key(field, e))?;
    if oid != RSA_ENCRYPTION {
        return Err(unsupported_key_type(field, oid));
    }
    let public = pkcs1_public(key).map_err(|e| malformed_key(field, e))?;
    Ok(RsaKey {
        pkcs8: Zeroizing::new(der.to_vec()),
        public,
    })
}

/// A PKCS#1 `RSAPrivateKey`, wrapped into PKCS#8 (RFC 5208 §5 with `rsaEncryption`, NULL params).
pub(crate) fn from_pkcs1(der: &[u8], field: &str) -> Result<RsaKey, Error> {
    let public = pkcs1_public(der).map_err(|e| malformed_key(field, e))?;
    let mut algorithm = Vec::with_capacity(15);
    der::push_element(&mut algorithm, der::OID, RSA_ENCRYPTION);
    der::push_element(&mut algorithm, der::NULL, &[]);
    let mut body = Zeroizing::new(Vec::with_capacity(der.len() + 32));
    der::push_element(&mut body, der::INTEGER, &[0]);
    der::push_element(&mut body, der::SEQUENCE, &algorithm);
    der::push_element(&mut body, der::OCTET_STRING, der);
    let mut pkcs8 = Zeroizing::new(Vec::with_capacity(body.len() + 4));
    der::push_element(&mut pkcs8, der::SEQUENCE, &body);
    Ok(RsaKey { pkcs8, public })
}

/// The hint for keys and files encrypted with something we do not implement.
pub(crate) const REENCRYPT_HINT: &str = "re-encrypt it with PBES2/AES-256-CBC: openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256 -in key.pem -out key-aes.pem";

/// The error for a key-derivation cost beyond [`MAX_KDF_ITERATIONS`].
pub(crate) fn too_costly(field: &str) -> Error {
    Error::field(
        field,
        Code::OutOfRange,
        "the key-derivation cost in this file is unreasonably high",
    )
}

/// The PBES2 parameters and ciphertext of an `EncryptedPrivateKeyInfo` (RFC 5958 §3).
pub(crate) fn pbes2_parts<'a>(
    der: &'a [u8],
    field: &str,
) -> Result<(pbes2::Params<'a>, &'a [u8]), Error> {
    let (algorithm, data) = encrypted_pkcs8_parts(der).map_err(|e| malformed_key(field, e))?;
    let (oid, parameters) = der::algorithm(algorithm.value).map_err(|e| malformed_key(field, e))?;
    if pbes2::is_pbes1(oid) {
        return Err(Error::field(
            field,
            Code::UnsupportedAlgorithm,
            "the key is encrypted with legacy PBES1 (DES/RC2 with MD5/SHA-1)",
        )
        .with_hint(REENCRYPT_HINT));
    }
    let unsupported = || {
        Error::field(
            field,
            Code::UnsupportedAlgorithm,
            cat(&[
                "the key is encrypted with an unsupported algorithm (",
                &der::oid_text(oid),
                ")",
            ]),
        )
        .with_hint(REENCRYPT_HINT)
    };
    if oid != pbes2::PBES2 {
        return Err(unsupported());
    }
    let params = pbes2::params(parameters).map_err(|e| match e {
        SchemeError::TooCostly => too_costly(field),
        SchemeError::Malformed | SchemeError::Unsupported => unsupported(),
    })?;
    Ok((params, data))
}

/// Decrypts `EncryptedPrivateKeyInfo` (RFC 5958 §3) with `passphrase`.
#[cfg(feature = "pbes2")]
pub(crate) fn decrypt_pkcs8(
    der: &[u8],
    passphrase: &[u8],
    field: &str,
    passphrase_field: &str,
) -> Result<RsaKey, Error> {
    let (params, data) = pbes2_parts(der, field)?;
    let plain = pbes2::decrypt(&params, passphrase, data)
        .ok_or_else(|| wrong_password(passphrase_field))?;
    from_pkcs8(&plain, field).map_err(|e| {
        if e.code == Code::InvalidFormat {
            wrong_password(passphrase_field)
        } else {
            e
        }
    })
}

/// Without the decryptor the key is checked, then left to the host (see
/// [`super::encrypted_key_parameters`]).
#[cfg(not(feature = "pbes2"))]
pub(crate) fn decrypt_pkcs8(der: &[u8], _: &[u8], field: &str, _: &str) -> Result<RsaKey, Error> {
    pbes2_parts(der, field)?;
    Err(pbes2::host_decrypts(field))
}

#[cfg(any(feature = "pbes2", feature = "pfx"))]
pub(crate) fn wrong_password(field: &str) -> Error {
    Error::field(
        field,
        Code::WrongPassword,
        "the passphrase does not decrypt the key",
    )
    .with_hint("check the passphrase (it is case-sensitive)")
}
