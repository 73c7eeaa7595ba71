//! The wasm-bindgen facade of azconn-core behind the npm package `azconn` (packages/azconn).
//!
//! One typed export per protocol step: JavaScript values in and out (no JSON text crosses the
//! boundary), each result built by one call into packages/azconn/values.js, and every refusal thrown as
//! one `AzconnError` class with `code`, `field`, `message` and `hint`. The TypeScript types of
//! every export come out of wasm-bindgen from this crate (`types.rs` declares the shapes the
//! `unchecked_*_type` attributes name). Secrets copied into wasm memory are zeroed after use.
//!
//! The browser modules (every build but `full`) are `no_std` like the core: a panic traps
//! instead of reaching std's panic and formatting machinery.

#![cfg_attr(not(feature = "full"), no_std)]
extern crate alloc;

#[cfg(feature = "assertion")]
pub mod assertion;
#[cfg(feature = "certificates")]
pub mod certificates;
#[cfg(feature = "forms")]
pub mod forms;
#[cfg(test)]
mod generated_types;
mod js;
mod read;
#[cfg(feature = "full")]
pub mod server;
#[cfg(feature = "tokens")]
pub mod tokens;
mod types;

use azconn_core::error::Error;
use wasm_bindgen::JsValue;

/// What an export answers: its value, or the thrown `AzconnError`.
pub type Answer<T> = Result<T, JsValue>;

/// The `AzconnError` for a core error.
pub fn fail(e: Error) -> JsValue {
    js::fail(
        e.code.as_str(),
        &e.message,
        e.field.as_deref(),
        e.hint.as_deref(),
    )
}

#[cfg(not(any(feature = "forms", feature = "certificates")))]
compile_error!("enable `full`, `forms` or `certificates`");

/// Without std a module brings its own panic handler: a trap (the core never panics on input;
/// a bug aborts the call, as `panic = "abort"` does with std).
#[cfg(all(not(feature = "full"), target_arch = "wasm32"))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

/// Browser builds use a free-list allocator about 7 KB smaller than dlmalloc: a form makes few,
/// short-lived allocations. Freed blocks are not cleared; secrets are zeroed by their owners.
#[cfg(all(feature = "small", target_arch = "wasm32"))]
#[global_allocator]
// SAFETY: wasm32-unknown-unknown without the atomics feature runs one thread per instance.
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };
