//! JWS compact tokens: the emulator's own RS256 tokens, and verification of client assertions
//! (RS256 + `x5t`, PS256 + `x5t#S256`, protocols.md §2) and bearer tokens.

use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey};
use rsa::traits::PublicKeyParts;
use rsa::{Pkcs1v15Sign, Pss, RsaPrivateKey, RsaPublicKey};
use serde_json::{Value, json};
use sha1::Sha1;
use sha2::{Digest, Sha256};

use crate::util::{b64url, b64url_decode};

/// The key tokens are signed with, and its JWK for `/discovery/v2.0/keys`.
pub struct SigningKey {
    key: RsaPrivateKey,
    pub kid: String,
}

impl SigningKey {
    pub fn from_pem(pem: &str) -> Result<SigningKey, String> {
        let key = RsaPrivateKey::from_pkcs8_pem(pem)
            .map_err(|e| format!("signing key is not a PKCS#8 RSA key: {e}"))?;
        let der = key
            .to_public_key()
            .to_public_key_der()
            .map_err(|e| format!("signing key: {e}"))?;
        let kid = b64url(&Sha256::digest(der.as_bytes())[..16]);
        Ok(SigningKey { key, kid })
    }

    pub fn public(&self) -> RsaPublicKey {
        self.key.to_public_key()
    }

    pub fn jwk(&self) -> Value {
        let p = self.key.to_public_key();
        json!({
            "kty": "RSA", "use": "sig", "alg": "RS256", "kid": self.kid,
            "n": b64url(&p.n().to_bytes_be()), "e": b64url(&p.e().to_bytes_be()),
        })
    }

    pub fn sign(&self, claims: &Value) -> String {
        let header = json!({"typ": "JWT", "alg": "RS256", "kid": self.kid});
        let input = format!(
            "{}.{}",
            b64url(header.to_string().as_bytes()),
            b64url(claims.to_string().as_bytes())
        );
        let digest = Sha256::digest(input.as_bytes());
        let sig = self
            .key
            .sign(Pkcs1v15Sign::new::<Sha256>(), &digest)
            .unwrap_or_default();
        format!("{input}.{}", b64url(&sig))
    }
}

/// A JWS split into its parts; nothing is trusted until `verify` succeeds.
pub struct Jws {
    pub header: Value,
    pub claims: Value,
    signing_input: String,
    signature: Vec<u8>,
}

impl Jws {
    pub fn parse(token: &str) -> Option<Jws> {
        let mut parts = token.split('.');
        let (h, c, s) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let header: Value = serde_json::from_slice(&b64url_decode(h)?).ok()?;
        let claims: Value = serde_json::from_slice(&b64url_decode(c)?).ok()?;
        if !header.is_object() || !claims.is_object() {
            return None;
        }
        Some(Jws {
            header,
            claims,
            signing_input: format!("{h}.{c}"),
            signature: b64url_decode(s)?,
        })
    }

    pub fn alg(&self) -> &str {
        self.header["alg"].as_str().unwrap_or("")
    }

    pub fn verify(&self, key: &RsaPublicKey) -> bool {
        let digest = Sha256::digest(self.signing_input.as_bytes());
        match self.alg() {
            "RS256" => key
                .verify(Pkcs1v15Sign::new::<Sha256>(), &digest, &self.signature)
                .is_ok(),
            "PS256" => key
                .verify(Pss::new::<Sha256>(), &digest, &self.signature)
                .is_ok(),
            _ => false,
        }
    }

    pub fn claim_str(&self, name: &str) -> Option<&str> {
        self.claims[name].as_str()
    }

    pub fn claim_i64(&self, name: &str) -> Option<i64> {
        self.claims[name].as_i64()
    }
}

/// A registered certificate: its public key and both thumbprints (base64url of the raw digest).
#[derive(Clone)]
pub struct Certificate {
    pub public_key: RsaPublicKey,
    pub x5t: String,
    pub x5t_s256: String,
    /// Upper-case hex SHA-1, as Entra prints "Thumbprint of key used by client".
    pub sha1_hex: String,
}

impl Certificate {
    pub fn from_pem(pem: &str) -> Result<Certificate, String> {
        use x509_cert::der::{Decode, DecodePem, Encode};
        let cert = x509_cert::Certificate::from_pem(pem.as_bytes())
            .map_err(|e| format!("certificate PEM: {e}"))?;
        let der = cert.to_der().map_err(|e| format!("certificate: {e}"))?;
        let spki = cert
            .tbs_certificate
            .subject_public_key_info
            .to_der()
            .map_err(|e| format!("certificate key: {e}"))?;
        let spki = x509_cert::spki::SubjectPublicKeyInfoRef::from_der(&spki)
            .map_err(|e| format!("certificate key: {e}"))?;
        let public_key =
            RsaPublicKey::try_from(spki).map_err(|e| format!("certificate key is not RSA: {e}"))?;
        let sha1 = Sha1::digest(&der);
        Ok(Certificate {
            public_key,
            x5t: b64url(&sha1),
            x5t_s256: b64url(&Sha256::digest(&der)),
            sha1_hex: sha1.iter().map(|b| format!("{b:02X}")).collect(),
        })
    }
}
