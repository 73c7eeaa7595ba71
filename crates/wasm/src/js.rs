//! The imports from the package's `values.js` (packages/azconn, next to every generated glue's
//! directory: property reads, the `AzconnError` constructor, the platform CSPRNG) and from
//! `values/<feature>.js`, the result constructors of each feature (one call builds one result
//! object): a module's glue imports the files of its features only, each whole.

use azconn_core::prelude::*;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(raw_module = "../../values.js")]
extern "C" {
    pub fn fail(code: &str, message: &str, field: Option<&str>, hint: Option<&str>) -> JsValue;
    pub fn prop(object: &JsValue, key: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = isObject)]
    pub fn is_object(value: &JsValue) -> bool;
    pub fn lines(value: &JsValue) -> Option<String>;
    #[wasm_bindgen(js_name = bytesOf)]
    pub fn bytes_of(value: &JsValue) -> Option<Vec<u8>>;
    #[wasm_bindgen(js_name = randomBytes)]
    pub fn random_bytes(n: usize) -> Vec<u8>;
    pub fn list() -> JsValue;
    pub fn push(list: &JsValue, item: JsValue);
    #[wasm_bindgen(js_name = errorObject)]
    pub fn error_object(
        code: &str,
        message: &str,
        field: Option<&str>,
        hint: Option<&str>,
    ) -> JsValue;
}

#[cfg(feature = "forms")]
#[wasm_bindgen(raw_module = "../../values/forms.js")]
extern "C" {
    #[wasm_bindgen(js_name = cloudEndpoints)]
    pub fn cloud_endpoints(
        authority_host: &str,
        graph_root: &str,
        graph_audience: &str,
        arm_host: &str,
        hosts: &str,
        app_configuration_audience: &str,
    ) -> JsValue;
    #[wasm_bindgen(js_name = invalidForm)]
    pub fn invalid_form(errors: JsValue) -> JsValue;
    #[wasm_bindgen(js_name = validForm)]
    #[allow(clippy::too_many_arguments)]
    pub fn valid_form(
        name: &str,
        description: Option<&str>,
        connection_type: &str,
        method: &str,
        cloud: &str,
        tenant_id: &str,
        client_id: Option<&str>,
        endpoint: Option<&str>,
    ) -> JsValue;
    pub fn scopes(resource_scope: &str, delegated: &str) -> JsValue;
    pub fn pkce(verifier: &str, challenge: &str) -> JsValue;
    #[wasm_bindgen(js_name = authorizeRequest)]
    pub fn authorize_request(
        url: &str,
        code_verifier: &str,
        state: &str,
        nonce: &str,
        redirect_uri: &str,
        tenant: &str,
        scopes: &str,
    ) -> JsValue;
    #[wasm_bindgen(js_name = adminConsentRequest)]
    pub fn admin_consent_request(url: &str, state: &str) -> JsValue;
}

#[cfg(feature = "tokens")]
#[wasm_bindgen(raw_module = "../../values/tokens.js")]
extern "C" {
    /// A string's length in UTF-16 units; `None` for anything else.
    #[wasm_bindgen(js_name = textLength)]
    pub fn text_length(value: &JsValue) -> Option<u32>;
    /// Writes `text` as UTF-8 into wasm memory at `ptr` (room for `capacity` bytes): the bytes
    /// written, or `None` when the text did not fit.
    #[wasm_bindgen(js_name = encodeUtf8)]
    pub fn encode_utf8(text: &JsValue, memory: &JsValue, ptr: u32, capacity: u32) -> Option<u32>;
    #[wasm_bindgen(js_name = headerLines)]
    pub fn header_lines(headers: &JsValue) -> Option<String>;
    #[wasm_bindgen(js_name = adminConsent)]
    pub fn admin_consent(reported_tenant: Option<&str>, scopes: &str) -> JsValue;
    #[wasm_bindgen(js_name = httpRequest)]
    pub fn http_request(method: &str, url: &str, headers: &str, body: &str) -> JsValue;
    /// Every string of the result is `source.slice(start, end)` (see `parseTokenResponse`).
    #[wasm_bindgen(js_name = tokenResponse)]
    #[allow(clippy::too_many_arguments)]
    pub fn token_response(
        source: &JsValue,
        access_start: u32,
        access_end: u32,
        refresh_start: Option<u32>,
        refresh_end: u32,
        id_start: Option<u32>,
        id_end: u32,
        scope_start: u32,
        scope_end: u32,
        expires_in: f64,
        ext_expires_in: Option<f64>,
        expires_at: f64,
    ) -> JsValue;
    #[wasm_bindgen(js_name = entraError)]
    #[allow(clippy::too_many_arguments)]
    pub fn entra_error(
        status: u16,
        error: &str,
        error_description: Option<&str>,
        error_codes: &[f64],
        timestamp: Option<&str>,
        trace_id: Option<&str>,
        correlation_id: Option<&str>,
        error_uri: Option<&str>,
        retry_after: Option<f64>,
    ) -> JsValue;
    #[wasm_bindgen(js_name = entraErrorReport)]
    pub fn entra_error_report(entra: JsValue, class: &str, boundary: JsValue) -> JsValue;
    #[allow(clippy::too_many_arguments)]
    pub fn claims(
        tid: Option<&str>,
        oid: Option<&str>,
        username: Option<&str>,
        app_id: Option<&str>,
        aud: Option<&str>,
        scopes: &str,
        roles: JsValue,
        exp: Option<f64>,
        iat: Option<f64>,
    ) -> JsValue;
}

#[cfg(feature = "certificates")]
#[wasm_bindgen(raw_module = "../../values/certificates.js")]
extern "C" {
    #[wasm_bindgen(js_name = certificateReport)]
    #[allow(clippy::too_many_arguments)]
    pub fn certificate_report(
        subject: &str,
        issuer: &str,
        serial_number: &str,
        not_before: &str,
        not_after: &str,
        not_before_unix: f64,
        not_after_unix: f64,
        key_size: u32,
        thumbprint_sha1: &str,
        thumbprint_sha256: &str,
        x5t: &str,
        x5t_s256: &str,
        custom_key_identifier: &str,
        chain_length: u32,
        warnings: JsValue,
    ) -> JsValue;
}

#[cfg(feature = "assertion")]
#[wasm_bindgen(raw_module = "../../values/assertion.js")]
extern "C" {
    #[wasm_bindgen(js_name = unsignedAssertion)]
    pub fn unsigned_assertion(
        algorithm: &str,
        signing_input: &str,
        signature_length: u32,
        name: &str,
        hash: &str,
        salt_length: Option<u32>,
    ) -> JsValue;
    /// `crypto.subtle.importKey("pkcs8", ...)` for signing: a `Promise<CryptoKey>`. WebCrypto
    /// copies the bytes during the call, so the view into wasm memory is not kept.
    #[wasm_bindgen(js_name = importSigningKey)]
    pub fn import_signing_key(pkcs8: &[u8], name: &str) -> JsValue;
    /// Signs `signing_input` with the key (a `Promise<CryptoKey>`): a `Promise` of the compact JWS.
    #[wasm_bindgen(js_name = signJws)]
    pub fn sign_jws(
        key: &JsValue,
        name: &str,
        salt_length: Option<u32>,
        signing_input: &str,
    ) -> JsValue;
}

#[cfg(feature = "full")]
#[wasm_bindgen(raw_module = "../../values/server.js")]
extern "C" {
    pub fn length(value: &JsValue) -> Option<u32>;
    pub fn at(list: &JsValue, index: u32) -> JsValue;
    #[wasm_bindgen(js_name = rotationNext)]
    pub fn rotation_next(rotation: JsValue, step: JsValue) -> JsValue;
    #[wasm_bindgen(js_name = rotationStep)]
    pub fn rotation_step(rotation: JsValue, error: JsValue) -> JsValue;
}
