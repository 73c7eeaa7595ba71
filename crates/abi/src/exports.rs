//! The `extern "C"` surface of the module (ABI.md) and the allocator behind it.

/// Reserves `len` bytes in linear memory for the host to write an input into.
/// Returns 0 if `len` is 0 or cannot be allocated.
#[unsafe(no_mangle)]
pub extern "C" fn azconn_alloc(len: u32) -> *mut u8 {
    if len == 0 {
        return std::ptr::null_mut();
    }
    let mut buf = Vec::<u8>::with_capacity(len as usize);
    let ptr = buf.as_mut_ptr();
    std::mem::forget(buf);
    ptr
}

/// Releases a buffer from [`azconn_alloc`] or an output of [`azconn_call`].
///
/// # Safety
/// `ptr`/`len` must be exactly a pair this module handed out and not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn azconn_free(ptr: *mut u8, len: u32) {
    if !ptr.is_null() && len != 0 {
        // SAFETY: per the contract, ptr came from a Vec<u8> with capacity `len` made here.
        drop(unsafe { Vec::from_raw_parts(ptr, 0, len as usize) });
    }
}

/// Runs operation `op` (UTF-8 name) on `input` (UTF-8 JSON). Returns `(ptr << 32) | len` of a
/// JSON output `{"ok": <value>}` or `{"error": {code, field?, message, hint?}}` that the host
/// reads and then frees with [`azconn_free`]. Input buffers stay owned by the host.
///
/// # Safety
/// `op_ptr`/`op_len` and `in_ptr`/`in_len` must describe readable memory of this module.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn azconn_call(
    op_ptr: *const u8,
    op_len: u32,
    in_ptr: *const u8,
    in_len: u32,
) -> u64 {
    // SAFETY: the host guarantees both ranges are inside linear memory (see ABI.md).
    let op = unsafe { slice(op_ptr, op_len) };
    let input = unsafe { slice(in_ptr, in_len) };
    let out = crate::call_json(op, input).into_bytes().into_boxed_slice();
    let len = out.len() as u64;
    let ptr = Box::into_raw(out) as *mut u8 as u64;
    (ptr << 32) | len
}

unsafe fn slice<'a>(ptr: *const u8, len: u32) -> &'a [u8] {
    if ptr.is_null() || len == 0 {
        &[]
    } else {
        // SAFETY: forwarded from azconn_call's contract.
        unsafe { std::slice::from_raw_parts(ptr, len as usize) }
    }
}

/// The module's allocator: the system one, but every block is zeroed before it is released.
///
/// Inputs, outputs and every working copy the core and serde_json make on the way (client
/// secrets, tokens, private keys, passphrases) live in heap blocks; zeroing on release is the one
/// place that catches them all, including the host's buffers freed through [`azconn_free`] and
/// the old block of every reallocation.
#[cfg(target_family = "wasm")]
mod zeroing {
    use std::alloc::{GlobalAlloc, Layout, System};
    use zeroize::Zeroize;

    struct ZeroOnFree;

    // SAFETY: forwards to `System`; the block is still owned here while it is zeroed.
    unsafe impl GlobalAlloc for ZeroOnFree {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            unsafe { System.alloc(layout) }
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            // SAFETY: `ptr` is a live block of `layout.size()` bytes from `alloc`.
            unsafe { std::slice::from_raw_parts_mut(ptr, layout.size()) }.zeroize();
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    #[global_allocator]
    static ALLOCATOR: ZeroOnFree = ZeroOnFree;
}
