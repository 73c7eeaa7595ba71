//! TypeScript declarations of the types that cross to JavaScript (feature `ts`, never in a wasm
//! build): the generation tests of crates/wasm and host render them into the `.d.ts` files
//! they ship, so no TypeScript restates a Rust type by hand.

use std::any::TypeId;
use std::collections::{BTreeMap, HashSet};
use ts_rs::{Config, TS, TypeVisitor};

/// A set of declarations with everything they name, each type once, sorted by name.
pub struct Declarations {
    cfg: Config,
    seen: HashSet<TypeId>,
    out: BTreeMap<String, String>,
}

impl Default for Declarations {
    fn default() -> Self {
        Declarations {
            // serde-wasm-bindgen (json_compatible) and serde_json write 64-bit integers as numbers.
            cfg: Config::new().with_large_int("number"),
            seen: HashSet::new(),
            out: BTreeMap::new(),
        }
    }
}

impl Declarations {
    /// `T` and every type it names, unless declared already.
    pub fn add<T: TS + 'static + ?Sized>(&mut self) -> &mut Self {
        self.visit::<T>();
        self
    }

    /// Leaves out `T` (declared in another file the output imports), not what it names.
    pub fn skip<T: TS + 'static + ?Sized>(&mut self) -> &mut Self {
        self.seen.insert(TypeId::of::<T::WithoutGenerics>());
        self
    }

    /// A new set that leaves out everything declared here (a file shipped beside this one).
    pub fn after(&self) -> Declarations {
        Declarations {
            seen: self.seen.clone(),
            ..Declarations::default()
        }
    }

    /// The names declared so far.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.out.keys().map(String::as_str)
    }

    /// The declarations as module text, each `export`ed, after `header`.
    pub fn render(&self, header: &str) -> String {
        let mut text = String::from(header);
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
        let docs = T::docs().unwrap_or_default();
        let decl = format!("{docs}export {}", T::decl(&self.cfg));
        self.out.insert(T::ident(&self.cfg), decl);
        T::visit_dependencies(self);
    }
}
