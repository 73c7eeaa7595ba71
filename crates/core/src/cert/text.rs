//! Turning pasted text into DER: PEM blocks (RFC 7468) or bare base64.
//!
//! The PEM reader is deliberately lenient about whitespace (CRLF, re-wrapped lines, indentation
//! from a YAML file) and about text between blocks (`openssl pkcs12` prints "Bag Attributes"
//! there), and strict about what matters: matching BEGIN/END labels and intact base64.

use crate::error::{Code, Error};
use crate::prelude::*;
use crate::text::{cat, decimal};
use crate::{ascii, base64};
use zeroize::Zeroizing;

/// One `-----BEGIN label-----` ... `-----END label-----` block.
pub(crate) struct PemBlock {
    pub label: String,
    /// The block carries RFC 1421 headers (`Proc-Type: 4,ENCRYPTED`: legacy OpenSSL encryption).
    pub has_headers: bool,
    pub der: Zeroizing<Vec<u8>>,
}

/// Does the text look like PEM at all?
pub(crate) fn is_pem(text: &str) -> bool {
    ascii::find(text, BEGIN).is_some()
}

const BEGIN: &str = "-----BEGIN ";
const DASHES: &str = "-----";

/// Every PEM block in `text`, in order. The markers are ASCII, so every offset found is a char
/// boundary; `get` keeps string slicing's panic path out of the build all the same.
pub(crate) fn pem_blocks(text: &str, field: &str) -> Result<Vec<PemBlock>, Error> {
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(start) = ascii::find(rest, BEGIN) {
        let after = rest.get(start + BEGIN.len()..).unwrap_or("");
        let label_end = ascii::find(after, DASHES).ok_or_else(|| damaged(field))?;
        let label = after.get(..label_end).unwrap_or("");
        if label.len() > 64
            || !label
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b == b' ' || b.is_ascii_digit())
        {
            return Err(damaged(field));
        }
        let body_and_rest = after.get(label_end + DASHES.len()..).unwrap_or("");
        let end_marker = cat(&["-----END ", label, DASHES]);
        let body_end = ascii::find(body_and_rest, &end_marker).ok_or_else(|| {
            Error::field(
                field,
                Code::InvalidFormat,
                cat(&[
                    "the PEM block BEGIN ",
                    label,
                    " has no matching END ",
                    label,
                    " line",
                ]),
            )
            .with_hint("the paste looks truncated: copy the whole file, including the END line")
        })?;
        let body = body_and_rest.get(..body_end).unwrap_or("");
        // RFC 1421 header lines (`Name: value`) are set aside; the rest is base64 and blanks.
        let mut has_headers = false;
        let mut b64 = Zeroizing::new(String::new());
        for line in body.split('\n') {
            if line.bytes().any(|b| b == b':') {
                has_headers = true;
            } else {
                b64.extend(line.chars().filter(|c| !c.is_whitespace()));
            }
        }
        let der = decode_base64(&b64, field).map_err(|_| {
            Error::field(
                field,
                Code::InvalidFormat,
                cat(&["the base64 inside the BEGIN ", label, " block is damaged"]),
            )
            .with_hint("copy the file again without editing it")
        })?;
        blocks.push(PemBlock {
            label: label.to_owned(),
            has_headers,
            der,
        });
        rest = body_and_rest
            .get(body_end + end_marker.len()..)
            .unwrap_or("");
    }
    Ok(blocks)
}

fn damaged(field: &str) -> Error {
    Error::field(field, Code::InvalidFormat, "the PEM BEGIN line is damaged")
        .with_hint("it must read like -----BEGIN CERTIFICATE-----")
}

/// Bare base64 (standard or URL-safe alphabet, padding optional, whitespace ignored).
pub(crate) fn decode_base64(text: &str, field: &str) -> Result<Zeroizing<Vec<u8>>, Error> {
    let compact: Zeroizing<String> =
        Zeroizing::new(text.chars().filter(|c| !c.is_whitespace()).collect());
    let truncated = compact.trim_end_matches('=').len() % 4 == 1;
    base64::decode_either(&compact)
        .map(Zeroizing::new)
        .ok_or_else(|| {
            let what = if truncated {
                "the base64 text is truncated"
            } else {
                "the text is neither PEM nor valid base64"
            };
            Error::field(field, Code::InvalidFormat, what).with_hint(
                "paste the PEM file (with its BEGIN/END lines) or the base64 of the DER file",
            )
        })
}

/// Enforces a size limit on pasted text before any parsing.
pub(crate) fn check_size(text: &str, field: &str, max: usize) -> Result<(), Error> {
    if text.len() > max {
        return Err(too_long(field, "value", text.len(), max, "characters"));
    }
    Ok(())
}

/// `too-long` on `field`: "the {what} is {len} {unit}; at most {max} are accepted".
pub(crate) fn too_long(field: &str, what: &str, len: usize, max: usize, unit: &str) -> Error {
    Error::field(
        field,
        Code::TooLong,
        cat(&[
            "the ",
            what,
            " is ",
            &decimal(len as u64),
            " ",
            unit,
            "; at most ",
            &decimal(max as u64),
            " are accepted",
        ]),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_blocks_with_crlf_and_text_between() {
        let text = "Bag Attributes\r\n-----BEGIN CERTIFICATE-----\r\nAQID\r\nBA==\r\n-----END CERTIFICATE-----\r\njunk\n-----BEGIN X-----\n  AAE=\n-----END X-----\n";
        let blocks = pem_blocks(text, "certificate").unwrap();
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[0].label, "CERTIFICATE");
        assert_eq!(&blocks[0].der[..], &[1, 2, 3, 4]);
        assert_eq!(blocks[1].label, "X");
        assert_eq!(&blocks[1].der[..], &[0, 1]);
        assert!(!blocks[0].has_headers);
    }

    #[test]
    fn missing_end_is_reported_as_truncated() {
        let e = pem_blocks("-----BEGIN CERTIFICATE-----\nAQID", "certificate")
            .err()
            .unwrap();
        assert_eq!(e.code, Code::InvalidFormat);
        assert_eq!(e.field.as_deref(), Some("certificate"));
        assert!(e.message.contains("no matching END CERTIFICATE"));
    }

    #[test]
    fn headers_are_detected() {
        let text = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAQID\n-----END RSA PRIVATE KEY-----";
        let blocks = pem_blocks(text, "privateKey").unwrap();
        assert!(blocks[0].has_headers);
        assert_eq!(&blocks[0].der[..], &[1, 2, 3]);
    }

    #[test]
    fn base64_alphabets_and_truncation() {
        assert_eq!(&decode_base64("+/8=", "f").unwrap()[..], &[0xfb, 0xff]);
        assert_eq!(&decode_base64("-_8", "f").unwrap()[..], &[0xfb, 0xff]);
        let e = decode_base64("AQIDB", "pfx").err().unwrap();
        assert_eq!(e.message, "the base64 text is truncated");
        let e = decode_base64("not base64!", "pfx").err().unwrap();
        assert_eq!(e.message, "the text is neither PEM nor valid base64");
    }
}
