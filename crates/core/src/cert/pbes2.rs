//! PBES2 (RFC 8018 §6.2): PBKDF2 with HMAC-SHA-256 or HMAC-SHA-1, then AES-CBC. This is what
//! OpenSSL 3 (`openssl pkcs8 -topk8 -v2 aes-256-cbc`, `openssl pkcs12 -export`) and Windows'
//! "AES256-SHA256" export write. scrypt and the SHA-2 PRFs beyond SHA-256 are refused with a
//! re-encryption hint rather than carried in every browser module.

use super::der::{self, DerError, Reader, Tlv};
use super::key::MAX_KDF_ITERATIONS;
use crate::prelude::*;
#[cfg(feature = "pbes2")]
use {
    crate::sha1::Sha1,
    aes::cipher::{BlockDecrypt, KeyInit, generic_array::GenericArray},
    sha2::Sha256,
    sha2::digest::Digest,
    zeroize::Zeroizing,
};

/// 1.2.840.113549.1.5.13
pub(crate) const PBES2: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0d];
/// 1.2.840.113549.1.5.12
const PBKDF2: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0c];
/// 1.2.840.113549.2.7 and .9
const HMAC_SHA1: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x07];
const HMAC_SHA256: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x09];
/// 2.16.840.1.101.3.4.1.{2,22,42}: AES-128/192/256-CBC, without the last arc.
const AES_CBC_ARC: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01];

/// Is `oid` one of PKCS #5's PBES1 schemes (1.2.840.113549.1.5.{1,3,4,6,10,11})?
pub(crate) fn is_pbes1(oid: &[u8]) -> bool {
    matches!(oid, [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, n] if [1, 3, 4, 6, 10, 11].contains(n))
}

/// The refusal of a build without the `pbes2` decryptor: the host decrypts with WebCrypto.
#[cfg(not(feature = "pbes2"))]
pub(crate) fn host_decrypts(field: &str) -> crate::error::Error {
    crate::error::Error::field(
        field,
        crate::error::Code::UnsupportedAlgorithm,
        "this build leaves decrypting PBES2 keys to the host",
    )
    .with_hint("decrypt it with WebCrypto (PBKDF2, then AES-CBC) using the parameters of cert::encrypted_key_parameters, then give the decrypted key")
}

/// Why PBES2 parameters cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SchemeError {
    Malformed,
    /// A KDF, PRF or cipher outside PBKDF2 / HMAC-SHA-1, -256 / AES-CBC.
    Unsupported,
    /// More PBKDF2 iterations than [`MAX_KDF_ITERATIONS`].
    TooCostly,
}

impl From<DerError> for SchemeError {
    fn from(_: DerError) -> SchemeError {
        SchemeError::Malformed
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Prf {
    Sha1,
    Sha256,
}

/// Checked PBES2 parameters.
#[derive(Debug)]
pub(crate) struct Params<'a> {
    pub salt: &'a [u8],
    pub iterations: u32,
    pub prf: Prf,
    pub key_len: usize,
    pub iv: &'a [u8],
}

/// PBES2-params ::= SEQUENCE { keyDerivationFunc AlgorithmIdentifier {PBKDF2},
/// encryptionScheme AlgorithmIdentifier }, from the parameters of a PBES2 AlgorithmIdentifier.
pub(crate) fn params(parameters: Option<Tlv<'_>>) -> Result<Params<'_>, SchemeError> {
    let p = parameters.ok_or(SchemeError::Malformed)?;
    if p.tag != der::SEQUENCE {
        return Err(SchemeError::Malformed);
    }
    let mut r = Reader::new(p.value);
    let (kdf, kdf_params) = der::algorithm(r.read(der::SEQUENCE)?)?;
    let (cipher, iv) = der::algorithm(r.read(der::SEQUENCE)?)?;
    r.finish()?;
    if kdf != PBKDF2 {
        return Err(SchemeError::Unsupported);
    }
    let key_len = match cipher {
        [arc @ .., 2] if arc == AES_CBC_ARC => 16,
        [arc @ .., 22] if arc == AES_CBC_ARC => 24,
        [arc @ .., 42] if arc == AES_CBC_ARC => 32,
        _ => return Err(SchemeError::Unsupported),
    };
    let iv = match iv {
        Some(Tlv {
            tag: der::OCTET_STRING,
            value,
            ..
        }) if value.len() == 16 => value,
        _ => return Err(SchemeError::Malformed),
    };
    // PBKDF2-params ::= SEQUENCE { salt OCTET STRING, iterationCount INTEGER,
    //   keyLength INTEGER OPTIONAL, prf AlgorithmIdentifier DEFAULT hmacWithSHA1 }
    let kdf_params = kdf_params.ok_or(SchemeError::Malformed)?;
    if kdf_params.tag != der::SEQUENCE {
        return Err(SchemeError::Malformed);
    }
    let mut k = Reader::new(kdf_params.value);
    // The `otherSource` choice of salt is reserved (RFC 8018 §A.2).
    let salt = k.read(der::OCTET_STRING)?;
    let iterations = der::small_unsigned(k.read(der::INTEGER)?)?;
    if let Some(len) = k.optional(der::INTEGER)?
        && der::small_unsigned(len)? as usize != key_len
    {
        return Err(SchemeError::Malformed);
    }
    let prf = match k.optional(der::SEQUENCE)? {
        None => Prf::Sha1,
        Some(alg) => {
            let (oid, parameters) = der::algorithm(alg)?;
            if !matches!(
                parameters,
                None | Some(Tlv {
                    tag: der::NULL,
                    value: [],
                    ..
                })
            ) {
                return Err(SchemeError::Malformed);
            }
            match oid {
                HMAC_SHA256 => Prf::Sha256,
                HMAC_SHA1 => Prf::Sha1,
                _ => return Err(SchemeError::Unsupported),
            }
        }
    };
    k.finish()?;
    if iterations == 0 {
        return Err(SchemeError::Malformed);
    }
    if iterations > MAX_KDF_ITERATIONS {
        return Err(SchemeError::TooCostly);
    }
    Ok(Params {
        salt,
        iterations,
        prf,
        key_len,
        iv,
    })
}

/// Decrypts `ciphertext`; `None` when the padding is wrong, the sign of a wrong password.
#[cfg(feature = "pbes2")]
pub(crate) fn decrypt(
    params: &Params<'_>,
    password: &[u8],
    ciphertext: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    let mut key = Zeroizing::new(vec![0u8; params.key_len]);
    match params.prf {
        Prf::Sha1 => pbkdf2::<Sha1>(password, params.salt, params.iterations, &mut key),
        Prf::Sha256 => pbkdf2::<Sha256>(password, params.salt, params.iterations, &mut key),
    }
    cbc_decrypt(&key, params.iv, ciphertext)
}

/// AES of the three key sizes behind one block function, so that one CBC loop serves them all.
#[cfg(feature = "pbes2")]
enum Aes {
    Aes128(aes::Aes128),
    Aes192(aes::Aes192),
    Aes256(aes::Aes256),
}

#[cfg(feature = "pbes2")]
impl Aes {
    fn new(key: &[u8]) -> Option<Aes> {
        Some(match key.len() {
            16 => Aes::Aes128(aes::Aes128::new_from_slice(key).ok()?),
            24 => Aes::Aes192(aes::Aes192::new_from_slice(key).ok()?),
            32 => Aes::Aes256(aes::Aes256::new_from_slice(key).ok()?),
            _ => return None,
        })
    }

    fn decrypt_block(&self, block: &mut [u8; 16]) {
        let block = GenericArray::from_mut_slice(block);
        match self {
            Aes::Aes128(c) => c.decrypt_block(block),
            Aes::Aes192(c) => c.decrypt_block(block),
            Aes::Aes256(c) => c.decrypt_block(block),
        }
    }
}

/// AES-CBC decryption with PKCS#7 padding (RFC 8018 §6.2.2, RFC 5652 §6.3); `None` when the
/// ciphertext is not whole blocks or the padding is wrong.
#[cfg(feature = "pbes2")]
fn cbc_decrypt(key: &[u8], iv: &[u8], ciphertext: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let cipher = Aes::new(key)?;
    let mut previous: [u8; 16] = iv.try_into().ok()?;
    if ciphertext.is_empty() || !ciphertext.len().is_multiple_of(16) {
        return None;
    }
    let mut plain = Zeroizing::new(ciphertext.to_vec());
    // The decrypted block is key material: zeroed when this returns.
    let mut block = Zeroizing::new([0u8; 16]);
    for chunk in plain.chunks_exact_mut(16) {
        block.copy_from_slice(chunk);
        let next = *block;
        cipher.decrypt_block(&mut block);
        for ((out, b), p) in chunk.iter_mut().zip(block.iter()).zip(previous) {
            *out = b ^ p;
        }
        previous = next;
    }
    let pad = usize::from(*plain.last()?);
    let len = plain.len().checked_sub(pad)?;
    if pad == 0 || pad > 16 || plain.iter().skip(len).any(|&b| usize::from(b) != pad) {
        return None;
    }
    plain.truncate(len);
    Some(plain)
}

/// PBKDF2 (RFC 8018 §5.2) with HMAC over `D` (RFC 2104, 64-byte blocks: SHA-1, SHA-256),
/// filling `out`. The keyed inner and outer states are computed once and cloned per block.
#[cfg(feature = "pbes2")]
fn pbkdf2<D>(password: &[u8], salt: &[u8], iterations: u32, out: &mut [u8])
where
    D: Digest + Clone,
{
    const BLOCK: usize = 64;
    let mut key = Zeroizing::new([0u8; BLOCK]);
    if password.len() > BLOCK {
        let digest = D::digest(password);
        key.iter_mut().zip(digest.iter()).for_each(|(k, d)| *k = *d);
    } else {
        key.iter_mut().zip(password).for_each(|(k, p)| *k = *p);
    }
    let mut pad = Zeroizing::new([0u8; BLOCK]);
    pad.iter_mut()
        .zip(key.iter())
        .for_each(|(p, k)| *p = k ^ 0x36);
    let inner = D::new().chain_update(&pad[..]);
    pad.iter_mut()
        .zip(key.iter())
        .for_each(|(p, k)| *p = k ^ 0x5c);
    let outer = D::new().chain_update(&pad[..]);
    let hmac = |parts: &[&[u8]]| {
        let mut h = inner.clone();
        for part in parts {
            h.update(part);
        }
        Zeroizing::new(outer.clone().chain_update(h.finalize()).finalize().to_vec())
    };
    for (i, chunk) in out.chunks_mut(<D as Digest>::output_size()).enumerate() {
        let mut u = hmac(&[salt, &(i as u32 + 1).to_be_bytes()]);
        let mut t = u.clone();
        for _ in 1..iterations {
            u = hmac(&[&u]);
            t.iter_mut().zip(u.iter()).for_each(|(a, b)| *a ^= b);
        }
        chunk.iter_mut().zip(t.iter()).for_each(|(c, t)| *c = *t);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6070 §2 case 2, and RFC 7914 §11's PBKDF2-HMAC-SHA-256 case 1.
    #[cfg(feature = "pbes2")]
    #[test]
    fn pbkdf2_test_vectors() {
        let mut out = [0u8; 20];
        pbkdf2::<Sha1>(b"password", b"salt", 2, &mut out);
        assert_eq!(
            out.iter().map(|b| format!("{b:02x}")).collect::<String>(),
            "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957"
        );
        let mut out = [0u8; 64];
        pbkdf2::<Sha256>(b"passwd", b"salt", 1, &mut out);
        assert_eq!(
            out[..16]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>(),
            "55ac046e56e3089fec1691c22544b605"
        );
    }

    /// HMAC keys longer than the block are hashed first (RFC 2104 §2): checked against the
    /// hmac crate.
    #[cfg(feature = "pbes2")]
    #[test]
    fn pbkdf2_matches_the_hmac_crate_for_long_passwords() {
        use hmac::{Mac, SimpleHmac};
        let password = [7u8; 100];
        let mut out = [0u8; 32];
        pbkdf2::<Sha256>(&password, b"salt", 1, &mut out);
        let mut mac =
            <SimpleHmac<Sha256> as hmac::digest::KeyInit>::new_from_slice(&password).unwrap();
        mac.update(b"salt\0\0\0\x01");
        assert_eq!(out[..], mac.finalize().into_bytes()[..]);
    }

    /// NIST SP 800-38A F.2.2 (CBC-AES128.Decrypt, first block); then every key size against
    /// the aes crate's encryption of a padded message, and broken padding refused.
    #[cfg(feature = "pbes2")]
    #[test]
    fn cbc_decryption_and_padding() {
        use aes::cipher::BlockEncrypt;
        let hex = |s: &str| {
            (0..s.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
                .collect::<Vec<u8>>()
        };
        let key = hex("2b7e151628aed2a6abf7158809cf4f3c");
        let iv = hex("000102030405060708090a0b0c0d0e0f");
        let cipher = Aes::new(&key).unwrap();
        let mut block: [u8; 16] = hex("7649abac8119b246cee98e9b12e9197d").try_into().unwrap();
        cipher.decrypt_block(&mut block);
        let plain: Vec<u8> = block.iter().zip(&iv).map(|(b, v)| b ^ v).collect();
        assert_eq!(plain, hex("6bc1bee22e409f96e93d7e117393172a"));

        let message = b"a message of thirty-three bytes!!";
        for key_len in [16, 24, 32] {
            let key = vec![9u8; key_len];
            let encrypt = |padded: &[u8]| {
                let mut previous = [3u8; 16];
                let mut out = Vec::new();
                for chunk in padded.chunks(16) {
                    let mut b = GenericArray::clone_from_slice(chunk);
                    b.iter_mut().zip(previous).for_each(|(x, p)| *x ^= p);
                    match key_len {
                        16 => aes::Aes128::new_from_slice(&key)
                            .unwrap()
                            .encrypt_block(&mut b),
                        24 => aes::Aes192::new_from_slice(&key)
                            .unwrap()
                            .encrypt_block(&mut b),
                        _ => aes::Aes256::new_from_slice(&key)
                            .unwrap()
                            .encrypt_block(&mut b),
                    }
                    previous.copy_from_slice(&b);
                    out.extend_from_slice(&b);
                }
                out
            };
            let mut padded = message.to_vec();
            padded.extend([15u8; 15]);
            let ciphertext = encrypt(&padded);
            let plain = cbc_decrypt(&key, &[3u8; 16], &ciphertext).unwrap();
            assert_eq!(&plain[..], &message[..], "AES-{}", key_len * 8);
            let mut full_block = message[..32].to_vec();
            full_block.extend([16u8; 16]);
            let plain = cbc_decrypt(&key, &[3u8; 16], &encrypt(&full_block)).unwrap();
            assert_eq!(&plain[..], &message[..32]);
            for bad in [[0u8; 16], [17u8; 16], {
                let mut b = [2u8; 16];
                b[14] = 3;
                b
            }] {
                let mut padded = message[..32].to_vec();
                padded.extend(bad);
                assert!(cbc_decrypt(&key, &[3u8; 16], &encrypt(&padded)).is_none());
            }
            assert!(
                cbc_decrypt(&key, &[3u8; 15], &ciphertext).is_none(),
                "short IV"
            );
        }
        assert!(Aes::new(&[0u8; 20]).is_none());
    }

    #[test]
    fn pbes1_oids() {
        assert!(is_pbes1(&[
            0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x03
        ]));
        assert!(!is_pbes1(PBES2));
    }

    fn element(tag: u8, parts: &[&[u8]]) -> Vec<u8> {
        let mut out = Vec::new();
        der::push_element(&mut out, tag, &parts.concat());
        out
    }

    /// PBES2 parameters for PBKDF2 with `kdf_tail` after the salt, and `cipher` with `iv`.
    fn pbes2_params(kdf_oid: &[u8], kdf_tail: &[&[u8]], cipher: &[u8], iv: &[u8]) -> Vec<u8> {
        let salt = element(der::OCTET_STRING, &[b"saltsalt"]);
        let kdf_params = element(der::SEQUENCE, &[&[&salt[..]], kdf_tail].concat());
        let kdf = element(
            der::SEQUENCE,
            &[&element(der::OID, &[kdf_oid]), &kdf_params],
        );
        let enc = element(der::SEQUENCE, &[&element(der::OID, &[cipher]), iv]);
        element(der::SEQUENCE, &[&kdf, &enc])
    }

    fn parse(der_params: &[u8]) -> Result<(), SchemeError> {
        let tlv = Reader::new(der_params).any().map_err(SchemeError::from)?;
        params(Some(tlv)).map(drop)
    }

    #[test]
    fn parameters_are_checked() {
        let aes256 = [AES_CBC_ARC, &[42]].concat();
        let iv = element(der::OCTET_STRING, &[&[7u8; 16]]);
        let iterations = element(der::INTEGER, &[&[0x08, 0x00]]);
        let sha256 = element(
            der::SEQUENCE,
            &[&element(der::OID, &[HMAC_SHA256]), &[5, 0]],
        );
        let good = pbes2_params(PBKDF2, &[&iterations, &sha256], &aes256, &iv);
        let p = {
            let tlv = Reader::new(&good).any().unwrap();
            params(Some(tlv)).unwrap()
        };
        assert_eq!(
            (p.iterations, p.prf, p.key_len, p.iv),
            (2048, Prf::Sha256, 32, &[7u8; 16][..])
        );
        // The default PRF is HMAC-SHA-1; a matching keyLength is accepted.
        let key_len = element(der::INTEGER, &[&[32]]);
        assert_eq!(
            parse(&pbes2_params(
                PBKDF2,
                &[&iterations, &key_len],
                &aes256,
                &iv
            )),
            Ok(())
        );

        let scrypt = [0x2b, 0x06, 0x01, 0x04, 0x01, 0xda, 0x47, 0x04, 0x0b];
        let sha512 = element(
            der::SEQUENCE,
            &[
                &element(
                    der::OID,
                    &[&[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x0b]],
                ),
                &[5, 0],
            ],
        );
        let des3 = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x03, 0x07];
        let huge = element(der::INTEGER, &[&[0x0f, 0x42, 0x41]]);
        let zero = element(der::INTEGER, &[&[0]]);
        let wrong_len = element(der::INTEGER, &[&[16]]);
        let short_iv = element(der::OCTET_STRING, &[&[7u8; 8]]);
        let cases: [(Vec<u8>, SchemeError); 8] = [
            (
                pbes2_params(&scrypt, &[&iterations], &aes256, &iv),
                SchemeError::Unsupported,
            ),
            (
                pbes2_params(PBKDF2, &[&iterations, &sha512], &aes256, &iv),
                SchemeError::Unsupported,
            ),
            (
                pbes2_params(PBKDF2, &[&iterations], &des3, &iv),
                SchemeError::Unsupported,
            ),
            (
                pbes2_params(PBKDF2, &[&huge], &aes256, &iv),
                SchemeError::TooCostly,
            ),
            (
                pbes2_params(PBKDF2, &[&zero], &aes256, &iv),
                SchemeError::Malformed,
            ),
            (
                pbes2_params(PBKDF2, &[&iterations, &wrong_len], &aes256, &iv),
                SchemeError::Malformed,
            ),
            (
                pbes2_params(PBKDF2, &[&iterations], &aes256, &short_iv),
                SchemeError::Malformed,
            ),
            (
                pbes2_params(PBKDF2, &[&iterations, &sha256, &[5, 0]], &aes256, &iv),
                SchemeError::Malformed,
            ),
        ];
        for (i, (der_params, want)) in cases.iter().enumerate() {
            assert_eq!(parse(der_params), Err(*want), "case {i}");
        }
        // Truncated anywhere, a wrong outer tag, trailing bytes inside, an overlong length.
        for len in 0..good.len() {
            assert_eq!(
                parse(&good[..len]),
                Err(SchemeError::Malformed),
                "cut at {len}"
            );
        }
        let mut wrong_tag = good.clone();
        wrong_tag[0] = der::SET;
        assert_eq!(parse(&wrong_tag), Err(SchemeError::Malformed));
        let mut trailing = good[2..].to_vec();
        trailing.extend([5, 0]);
        assert_eq!(
            parse(&element(der::SEQUENCE, &[&trailing])),
            Err(SchemeError::Malformed)
        );
        let mut overlong = vec![der::SEQUENCE, 0x81, good[1]];
        overlong.extend_from_slice(&good[2..]);
        assert_eq!(parse(&overlong), Err(SchemeError::Malformed));
        assert_eq!(params(None).map(drop), Err(SchemeError::Malformed));
    }

    #[cfg(feature = "pbes2")]
    #[test]
    fn a_wrong_password_fails_the_padding_check_or_decrypts_garbage() {
        let aes128 = [AES_CBC_ARC, &[2]].concat();
        let iv = element(der::OCTET_STRING, &[&[0u8; 16]]);
        let iterations = element(der::INTEGER, &[&[1]]);
        let der_params = pbes2_params(PBKDF2, &[&iterations], &aes128, &iv);
        let tlv = Reader::new(&der_params).any().unwrap();
        let p = params(Some(tlv)).unwrap();
        assert!(
            decrypt(&p, b"pw", &[1u8; 15]).is_none(),
            "not a whole block"
        );
        assert!(decrypt(&p, b"pw", &[]).is_none());
    }
}
