//! Zeroing secrets in bulk. `zeroize` on a `Vec` or a `String` writes one byte at a time (a
//! volatile store per byte, per element of the `Vec`); its slice path writes sixteen bytes per
//! volatile store. These give a `Vec<u8>` or `String` the slice path for its contents and its
//! spare capacity, then leave it empty, as `zeroize` does.

use crate::prelude::*;
use zeroize::Zeroize;

/// Zeroes the bytes and the spare capacity of `v`, then clears it.
pub fn bytes(v: &mut Vec<u8>) {
    v.as_mut_slice().zeroize();
    v.spare_capacity_mut().zeroize();
    v.clear();
}

/// Zeroes the text and the spare capacity of `s`, and leaves it empty (its buffer is freed).
pub fn string(s: &mut String) {
    bytes(&mut core::mem::take(s).into_bytes());
}

#[cfg(test)]
mod tests {
    #[test]
    fn leaves_empty_values() {
        let mut v = b"secret".to_vec();
        v.reserve(100);
        super::bytes(&mut v);
        assert!(v.is_empty());
        assert!(v.capacity() >= 106);
        let mut s = String::from("secret");
        super::string(&mut s);
        assert!(s.is_empty());
    }
}
