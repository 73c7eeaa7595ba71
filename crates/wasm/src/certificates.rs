//! The certificate exports (the module `azconn/forms` fetches on demand, and the browser and
//! full entries): a `Credential` loaded once from PEM or PFX, which reports what the form shows
//! and gives its key as PKCS#8 for WebCrypto without parsing anything again (the client
//! assertion it also builds in server builds is in `assertion`). The private key lives in wasm
//! memory until `free()`, which zeroes it; every copy of a secret input made on the way in is
//! zeroed after loading.

use crate::read::{Input, unix_seconds};
use crate::{Answer, fail, js};
use azconn_core::cert::{self, CertificateReport};
use azconn_core::error::{Code, Error};
use azconn_core::prelude::*;
use wasm_bindgen::prelude::*;
use zeroize::Zeroize;

/// A certificate credential, parsed and checked once.
#[wasm_bindgen(js_name = Credential)]
pub struct LoadedCredential {
    pub(crate) inner: cert::Credential,
    /// The imported WebCrypto keys (`Promise<CryptoKey>`), by algorithm: PS256, RS256.
    #[cfg(feature = "assertion")]
    pub(crate) keys: [Option<JsValue>; 2],
}

#[wasm_bindgen(js_class = Credential)]
impl LoadedCredential {
    /// Parses and checks a certificate and its key (PEM or base64 DER, the key possibly
    /// encrypted), or a PFX (base64 text or the file's bytes) with its password, at `now` (unix
    /// seconds). A refusal names the field: `certificate`, `privateKey`,
    /// `privateKeyPassphrase`, `pfx`, `pfxPassword`.
    pub fn load(
        #[wasm_bindgen(unchecked_param_type = "CredentialInput")] input: JsValue,
        now: f64,
    ) -> Answer<LoadedCredential> {
        let inner = load(input, now).map_err(fail)?;
        Ok(LoadedCredential {
            inner,
            #[cfg(feature = "assertion")]
            keys: [None, None],
        })
    }

    /// What the form shows: names, serial, validity, thumbprints, key size, warnings.
    #[wasm_bindgen(unchecked_return_type = "CertificateReport")]
    pub fn report(&self) -> JsValue {
        report_value(self.inner.report())
    }

    /// The private key as PKCS#8 DER, for WebCrypto `importKey("pkcs8", ...)`. Secret: the
    /// caller owns the copy (zero it with `fill(0)` after use).
    #[wasm_bindgen(js_name = privateKeyPkcs8)]
    pub fn private_key_pkcs8(&self) -> Vec<u8> {
        self.inner.pkcs8_der().to_vec()
    }
}

/// What the form shows about a certificate and its key, checked together: `Credential.load`
/// then `report()`, the key zeroed before this returns (nothing is kept).
#[wasm_bindgen(js_name = inspectCertificate, unchecked_return_type = "CertificateReport")]
pub fn inspect_certificate(
    #[wasm_bindgen(unchecked_param_type = "CredentialInput")] input: JsValue,
    now: f64,
) -> Answer<JsValue> {
    let credential = load(input, now).map_err(fail)?;
    Ok(report_value(credential.report()))
}

/// Reads the credential input, loads it, and zeroes the copies of its secrets.
fn load(value: JsValue, now: f64) -> Result<cert::Credential, Error> {
    let now = unix_seconds(now, "now")?;
    let o = Input::object(value, "credential", "")?;
    let pfx = o.raw("pfx");
    if let Some(mut der) = js::bytes_of(&pfx) {
        let mut password = o.text("pfxPassword");
        let loaded = match &password {
            _ if given(&o, "certificate") || given(&o, "privateKey") => Err(Error::field(
                "pfx",
                Code::NotAllowed,
                "give either a PFX file or a certificate and a private key, not both",
            )),
            Ok(p) => cert::Credential::load_pfx(&der, p, now),
            Err(e) => Err(e.clone()),
        };
        der.zeroize();
        if let Ok(p) = password.as_mut() {
            p.zeroize();
        }
        return loaded;
    }
    let mut input = cert::CredentialInput {
        certificate: o.opt_str("certificate")?,
        private_key: o.opt_str("privateKey")?,
        private_key_passphrase: o.opt_str("privateKeyPassphrase")?,
        pfx: o.opt_str("pfx")?,
        pfx_password: o.opt_str("pfxPassword")?,
    };
    let loaded = cert::Credential::load(&input, now);
    for secret in [
        &mut input.private_key,
        &mut input.private_key_passphrase,
        &mut input.pfx,
        &mut input.pfx_password,
    ] {
        if let Some(s) = secret.as_mut() {
            s.zeroize();
        }
    }
    loaded
}

/// Whether the text member `key` holds anything but blanks.
fn given(o: &Input, key: &str) -> bool {
    o.raw(key).as_string().is_some_and(|s| !s.trim().is_empty())
}

fn report_value(r: &CertificateReport) -> JsValue {
    let warnings = js::list();
    for w in &r.warnings {
        js::push(
            &warnings,
            js::error_object(
                w.code.as_str(),
                &w.message,
                w.field.as_deref(),
                w.hint.as_deref(),
            ),
        );
    }
    js::certificate_report(
        &r.subject,
        &r.issuer,
        &r.serial_number,
        &r.not_before,
        &r.not_after,
        r.not_before_unix as f64,
        r.not_after_unix as f64,
        r.key_size,
        &r.thumbprint_sha1,
        &r.thumbprint_sha256,
        &r.x5t,
        &r.x5t_s256,
        &r.custom_key_identifier,
        r.chain_length as u32,
        warnings,
    )
}
