//! A wasmtime host for `azconn_abi.wasm` (ABI.md), with fuel metering so the cost of each
//! operation is a deterministic number (`make bench` reports it).

use std::path::PathBuf;
use std::sync::OnceLock;
use wasmtime::error::Context;
use wasmtime::{Config, Engine, Instance, Memory, Module, Store, TypedFunc};
use wasmtime::{Result, format_err};

/// Where `make abi` puts the module; `AZCONN_ABI_WASM` overrides it.
pub fn module_path() -> PathBuf {
    std::env::var_os("AZCONN_ABI_WASM")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../target/wasm32-unknown-unknown/release/azconn_abi.wasm")
        })
}

fn compile() -> Result<Module> {
    let path = module_path();
    let mut config = Config::new();
    config.consume_fuel(true);
    let engine = Engine::new(&config)?;
    let module = Module::from_file(&engine, &path)
        .with_context(|| format!("loading {} (run `make abi` first)", path.display()))?;
    if let Some(import) = module.imports().next() {
        return Err(format_err!(
            "the abi module must have no imports, found {}::{}",
            import.module(),
            import.name()
        ));
    }
    Ok(module)
}

pub struct AbiModule {
    store: Store<()>,
    memory: Memory,
    alloc: TypedFunc<u32, u32>,
    free: TypedFunc<(u32, u32), ()>,
    call: TypedFunc<(u32, u32, u32, u32), u64>,
}

/// The answer to one call: the output JSON text and the fuel the call consumed.
pub struct Answer {
    pub output: String,
    pub fuel: u64,
}

impl AbiModule {
    /// Loads the module with an empty linker: instantiation fails if it has any import.
    /// The module is compiled once per process and instantiated afresh on every call.
    pub fn load() -> Result<AbiModule> {
        static COMPILED: OnceLock<Module> = OnceLock::new();
        let module = match COMPILED.get() {
            Some(m) => m.clone(),
            None => {
                let compiled = compile()?;
                COMPILED.get_or_init(|| compiled).clone()
            }
        };
        let mut store = Store::new(module.engine(), ());
        store.set_fuel(u64::MAX)?;
        let instance = Instance::new(&mut store, &module, &[])?;
        let memory = instance
            .get_memory(&mut store, "memory")
            .context("export memory")?;
        Ok(AbiModule {
            alloc: instance.get_typed_func(&mut store, "azconn_alloc")?,
            free: instance.get_typed_func(&mut store, "azconn_free")?,
            call: instance.get_typed_func(&mut store, "azconn_call")?,
            store,
            memory,
        })
    }

    /// Allocates a buffer in the module and writes `data` into it (the first steps of a call).
    pub fn put(&mut self, data: &[u8]) -> Result<(u32, u32)> {
        let len = u32::try_from(data.len())?;
        let ptr = self.alloc.call(&mut self.store, len)?;
        self.memory.write(&mut self.store, ptr as usize, data)?;
        Ok((ptr, len))
    }

    /// Releases a buffer with `azconn_free`.
    pub fn free(&mut self, (ptr, len): (u32, u32)) -> Result<()> {
        self.free.call(&mut self.store, (ptr, len))
    }

    /// Whether `needle` occurs anywhere in linear memory (to check that secrets were zeroed).
    pub fn memory_contains(&self, needle: &[u8]) -> bool {
        !needle.is_empty()
            && self
                .memory
                .data(&self.store)
                .windows(needle.len())
                .any(|w| w == needle)
    }

    /// The current size of linear memory in bytes.
    pub fn memory_size(&self) -> usize {
        self.memory.data_size(&self.store)
    }

    /// Calls `op` with `input` (JSON text) following ABI.md, freeing every buffer.
    pub fn call(&mut self, op: &str, input: &str) -> Result<Answer> {
        let (op_ptr, op_len) = self.put(op.as_bytes())?;
        let (in_ptr, in_len) = self.put(input.as_bytes())?;
        let before = self.store.get_fuel()?;
        let packed = self
            .call
            .call(&mut self.store, (op_ptr, op_len, in_ptr, in_len))?;
        let fuel = before - self.store.get_fuel()?;
        let (ptr, len) = ((packed >> 32) as u32, packed as u32);
        let mut out = vec![0u8; len as usize];
        self.memory.read(&self.store, ptr as usize, &mut out)?;
        for (p, l) in [(ptr, len), (op_ptr, op_len), (in_ptr, in_len)] {
            self.free.call(&mut self.store, (p, l))?;
        }
        Ok(Answer {
            output: String::from_utf8(out)?,
            fuel,
        })
    }
}
