//! Distinguished names as RFC 4514 strings (`CN=app,O=Contoso,C=US`) for the certificate report.
//!
//! The same text as x509-cert's `Display`, without its lookup of every attribute type in
//! const-oid's database of ~750 OIDs (about 85 KB of every wasm module that reports on a
//! certificate). Certificate names use few attribute types, listed here under the shortest name
//! that database gives them, upper-cased. Any other type is written as its dotted OID and the
//! value's DER in hex (`1.2.3=#0c0161`), the form RFC 4514 §2.4 allows for every type.

use der::asn1::{Ia5StringRef, ObjectIdentifier as Oid, PrintableStringRef};
use der::asn1::{TeletexStringRef, Utf8StringRef};
use der::{Encode, Tag, Tagged};
use std::fmt::Write;
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::name::Name;

/// Attribute types of certificate names: X.520 (RFC 4519), RFC 1274 / 4524 and PKCS #9.
const ATTRIBUTE_TYPES: [(Oid, &str); 33] = [
    (Oid::new_unwrap("2.5.4.3"), "CN"),
    (Oid::new_unwrap("2.5.4.4"), "SN"),
    (Oid::new_unwrap("2.5.4.5"), "SERIALNUMBER"),
    (Oid::new_unwrap("2.5.4.6"), "C"),
    (Oid::new_unwrap("2.5.4.7"), "L"),
    (Oid::new_unwrap("2.5.4.8"), "ST"),
    (Oid::new_unwrap("2.5.4.9"), "STREET"),
    (Oid::new_unwrap("2.5.4.10"), "O"),
    (Oid::new_unwrap("2.5.4.11"), "OU"),
    (Oid::new_unwrap("2.5.4.12"), "TITLE"),
    (Oid::new_unwrap("2.5.4.13"), "DESCRIPTION"),
    (Oid::new_unwrap("2.5.4.15"), "BUSINESSCATEGORY"),
    (Oid::new_unwrap("2.5.4.16"), "POSTALADDRESS"),
    (Oid::new_unwrap("2.5.4.17"), "POSTALCODE"),
    (Oid::new_unwrap("2.5.4.18"), "POSTOFFICEBOX"),
    (Oid::new_unwrap("2.5.4.20"), "TELEPHONENUMBER"),
    (Oid::new_unwrap("2.5.4.41"), "NAME"),
    (Oid::new_unwrap("2.5.4.42"), "GIVENNAME"),
    (Oid::new_unwrap("2.5.4.43"), "INITIALS"),
    (Oid::new_unwrap("2.5.4.44"), "GENERATIONQUALIFIER"),
    (Oid::new_unwrap("2.5.4.45"), "X500UNIQUEIDENTIFIER"),
    (Oid::new_unwrap("2.5.4.46"), "DNQUALIFIER"),
    (Oid::new_unwrap("2.5.4.51"), "HOUSEIDENTIFIER"),
    (Oid::new_unwrap("2.5.4.54"), "DMDNAME"),
    (Oid::new_unwrap("2.5.4.65"), "PSEUDONYM"),
    (Oid::new_unwrap("2.5.4.72"), "ID-AT-ROLE"),
    (Oid::new_unwrap("0.9.2342.19200300.100.1.1"), "UID"),
    (Oid::new_unwrap("0.9.2342.19200300.100.1.3"), "MAIL"),
    (Oid::new_unwrap("0.9.2342.19200300.100.1.25"), "DC"),
    (
        Oid::new_unwrap("0.9.2342.19200300.100.1.37"),
        "ASSOCIATEDDOMAIN",
    ),
    (Oid::new_unwrap("0.9.2342.19200300.100.1.43"), "CO"),
    (
        Oid::new_unwrap("0.9.2342.19200300.100.1.44"),
        "UNIQUEIDENTIFIER",
    ),
    (Oid::new_unwrap("1.2.840.113549.1.9.1"), "EMAIL"),
];

/// RFC 4514 §2.1: the relative names last to first, `,` between them, `+` inside one.
pub fn rfc4514(name: &Name) -> String {
    let mut out = String::new();
    for (i, rdn) in name.0.iter().rev().enumerate() {
        if i > 0 {
            out.push(',');
        }
        for (j, atv) in rdn.0.iter().enumerate() {
            if j > 0 {
                out.push('+');
            }
            attribute(&mut out, atv);
        }
    }
    out
}

fn attribute(out: &mut String, atv: &AttributeTypeAndValue) {
    let v = &atv.value;
    let text = match v.tag() {
        Tag::PrintableString => PrintableStringRef::try_from(v).ok().map(|s| s.as_str()),
        Tag::Utf8String => Utf8StringRef::try_from(v).ok().map(|s| s.as_str()),
        Tag::Ia5String => Ia5StringRef::try_from(v).ok().map(|s| s.as_str()),
        Tag::TeletexString => TeletexStringRef::try_from(v).ok().map(|s| s.as_str()),
        _ => None,
    };
    let known = ATTRIBUTE_TYPES.iter().find(|(oid, _)| *oid == atv.oid);
    match (known, text) {
        (Some((_, key)), Some(text)) => {
            out.push_str(key);
            out.push('=');
            escape(out, text);
        }
        // §2.4: an unknown type, or a value that is not a string, as `oid=#` and its DER in hex.
        _ => {
            let _ = write!(out, "{}=#", atv.oid);
            for b in v.to_der().unwrap_or_default() {
                let _ = write!(out, "{b:02x}");
            }
        }
    }
}

/// §2.4: escape a leading `#`, leading and trailing spaces, the special characters, controls.
fn escape(out: &mut String, value: &str) {
    let mut chars = value.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '#' if i == 0 => out.push_str("\\#"),
            ' ' if i == 0 || chars.peek().is_none() => out.push_str("\\ "),
            '"' | '+' | ',' | ';' | '<' | '>' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\x00'..='\x1f' | '\x7f' => {
                let _ = write!(out, "\\{:02x}", c as u8);
            }
            _ => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    /// x509-cert's `Display` (const-oid's database) is the reference for the listed types.
    fn same_as_x509_cert(text: &str) {
        let name = Name::from_str(text).unwrap();
        assert_eq!(rfc4514(&name), name.to_string(), "{text}");
    }

    #[test]
    fn every_listed_type_has_the_database_name() {
        for (oid, key) in ATTRIBUTE_TYPES {
            // UTF8String "a", and a PrintableString with characters to escape.
            same_as_x509_cert(&format!("{oid}=#0c0161"));
            same_as_x509_cert(&format!("{oid}=#1305202b2c2320"));
            let name = Name::from_str(&format!("{oid}=#0c0161")).unwrap();
            assert_eq!(rfc4514(&name), format!("{key}=a"));
        }
    }

    #[test]
    fn order_multi_valued_escapes_and_unknown_types_match_x509_cert() {
        same_as_x509_cert("CN=azconn vector,O=azconn,C=US");
        same_as_x509_cert("CN=a+OU=b,O=c\\,d,DC=example,DC=com");
        same_as_x509_cert("CN=\\#x\\ ,O=q\\\"\\;\\<\\>\\\\");
        // A type outside the list, and a BMPString value of a listed one, as OID and DER hex.
        same_as_x509_cert("1.2.3.4=#0c0161,CN=#1e020041");
        let name = Name::from_str("1.2.3.4=#0c0161,CN=#1e020041").unwrap();
        assert_eq!(rfc4514(&name), "1.2.3.4=#0c0161,2.5.4.3=#1e020041");
        assert_eq!(rfc4514(&Name::default()), "");
    }
}
