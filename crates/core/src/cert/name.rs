//! Distinguished names as RFC 4514 strings (`CN=app,O=Contoso,C=US`) for the certificate report.
//!
//! The same text as x509-cert's `Display`, without its lookup of every attribute type in
//! const-oid's database of ~750 OIDs (about 85 KB of every wasm module that reports on a
//! certificate). Certificate names use few attribute types, listed here under the shortest name
//! that database gives them, upper-cased. Any other type is written as its dotted OID and the
//! value's DER in hex (`1.2.3=#0c0161`), the form RFC 4514 §2.4 allows for every type.

use super::der::{self, Reader};
use crate::prelude::*;

/// Attribute types of certificate names: X.520 (RFC 4519), RFC 1274 / 4524 and PKCS #9.
const ATTRIBUTE_TYPES: [(&str, &str); 33] = [
    ("2.5.4.3", "CN"),
    ("2.5.4.4", "SN"),
    ("2.5.4.5", "SERIALNUMBER"),
    ("2.5.4.6", "C"),
    ("2.5.4.7", "L"),
    ("2.5.4.8", "ST"),
    ("2.5.4.9", "STREET"),
    ("2.5.4.10", "O"),
    ("2.5.4.11", "OU"),
    ("2.5.4.12", "TITLE"),
    ("2.5.4.13", "DESCRIPTION"),
    ("2.5.4.15", "BUSINESSCATEGORY"),
    ("2.5.4.16", "POSTALADDRESS"),
    ("2.5.4.17", "POSTALCODE"),
    ("2.5.4.18", "POSTOFFICEBOX"),
    ("2.5.4.20", "TELEPHONENUMBER"),
    ("2.5.4.41", "NAME"),
    ("2.5.4.42", "GIVENNAME"),
    ("2.5.4.43", "INITIALS"),
    ("2.5.4.44", "GENERATIONQUALIFIER"),
    ("2.5.4.45", "X500UNIQUEIDENTIFIER"),
    ("2.5.4.46", "DNQUALIFIER"),
    ("2.5.4.51", "HOUSEIDENTIFIER"),
    ("2.5.4.54", "DMDNAME"),
    ("2.5.4.65", "PSEUDONYM"),
    ("2.5.4.72", "ID-AT-ROLE"),
    ("0.9.2342.19200300.100.1.1", "UID"),
    ("0.9.2342.19200300.100.1.3", "MAIL"),
    ("0.9.2342.19200300.100.1.25", "DC"),
    ("0.9.2342.19200300.100.1.37", "ASSOCIATEDDOMAIN"),
    ("0.9.2342.19200300.100.1.43", "CO"),
    ("0.9.2342.19200300.100.1.44", "UNIQUEIDENTIFIER"),
    ("1.2.840.113549.1.9.1", "EMAIL"),
];

/// RFC 4514 §2.1: the relative names last to first, `,` between them, `+` inside one.
/// `name` is the contents of a Name SEQUENCE already checked by the certificate parser.
pub fn rfc4514(name: &[u8]) -> String {
    let mut rdns = Vec::new();
    let mut r = Reader::new(name);
    while let Ok(set) = r.read(der::SET) {
        rdns.push(set);
    }
    let mut out = String::new();
    for (i, rdn) in rdns.iter().rev().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let mut atvs = Reader::new(rdn);
        let mut j = 0;
        while let Ok(mut atv) = atvs.sequence() {
            if j > 0 {
                out.push('+');
            }
            j += 1;
            if let (Ok(oid), Ok(value)) = (atv.read(der::OID), atv.any()) {
                attribute(&mut out, oid, value);
            }
        }
    }
    out
}

fn attribute(out: &mut String, oid: &[u8], value: der::Tlv<'_>) {
    let oid = der::oid_text(oid);
    let bytes = value.value;
    let text = match value.tag {
        der::PRINTABLE_STRING if bytes.iter().all(|&b| printable(b)) => {
            core::str::from_utf8(bytes).ok()
        }
        der::UTF8_STRING => core::str::from_utf8(bytes).ok(),
        der::IA5_STRING | der::TELETEX_STRING if bytes.is_ascii() => {
            core::str::from_utf8(bytes).ok()
        }
        _ => None,
    };
    let known = ATTRIBUTE_TYPES.iter().find(|(dotted, _)| *dotted == oid);
    match (known, text) {
        (Some((_, key)), Some(text)) => {
            out.push_str(key);
            out.push('=');
            escape(out, text);
        }
        // §2.4: an unknown type, or a value that is not a string, as `oid=#` and its DER in hex.
        _ => {
            out.push_str(&oid);
            out.push_str("=#");
            for &b in value.raw {
                push_hex(out, b);
            }
        }
    }
}

/// Two lower-case hex digits, without the formatting machinery.
fn push_hex(out: &mut String, b: u8) {
    for nibble in [b >> 4, b & 0x0f] {
        out.push(char::from_digit(u32::from(nibble), 16).unwrap_or('0'));
    }
}

/// X.680 §41.4: PrintableString's characters.
fn printable(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b" '()+,-./:=?".contains(&b)
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
                out.push('\\');
                push_hex(out, c as u8);
            }
            _ => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ::der::Encode;
    use core::str::FromStr;
    use x509_cert::name::Name;

    /// The contents of `name`'s SEQUENCE, what [`rfc4514`] reads.
    fn contents(name: &Name) -> Vec<u8> {
        let der = name.to_der().unwrap();
        der::whole(&der, der::SEQUENCE).unwrap().to_vec()
    }

    /// x509-cert's `Display` (const-oid's database) is the reference for the listed types.
    fn same_as_x509_cert(text: &str) {
        let name = Name::from_str(text).unwrap();
        assert_eq!(rfc4514(&contents(&name)), name.to_string(), "{text}");
    }

    #[test]
    fn every_listed_type_has_the_database_name() {
        for (oid, key) in ATTRIBUTE_TYPES {
            // UTF8String "a", and a PrintableString with characters to escape.
            same_as_x509_cert(&format!("{oid}=#0c0161"));
            same_as_x509_cert(&format!("{oid}=#1305202b2c2320"));
            let name = Name::from_str(&format!("{oid}=#0c0161")).unwrap();
            assert_eq!(rfc4514(&contents(&name)), format!("{key}=a"));
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
        assert_eq!(
            rfc4514(&contents(&name)),
            "1.2.3.4=#0c0161,2.5.4.3=#1e020041"
        );
        assert_eq!(rfc4514(&[]), "");
    }

    #[test]
    fn control_characters_are_escaped_as_two_hex_digits() {
        let mut out = String::new();
        escape(&mut out, "a\x01b\x1f\x7f");
        assert_eq!(out, "a\\01b\\1f\\7f");
        // A UTF8String "\x0a" under CN, and under an unlisted type as DER hex (lower case).
        let name = Name::from_str("CN=#0c010a,1.2.3.4=#0c01fe").unwrap();
        assert_eq!(rfc4514(&contents(&name)), "CN=\\0a,1.2.3.4=#0c01fe");
    }
}
