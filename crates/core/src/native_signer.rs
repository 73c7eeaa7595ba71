//! A native RSA signer for tests and the local emulator only, behind the `native-signer`
//! feature that no production build enables: the `rsa` crate has a timing side channel
//! (RUSTSEC-2023-0071), and production signing happens in WebCrypto.

use crate::error::{Code, Error};
use crate::jose::assertion::Algorithm;
use crate::prelude::*;
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{RandomizedSigner, SignatureEncoding, Signer};
use sha2::Sha256;

/// Signs `message` with the PKCS#8 DER key using `algorithm` (PS256 draws its salt from the OS).
pub fn sign(pkcs8_der: &[u8], algorithm: Algorithm, message: &[u8]) -> Result<Vec<u8>, Error> {
    let key = rsa::RsaPrivateKey::from_pkcs8_der(pkcs8_der).map_err(|e| {
        Error::field(
            "privateKey",
            Code::InvalidFormat,
            format!("not an RSA PKCS#8 key: {e}"),
        )
    })?;
    Ok(match algorithm {
        Algorithm::Rs256 => rsa::pkcs1v15::SigningKey::<Sha256>::new(key)
            .sign(message)
            .to_vec(),
        Algorithm::Ps256 => rsa::pss::BlindedSigningKey::<Sha256>::new(key)
            .sign_with_rng(&mut rsa::rand_core::OsRng, message)
            .to_vec(),
    })
}
