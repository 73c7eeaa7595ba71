//! RSA private keys: PKCS#8, PKCS#1 and encrypted PKCS#8 (PBES2), normalized to the PKCS#8
//! DER WebCrypto `importKey("pkcs8")` takes.
//!
//! The modulus and public exponent are read from the PKCS#1 `RSAPrivateKey` structure (RFC 8017
//! §A.1.2) so that the key/certificate match and the key size are checked without the `rsa`
//! crate in the production graph (RUSTSEC-2023-0071).

use crate::error::{Code, Error};
use der::asn1::{AnyRef, ObjectIdentifier};
use der::{Decode, Encode};
use pkcs5::EncryptionScheme;
use pkcs8::{EncryptedPrivateKeyInfo, PrivateKeyInfo};
use spki::AlgorithmIdentifierRef;
use std::fmt;
use zeroize::Zeroizing;

pub(crate) const RSA_ENCRYPTION: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const RSASSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
const ED448: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.113");
const DSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10040.4.1");

/// The largest PBKDF2 (and PKCS#12 KDF/MAC) iteration count accepted: OpenSSL and Windows export
/// with 2,048-10,000; a pasted key must not make the Worker spin for seconds.
pub(crate) const MAX_KDF_ITERATIONS: u32 = 1_000_000;
/// The largest scrypt cost parameter N accepted, for the same reason.
const MAX_SCRYPT_COST: u64 = 1 << 20;

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
pub(crate) fn unsupported_key_type(field: &str, oid: ObjectIdentifier) -> Error {
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
        format!("this is {name}; Entra app credentials are RSA"),
    )
    .with_hint(
        "create an RSA certificate of at least 2048 bits, e.g. openssl req -x509 -newkey rsa:2048",
    )
}

fn strip_zeros(bytes: &[u8]) -> Vec<u8> {
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    bytes[first..].to_vec()
}

/// Reads a PKCS#1 `RSAPrivateKey`'s public parts.
fn pkcs1_public(der: &[u8], field: &str) -> Result<RsaPublic, Error> {
    let key = pkcs1::RsaPrivateKey::from_der(der).map_err(|e| malformed_key(field, &e))?;
    Ok(RsaPublic {
        modulus: strip_zeros(key.modulus.as_bytes()),
        exponent: strip_zeros(key.public_exponent.as_bytes()),
    })
}

fn malformed_key(field: &str, e: &der::Error) -> Error {
    let what = if matches!(e.kind(), der::ErrorKind::Incomplete { .. }) {
        "the private key is truncated"
    } else {
        "the private key is not a valid RSA private key"
    };
    Error::field(field, Code::InvalidFormat, what)
}

/// A PKCS#8 `PrivateKeyInfo` holding an RSA key.
pub(crate) fn from_pkcs8(der: &[u8], field: &str) -> Result<RsaKey, Error> {
    let info = PrivateKeyInfo::from_der(der).map_err(|e| malformed_key(field, &e))?;
    if info.algorithm.oid != RSA_ENCRYPTION {
        return Err(unsupported_key_type(field, info.algorithm.oid));
    }
    let public = pkcs1_public(info.private_key, field)?;
    Ok(RsaKey {
        pkcs8: Zeroizing::new(der.to_vec()),
        public,
    })
}

/// A PKCS#1 `RSAPrivateKey`, wrapped into PKCS#8 (RFC 5208 §5 with `rsaEncryption`, NULL params).
pub(crate) fn from_pkcs1(der: &[u8], field: &str) -> Result<RsaKey, Error> {
    let public = pkcs1_public(der, field)?;
    let info = PrivateKeyInfo {
        algorithm: AlgorithmIdentifierRef {
            oid: RSA_ENCRYPTION,
            parameters: Some(AnyRef::NULL),
        },
        private_key: der,
        public_key: None,
    };
    let pkcs8 = info.to_der().map_err(|e| {
        Error::field(
            field,
            Code::InvalidFormat,
            format!("cannot re-encode the key: {e}"),
        )
    })?;
    Ok(RsaKey {
        pkcs8: Zeroizing::new(pkcs8),
        public,
    })
}

/// The hint for keys and files encrypted with something we do not implement.
pub(crate) const REENCRYPT_HINT: &str = "re-encrypt it with PBES2/AES-256-CBC: openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256 -in key.pem -out key-aes.pem";

/// Rejects PBES2 parameters that would make key derivation unreasonably expensive.
pub(crate) fn check_kdf_cost(scheme: &EncryptionScheme<'_>, field: &str) -> Result<(), Error> {
    let too_costly = match scheme {
        EncryptionScheme::Pbes2(params) => match &params.kdf {
            pkcs5::pbes2::Kdf::Pbkdf2(p) => p.iteration_count > MAX_KDF_ITERATIONS,
            pkcs5::pbes2::Kdf::Scrypt(p) => p.cost_parameter > MAX_SCRYPT_COST,
            _ => false,
        },
        _ => {
            return Err(Error::field(
                field,
                Code::UnsupportedAlgorithm,
                "the key is encrypted with legacy PBES1 (DES/RC2 with MD5/SHA-1)",
            )
            .with_hint(REENCRYPT_HINT));
        }
    };
    if too_costly {
        return Err(Error::field(
            field,
            Code::OutOfRange,
            "the key-derivation cost in this file is unreasonably high",
        ));
    }
    Ok(())
}

/// Decrypts `EncryptedPrivateKeyInfo` (RFC 5958 §3) with `passphrase`.
pub(crate) fn decrypt_pkcs8(
    der: &[u8],
    passphrase: &[u8],
    field: &str,
    passphrase_field: &str,
) -> Result<RsaKey, Error> {
    let info =
        EncryptedPrivateKeyInfo::from_der(der).map_err(|_| unsupported_encryption(der, field))?;
    check_kdf_cost(&info.encryption_algorithm, field)?;
    let plain = info
        .encryption_algorithm
        .decrypt(passphrase, info.encrypted_data)
        .map_err(|e| decrypt_error(e, field, passphrase_field))?;
    let plain = Zeroizing::new(plain);
    from_pkcs8(&plain, field).map_err(|e| {
        if e.code == Code::InvalidFormat {
            wrong_password(passphrase_field)
        } else {
            e
        }
    })
}

pub(crate) fn wrong_password(field: &str) -> Error {
    Error::field(
        field,
        Code::WrongPassword,
        "the passphrase does not decrypt the key",
    )
    .with_hint("check the passphrase (it is case-sensitive)")
}

pub(crate) fn decrypt_error(e: pkcs5::Error, field: &str, passphrase_field: &str) -> Error {
    match e {
        // pkcs5 0.7 reports a bad CBC padding (the sign of a wrong password) as EncryptFailed.
        pkcs5::Error::DecryptFailed | pkcs5::Error::EncryptFailed => {
            wrong_password(passphrase_field)
        }
        _ => Error::field(
            field,
            Code::UnsupportedAlgorithm,
            "the key's encryption algorithm is not supported",
        )
        .with_hint(REENCRYPT_HINT),
    }
}

/// An `EncryptedPrivateKeyInfo` whose algorithm pkcs5 does not know: say which, if we can.
fn unsupported_encryption(der: &[u8], field: &str) -> Error {
    #[derive(der::Sequence)]
    struct Outer<'a> {
        algorithm: AlgorithmIdentifierRef<'a>,
        data: der::asn1::OctetStringRef<'a>,
    }
    match Outer::from_der(der) {
        Ok(outer) => Error::field(
            field,
            Code::UnsupportedAlgorithm,
            format!(
                "the key is encrypted with an unsupported algorithm ({})",
                outer.algorithm.oid
            ),
        )
        .with_hint(REENCRYPT_HINT),
        Err(e) => malformed_key(field, &e),
    }
}
