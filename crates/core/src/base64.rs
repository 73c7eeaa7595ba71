//! base64 (RFC 4648 §4) and base64url (§5), the encodings of PKCE values, `state`/`nonce`, JWT
//! parts, certificate thumbprints and `x5c`, pasted DER and App Configuration's HMAC. Written
//! out: the `base64` crate's engine and tables are several KB of wasm in every module that
//! carries them, for loops this short. Decoding accepts the canonical encoding only (zero
//! trailing bits), as the crate's engines do.

use crate::prelude::*;
const STANDARD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// base64url without padding (RFC 4648 §5; RFC 7515 §2 for JOSE).
pub fn encode_url(bytes: impl AsRef<[u8]>) -> String {
    encode_with(bytes.as_ref(), URL, false)
}

/// base64 with padding (RFC 4648 §4).
pub fn encode(bytes: impl AsRef<[u8]>) -> String {
    encode_with(bytes.as_ref(), STANDARD, true)
}

/// Unpadded base64url; `None` for any other character (`=` included) or an impossible length.
pub fn decode_url(text: &str) -> Option<Vec<u8>> {
    decode_with(text.as_bytes(), URL)
}

/// Padded base64; `None` unless the padding is exactly what the length needs.
pub fn decode(text: &str) -> Option<Vec<u8>> {
    let t = text.as_bytes();
    if !t.len().is_multiple_of(4) {
        return None;
    }
    let body = strip_padding(t)?;
    (t.len() - body.len() == padding_for(body.len())).then_some(())?;
    decode_with(body, STANDARD)
}

/// base64 or base64url, whichever alphabet the text is in (`-` or `_` says url), padding
/// optional but never more than the length needs: what a pasted DER file may look like.
pub fn decode_either(text: &str) -> Option<Vec<u8>> {
    let t = text.as_bytes();
    let alphabet = if t.iter().any(|&c| c == b'-' || c == b'_') {
        URL
    } else {
        STANDARD
    };
    let body = strip_padding(t)?;
    (t.len() - body.len() <= padding_for(body.len())).then_some(())?;
    decode_with(body, alphabet)
}

/// `t` without its trailing `=` (at most two).
fn strip_padding(t: &[u8]) -> Option<&[u8]> {
    let pad = t.iter().rev().take_while(|&&c| c == b'=').count();
    (pad <= 2).then(|| &t[..t.len() - pad])
}

/// How many `=` complete `len` unpadded characters to a multiple of four.
fn padding_for(len: usize) -> usize {
    (4 - len % 4) % 4
}

/// The body of the encoders, compiled once rather than once per input type.
fn encode_with(bytes: &[u8], alphabet: &[u8; 64], pad: bool) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for k in 0..=chunk.len() {
            out.push(char::from(alphabet[(n >> (18 - 6 * k) & 63) as usize]));
        }
        if pad {
            for _ in chunk.len()..3 {
                out.push('=');
            }
        }
    }
    out
}

/// The value of `c` in `alphabet` (which differ only in the last two characters).
fn value(c: u8, alphabet: &[u8; 64]) -> Option<u32> {
    Some(u32::from(match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        _ if c == alphabet[62] => 62,
        _ if c == alphabet[63] => 63,
        _ => return None,
    }))
}

/// Decodes unpadded text in `alphabet`.
fn decode_with(t: &[u8], alphabet: &[u8; 64]) -> Option<Vec<u8>> {
    if t.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(t.len() / 4 * 3 + 2);
    for chunk in t.chunks(4) {
        let mut n = 0;
        for (k, &c) in chunk.iter().enumerate() {
            n |= value(c, alphabet)? << (18 - 6 * k);
        }
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        let keep = chunk.len() - 1;
        if bytes[keep..].iter().any(|&b| b != 0) && chunk.len() < 4 {
            return None;
        }
        out.extend_from_slice(&bytes[..keep]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ::base64::Engine;
    use ::base64::alphabet;
    use ::base64::engine::general_purpose::{STANDARD as CRATE_STANDARD, URL_SAFE_NO_PAD};
    use ::base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    use proptest::prelude::*;

    const INDIFFERENT: GeneralPurposeConfig =
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
    const CRATE_EITHER_STANDARD: GeneralPurpose =
        GeneralPurpose::new(&alphabet::STANDARD, INDIFFERENT);
    const CRATE_EITHER_URL: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, INDIFFERENT);

    fn crate_either(text: &str) -> Option<Vec<u8>> {
        if text.contains(['-', '_']) {
            CRATE_EITHER_URL.decode(text).ok()
        } else {
            CRATE_EITHER_STANDARD.decode(text).ok()
        }
    }

    #[test]
    fn rfc_4648_vectors() {
        for (plain, url, standard) in [
            ("", "", ""),
            ("f", "Zg", "Zg=="),
            ("fo", "Zm8", "Zm8="),
            ("foo", "Zm9v", "Zm9v"),
            ("foob", "Zm9vYg", "Zm9vYg=="),
            ("fooba", "Zm9vYmE", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy", "Zm9vYmFy"),
        ] {
            assert_eq!(encode_url(plain), url);
            assert_eq!(encode(plain), standard);
            assert_eq!(decode_url(url).as_deref(), Some(plain.as_bytes()));
            assert_eq!(decode(standard).as_deref(), Some(plain.as_bytes()));
            assert_eq!(decode_either(url).as_deref(), Some(plain.as_bytes()));
            assert_eq!(decode_either(standard).as_deref(), Some(plain.as_bytes()));
        }
    }

    #[test]
    fn malformed_text_is_refused() {
        for bad in ["Z", "Zh", "Zm9", "Zm+v", "Zm/v", "Zm9v=", "Zm 9", "Zg=="] {
            assert_eq!(decode_url(bad), URL_SAFE_NO_PAD.decode(bad).ok(), "{bad}");
        }
        for bad in [
            "Zg", "Zg=", "Zg===", "Zh==", "Zm-v", "Z===", "=Zg=", "Zm9v\n",
        ] {
            assert_eq!(decode(bad), CRATE_STANDARD.decode(bad).ok(), "{bad}");
            assert_eq!(decode(bad), None, "{bad}");
        }
        for bad in ["Zg===", "Zm9v=", "Zh", "Z", "Zm+_", "Zm9=v", "Zm 9"] {
            assert_eq!(decode_either(bad), crate_either(bad), "{bad}");
            assert_eq!(decode_either(bad), None, "{bad}");
        }
        assert_eq!(
            decode_either("Zg=").as_deref(),
            Some(&b"f"[..]),
            "padding may be short"
        );
    }

    proptest! {
        #[test]
        fn agrees_with_the_base64_crate(bytes in proptest::collection::vec(any::<u8>(), 0..80), text in "[A-Za-z0-9_=+/-]{0,12}") {
            prop_assert_eq!(encode_url(&bytes), URL_SAFE_NO_PAD.encode(&bytes));
            prop_assert_eq!(encode(&bytes), CRATE_STANDARD.encode(&bytes));
            prop_assert_eq!(decode_url(&text), URL_SAFE_NO_PAD.decode(&text).ok());
            prop_assert_eq!(decode(&text), CRATE_STANDARD.decode(&text).ok());
            prop_assert_eq!(decode_either(&text), crate_either(&text));
        }
    }
}
