//! A request body, bounded: a declared `Content-Length` over [`MAX_BODY_BYTES`] is refused
//! before anything is read, and the bytes actually read are counted as they arrive (a chunked
//! or lying body stops at the bound), so no request makes the Worker hold more than that.

use crate::api_error::ApiError;
use azconn_core::error::{Code, Error};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::cell::RefCell;
use std::fmt;

/// The largest body any route takes: a connection form with a certificate chain and its key,
/// or a sync run with many secrets, fits well below it.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// `413`: the body is over the bound, named in the message.
pub fn too_large() -> ApiError {
    ApiError::new(
        413,
        Error::field(
            "body",
            Code::TooLong,
            format!("the request body is larger than {MAX_BODY_BYTES} bytes"),
        ),
    )
}

/// Refuses a declared length over the bound (an unreadable header is left to the count).
pub fn check_declared(content_length: Option<&str>) -> Result<(), ApiError> {
    match content_length.and_then(|v| v.trim().parse::<u64>().ok()) {
        Some(n) if n > MAX_BODY_BYTES as u64 => Err(too_large()),
        _ => Ok(()),
    }
}

/// The bytes read so far, refusing the chunk that would pass the bound.
#[derive(Default)]
pub struct Body {
    bytes: Vec<u8>,
}

impl Body {
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), ApiError> {
        if self.bytes.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(too_large());
        }
        self.bytes.extend_from_slice(chunk);
        Ok(())
    }

    /// The body as JSON; an empty (or blank) body is the empty object.
    pub fn json(self) -> Result<Value, ApiError> {
        let text = String::from_utf8(self.bytes).map_err(|_| {
            ApiError::from(Error::field(
                "body",
                Code::InvalidFormat,
                "the body is not UTF-8 text",
            ))
        })?;
        if text.trim().is_empty() {
            return Ok(Value::Object(Map::new()));
        }
        let duplicate = RefCell::new(None);
        let mut de = serde_json::Deserializer::from_str(&text);
        let read = Unique {
            path: String::new(),
            duplicate: &duplicate,
        }
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v));
        read.map_err(|e| {
            ApiError::from(match duplicate.into_inner() {
                Some(path) => Error::field(
                    &path,
                    Code::InvalidFormat,
                    format!("`{path}` appears twice in the body"),
                )
                .with_hint("send each member once"),
                None => Error::field(
                    "body",
                    Code::InvalidFormat,
                    format!("the body is not JSON: {e}"),
                ),
            })
        })
    }
}

/// Reads JSON into a `Value`, refusing an object that names a member twice. Parsers disagree
/// on which copy wins (RFC 8259 §4 only says names SHOULD be unique), so a proxy or a log that
/// read the first copy must not see azconn act on the last one.
struct Unique<'a> {
    /// Where this value sits in the body (`secrets.DbPassword`, `adopt[0]`).
    path: String,
    /// The path of the first member found twice.
    duplicate: &'a RefCell<Option<String>>,
}

impl<'a> Unique<'a> {
    fn member(&self, name: &str) -> Unique<'a> {
        let path = if self.path.is_empty() {
            name.to_owned()
        } else {
            format!("{}.{name}", self.path)
        };
        Unique {
            path,
            duplicate: self.duplicate,
        }
    }

    fn item(&self, index: usize) -> Unique<'a> {
        Unique {
            path: format!("{}[{index}]", self.path),
            duplicate: self.duplicate,
        }
    }
}

impl<'de> DeserializeSeed<'de> for Unique<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Unique<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(v.into())
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(v.into())
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(v) = seq.next_element_seed(self.item(items.len()))? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut members = Map::new();
        while let Some(name) = map.next_key::<String>()? {
            let member = self.member(&name);
            if members.contains_key(&name) {
                let path = member.path.clone();
                *self.duplicate.borrow_mut() = Some(path.clone());
                return Err(de::Error::custom(format!("`{path}` appears twice")));
            }
            let value = map.next_value_seed(member)?;
            members.insert(name, value);
        }
        Ok(Value::Object(members))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_declared_length_over_the_bound_is_413_naming_it() {
        assert!(check_declared(None).is_ok());
        assert!(check_declared(Some("1048576")).is_ok());
        assert!(check_declared(Some("not a number")).is_ok());
        let e = check_declared(Some("104857600")).expect_err("too large");
        assert_eq!(e.status, 413);
        assert_eq!(e.error.field.as_deref(), Some("body"));
        assert_eq!(e.error.code, Code::TooLong);
        assert_eq!(
            e.error.message,
            "the request body is larger than 1048576 bytes"
        );
    }

    #[test]
    fn the_bytes_read_are_counted_up_to_the_bound() {
        let mut body = Body::default();
        let chunk = vec![b' '; 64 * 1024];
        for _ in 0..16 {
            body.push(&chunk).expect("within the bound");
        }
        assert_eq!(body.push(b" ").expect_err("over").status, 413);
    }

    #[test]
    fn the_body_reads_as_json_and_blank_is_empty() {
        let mut body = Body::default();
        body.push(br#"{"name":"graph"}"#).expect("push");
        assert_eq!(body.json().expect("json")["name"], "graph");
        assert_eq!(
            Body::default().json().expect("blank"),
            serde_json::json!({})
        );
        let mut bad = Body::default();
        bad.push(b"{").expect("push");
        assert_eq!(
            bad.json().expect_err("not JSON").error.field.as_deref(),
            Some("body")
        );
        let mut binary = Body::default();
        binary.push(&[0xff, 0xfe]).expect("push");
        assert_eq!(
            binary.json().expect_err("not UTF-8").error.code,
            Code::InvalidFormat
        );
    }

    fn read(text: &str) -> Result<Value, ApiError> {
        let mut body = Body::default();
        body.push(text.as_bytes()).expect("push");
        body.json()
    }

    #[test]
    fn every_json_value_reads_as_serde_json_reads_it() {
        let text = r#"{"a":[1,-2,3.5,18446744073709551615,-1e300,"s\u00e9",true,false,null,{}],"b":{"c":[]}}"#;
        let ours = read(text).expect("reads");
        let theirs: Value = serde_json::from_str(text).expect("serde_json");
        assert_eq!(ours, theirs);
        // What follows the value, and values too deep, are refused as serde_json refuses them.
        assert_eq!(
            read(r#"{"a":1} x"#)
                .expect_err("trailing")
                .error
                .field
                .as_deref(),
            Some("body")
        );
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        let e = read(&deep).expect_err("too deep");
        assert_eq!(e.error.field.as_deref(), Some("body"));
        assert!(
            e.error.message.contains("recursion limit"),
            "{}",
            e.error.message
        );
    }

    #[test]
    fn a_member_named_twice_is_refused_naming_its_path() {
        let e = read(r#"{"appId":"a","dryRun":false,"appId":"b"}"#).expect_err("duplicate");
        assert_eq!(e.status, 400);
        assert_eq!(e.error.code, Code::InvalidFormat);
        assert_eq!(e.error.field.as_deref(), Some("appId"));
        assert_eq!(e.error.message, "`appId` appears twice in the body");
        assert_eq!(e.error.hint.as_deref(), Some("send each member once"));
        let nested = read(r#"{"secrets":{"Db":"1","Db":"2"}}"#).expect_err("nested");
        assert_eq!(nested.error.field.as_deref(), Some("secrets.Db"));
        let in_list = read(r#"{"x":[{},{"k":1,"k":1}]}"#).expect_err("in a list");
        assert_eq!(in_list.error.field.as_deref(), Some("x[1].k"));
        // The same name in different objects is no duplicate.
        assert!(read(r#"{"a":{"k":1},"b":{"k":1}}"#).is_ok());
    }
}
