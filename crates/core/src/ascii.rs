//! Byte-class scans eight bytes at a time. Tokens are hundreds to thousands of bytes and wasm
//! has no vector instructions in every runtime: a word test per eight bytes instead of a branch
//! per byte is what keeps token parsing ahead of `JSON.parse` in JavaScript.

use crate::prelude::*;
const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

// Each word test sets the high bit of every byte that answers yes, and may set it in bytes
// above one that does (a borrow or carry moves up, towards later bytes): as a yes/no answer,
// and for the first byte that answers yes, it is exact.

/// The bytes of `w` that are not printable ASCII without space (`0x21..=0x7E`): below 0x21
/// (borrow), 0x7F (carry into the high bit) or 0x80 and above (high bit).
const fn non_graphic(w: u64) -> u64 {
    (w.wrapping_sub(ONES * 0x21) | w.wrapping_add(ONES) | w) & HIGH
}

/// The bytes of `w` that are `"`, `\\` or a control character (zero after an XOR, or below
/// 0x20; bytes of 0x80 and above never answer yes).
const fn string_end(w: u64) -> u64 {
    let quote = w ^ (ONES * b'"' as u64);
    let backslash = w ^ (ONES * b'\\' as u64);
    (quote.wrapping_sub(ONES) | backslash.wrapping_sub(ONES) | w.wrapping_sub(ONES * 0x20))
        & !w
        & HIGH
}

/// Whether `s` contains any of the ASCII bytes `set`. `str::contains` with a `char` compiles
/// in its non-ASCII branch too, which brings the two-way `&str` searcher and its slicing panic
/// (char `Debug` formatting: about 5 KB of wasm) into the browser build.
pub fn has_any(s: &str, set: &[u8]) -> bool {
    s.bytes().any(|b| set.contains(&b))
}

/// Whether every byte is printable ASCII without space (`0x21..=0x7E`). No early exit: tokens
/// are valid far more often than not, and a branch-free loop is the fast one.
pub fn all_graphic(s: &[u8]) -> bool {
    let (words, tail) = s.as_chunks::<8>();
    words
        .iter()
        .fold(0, |bad, w| bad | non_graphic(u64::from_le_bytes(*w)))
        == 0
        && tail.iter().all(u8::is_ascii_graphic)
}

/// The index of the first byte from `i` that ends a run of JSON string text: `"`, `\\` or a
/// control character (`s.len()` when there is none, or when `i` is past the end).
pub fn json_string_run(s: &[u8], i: usize) -> usize {
    let Some(rest) = s.get(i..) else {
        return s.len();
    };
    let (words, tail) = rest.as_chunks::<8>();
    for (k, w) in words.iter().enumerate() {
        let end = string_end(u64::from_le_bytes(*w));
        if end != 0 {
            return i + 8 * k + (end.trailing_zeros() / 8) as usize;
        }
    }
    tail.iter()
        .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
        .map_or(s.len(), |p| i + 8 * words.len() + p)
}

/// `s` split at Unicode whitespace, as `str::split_whitespace` does, without decoding chars
/// when `s` is ASCII (whitespace there is 0x09..=0x0D and space).
pub fn split_whitespace(s: &str) -> Vec<String> {
    if !s.is_ascii() {
        return s.split_whitespace().map(str::to_owned).collect();
    }
    s.split(|c: char| matches!(c, '\t'..='\r' | ' '))
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Where `needle` first occurs in `hay`, as `str::find` with a `&str` pattern answers: a
/// window scan for the short ASCII markers of PEM text (at most a few hundred KB), without the
/// two-way searcher that `str::find` brings (about 1.4 KB of wasm).
pub fn find(hay: &str, needle: &str) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    hay.as_bytes()
        .windows(needle.len())
        .position(|w| w == needle.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn find_is_str_find() {
        for (hay, needle) in [
            ("", ""),
            ("", "-"),
            ("abc", ""),
            ("-----BEGIN X-----", "-----"),
            ("x-----BEGIN ", "-----BEGIN "),
            ("----BEGIN", "-----BEGIN"),
            ("ü-----END X-----", "-----END X-----"),
            ("aaab", "aab"),
        ] {
            assert_eq!(find(hay, needle), hay.find(needle), "{hay:?} {needle:?}");
        }
    }

    fn words() -> impl Strategy<Value = [u8; 8]> {
        // Bias towards the class edges, where a borrow or carry could mislead a word test.
        let edge = prop_oneof![
            Just(0u8),
            Just(0x1F),
            Just(0x20),
            Just(0x21),
            Just(b'"'),
            Just(b'\\'),
            Just(0x7E),
            Just(0x7F),
            Just(0x80),
            Just(0xFF),
            any::<u8>(),
        ];
        proptest::array::uniform8(edge)
    }

    proptest! {
        #[test]
        fn word_tests_agree_with_byte_tests(b in words()) {
            let w = u64::from_le_bytes(b);
            prop_assert_eq!(non_graphic(w) != 0, !b.iter().all(u8::is_ascii_graphic));
            let first = b.iter().position(|&x| x == b'"' || x == b'\\' || x < 0x20).unwrap_or(8);
            prop_assert_eq!((string_end(w).trailing_zeros() / 8) as usize, first);
        }

        #[test]
        fn scans_agree_with_byte_loops(s in proptest::collection::vec(words(), 0..4), tail in proptest::collection::vec(any::<u8>(), 0..8), from in 0usize..40) {
            let s: Vec<u8> = s.concat().into_iter().chain(tail).collect();
            prop_assert_eq!(all_graphic(&s), s.iter().all(u8::is_ascii_graphic));
            let from = from.min(s.len());
            let expected = s[from..].iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20).map_or(s.len(), |p| from + p);
            prop_assert_eq!(json_string_run(&s, from), expected);
        }

        #[test]
        fn splits_like_std(s in "[ \t\n\x0b\x0c\r\x1c-\x1f\u{85}\u{a0}\u{3000}a-c]{0,12}") {
            let std: Vec<String> = s.split_whitespace().map(str::to_owned).collect();
            prop_assert_eq!(split_whitespace(&s), std);
        }
    }
}
