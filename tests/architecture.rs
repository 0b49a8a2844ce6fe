//! The layering rule of `ARCHITECTURE.md`, checked on the source text: each file of `src/`
//! imports only modules of its own layer or the layers below it, and no files import each other
//! in a loop. References are read from `crate::…` and `super::…` paths, in `use` trees and
//! inline (`super::state::f()`, `<super::toolbar::Toolbar />`); a folder's `mod.rs` is its face
//! (declarations and re-exports), so a reference that ends there adds no edge to the loop check.

use std::{
    collections::{BTreeMap, BTreeSet},
    fs,
    path::{Path, PathBuf},
};

/// The layers from the ground up; `app` and `cli` are both on top and never import each other.
const LAYERS: [&str; 8] = [
    "util", "imaging", "count", "view", "protocol", "web", "app", "cli",
];

fn rank(layer: &str) -> Option<usize> {
    match layer {
        "cli" => Some(6),
        l => LAYERS.iter().position(|&x| x == l),
    }
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The module path of a file under `src/` (`count/params.rs` → `count::params`).
fn module_of(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|s| s.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|l| l == "mod" || l == "lib") {
        parts.pop();
    }
    parts
}

/// The text without comments (so doc links and prose do not count as imports).
fn strip_comments(text: &str) -> String {
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Expands a `use` tree's text (`a::{b::C, d}`) into paths (`a::b::C`, `a::d`).
fn expand(tree: &str) -> Vec<String> {
    let tree: String = tree.chars().filter(|c| !c.is_whitespace()).collect();
    fn go(prefix: &str, t: &str, out: &mut Vec<String>) {
        match t.find('{') {
            None => out.push(format!("{prefix}{t}")),
            Some(open) => {
                let head = &t[..open];
                let inner = &t[open + 1..t.len().saturating_sub(1)];
                let mut depth = 0;
                let mut start = 0;
                for (i, c) in inner.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' => depth -= 1,
                        ',' if depth == 0 => {
                            go(&format!("{prefix}{head}"), &inner[start..i], out);
                            start = i + 1;
                        }
                        _ => {}
                    }
                }
                if start < inner.len() {
                    go(&format!("{prefix}{head}"), &inner[start..], out);
                }
            }
        }
    }
    let mut out = Vec::new();
    go("", &tree, &mut out);
    out
}

/// Every module path a file refers to, absolute (without `crate::`).
fn references(text: &str, module: &[String], is_mod_rs: bool) -> Vec<Vec<String>> {
    let text = strip_comments(text);
    // `super` of a file (`a/b.rs`, or `a/b/mod.rs`) is its parent module `a`; in a file's
    // `mod tests` it is the file itself, which resolves to the file's own layer and adds nothing.
    let _ = is_mod_rs;
    let parent: Vec<String> = module[..module.len().saturating_sub(1)].to_vec();
    let mut paths: Vec<String> = Vec::new();
    // `use` statements, with their trees.
    let mut rest = text.as_str();
    while let Some(i) = rest.find("use ") {
        let before_ok = i == 0 || !rest[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_');
        let tail = &rest[i + 4..];
        let Some(end) = tail.find(';') else { break };
        if before_ok {
            paths.extend(expand(&tail[..end]));
        }
        rest = &tail[end..];
    }
    // Inline paths (`crate::a::f()`, `super::b::C`, `<super::c::View />`); a `super::` inside a
    // longer path (`x::super::`) is not one.
    for start in ["crate::", "super::"] {
        for (i, _) in text.match_indices(start) {
            if text[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let p: String = text[i..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            paths.push(p);
        }
    }
    let mut out = Vec::new();
    for p in paths {
        let segs: Vec<&str> = p.split("::").filter(|s| !s.is_empty()).collect();
        match segs.first() {
            Some(&"crate") => out.push(segs[1..].iter().map(|s| s.to_string()).collect()),
            Some(&"super") if !module.is_empty() => {
                let mut m = parent.clone();
                m.extend(segs[1..].iter().map(|s| s.to_string()));
                out.push(m);
            }
            _ => {}
        }
    }
    out
}

/// The file a module path refers to: the longest prefix that is a module file.
fn resolve<'a>(
    path: &[String],
    files: &'a BTreeMap<Vec<String>, (PathBuf, bool)>,
) -> Option<(&'a Vec<String>, bool)> {
    (1..=path.len())
        .rev()
        .find_map(|n| files.get_key_value(&path[..n].to_vec()))
        .map(|(k, (_, is_mod))| (k, *is_mod))
}

#[test]
fn each_layer_imports_only_the_layers_below_it_and_no_files_import_each_other_in_a_loop() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut paths = Vec::new();
    rust_files(&src, &mut paths);
    assert!(paths.len() > 50, "src/ has {} files", paths.len());
    let mut files: BTreeMap<Vec<String>, (PathBuf, bool)> = BTreeMap::new();
    for p in &paths {
        let rel = p.strip_prefix(&src).unwrap_or(p);
        let is_mod = rel
            .file_name()
            .is_some_and(|n| n == "mod.rs" || n == "lib.rs");
        files.insert(module_of(rel), (p.clone(), is_mod));
    }
    let mut broken = Vec::new();
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for (module, (path, is_mod)) in &files {
        let Some(layer) = module.first() else {
            continue;
        };
        if layer == "main" || layer == "bin" {
            continue;
        }
        let Some(own) = rank(layer) else {
            broken.push(format!("{}: not in a layer", path.display()));
            continue;
        };
        let text = fs::read_to_string(path).unwrap_or_default();
        for r in references(&text, module, *is_mod) {
            let Some(target) = r.first() else { continue };
            let Some(theirs) = rank(target) else { continue };
            if theirs > own || (theirs == own && target != layer) {
                broken.push(format!(
                    "{}: {layer} may not import {}",
                    path.display(),
                    r.join("::")
                ));
            }
            if let Some((to, to_mod)) = resolve(&r, &files)
                && !to_mod
                && to != module
            {
                edges.entry(module.clone()).or_default().insert(to.clone());
            }
        }
    }
    assert!(broken.is_empty(), "layering broken:\n{}", broken.join("\n"));

    // Loops: a depth-first search for a back edge.
    fn visit(
        n: &Vec<String>,
        edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        state: &mut BTreeMap<Vec<String>, u8>,
        stack: &mut Vec<Vec<String>>,
    ) -> Option<Vec<String>> {
        state.insert(n.clone(), 1);
        stack.push(n.clone());
        for m in edges.get(n).into_iter().flatten() {
            match state.get(m).copied().unwrap_or(0) {
                1 => {
                    let from = stack.iter().position(|s| s == m).unwrap_or(0);
                    let mut cycle: Vec<String> =
                        stack[from..].iter().map(|s| s.join("::")).collect();
                    cycle.push(m.join("::"));
                    return Some(cycle);
                }
                0 => {
                    if let Some(c) = visit(m, edges, state, stack) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(n.clone(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in edges.keys() {
        if state.get(n).copied().unwrap_or(0) == 0
            && let Some(cycle) = visit(n, &edges, &mut state, &mut Vec::new())
        {
            panic!("import loop: {}", cycle.join(" -> "));
        }
    }
}

#[test]
fn the_checker_reads_use_trees_and_super_paths() {
    assert_eq!(
        expand("crate::{count::{a::X, b}, imaging::c}"),
        vec!["crate::count::a::X", "crate::count::b", "crate::imaging::c"]
    );
    let m = vec!["count".to_string(), "params".to_string()];
    let r = references(
        "use super::pipeline::X;\nuse crate::imaging::{a, b::C};\n// use crate::web::x;\nfn f() { crate::util::clock::now(); super::presets::p(); }",
        &m,
        false,
    );
    let joined: Vec<String> = r.iter().map(|p| p.join("::")).collect();
    assert!(
        joined.contains(&"count::pipeline::X".to_string()),
        "{joined:?}"
    );
    assert!(joined.contains(&"imaging::b::C".to_string()));
    assert!(joined.contains(&"util::clock::now".to_string()));
    assert!(
        joined.contains(&"count::presets::p".to_string()),
        "inline super paths count"
    );
    assert!(
        !joined.iter().any(|j| j.starts_with("web")),
        "comments are not imports"
    );
}
