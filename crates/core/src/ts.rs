//! TypeScript declarations of the types that cross to JavaScript (feature `ts`, never in a wasm
//! build): the generation tests of crates/wasm and host render them into the `.d.ts` files
//! they ship, so no TypeScript restates a Rust type by hand.

use crate::prelude::*;
use core::any::TypeId;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use ts_rs::{Config, TS, TypeVisitor};

/// The path prefix of this crate's types (`core::any::type_name`).
const CORE: &str = concat!(env!("CARGO_CRATE_NAME"), "::");

/// A set of declarations with everything they name, each type once, sorted by name.
pub struct Declarations {
    cfg: Config,
    seen: HashSet<TypeId>,
    out: BTreeMap<String, String>,
    /// Types of this crate are imported from `module` instead of declared (a package that
    /// ships them), by name.
    import: Option<&'static str>,
    imported: BTreeSet<String>,
}

impl Default for Declarations {
    fn default() -> Self {
        Declarations {
            // serde-wasm-bindgen (json_compatible) and serde_json write 64-bit integers as numbers.
            cfg: Config::new().with_large_int("number"),
            seen: HashSet::new(),
            out: BTreeMap::new(),
            import: None,
            imported: BTreeSet::new(),
        }
    }
}

impl Declarations {
    /// A set that imports the types of this crate from `module` (type-only) instead of
    /// declaring them.
    pub fn importing_core_from(module: &'static str) -> Declarations {
        Declarations {
            import: Some(module),
            ..Declarations::default()
        }
    }

    /// `T` and every type it names, unless declared already.
    pub fn add<T: TS + 'static + ?Sized>(&mut self) -> &mut Self {
        self.visit::<T>();
        self
    }

    /// A new set that leaves out everything declared here (a file shipped beside this one).
    pub fn after(&self) -> Declarations {
        Declarations {
            seen: self.seen.clone(),
            ..Declarations::default()
        }
    }

    /// The declarations as module text, each `export`ed, after `header`.
    pub fn render(&self, header: &str) -> String {
        let mut text = String::from(header);
        if let Some(module) = self.import.filter(|_| !self.imported.is_empty()) {
            let names: Vec<&str> = self.imported.iter().map(String::as_str).collect();
            text.push_str(&format!(
                "\nimport type {{ {} }} from '{module}';\n",
                names.join(", ")
            ));
        }
        for decl in self.out.values() {
            text.push('\n');
            text.push_str(decl);
            text.push('\n');
        }
        text
    }
}

impl TypeVisitor for Declarations {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        // Primitives, containers and `#[ts(type = ..)]` types have no declaration of their own.
        if T::output_path().is_none() || !self.seen.insert(TypeId::of::<T::WithoutGenerics>()) {
            return;
        }
        if self.import.is_some() && core::any::type_name::<T>().starts_with(CORE) {
            self.imported.insert(T::ident(&self.cfg));
            return;
        }
        let docs = T::docs().unwrap_or_default();
        let decl = format!("{docs}export {}", T::decl(&self.cfg));
        self.out.insert(T::ident(&self.cfg), decl);
        T::visit_dependencies(self);
    }
}
