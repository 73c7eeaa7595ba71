// Applies wasm-opt's --minify-imports-and-exports-and-modules mapping to a module's
// wasm-bindgen glue (--target web) and its .d.ts files.
//
// wasm-bindgen names each import `__wbg_<name>_<16 hex digits>` and keeps the Rust names of the
// exports; the names are written twice (in the wasm and in the glue) and the hashes do not
// compress. With one- and two-letter names the forms module and its glue are about 1.1 KB gz
// smaller.
//
// usage: node minify-names.mjs <mapping.json> <dir>
// <mapping.json> is what wasm-opt printed; <dir> holds azconn.js, azconn.d.ts,
// azconn_bg.wasm.d.ts and the minified azconn_bg.wasm. Anything in the glue that the mapping
// does not cover (an unknown `wasm.<name>`, an import key left over) stops the build: a later
// wasm-bindgen that writes its glue differently must be looked at, not half-renamed.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WasmCursor } from './wasm-cursor.mjs';

const [mappingFile, dir] = process.argv.slice(2);
const fail = (message) => {
  console.error(`minify-names: ${dir}: ${message}`);
  process.exit(1);
};

let mapping;
try {
  mapping = JSON.parse(readFileSync(mappingFile, 'utf8'));
} catch (e) {
  fail(`${mappingFile} is not the JSON mapping wasm-opt prints (${e.message})`);
}
if (!Array.isArray(mapping?.imports) || !Array.isArray(mapping?.exports)) {
  fail(`${mappingFile} has no imports and exports lists`);
}
const exportsMap = new Map(mapping.exports);

/** The (module, name) of each import of a wasm binary, in order. */
function wasmImports(bytes) {
  const r = new WasmCursor(bytes);
  while (!r.done) {
    const id = r.byte();
    const end = r.uleb() + r.at;
    if (id !== 2) {
      r.at = end;
      continue;
    }
    const list = [];
    for (let count = r.uleb(); count > 0; count--) {
      const module = r.name();
      const field = r.name();
      if (r.byte() !== 0) fail(`import ${module}.${field} is not a function`);
      r.uleb();
      list.push([module, field]);
    }
    return list;
  }
  return [];
}

let imports;
try {
  imports = wasmImports(readFileSync(join(dir, 'azconn_bg.wasm')));
} catch (e) {
  fail(`azconn_bg.wasm: ${e.message}`);
}
const moduleOf = new Map(imports.map(([module, field]) => [field, module]));

const glueFile = join(dir, 'azconn.js');
let glue = readFileSync(glueFile, 'utf8');

// Exports: every `wasm.<name>` of the glue.
glue = glue.replace(/\bwasm\.([A-Za-z_$][\w$]*)/g, (_, name) => {
  const short = exportsMap.get(name);
  if (short === undefined) fail(`the glue uses wasm.${name}, which the module does not export`);
  return `wasm.${short}`;
});

// Imports: the glue's own functions are the keys of `import0`; the others are members of the
// namespaces it imports (`import * as importN from "<module>"`).
const namespaces = new Map();
for (const [, id, module] of glue.matchAll(/^import \* as (import\d+) from "([^"]+)"$/gm)) {
  if (!namespaces.has(module)) namespaces.set(module, id);
}
const own = new Map();
const entries = new Map();
const spread = '        ...import0,';
for (const [module, name, short] of mapping.imports) {
  const newModule = moduleOf.get(short);
  if (newModule === undefined) fail(`the minified module has no import ${short}`);
  if (!entries.has(newModule)) entries.set(newModule, []);
  if (module === './azconn_bg.js') {
    own.set(name, short);
    if (!entries.get(newModule).includes(spread)) entries.get(newModule).push(spread);
  } else {
    const ns = namespaces.get(module);
    if (ns === undefined) fail(`no namespace import of ${module}`);
    entries.get(newModule).push(`        ${short}: ${ns}.${name},`);
  }
}
let renamed = 0;
glue = glue.replace(/^( {8})([\w$]+)(: function\()/gm, (line, indent, name, rest) => {
  const short = own.get(name);
  if (short === undefined) return line;
  renamed++;
  return `${indent}${short}${rest}`;
});
if (renamed !== own.size) fail(`renamed ${renamed} of the glue's ${own.size} imports`);

const returned = /^ {4}return \{\n {8}__proto__: null,\n(?: {8}"[^"]+": import\d+,\n)+ {4}\};$/m;
if (!returned.test(glue)) fail('the imports object is not where wasm-bindgen 0.2.130 puts it');
glue = glue.replace(returned, () => {
  const modules = [...entries].map(
    ([module, lines]) => `        ${JSON.stringify(module)}: {\n    ${lines.join('\n    ')}\n        },`,
  );
  return `    return {\n        __proto__: null,\n${modules.join('\n')}\n    };`;
});
writeFileSync(glueFile, glue);

// The types of the raw exports (`InitOutput` in azconn.d.ts, azconn_bg.wasm.d.ts) name the
// minified exports.
const renamedExports = (file, text, pattern) =>
  text.replace(pattern, (_, head, name, tail) => {
    const short = exportsMap.get(name);
    if (short === undefined) fail(`${file} declares ${name}, which the module does not export`);
    return `${head}${short}${tail}`;
  });
const types = join(dir, 'azconn.d.ts');
const initOutput = /^( *)export interface InitOutput \{\n[^]*?^\1\}$/m;
const declared = readFileSync(types, 'utf8');
if (!initOutput.test(declared)) fail('azconn.d.ts declares no InitOutput');
writeFileSync(
  types,
  declared.replace(initOutput, (block) =>
    renamedExports('azconn.d.ts', block, /^( +readonly )([\w$]+)(: )/gm),
  ),
);
const bgTypes = join(dir, 'azconn_bg.wasm.d.ts');
writeFileSync(
  bgTypes,
  renamedExports('azconn_bg.wasm.d.ts', readFileSync(bgTypes, 'utf8'), /^(export const )([\w$]+)(: )/gm),
);
