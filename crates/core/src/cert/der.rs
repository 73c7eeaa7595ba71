//! A strict DER reader (X.690 §8, §10) for the few structures a certificate credential holds.
//!
//! Generic ASN.1 decoders monomorphize a decoder per structure, and their error and OID
//! machinery was most of the certificate module's size; certificates, keys and PFX files need
//! only tag-length-value reading. Strict: definite, minimally encoded lengths, low tag numbers,
//! minimal INTEGERs, no trailing bytes, so one byte string has one reading.

use crate::prelude::*;
use crate::text::decimal;

pub(crate) const INTEGER: u8 = 0x02;
pub(crate) const BIT_STRING: u8 = 0x03;
pub(crate) const OCTET_STRING: u8 = 0x04;
pub(crate) const NULL: u8 = 0x05;
pub(crate) const OID: u8 = 0x06;
pub(crate) const UTF8_STRING: u8 = 0x0c;
pub(crate) const PRINTABLE_STRING: u8 = 0x13;
pub(crate) const TELETEX_STRING: u8 = 0x14;
pub(crate) const IA5_STRING: u8 = 0x16;
pub(crate) const UTC_TIME: u8 = 0x17;
pub(crate) const GENERALIZED_TIME: u8 = 0x18;
pub(crate) const SEQUENCE: u8 = 0x30;
pub(crate) const SET: u8 = 0x31;

/// `[n]` constructed (EXPLICIT, or IMPLICIT over a constructed type).
pub(crate) const fn context(n: u8) -> u8 {
    0xa0 | n
}

/// `[n]` primitive (IMPLICIT over a primitive type).
pub(crate) const fn context_primitive(n: u8) -> u8 {
    0x80 | n
}

/// Why bytes are not the expected DER.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DerError {
    /// The input ends inside an element: a cut-off paste or download.
    Truncated,
    /// Anything else: wrong tag, bad length, trailing bytes, bad value.
    Malformed,
}

pub(crate) type Result<T> = core::result::Result<T, DerError>;

/// One element: its tag, its contents and its whole encoding.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tlv<'a> {
    pub tag: u8,
    pub value: &'a [u8],
    pub raw: &'a [u8],
}

/// Reads consecutive elements from the contents of a constructed element.
#[derive(Debug, Clone)]
pub(crate) struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    pub fn new(data: &'a [u8]) -> Reader<'a> {
        Reader { data }
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    pub fn peek_tag(&self) -> Option<u8> {
        self.data.first().copied()
    }

    /// The next element, whatever its tag.
    pub fn any(&mut self) -> Result<Tlv<'a>> {
        let (&tag, rest) = self.data.split_first().ok_or(DerError::Truncated)?;
        // High tag numbers (0x1f) never occur in the structures read here.
        if tag & 0x1f == 0x1f {
            return Err(DerError::Malformed);
        }
        let (&first, mut rest) = rest.split_first().ok_or(DerError::Truncated)?;
        let len = match first {
            0..=0x7f => usize::from(first),
            0x81..=0x84 => {
                let n = usize::from(first & 0x7f);
                if rest.len() < n {
                    return Err(DerError::Truncated);
                }
                let (bytes, after) = rest.split_at(n);
                rest = after;
                // Minimal: no leading zero byte, and the long form only from 128 on.
                if bytes[0] == 0 || (n == 1 && bytes[0] < 0x80) {
                    return Err(DerError::Malformed);
                }
                bytes.iter().fold(0usize, |a, &b| (a << 8) | usize::from(b))
            }
            // 0x80 is BER's indefinite length; longer lengths cannot fit a pasted credential.
            _ => return Err(DerError::Malformed),
        };
        if rest.len() < len {
            return Err(DerError::Truncated);
        }
        let header = self.data.len() - rest.len();
        let raw = &self.data[..header + len];
        self.data = &rest[len..];
        Ok(Tlv {
            tag,
            value: &raw[header..],
            raw,
        })
    }

    /// The next element's contents; it must have tag `tag`.
    pub fn read(&mut self, tag: u8) -> Result<&'a [u8]> {
        match self.peek_tag() {
            None => Err(DerError::Truncated),
            Some(t) if t != tag => Err(DerError::Malformed),
            Some(_) => self.any().map(|t| t.value),
        }
    }

    /// The next element's contents if it has tag `tag` (an OPTIONAL or DEFAULT field).
    pub fn optional(&mut self, tag: u8) -> Result<Option<&'a [u8]>> {
        if self.peek_tag() == Some(tag) {
            self.read(tag).map(Some)
        } else {
            Ok(None)
        }
    }

    /// A SEQUENCE, as a reader over its elements.
    pub fn sequence(&mut self) -> Result<Reader<'a>> {
        self.read(SEQUENCE).map(Reader::new)
    }

    /// Nothing may follow the last expected element.
    pub fn finish(&self) -> Result<()> {
        if self.data.is_empty() {
            Ok(())
        } else {
            Err(DerError::Malformed)
        }
    }
}

/// The one element with tag `tag` that is the whole of `der`.
pub(crate) fn whole(der: &[u8], tag: u8) -> Result<&[u8]> {
    let mut r = Reader::new(der);
    let value = r.read(tag)?;
    r.finish()?;
    Ok(value)
}

/// The one SEQUENCE that is the whole of `der`, as a reader over its elements.
pub(crate) fn sequence(der: &[u8]) -> Result<Reader<'_>> {
    whole(der, SEQUENCE).map(Reader::new)
}

/// An INTEGER's contents, checked to be minimally encoded (X.690 §8.3.2).
pub(crate) fn integer(value: &[u8]) -> Result<&[u8]> {
    match value {
        [] => Err(DerError::Malformed),
        [0x00, b, ..] if b & 0x80 == 0 => Err(DerError::Malformed),
        [0xff, b, ..] if b & 0x80 != 0 => Err(DerError::Malformed),
        _ => Ok(value),
    }
}

/// A non-negative INTEGER as its big-endian magnitude, without leading zeros.
pub(crate) fn unsigned(value: &[u8]) -> Result<&[u8]> {
    let value = integer(value)?;
    if value[0] & 0x80 != 0 {
        return Err(DerError::Malformed);
    }
    let first = value.iter().position(|&b| b != 0).unwrap_or(value.len());
    Ok(&value[first..])
}

/// A non-negative INTEGER that fits in a `u32`.
pub(crate) fn small_unsigned(value: &[u8]) -> Result<u32> {
    let magnitude = unsigned(value)?;
    if magnitude.len() > 4 {
        return Err(DerError::Malformed);
    }
    Ok(magnitude.iter().fold(0, |a, &b| (a << 8) | u32::from(b)))
}

/// A BIT STRING's octets; the structures read here never have unused bits.
pub(crate) fn bit_string(value: &[u8]) -> Result<&[u8]> {
    match value.split_first() {
        Some((0, octets)) => Ok(octets),
        _ => Err(DerError::Malformed),
    }
}

/// Checks an OBJECT IDENTIFIER's contents (X.690 §8.19): minimal sub-identifiers, none cut off.
pub(crate) fn check_oid(value: &[u8]) -> Result<()> {
    let mut at_start = true;
    for &b in value {
        if at_start && b == 0x80 {
            return Err(DerError::Malformed);
        }
        at_start = b & 0x80 == 0;
    }
    if value.is_empty() || !at_start {
        return Err(DerError::Malformed);
    }
    Ok(())
}

/// An OBJECT IDENTIFIER in dotted form (`1.2.840.113549.1.1.1`); the contents must be checked.
pub(crate) fn oid_text(value: &[u8]) -> String {
    let mut out = String::new();
    let mut arc: u64 = 0;
    let mut first = true;
    for &b in value {
        arc = (arc << 7) | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            if first {
                let (top, second) = match arc {
                    0..=39 => (0, arc),
                    40..=79 => (1, arc - 40),
                    _ => (2, arc - 80),
                };
                out.push_str(&decimal(top));
                out.push('.');
                out.push_str(&decimal(second));
                first = false;
            } else {
                out.push('.');
                out.push_str(&decimal(arc));
            }
            arc = 0;
        }
    }
    out
}

/// An AlgorithmIdentifier (RFC 5280 §4.1.1.2): its checked OID contents and its parameters.
pub(crate) fn algorithm<'a>(value: &'a [u8]) -> Result<(&'a [u8], Option<Tlv<'a>>)> {
    let mut r = Reader::new(value);
    let oid = r.read(OID)?;
    check_oid(oid)?;
    let params = if r.is_empty() { None } else { Some(r.any()?) };
    r.finish()?;
    Ok((oid, params))
}

/// DER length octets for `len` contents bytes.
fn push_length(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let first = bytes
            .iter()
            .position(|&b| b != 0)
            .unwrap_or(bytes.len() - 1);
        out.push(0x80 | (bytes.len() - first) as u8);
        out.extend_from_slice(&bytes[first..]);
    }
}

/// Appends one element with tag `tag` and contents `value`.
pub(crate) fn push_element(out: &mut Vec<u8>, tag: u8, value: &[u8]) {
    out.push(tag);
    push_length(out, value.len());
    out.extend_from_slice(value);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_short_and_long_lengths() {
        let mut long = vec![0x04, 0x81, 0x80];
        long.extend([7u8; 0x80]);
        assert_eq!(whole(&long, OCTET_STRING).unwrap().len(), 0x80);
        let mut r = Reader::new(&[0x02, 0x01, 0x05, 0x05, 0x00]);
        assert_eq!(r.read(INTEGER).unwrap(), &[5]);
        assert_eq!(r.optional(OID).unwrap(), None);
        let null = r.any().unwrap();
        assert_eq!(
            (null.tag, null.value, null.raw),
            (NULL, &[][..], &[5, 0][..])
        );
        assert!(r.is_empty());
    }

    #[test]
    fn truncated_input_is_truncated() {
        for der in [
            &[][..],
            &[0x30],
            &[0x30, 0x03, 0x02, 0x01],
            &[0x30, 0x82, 0x01],
            &[0x04, 0x81],
        ] {
            assert_eq!(
                whole(der, der.first().copied().unwrap_or(0x30)),
                Err(DerError::Truncated),
                "{der:?}"
            );
        }
    }

    #[test]
    fn wrong_tags_overlong_lengths_and_trailing_bytes_are_malformed() {
        let cases: [(&[u8], u8); 7] = [
            (&[0x31, 0x00], SEQUENCE),
            (&[0x30, 0x00, 0x00], SEQUENCE),
            (&[0x30, 0x81, 0x05, 0, 0, 0, 0, 0], SEQUENCE),
            (&[0x30, 0x82, 0x00, 0x80], SEQUENCE),
            (&[0x30, 0x80, 0x00, 0x00], SEQUENCE),
            (&[0x30, 0x85, 1, 1, 1, 1, 1], SEQUENCE),
            (&[0x1f, 0x22, 0x00], 0x1f),
        ];
        for (der, tag) in cases {
            assert_eq!(whole(der, tag), Err(DerError::Malformed), "{der:?}");
        }
    }

    #[test]
    fn integers_must_be_minimal() {
        assert_eq!(unsigned(&[0x00, 0x80]).unwrap(), &[0x80]);
        assert_eq!(unsigned(&[0x00]).unwrap(), &[] as &[u8]);
        assert_eq!(small_unsigned(&[0x08, 0x00]).unwrap(), 2048);
        for bad in [
            &[][..],
            &[0x00, 0x7f],
            &[0xff, 0x80],
            &[0x80],
            &[1, 0, 0, 0, 0],
        ] {
            assert!(small_unsigned(bad).is_err(), "{bad:?}");
        }
        assert!(integer(&[0xff, 0x7f]).is_ok());
    }

    #[test]
    fn oids_and_bit_strings() {
        let rsa = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
        assert!(check_oid(&rsa).is_ok());
        assert_eq!(oid_text(&rsa), "1.2.840.113549.1.1.1");
        assert_eq!(oid_text(&[0x55, 0x04, 0x03]), "2.5.4.3");
        assert_eq!(oid_text(&[0x09, 0x92, 0x26]), "0.9.2342");
        assert_eq!(oid_text(&[0x88, 0x37, 0x03]), "2.999.3");
        for bad in [&[][..], &[0x2a, 0x86], &[0x2a, 0x80, 0x01]] {
            assert!(check_oid(bad).is_err(), "{bad:?}");
        }
        assert_eq!(bit_string(&[0, 1, 2]).unwrap(), &[1, 2]);
        assert!(bit_string(&[1, 0xfe]).is_err());
        assert!(bit_string(&[]).is_err());
    }

    #[test]
    fn writes_what_it_reads() {
        for len in [0usize, 1, 127, 128, 255, 256, 70_000] {
            let mut out = Vec::new();
            push_element(&mut out, OCTET_STRING, &vec![9u8; len]);
            assert_eq!(whole(&out, OCTET_STRING).unwrap().len(), len);
        }
    }
}
