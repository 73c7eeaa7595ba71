//! Reading JavaScript inputs without JSON: each property is fetched once and checked, and a
//! value of the wrong type is refused with an error naming its field (`grant.code`, not
//! "invalid input").

use crate::js;
#[cfg(any(feature = "forms", feature = "assertion"))]
use azconn_core::cloud::{Cloud, CloudEndpoints, HostPattern};
use azconn_core::error::{Code, Error};
#[cfg(feature = "tokens")]
use azconn_core::http::HttpResponse;
#[cfg(any(feature = "forms", feature = "assertion"))]
use azconn_core::http::Origin;
use azconn_core::prelude::*;
use wasm_bindgen::JsValue;

/// Keys are string literals: in the speed builds each becomes a JavaScript string once, instead
/// of being decoded from UTF-8 on every read (a fifth of a call with a few parameters; browser
/// builds keep the bytes instead). Found by the literal's address, checked by its text; bounded
/// in case a key is ever computed.
#[cfg(not(feature = "small"))]
const MAX_KEYS: usize = 256;
#[cfg(not(feature = "small"))]
thread_local! {
    static KEYS: core::cell::RefCell<Vec<(usize, String, JsValue)>> =
        const { core::cell::RefCell::new(Vec::new()) };
}

/// An input object; `path` prefixes the fields it reports (`entropy.` for nested objects).
pub struct Input {
    value: JsValue,
    path: &'static str,
}

/// `expected <what>` at `field`.
pub fn wrong_type(field: String, code: Code, expected: &str) -> Error {
    let mut message = String::from("expected ");
    message.push_str(expected);
    Error {
        code,
        field: Some(field),
        message,
        hint: None,
    }
}

fn absent(v: &JsValue) -> bool {
    v.is_undefined() || v.is_null()
}

impl Input {
    /// The object `value` is, or an error naming `field`; `path` prefixes its members' fields.
    pub fn object(value: JsValue, field: &str, path: &'static str) -> Result<Input, Error> {
        if js::is_object(&value) {
            Ok(Input { value, path })
        } else {
            Err(wrong_type(
                field.to_owned(),
                Code::InvalidFormat,
                "an object",
            ))
        }
    }

    /// The reported name of member `key`.
    pub fn field(&self, key: &str) -> String {
        let mut f = String::from(self.path);
        f.push_str(key);
        f
    }

    /// Member `key` as given.
    #[cfg(feature = "small")]
    pub fn raw(&self, key: &str) -> JsValue {
        js::prop(&self.value, &JsValue::from_str(key))
    }

    /// Member `key` as given.
    #[cfg(not(feature = "small"))]
    pub fn raw(&self, key: &str) -> JsValue {
        KEYS.with_borrow_mut(|keys| {
            let at = (key.as_ptr() as usize, key.len());
            if let Some((_, _, name)) = keys.iter().find(|(p, k, _)| *p == at.0 && k == key) {
                return js::prop(&self.value, name);
            }
            let name = JsValue::from_str(key);
            let v = js::prop(&self.value, &name);
            if keys.len() < MAX_KEYS {
                keys.push((at.0, key.to_owned(), name));
            }
            v
        })
    }

    /// An optional string (`undefined` and `null` are absent).
    pub fn opt_str(&self, key: &str) -> Result<Option<String>, Error> {
        let v = self.raw(key);
        if absent(&v) {
            return Ok(None);
        }
        v.as_string()
            .map(Some)
            .ok_or_else(|| wrong_type(self.field(key), Code::InvalidFormat, "a string"))
    }

    /// A string that defaults to empty (form fields as typed).
    pub fn text(&self, key: &str) -> Result<String, Error> {
        Ok(self.opt_str(key)?.unwrap_or_default())
    }

    /// A required string.
    #[cfg(any(feature = "forms", feature = "assertion"))]
    pub fn str(&self, key: &str) -> Result<String, Error> {
        self.opt_str(key)?
            .ok_or_else(|| wrong_type(self.field(key), Code::Required, "a string"))
    }

    /// A list of strings.
    #[cfg(any(feature = "forms", feature = "assertion"))]
    pub fn strings(&self, key: &str) -> Result<Vec<String>, Error> {
        let text = js::lines(&self.raw(key))
            .ok_or_else(|| wrong_type(self.field(key), Code::InvalidFormat, "a list of strings"))?;
        Ok(if text.is_empty() {
            Vec::new()
        } else {
            text.split('\n').map(str::to_owned).collect()
        })
    }

    /// Optional bytes (a `Uint8Array`).
    #[cfg(any(feature = "forms", feature = "assertion"))]
    pub fn opt_bytes(&self, key: &str) -> Result<Option<Vec<u8>>, Error> {
        let v = self.raw(key);
        if absent(&v) {
            return Ok(None);
        }
        js::bytes_of(&v)
            .map(Some)
            .ok_or_else(|| wrong_type(self.field(key), Code::InvalidFormat, "a Uint8Array"))
    }

    /// An optional boolean.
    #[cfg(feature = "assertion")]
    pub fn opt_bool(&self, key: &str) -> Result<Option<bool>, Error> {
        let v = self.raw(key);
        if absent(&v) {
            return Ok(None);
        }
        v.as_bool()
            .map(Some)
            .ok_or_else(|| wrong_type(self.field(key), Code::InvalidFormat, "true or false"))
    }

    /// An optional whole number in `0..=max`.
    #[cfg(feature = "assertion")]
    pub fn opt_uint(&self, key: &str, max: f64) -> Result<Option<f64>, Error> {
        let v = self.raw(key);
        if absent(&v) {
            return Ok(None);
        }
        uint(&v, max)
            .map(Some)
            .ok_or_else(|| wrong_type(self.field(key), Code::InvalidFormat, "a whole number"))
    }

    /// A nested object, or `None` when absent.
    #[cfg(any(feature = "forms", feature = "assertion"))]
    pub fn opt_object(&self, key: &str, path: &'static str) -> Result<Option<Input>, Error> {
        let v = self.raw(key);
        if absent(&v) {
            return Ok(None);
        }
        Input::object(v, &self.field(key), path).map(Some)
    }
}

/// `v` as a whole number in `0..=max`.
#[cfg(feature = "certificates")]
pub fn uint(v: &JsValue, max: f64) -> Option<f64> {
    v.as_f64()
        .filter(|n| (0.0..=max).contains(n) && (*n as u64) as f64 == *n)
}

/// Unix seconds as the exports take them (`now`): a whole, non-negative number.
#[cfg(feature = "certificates")]
pub fn unix_seconds(now: f64, field: &str) -> Result<i64, Error> {
    uint(&JsValue::from_f64(now), 9_007_199_254_740_991.0)
        .map(|n| n as i64)
        .ok_or_else(|| wrong_type(field.to_owned(), Code::InvalidFormat, "unix seconds"))
}

/// A cloud as JavaScript gives it: absent (global), a name, or `{kind, ...}`.
#[cfg(any(feature = "forms", feature = "assertion"))]
pub fn read_cloud(value: JsValue) -> Result<Cloud, Error> {
    if value.is_undefined() || value.is_null() {
        return Ok(Cloud::Global);
    }
    if let Some(name) = value.as_string() {
        return Cloud::from_name(&name);
    }
    let o = Input::object(value, "cloud", "cloud.")?;
    match o.str("kind")?.as_str() {
        "global" => Ok(Cloud::Global),
        "us-government" => Ok(Cloud::UsGovernment),
        "china" => Ok(Cloud::China),
        "custom" => {
            let origin = |key: &str| Origin::parse(&o.str(key)?).map_err(|e| e.at(&o.field(key)));
            Cloud::custom(CloudEndpoints {
                authority_host: origin("authorityHost")?,
                graph_root: origin("graphRoot")?,
                graph_audience: o.str("graphAudience")?.into(),
                arm_host: origin("armHost")?,
                app_configuration_hosts: {
                    // A loop, not `collect::<Result<_, _>>()`: its adapter is about 1 KB of wasm.
                    let mut hosts = Vec::new();
                    for p in o.strings("appConfigurationHosts")? {
                        hosts.push(
                            HostPattern::parse(&p)
                                .map_err(|e| e.at("cloud.appConfigurationHosts"))?,
                        );
                    }
                    hosts.into()
                },
                app_configuration_audience: o.str("appConfigurationAudience")?.into(),
            })
            .map_err(|e| {
                let field = o.field(e.field.as_deref().unwrap_or("kind"));
                e.at(&field)
            })
        }
        _ => Err(Error::field(
            "cloud.kind",
            Code::InvalidFormat,
            "expected global, us-government, china or custom",
        )),
    }
}

#[cfg(all(feature = "tokens", not(feature = "small")))]
thread_local! {
    /// The module's `WebAssembly.Memory`, fetched once (its buffer is read at each use: it
    /// changes when memory grows).
    static MEMORY: JsValue = wasm_bindgen::memory();
}

#[cfg(all(feature = "tokens", feature = "small"))]
/// A response body as JavaScript gives it: the text of `response.text()` or the bytes of
/// `response.arrayBuffer()` (checked as UTF-8). Browser builds copy text the plain way and never
/// slice results out of it (`None`): the speed builds' path (below) is about 1 KB of wasm more.
pub fn body(value: &JsValue) -> Result<(String, Option<bool>), Error> {
    if let Some(text) = value.as_string() {
        return Ok((text, None));
    }
    bytes_body(value)
}

#[cfg(all(feature = "tokens", not(feature = "small")))]
/// A response body as JavaScript gives it: the text of `response.text()` (written into wasm
/// memory by `TextEncoder.encodeInto`, with whether it is ASCII) or the bytes of
/// `response.arrayBuffer()` (checked as UTF-8; `None` for the second).
pub fn body(value: &JsValue) -> Result<(String, Option<bool>), Error> {
    if let Some(units) = js::text_length(value) {
        // ASCII fits in one byte per UTF-16 unit; anything else in three.
        for capacity in [units, units.saturating_mul(3)] {
            // Not zeroed first, and not checked as UTF-8 after: encodeInto writes what the text
            // takes, as UTF-8. Each was a pass over the body like the parse's own (about
            // 0.06 ns a byte); without both, token parsing went from 0.99 to 1.00-1.01 times
            // oauth4webapi in `node bench/micro.mjs` runs (within their spread of about 10 %).
            let mut bytes = Vec::with_capacity(capacity as usize);
            let written = MEMORY
                .with(|memory| js::encode_utf8(value, memory, bytes.as_mut_ptr() as u32, capacity));
            match written {
                Some(n) => {
                    // SAFETY: encodeInto wrote `n <= capacity` bytes at the start of the buffer,
                    // the UTF-8 of a whole JavaScript string (lone surrogates become U+FFFD), so
                    // they are initialized and valid UTF-8.
                    let text = unsafe {
                        bytes.set_len(n as usize);
                        String::from_utf8_unchecked(bytes)
                    };
                    return Ok((text, Some(n == units)));
                }
                // What did not fit may have been written in part.
                None => azconn_core::wipe::bytes(&mut bytes),
            }
        }
    }
    bytes_body(value)
}

#[cfg(feature = "tokens")]
/// A body given as bytes (`response.arrayBuffer()`), checked as UTF-8.
fn bytes_body(value: &JsValue) -> Result<(String, Option<bool>), Error> {
    match js::bytes_of(value) {
        Some(bytes) => utf8(bytes).map(|b| (b, None)),
        None => Err(wrong_type(
            "body".to_owned(),
            Code::InvalidFormat,
            "a string or a Uint8Array",
        )),
    }
}

#[cfg(feature = "tokens")]
/// Body bytes as text; bytes that are not UTF-8 are zeroed and refused.
fn utf8(body: Vec<u8>) -> Result<String, Error> {
    String::from_utf8(body).map_err(|e| {
        azconn_core::wipe::bytes(&mut e.into_bytes());
        Error::field(
            "body",
            Code::MalformedResponse,
            "the response body is not UTF-8",
        )
    })
}

#[cfg(feature = "tokens")]
/// A response from JavaScript: status, headers (pairs, `Headers` or an object), body bytes.
/// The body copy is taken by value so it can be zeroed after parsing.
pub fn response(status: u16, headers: JsValue, body: Vec<u8>) -> Result<HttpResponse, Error> {
    response_text(status, headers, utf8(body)?)
}

#[cfg(feature = "tokens")]
/// [`response`] with a body already read as text (by [`body`]); a refused body is zeroed.
pub fn response_text(
    status: u16,
    headers: JsValue,
    mut body: String,
) -> Result<HttpResponse, Error> {
    let mut pairs = Vec::new();
    if !absent(&headers) {
        let Some(lines) = js::header_lines(&headers) else {
            azconn_core::wipe::string(&mut body);
            return Err(wrong_type(
                "headers".to_owned(),
                Code::InvalidFormat,
                "header name and value pairs",
            ));
        };
        let mut it = lines.split('\n');
        while let (Some(k), Some(v)) = (it.next(), it.next()) {
            pairs.push((k.to_ascii_lowercase(), v.to_owned()));
        }
    }
    Ok(HttpResponse {
        status,
        headers: pairs,
        body,
    })
}
