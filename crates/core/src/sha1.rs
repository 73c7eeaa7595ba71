//! SHA-1 (FIPS 180-4 §6.1) for certificate thumbprints (`x5t`, the portal's Thumbprint, Graph's
//! `customKeyIdentifier`), PBKDF2-HMAC-SHA1 and the PKCS#12 KDF and MAC. The compression is the
//! plain 80-round loop: the `sha1` crate's unrolled rounds are about 3 KB more wasm in every
//! certificate module, for a hash that runs over a few kilobytes. The `digest` traits around it
//! are the same ones the `sha1` crate implements, so `Digest` and HMAC work as with it.

use digest::block_buffer::Eager;
use digest::core_api::{
    Block, BlockSizeUser, Buffer, BufferKindUser, CoreWrapper, FixedOutputCore, OutputSizeUser,
    Reset, UpdateCore,
};
use digest::typenum::{U20, U64, Unsigned};
use digest::{HashMarker, Output};

/// SHA-1 as a `Digest`.
pub type Sha1 = CoreWrapper<Sha1Core>;

/// The SHA-1 state: the five chaining words and the count of whole blocks hashed.
#[derive(Clone)]
pub struct Sha1Core {
    h: [u32; 5],
    blocks: u64,
}

const INIT: [u32; 5] = [
    0x6745_2301,
    0xefcd_ab89,
    0x98ba_dcfe,
    0x1032_5476,
    0xc3d2_e1f0,
];

impl Default for Sha1Core {
    fn default() -> Sha1Core {
        Sha1Core { h: INIT, blocks: 0 }
    }
}

impl HashMarker for Sha1Core {}

impl BlockSizeUser for Sha1Core {
    type BlockSize = U64;
}

impl BufferKindUser for Sha1Core {
    type BufferKind = Eager;
}

impl OutputSizeUser for Sha1Core {
    type OutputSize = U20;
}

impl UpdateCore for Sha1Core {
    fn update_blocks(&mut self, blocks: &[Block<Self>]) {
        self.blocks = self.blocks.wrapping_add(blocks.len() as u64);
        for block in blocks {
            compress(&mut self.h, block);
        }
    }
}

impl FixedOutputCore for Sha1Core {
    fn finalize_fixed_core(&mut self, buffer: &mut Buffer<Self>, out: &mut Output<Self>) {
        let bytes = self.blocks.wrapping_mul(U64::U64) + buffer.get_pos() as u64;
        let mut h = self.h;
        buffer.len64_padding_be(bytes.wrapping_mul(8), |block| compress(&mut h, block));
        for (chunk, word) in out.chunks_exact_mut(4).zip(h) {
            chunk.copy_from_slice(&word.to_be_bytes());
        }
    }
}

impl Reset for Sha1Core {
    fn reset(&mut self) {
        *self = Sha1Core::default();
    }
}

/// One 64-byte block (FIPS 180-4 §6.1.2), the message schedule kept in 16 words.
fn compress(h: &mut [u32; 5], block: &Block<Sha1Core>) {
    let mut w = [0u32; 16];
    for (word, bytes) in w.iter_mut().zip(block.chunks_exact(4)) {
        *word = bytes.iter().fold(0, |x, &b| x << 8 | u32::from(b));
    }
    let [mut a, mut b, mut c, mut d, mut e] = *h;
    for t in 0..80 {
        if t >= 16 {
            // W[t] = ROTL1(W[t-3] ^ W[t-8] ^ W[t-14] ^ W[t-16]), indices mod 16.
            let x = w[(t + 13) % 16] ^ w[(t + 8) % 16] ^ w[(t + 2) % 16] ^ w[t % 16];
            w[t % 16] = x.rotate_left(1);
        }
        let (f, k) = match t / 20 {
            0 => ((b & c) | (!b & d), 0x5a82_7999),
            1 => (b ^ c ^ d, 0x6ed9_eba1),
            2 => ((b & c) | (b & d) | (c & d), 0x8f1b_bcdc),
            _ => (b ^ c ^ d, 0xca62_c1d6),
        };
        let temp = a
            .rotate_left(5)
            .wrapping_add(f)
            .wrapping_add(e)
            .wrapping_add(k)
            .wrapping_add(w[t % 16]);
        e = d;
        d = c;
        c = b.rotate_left(30);
        b = a;
        a = temp;
    }
    for (x, y) in h.iter_mut().zip([a, b, c, d, e]) {
        *x = x.wrapping_add(y);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use digest::Digest;

    /// FIPS 180-4 examples and lengths around the padding boundaries, against the `sha1` crate.
    #[test]
    fn matches_the_sha1_crate() {
        let hex = |d: &[u8]| d.iter().map(|b| format!("{b:02x}")).collect::<String>();
        assert_eq!(
            hex(&Sha1::digest(b"abc")),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(
            hex(&Sha1::digest(b"")),
            "da39a3ee5e6b4b0d3255bfef95601890afd80709"
        );
        let data: Vec<u8> = (0..300u32).map(|i| (i * 7 + 3) as u8).collect();
        for len in [1, 55, 56, 63, 64, 65, 119, 120, 128, 300] {
            assert_eq!(
                Sha1::digest(&data[..len])[..],
                ::sha1::Sha1::digest(&data[..len])[..],
                "{len} bytes"
            );
            let mut split = Sha1::new();
            split.update(&data[..len / 3]);
            split.update(&data[len / 3..len]);
            assert_eq!(split.finalize()[..], Sha1::digest(&data[..len])[..]);
        }
    }
}
