//! The parts of an X.509 certificate (RFC 5280 §4.1) the credential report and the key match
//! need, read with the strict DER reader: every field is checked for shape, only these kept.

use super::der::{self, DerError, Reader, Result};
use crate::datetime;

/// A certificate's reported fields, borrowing from its DER.
pub(crate) struct Certificate<'a> {
    /// The INTEGER contents (two's complement, as encoded).
    pub serial: &'a [u8],
    /// The Name SEQUENCE contents.
    pub issuer: &'a [u8],
    pub subject: &'a [u8],
    pub not_before: i64,
    pub not_after: i64,
    /// The SubjectPublicKeyInfo algorithm OID contents and the key's BIT STRING octets.
    pub key_algorithm: &'a [u8],
    pub public_key: &'a [u8],
}

/// Parses a whole certificate.
pub(crate) fn parse(der: &[u8]) -> Result<Certificate<'_>> {
    let mut outer = der::sequence(der)?;
    let tbs = outer.read(der::SEQUENCE)?;
    let (_, _) = der::algorithm(outer.read(der::SEQUENCE)?)?;
    der::bit_string(outer.read(der::BIT_STRING)?)?;
    outer.finish()?;

    let mut t = Reader::new(tbs);
    if let Some(version) = t.optional(der::context(0))? {
        let v = der::small_unsigned(der::whole(version, der::INTEGER)?)?;
        // v2 and v3 only: DER leaves the v1 default out.
        if !(1..=2).contains(&v) {
            return Err(DerError::Malformed);
        }
    }
    let serial = der::integer(t.read(der::INTEGER)?)?;
    if serial.len() > 21 {
        return Err(DerError::Malformed);
    }
    der::algorithm(t.read(der::SEQUENCE)?)?;
    let issuer = t.read(der::SEQUENCE)?;
    check_name(issuer)?;
    let mut validity = t.sequence()?;
    let not_before = time(&mut validity)?;
    let not_after = time(&mut validity)?;
    validity.finish()?;
    let subject = t.read(der::SEQUENCE)?;
    check_name(subject)?;
    let mut spki = t.sequence()?;
    let (key_algorithm, _) = der::algorithm(spki.read(der::SEQUENCE)?)?;
    let public_key = der::bit_string(spki.read(der::BIT_STRING)?)?;
    spki.finish()?;
    t.optional(der::context_primitive(1))?;
    t.optional(der::context_primitive(2))?;
    if let Some(extensions) = t.optional(der::context(3))? {
        check_extensions(extensions)?;
    }
    t.finish()?;
    Ok(Certificate {
        serial,
        issuer,
        subject,
        not_before,
        not_after,
        key_algorithm,
        public_key,
    })
}

/// Name ::= SEQUENCE OF SET OF SEQUENCE { type OID, value ANY } (RFC 5280 §4.1.2.4).
fn check_name(name: &[u8]) -> Result<()> {
    let mut rdns = Reader::new(name);
    while !rdns.is_empty() {
        let mut set = Reader::new(rdns.read(der::SET)?);
        if set.is_empty() {
            return Err(DerError::Malformed);
        }
        while !set.is_empty() {
            let mut atv = set.sequence()?;
            der::check_oid(atv.read(der::OID)?)?;
            atv.any()?;
            atv.finish()?;
        }
    }
    Ok(())
}

/// Extensions ::= SEQUENCE SIZE (1..MAX) OF SEQUENCE { OID, critical BOOLEAN DEFAULT FALSE,
/// OCTET STRING }.
fn check_extensions(explicit: &[u8]) -> Result<()> {
    let mut list = der::sequence(explicit)?;
    if list.is_empty() {
        return Err(DerError::Malformed);
    }
    while !list.is_empty() {
        let mut ext = list.sequence()?;
        der::check_oid(ext.read(der::OID)?)?;
        if let Some(critical) = ext.optional(0x01)? {
            // DER leaves the FALSE default out and writes TRUE as 0xff.
            if critical != [0xff] {
                return Err(DerError::Malformed);
            }
        }
        ext.read(der::OCTET_STRING)?;
        ext.finish()?;
    }
    Ok(())
}

/// Time ::= UTCTime (YYMMDDHHMMSSZ, 1950-2049) | GeneralizedTime (YYYYMMDDHHMMSSZ), as unix
/// seconds. Times before 1970 are refused, as the credential could never be valid. Read as
/// digits, without building a string to parse again.
fn time(r: &mut Reader<'_>) -> Result<i64> {
    let element = r.any()?;
    let year_digits = match element.tag {
        der::UTC_TIME => 2,
        der::GENERALIZED_TIME => 4,
        _ => return Err(DerError::Malformed),
    };
    let digits = match element.value.split_last() {
        Some((&b'Z', digits)) if digits.len() == year_digits + 10 => digits,
        _ => return Err(DerError::Malformed),
    };
    if !digits.iter().all(u8::is_ascii_digit) {
        return Err(DerError::Malformed);
    }
    // Iterators, not indexing: no bounds-check panic paths in the build.
    let number = |at: usize, len: usize| {
        digits
            .iter()
            .skip(at)
            .take(len)
            .fold(0u32, |n, d| n * 10 + u32::from(d - b'0'))
    };
    let mut year = i64::from(number(0, year_digits));
    if year_digits == 2 {
        year += if year >= 50 { 1900 } else { 2000 };
    }
    let part = |i: usize| number(year_digits + 2 * i, 2);
    // Leap seconds are not valid DER times (X.690 §11.7 and RFC 5280 §4.1.2.5).
    if year < 1970 || part(4) == 60 {
        return Err(DerError::Malformed);
    }
    datetime::from_parts(year, part(0), part(1), part(2), part(3), part(4))
        .ok_or(DerError::Malformed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn time_of(tag: u8, text: &str) -> Result<i64> {
        let mut der = Vec::new();
        der::push_element(&mut der, tag, text.as_bytes());
        time(&mut Reader::new(&der))
    }

    #[test]
    fn times_in_both_encodings() {
        assert_eq!(time_of(der::UTC_TIME, "700101000000Z"), Ok(0));
        assert_eq!(time_of(der::UTC_TIME, "491231235959Z"), Ok(2_524_607_999));
        assert_eq!(time_of(der::UTC_TIME, "000229000000Z"), Ok(951_782_400));
        assert_eq!(
            time_of(der::GENERALIZED_TIME, "21261029212102Z"),
            Ok(4_948_982_462)
        );
        for (tag, bad) in [
            (der::UTC_TIME, "691231235959Z"),
            (der::UTC_TIME, "7001010000Z"),
            (der::UTC_TIME, "700101000000+0100"),
            (der::UTC_TIME, "701301000000Z"),
            (der::UTC_TIME, "700101000060Z"),
            (der::UTC_TIME, "700101000061Z"),
            (der::UTC_TIME, "700101240000Z"),
            (der::UTC_TIME, "700230000000Z"),
            (der::UTC_TIME, "7001010000 0Z"),
            (der::GENERALIZED_TIME, "1970010100000Z"),
            (der::GENERALIZED_TIME, "700101000000Z"),
            (der::GENERALIZED_TIME, "19700101000000.5Z"),
            (der::OCTET_STRING, "700101000000Z"),
        ] {
            assert_eq!(time_of(tag, bad), Err(DerError::Malformed), "{bad}");
        }
    }

    #[test]
    fn names_must_be_sets_of_type_and_value() {
        assert!(check_name(&[]).is_ok());
        let cn = [
            0x31, 0x0a, 0x30, 0x08, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x01, 0x61,
        ];
        assert!(check_name(&cn).is_ok());
        assert!(check_name(&[0x31, 0x00]).is_err());
        assert!(check_name(&cn[..cn.len() - 1]).is_err());
        let mut wrong = cn;
        wrong[0] = 0x30;
        assert!(check_name(&wrong).is_err());
    }
}
