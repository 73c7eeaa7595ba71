//! One JSON entry point over the whole core: `call(op, input) -> output`.
//!
//! The golden vectors in `tests/vectors/` name an op and its JSON input; the native tests, the
//! plain-ABI wasm module and the npm package all answer them through this table, so one vector
//! set checks three runtimes. Each arm deserializes its input into the core's typed values (the
//! boundary where parsing happens once) and serializes the typed result.

use crate::cloud::Cloud;
use crate::error::{Code, Error};
use crate::ids::{AuthorityTenant, ClientId, ClientSecret, TenantId};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

mod protocols;

/// Runs operation `op` on `input`.
pub fn call(op: &str, input: Value) -> Result<Value, Error> {
    match op {
        "ids.tenantId" => parse_str(input, |s| TenantId::parse(s).map(|t| json!(t.to_string()))),
        "ids.authorityTenant" => parse_str(input, |s| {
            AuthorityTenant::parse(s).map(|t| json!(t.to_string()))
        }),
        "ids.clientId" => parse_str(input, |s| ClientId::parse(s).map(|c| json!(c.to_string()))),
        "ids.clientSecret" => parse_str(input, |s| ClientSecret::parse(s).map(|_| json!("ok"))),
        "cloud.endpoints" => {
            let cloud: Cloud = from_input(input)?;
            to_output(&cloud.endpoints())
        }
        other if protocols::handles(other) => protocols::call(other, input),
        _ => Err(Error::field(
            "op",
            Code::NotAllowed,
            format!("unknown operation {op:?}"),
        )),
    }
}

/// Deserializes an op's input, reporting the failing path as the field.
pub fn from_input<T: DeserializeOwned>(input: Value) -> Result<T, Error> {
    serde_json::from_value(input)
        .map_err(|e| Error::field("input", Code::InvalidFormat, format!("invalid input: {e}")))
}

pub fn to_output<T: Serialize>(value: &T) -> Result<Value, Error> {
    serde_json::to_value(value).map_err(|e| {
        Error::new(
            Code::MalformedResponse,
            format!("cannot serialize output: {e}"),
        )
    })
}

fn parse_str(input: Value, f: impl FnOnce(&str) -> Result<Value, Error>) -> Result<Value, Error> {
    match input {
        Value::String(s) => f(&s),
        _ => Err(Error::field(
            "input",
            Code::InvalidFormat,
            "expected a JSON string",
        )),
    }
}
