//! Reading JavaScript inputs without JSON: each property is fetched once and checked, and a
//! value of the wrong type is refused with an error naming its field (`grant.code`, not
//! "invalid input").

use crate::js;
use azconn_core::error::{Code, Error};
use wasm_bindgen::JsValue;

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
    pub fn raw(&self, key: &str) -> JsValue {
        js::prop(&self.value, key)
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
    pub fn str(&self, key: &str) -> Result<String, Error> {
        self.opt_str(key)?
            .ok_or_else(|| wrong_type(self.field(key), Code::Required, "a string"))
    }

    /// A list of strings.
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
    pub fn opt_bytes(&self, key: &str) -> Result<Option<Vec<u8>>, Error> {
        let v = self.raw(key);
        if absent(&v) {
            return Ok(None);
        }
        js::bytes_of(&v)
            .map(Some)
            .ok_or_else(|| wrong_type(self.field(key), Code::InvalidFormat, "a Uint8Array"))
    }

    /// A nested object, or `None` when absent.
    pub fn opt_object(&self, key: &str, path: &'static str) -> Result<Option<Input>, Error> {
        let v = self.raw(key);
        if absent(&v) {
            return Ok(None);
        }
        Input::object(v, &self.field(key), path).map(Some)
    }
}
