//! Messages and URLs built by concatenation instead of `format!`: the browser build then
//! carries no formatting calls of its own (each `format!` site builds an `Arguments` table and
//! reaches `Display` impls and padding code, a few KB of wasm in all).

use crate::prelude::*;
/// The parts joined, allocated once.
pub fn cat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        out.push_str(p);
    }
    out
}

/// The parts with `sep` between them, as `[S]::join` gives, without its generic copy loop
/// (about 1 KB of wasm per element type).
pub fn join<S: AsRef<str>>(parts: &[S], sep: &str) -> String {
    let mut out = String::new();
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(p.as_ref());
    }
    out
}

/// The number of chars in `s`, as `s.chars().count()` gives, by counting the bytes that start
/// one: core's counter is a word-at-a-time loop of about 800 bytes of wasm, for strings of a
/// few hundred bytes here.
pub fn char_count(s: &str) -> usize {
    s.bytes().filter(|b| b & 0xC0 != 0x80).count()
}

/// An unsigned decimal as `str::parse::<u64>` reads it (an optional `+`, then at least one
/// digit, no overflow), with one copy of the code for every width (`u64::try_from` narrows).
pub fn parse_u64(s: &str) -> Option<u64> {
    let digits = s.strip_prefix('+').unwrap_or(s);
    if digits.is_empty() {
        return None;
    }
    digits.bytes().try_fold(0u64, |n, b| {
        let d = b.wrapping_sub(b'0');
        (d < 10)
            .then_some(())
            .and_then(|()| n.checked_mul(10)?.checked_add(u64::from(d)))
    })
}

/// `n` in decimal, as `Display` writes it.
pub fn decimal(mut n: u64) -> String {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    digits[at..].iter().map(|&d| char::from(d)).collect()
}

/// `n` in decimal with leading zeros to at least `width` digits, as `{n:0width$}` writes it.
pub fn decimal_padded(n: u64, width: usize) -> String {
    let digits = decimal(n);
    let mut out = "0".repeat(width.saturating_sub(digits.len()));
    out.push_str(&digits);
    out
}

/// `bytes` in upper-case hex, two digits each, as `{b:02X}` writes them.
pub fn upper_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padded_decimal_and_hex_are_format() {
        for (n, width) in [
            (0, 2),
            (7, 2),
            (42, 2),
            (5, 4),
            (1970, 4),
            (12345, 4),
            (3, 0),
        ] {
            assert_eq!(decimal_padded(n, width), format!("{n:0width$}"));
        }
        let bytes = [0x00, 0x0f, 0xa5, 0xff, 0x10];
        let expected: String = bytes.iter().map(|b| format!("{b:02X}")).collect();
        assert_eq!(upper_hex(&bytes), expected);
        assert_eq!(upper_hex(&[]), "");
    }

    #[test]
    fn decimal_is_display() {
        for n in [
            0,
            7,
            10,
            64,
            255,
            1024,
            65_535,
            9_007_199_254_740_991,
            u64::MAX,
        ] {
            assert_eq!(decimal(n), n.to_string());
        }
    }

    #[test]
    fn join_is_slice_join() {
        for parts in [&[][..], &["a"][..], &["a", "", "b c"][..]] {
            assert_eq!(join(parts, " or "), parts.join(" or "));
        }
    }

    #[test]
    fn char_count_is_chars_count() {
        for s in ["", "abc", "ünï", "日本語", "a😀b", "\u{10FFFF}"] {
            assert_eq!(char_count(s), s.chars().count());
        }
    }

    #[test]
    fn parse_u64_is_str_parse() {
        for s in [
            "",
            "+",
            "-",
            "0",
            "+0",
            "-0",
            "007",
            "42",
            "+42",
            "4 2",
            " 1",
            "1a",
            "١",
            "18446744073709551615",
            "18446744073709551616",
            "99999999999999999999",
        ] {
            assert_eq!(parse_u64(s), s.parse::<u64>().ok(), "{s:?}");
        }
    }

    #[test]
    fn cat_joins() {
        assert_eq!(cat(&[]), "");
        assert_eq!(cat(&["a", "", "bc"]), "abc");
    }
}
