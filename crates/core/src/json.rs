//! A small strict JSON reader (RFC 8259) for the bodies the browser path parses: token and
//! Entra error responses and JWT payloads. serde_json would pull float parsing and formatting
//! into every browser build for fields that are only ever strings and integers; this reader
//! keeps numbers as their source text and converts integers on request. Strings without
//! escapes borrow from the text (no copy of a token that the caller then zeroes with the body).
//!
//! Strict: one value, no trailing data, no duplicate keys in an object, no control characters
//! in strings, unpaired surrogates refused, nesting bounded.

use crate::ascii;
use crate::prelude::*;
use alloc::borrow::Cow;

/// A parsed JSON value, borrowing from the text it was read from. Objects keep their members
/// in document order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Json<'a> {
    Null,
    Bool(bool),
    /// The number's text as written, already checked against the JSON grammar.
    Number(&'a str),
    String(Cow<'a, str>),
    Array(Vec<Json<'a>>),
    Object(Vec<(Cow<'a, str>, Json<'a>)>),
}

/// Why a text is not JSON (callers turn it into their own typed error).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotJson;

/// Deeper nesting than this is refused rather than risking the stack.
const MAX_DEPTH: usize = 64;

impl<'a> Json<'a> {
    /// Parses `text` as exactly one JSON value (surrounding whitespace allowed).
    pub fn parse(text: &'a str) -> Result<Json<'a>, NotJson> {
        let mut r = Reader {
            t: text,
            s: text.as_bytes(),
            i: 0,
        };
        let v = r.value(0)?;
        r.ws();
        if r.i == r.s.len() {
            Ok(v)
        } else {
            Err(NotJson)
        }
    }

    /// Parses UTF-8 bytes as JSON.
    pub fn parse_bytes(bytes: &'a [u8]) -> Result<Json<'a>, NotJson> {
        Json::parse(core::str::from_utf8(bytes).map_err(|_| NotJson)?)
    }

    /// The member `key` of an object (`None` for a missing key or a non-object).
    pub fn get(&self, key: &str) -> Option<&Json<'a>> {
        match self {
            Json::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn is_object(&self) -> bool {
        matches!(self, Json::Object(_))
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    /// A non-negative integer written without fraction or exponent, if it fits in `u64`.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Json::Number(n) => crate::text::parse_u64(n),
            _ => None,
        }
    }
}

struct Reader<'a> {
    t: &'a str,
    s: &'a [u8],
    i: usize,
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn eat(&mut self, b: u8) -> Result<(), NotJson> {
        if self.peek() == Some(b) {
            self.i += 1;
            Ok(())
        } else {
            Err(NotJson)
        }
    }

    /// The text from `start` to the current position. Callers stop only at ASCII bytes or at
    /// the end, so this is a char boundary; anything else is refused, never a panic.
    fn since(&self, start: usize) -> Result<&'a str, NotJson> {
        self.t.get(start..self.i).ok_or(NotJson)
    }

    fn literal(&mut self, word: &[u8], value: Json<'a>) -> Result<Json<'a>, NotJson> {
        if self.s.get(self.i..self.i + word.len()) == Some(word) {
            self.i += word.len();
            Ok(value)
        } else {
            Err(NotJson)
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json<'a>, NotJson> {
        if depth > MAX_DEPTH {
            return Err(NotJson);
        }
        self.ws();
        match self.peek().ok_or(NotJson)? {
            b'{' => self.object(depth),
            b'[' => self.array(depth),
            b'"' => self.string().map(Json::String),
            b't' => self.literal(b"true", Json::Bool(true)),
            b'f' => self.literal(b"false", Json::Bool(false)),
            b'n' => self.literal(b"null", Json::Null),
            _ => self.number(),
        }
    }

    fn object(&mut self, depth: usize) -> Result<Json<'a>, NotJson> {
        self.eat(b'{')?;
        self.ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
            return Ok(Json::Object(Vec::new()));
        }
        // Token and error bodies have up to eight members: one allocation, no regrowth.
        let mut members: Vec<(Cow<'a, str>, Json<'a>)> = Vec::with_capacity(8);
        loop {
            self.ws();
            let key = self.string()?;
            if members.iter().any(|(k, _)| *k == key) {
                return Err(NotJson);
            }
            self.ws();
            self.eat(b':')?;
            let value = self.value(depth + 1)?;
            members.push((key, value));
            self.ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return Ok(Json::Object(members));
                }
                _ => return Err(NotJson),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Json<'a>, NotJson> {
        self.eat(b'[')?;
        let mut items = Vec::new();
        self.ws();
        if self.peek() == Some(b']') {
            self.i += 1;
            return Ok(Json::Array(items));
        }
        loop {
            items.push(self.value(depth + 1)?);
            self.ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return Ok(Json::Array(items));
                }
                _ => return Err(NotJson),
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> Result<Json<'a>, NotJson> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek() {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(NotJson),
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return Err(NotJson);
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if self.digits() == 0 {
                return Err(NotJson);
            }
        }
        self.since(start).map(Json::Number)
    }

    fn hex4(&mut self) -> Result<u32, NotJson> {
        let mut v = 0;
        for _ in 0..4 {
            let d = match self.peek().ok_or(NotJson)? {
                c @ b'0'..=b'9' => c - b'0',
                c @ b'a'..=b'f' => c - b'a' + 10,
                c @ b'A'..=b'F' => c - b'A' + 10,
                _ => return Err(NotJson),
            };
            v = v * 16 + u32::from(d);
            self.i += 1;
        }
        Ok(v)
    }

    /// A string: borrowed from the text when it has no escapes, decoded into a copy otherwise.
    fn string(&mut self) -> Result<Cow<'a, str>, NotJson> {
        self.eat(b'"')?;
        let mut out: Option<String> = None;
        loop {
            let start = self.i;
            self.i = ascii::json_string_run(self.s, start);
            let run = self.since(start)?;
            match self.peek().ok_or(NotJson)? {
                b'"' => {
                    self.i += 1;
                    return Ok(match out {
                        None => Cow::Borrowed(run),
                        Some(mut o) => {
                            o.push_str(run);
                            Cow::Owned(o)
                        }
                    });
                }
                b'\\' => {
                    self.i += 1;
                    let c = self.peek().ok_or(NotJson)?;
                    self.i += 1;
                    let ch = match c {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.escaped_char()?,
                        _ => return Err(NotJson),
                    };
                    let o = out.get_or_insert_with(String::new);
                    o.push_str(run);
                    o.push(ch);
                }
                _ => return Err(NotJson),
            }
        }
    }

    /// The `XXXX` of `\uXXXX` (already past `\u`), with a following low surrogate if needed.
    fn escaped_char(&mut self) -> Result<char, NotJson> {
        let hi = self.hex4()?;
        let code = match hi {
            0xD800..=0xDBFF => {
                self.eat(b'\\')?;
                self.eat(b'u')?;
                let lo = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&lo) {
                    return Err(NotJson);
                }
                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
            }
            0xDC00..=0xDFFF => return Err(NotJson),
            c => c,
        };
        char::from_u32(code).ok_or(NotJson)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_values() {
        let v = Json::parse(
            r#" {"a": "x\"\u00e9\ud83d\ude00", "n": 3599, "f": -1.5e3, "l": [true, false, null], "o": {}} "#,
        )
        .unwrap();
        assert_eq!(v.get("a").and_then(Json::as_str), Some("x\"é😀"));
        assert_eq!(v.get("n").and_then(Json::as_u64), Some(3599));
        assert_eq!(v.get("f").and_then(Json::as_u64), None);
        assert_eq!(
            v.get("l"),
            Some(&Json::Array(vec![
                Json::Bool(true),
                Json::Bool(false),
                Json::Null
            ]))
        );
        assert!(v.get("o").unwrap().is_object());
        assert_eq!(v.get("missing"), None);
    }

    #[test]
    fn refuses_what_is_not_strict_json() {
        for bad in [
            "",
            "{",
            "{}x",
            "{\"a\":1,}",
            "[1,]",
            "{\"a\":1,\"a\":2}",
            "01",
            "1.",
            "-",
            "1e",
            "\"\u{1}\"",
            "\"\\x\"",
            "\"\\ud800\"",
            "\"\\udc00\"",
            "\"\\ud800\\u0041\"",
            "tru",
            "{a:1}",
            "'a'",
            "NaN",
            "<html>",
        ] {
            assert_eq!(Json::parse(bad), Err(NotJson), "{bad:?}");
        }
        let deep = "[".repeat(MAX_DEPTH + 2) + &"]".repeat(MAX_DEPTH + 2);
        assert_eq!(Json::parse(&deep), Err(NotJson));
        let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(Json::parse(&ok).is_ok());
        assert_eq!(Json::parse_bytes(b"\"\xff\""), Err(NotJson));
    }

    #[test]
    fn agrees_with_serde_json_on_accepting() {
        for text in [
            r#"{"token_type":"Bearer","expires_in":"3599"}"#,
            r#"[1, -0, 0.5, 1E+2, "\/\b\f\n\r\t"]"#,
            "  null ",
            r#"{"":{"":[]}}"#,
        ] {
            assert!(Json::parse(text).is_ok(), "{text}");
            assert!(serde_json::from_str::<serde_json::Value>(text).is_ok());
        }
    }
}
