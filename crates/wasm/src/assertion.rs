//! The client assertion (RFC 7523) a `Credential` builds: the JWS signing input, its WebCrypto
//! signature and the compact JWS. A server's step (Entra refuses a confidential client's
//! assertion from a browser origin: AADSTS9002326, protocols.md §1.6), so the certificate module a form page
//! fetches for inspection leaves it out: feature `assertion`, in the full and browser builds.

use crate::certificates::LoadedCredential;
use crate::read::{Input, read_cloud, uint, wrong_type};
use crate::{Answer, fail, js};
use azconn_core::error::{Code, Error};
use azconn_core::ids::{ClientId, TenantId};
use azconn_core::jose::assertion::{Algorithm, Claims, Options, Profile, UnsignedAssertion};
use azconn_core::prelude::*;
use wasm_bindgen::prelude::*;
use zeroize::Zeroize;

#[wasm_bindgen(js_class = Credential)]
impl LoadedCredential {
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
