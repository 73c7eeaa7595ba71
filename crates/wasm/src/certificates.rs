//! The certificate exports (the module `azconn/forms` fetches on demand, and the browser and
//! full entries): a `Credential` loaded once from PEM or PFX, which reports what the form shows,
//! gives its key as PKCS#8 for WebCrypto and builds client assertions (RFC 7523) without parsing
//! anything again. The private key lives in wasm memory until `free()`, which zeroes it; every
//! copy of a secret input made on the way in is zeroed after loading.

use crate::read::{Input, read_cloud, uint, unix_seconds, wrong_type};
use crate::{Answer, fail, js};
use azconn_core::cert::{self, CertificateReport};
use azconn_core::error::{Code, Error};
use azconn_core::ids::{ClientId, TenantId};
use azconn_core::jose::assertion::{Algorithm, Claims, Options, Profile, UnsignedAssertion};
use wasm_bindgen::prelude::*;
use zeroize::Zeroize;

/// A certificate credential, parsed and checked once.
#[wasm_bindgen(js_name = Credential)]
pub struct LoadedCredential {
    inner: cert::Credential,
    /// The imported WebCrypto keys (`Promise<CryptoKey>`), by algorithm: PS256, RS256.
    keys: [Option<JsValue>; 2],
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

    /// The client assertion's JWS signing input and the WebCrypto algorithm to sign it with.
    #[wasm_bindgen(unchecked_return_type = "UnsignedAssertion")]
    pub fn assertion(
        &self,
        #[wasm_bindgen(unchecked_param_type = "AssertionParams")] params: JsValue,
    ) -> Answer<JsValue> {
        let u = self.prepare(params).map_err(fail)?;
        let wc = u.algorithm.web_crypto();
        Ok(js::unsigned_assertion(
            u.algorithm.as_str(),
            &u.signing_input,
            u.signature_length as u32,
            wc.name,
            wc.hash,
            wc.salt_length,
        ))
    }

    /// The signed client assertion (compact JWS), signed by WebCrypto with this credential's
    /// key (imported once per algorithm, not extractable). Bad parameters throw at once.
    #[wasm_bindgen(js_name = signAssertion, unchecked_return_type = "Promise<string>")]
    pub fn sign_assertion(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "AssertionParams")] params: JsValue,
    ) -> Answer<JsValue> {
        let u = self.prepare(params).map_err(fail)?;
        let wc = u.algorithm.web_crypto();
        let slot = match u.algorithm {
            Algorithm::Ps256 => 0,
            Algorithm::Rs256 => 1,
        };
        let pkcs8 = self.inner.pkcs8_der();
        let key = self.keys[slot].get_or_insert_with(|| js::import_signing_key(pkcs8, wc.name));
        Ok(js::sign_jws(key, wc.name, wc.salt_length, &u.signing_input))
    }
}

impl LoadedCredential {
    fn prepare(&self, params: JsValue) -> Result<UnsignedAssertion, Error> {
        let o = Input::object(params, "params", "")?;
        let tenant = TenantId::parse(&o.str("tenantId")?)?;
        let client_id = ClientId::parse(&o.str("clientId")?)?;
        let now = match o.opt_uint("now", 9_007_199_254_740_991.0)? {
            Some(n) => n as i64,
            None => return Err(wrong_type(o.field("now"), Code::Required, "unix seconds")),
        };
        let mut entropy = match o.opt_bytes("jtiEntropy")? {
            Some(b) => b,
            None => js::random_bytes(16),
        };
        let jti: Result<[u8; 16], _> = entropy.as_slice().try_into();
        entropy.zeroize();
        let jti = jti.map_err(|_| {
            Error::field(
                "jtiEntropy",
                Code::InvalidFormat,
                "the jti takes exactly 16 random bytes",
            )
        })?;
        let options = match o.opt_object("options", "options.")? {
            Some(opts) => options(&opts)?,
            None => Options::default(),
        };
        let cloud = read_cloud(o.raw("cloud"))?;
        let claims = Claims::new(cloud.endpoints(), &tenant, client_id, now, jti);
        self.inner.assertion(&claims, &options).map_err(|e| {
            if e.field.as_deref() == Some("lifetimeSeconds") {
                e.at("options.lifetimeSeconds")
            } else {
                e
            }
        })
    }
}

fn options(o: &Input) -> Result<Options, Error> {
    let mut options = Options::default();
    match o.opt_str("profile")?.as_deref() {
        None | Some("ps256Sha256") => {}
        Some("rs256Sha1") => options.profile = Profile::Rs256Sha1,
        Some(_) => {
            return Err(wrong_type(
                o.field("profile"),
                Code::InvalidFormat,
                "ps256Sha256 or rs256Sha1",
            ));
        }
    }
    if let Some(x5c) = o.opt_bool("includeX5c")? {
        options.include_x5c = x5c;
    }
    if let Some(secs) = o.opt_uint("lifetimeSeconds", f64::from(u32::MAX))? {
        options.lifetime_seconds = secs as u32;
    }
    Ok(options)
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

/// Joins an assertion's signing input and its signature (the bytes WebCrypto `sign` gives, or
/// an HSM's) into the compact JWS for the token request's `client_assertion`.
#[wasm_bindgen(js_name = completeAssertion)]
pub fn complete_assertion(
    #[wasm_bindgen(unchecked_param_type = "UnsignedAssertion")] unsigned: JsValue,
    signature: &[u8],
) -> Answer<String> {
    let run = || -> Result<String, Error> {
        let o = Input::object(unsigned, "unsigned", "")?;
        let algorithm = match o.str("algorithm")?.as_str() {
            "PS256" => Algorithm::Ps256,
            "RS256" => Algorithm::Rs256,
            _ => {
                return Err(wrong_type(
                    o.field("algorithm"),
                    Code::InvalidFormat,
                    "PS256 or RS256",
                ));
            }
        };
        let signature_length = uint(&o.raw("signatureLength"), 65_536.0).ok_or_else(|| {
            wrong_type(
                o.field("signatureLength"),
                Code::InvalidFormat,
                "a whole number",
            )
        })?;
        UnsignedAssertion {
            algorithm,
            signing_input: o.str("signingInput")?,
            signature_length: signature_length as usize,
        }
        .complete(signature)
    };
    run().map_err(fail)
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
