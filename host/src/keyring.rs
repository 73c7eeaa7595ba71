//! Encryption at rest: AES-256-GCM under a versioned keyring (`AZCONN_ENCRYPTION_KEYS`).
//! The newest key encrypts; every listed key decrypts, so keys rotate by appending one.
//! The associated data binds each ciphertext to its organization, record and field, so a value
//! copied to another row or column fails to decrypt.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use azconn_core::error::{Code, Error};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use std::fmt;

const SETTING: &str = "AZCONN_ENCRYPTION_KEYS";

#[derive(Clone)]
pub struct Keyring {
    /// Sorted by version, newest last; each cipher's key schedule is computed once, when the
    /// keyring is parsed (the Worker keeps its configuration for the isolate's lifetime).
    keys: Vec<(u32, Aes256Gcm)>,
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let versions: Vec<u32> = self.keys.iter().map(|(v, _)| *v).collect();
        f.debug_struct("Keyring")
            .field("versions", &versions)
            .finish()
    }
}

/// A ciphertext and the key version that made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    pub key_version: u32,
    /// base64 of nonce (12 bytes) || ciphertext || tag.
    pub blob: String,
}

/// Which value a ciphertext belongs to.
pub fn aad(org: &str, record: &str, field: &str) -> String {
    format!("azconn/v1|{org}|{record}|{field}")
}

fn malformed(message: String) -> Error {
    Error::field(SETTING, Code::NotConfigured, message).with_hint(
        "list comma-separated `version:base64key` entries, each key 32 random bytes, e.g. `1:$(openssl rand -base64 32)`",
    )
}

impl Keyring {
    /// Parses `1:<base64 32 bytes>,2:<base64 32 bytes>`.
    pub fn parse(input: &str) -> Result<Keyring, Error> {
        let mut keys = Vec::new();
        for entry in input.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let (version, key) = entry.split_once(':').ok_or_else(|| {
                malformed(format!("{SETTING}: an entry is not `version:base64key`"))
            })?;
            let version: u32 = version
                .trim()
                .parse()
                .map_err(|_| malformed(format!("{SETTING}: a key version is not a number")))?;
            let bytes: [u8; 32] = STANDARD
                .decode(key.trim())
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| {
                    malformed(format!(
                        "{SETTING}: key version {version} is not 32 bytes of base64"
                    ))
                })?;
            if keys.iter().any(|(v, _)| *v == version) {
                return Err(malformed(format!(
                    "{SETTING}: key version {version} is listed twice"
                )));
            }
            keys.push((version, bytes));
        }
        if keys.is_empty() {
            return Err(malformed(format!("{SETTING} lists no key")));
        }
        keys.sort_by_key(|(v, _)| *v);
        Ok(Keyring {
            keys: keys
                .into_iter()
                .map(|(v, bytes)| (v, Aes256Gcm::new(&bytes.into())))
                .collect(),
        })
    }

    /// The listed key versions, oldest first.
    pub fn versions(&self) -> Vec<u32> {
        self.keys.iter().map(|(v, _)| *v).collect()
    }

    /// The version [`Keyring::seal`] encrypts with: the newest listed.
    pub fn current(&self) -> u32 {
        self.keys.last().map_or(0, |(v, _)| *v)
    }

    /// The same value sealed under the newest key, with the same associated data; the
    /// plaintext never leaves this call.
    pub fn reseal(&self, sealed: &Sealed, aad: &str, nonce: [u8; 12]) -> Result<Sealed, Error> {
        self.seal(&self.open(sealed, aad)?, aad, nonce)
    }

    /// Encrypts with the newest key; `nonce` is 12 fresh random bytes from the caller.
    pub fn seal(&self, plaintext: &str, aad: &str, nonce: [u8; 12]) -> Result<Sealed, Error> {
        let (version, key) = self
            .keys
            .last()
            .ok_or_else(|| malformed(format!("{SETTING} lists no key")))?;
        let ct = key
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| Error::new(Code::NotConfigured, "encryption failed"))?;
        let mut blob = nonce.to_vec();
        blob.extend_from_slice(&ct);
        Ok(Sealed {
            key_version: *version,
            blob: STANDARD.encode(blob),
        })
    }

    /// Decrypts with the key of `sealed.key_version`.
    pub fn open(&self, sealed: &Sealed, aad: &str) -> Result<String, Error> {
        let undecryptable = |why: &str| {
            Error::field(
                SETTING,
                Code::NotConfigured,
                format!("a stored secret cannot be decrypted: {why}"),
            )
            .with_hint(format!(
                "keep every key version still in use listed in {SETTING}"
            ))
        };
        let key = self
            .keys
            .iter()
            .find(|(v, _)| *v == sealed.key_version)
            .map(|(_, k)| k)
            .ok_or_else(|| {
                undecryptable(&format!(
                    "key version {} is not in the keyring",
                    sealed.key_version
                ))
            })?;
        let bytes = STANDARD
            .decode(&sealed.blob)
            .map_err(|_| undecryptable("the ciphertext is not base64"))?;
        if bytes.len() < 12 + 16 {
            return Err(undecryptable("the ciphertext is truncated"));
        }
        let (nonce, ct) = bytes.split_at(12);
        let pt = key
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ct,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| undecryptable("authentication failed (wrong key or record)"))?;
        String::from_utf8(pt).map_err(|_| undecryptable("the plaintext is not UTF-8"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const K1: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    const K2: &str = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";

    #[test]
    fn newest_key_encrypts_and_old_ones_still_decrypt() {
        let old = Keyring::parse(&format!("1:{K1}")).unwrap();
        let sealed_old = old.seal("s3cret", "a", [7; 12]).unwrap();
        assert_eq!(sealed_old.key_version, 1);
        let both = Keyring::parse(&format!("2:{K2}, 1:{K1}")).unwrap();
        let sealed_new = both.seal("s3cret", "a", [7; 12]).unwrap();
        assert_eq!(sealed_new.key_version, 2);
        assert_eq!(both.open(&sealed_old, "a").unwrap(), "s3cret");
        assert_eq!(both.open(&sealed_new, "a").unwrap(), "s3cret");
        assert!(old.open(&sealed_new, "a").is_err());
    }

    #[test]
    fn reseal_moves_a_value_to_the_newest_key_under_the_same_record() {
        let old = Keyring::parse(&format!("1:{K1}")).unwrap();
        let both = Keyring::parse(&format!("1:{K1},2:{K2}")).unwrap();
        let only_new = Keyring::parse(&format!("2:{K2}")).unwrap();
        let a = aad("org1", "conn1", "clientSecret");
        let sealed = old.seal("s3cret", &a, [3; 12]).unwrap();
        assert_eq!((both.versions(), both.current()), (vec![1, 2], 2));
        let moved = both.reseal(&sealed, &a, [4; 12]).unwrap();
        assert_eq!(moved.key_version, 2);
        assert_eq!(only_new.open(&moved, &a).unwrap(), "s3cret");
        assert!(
            both.reseal(&sealed, &aad("org2", "conn1", "clientSecret"), [4; 12])
                .is_err()
        );
    }

    #[test]
    fn a_version_missing_from_the_keyring_is_named() {
        let old = Keyring::parse(&format!("1:{K1}")).unwrap();
        let only_new = Keyring::parse(&format!("2:{K2}")).unwrap();
        let sealed = old.seal("s3cret", "a", [3; 12]).unwrap();
        let e = only_new.open(&sealed, "a").unwrap_err();
        assert_eq!(e.code, Code::NotConfigured);
        assert_eq!(e.field.as_deref(), Some(SETTING));
        assert_eq!(
            e.message,
            "a stored secret cannot be decrypted: key version 1 is not in the keyring"
        );
        assert!(!e.message.contains("s3cret"));
    }

    #[test]
    fn ciphertext_is_bound_to_its_record_and_field() {
        let k = Keyring::parse(&format!("1:{K1}")).unwrap();
        let s = k
            .seal("v", &aad("org1", "conn1", "clientSecret"), [1; 12])
            .unwrap();
        assert_eq!(
            k.open(&s, &aad("org1", "conn1", "clientSecret")).unwrap(),
            "v"
        );
        assert!(k.open(&s, &aad("org2", "conn1", "clientSecret")).is_err());
        assert!(k.open(&s, &aad("org1", "conn2", "clientSecret")).is_err());
        assert!(k.open(&s, &aad("org1", "conn1", "privateKey")).is_err());
    }

    #[test]
    fn malformed_keyrings_name_the_setting() {
        for bad in ["", "1", "x:AAAA", &format!("1:{K1},1:{K2}"), "1:AAAA"] {
            let e = Keyring::parse(bad).unwrap_err();
            assert_eq!(e.field.as_deref(), Some(SETTING), "{bad}");
            assert_eq!(e.code, Code::NotConfigured);
        }
        assert!(!format!("{:?}", Keyring::parse(&format!("1:{K1}")).unwrap()).contains(K1));
    }

    #[test]
    fn tampered_or_truncated_blobs_fail_without_panicking() {
        let k = Keyring::parse(&format!("1:{K1}")).unwrap();
        for blob in ["", "!!", "AAAA", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"] {
            let s = Sealed {
                key_version: 1,
                blob: blob.to_owned(),
            };
            assert!(k.open(&s, "a").is_err());
        }
    }

    proptest::proptest! {
        #[test]
        fn parse_and_open_never_panic(input in ".{0,200}", blob in ".{0,200}", version in 0u32..4) {
            let _ = Keyring::parse(&input);
            let k = Keyring::parse(&format!("1:{K1}")).unwrap();
            let _ = k.open(&Sealed { key_version: version, blob }, "a");
        }

        #[test]
        fn seal_open_round_trips(plaintext in ".{0,300}", aad in ".{0,40}", nonce in proptest::array::uniform12(0u8..)) {
            let k = Keyring::parse(&format!("1:{K1},2:{K2}")).unwrap();
            let sealed = k.seal(&plaintext, &aad, nonce).unwrap();
            proptest::prop_assert_eq!(k.open(&sealed, &aad).unwrap(), plaintext);
        }
    }
}
