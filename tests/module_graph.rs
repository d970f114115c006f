//! The modules of `src/` import one another in one direction only (README, Development): a
//! cycle means a type or helper lives in the wrong layer. This reads every `crate::<module>`
//! reference outside `#[cfg(test)]` blocks and fails naming the cycle it finds.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// `src/<module>.rs` or `src/<module>/...` → `<module>`; lib.rs and main.rs import everything.
fn module_of(relative: &Path) -> Option<String> {
    let first = relative.components().next()?.as_os_str().to_str()?;
    match first {
        "lib.rs" | "main.rs" => None,
        name => Some(name.trim_end_matches(".rs").to_string()),
    }
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Module names referenced as `crate::name` or inside `use crate::{name::…, …}`.
fn references(text: &str) -> BTreeSet<String> {
    // Unit-test modules may reach anywhere; only the shipped code must be layered.
    let code = text
        .match_indices("#[cfg(test)]")
        .find(|(i, m)| text[i + m.len()..].trim_start().starts_with("mod "))
        .map_or(text, |(i, _)| &text[..i]);
    // A comment that names a module is not an import.
    let code: String = code
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let code = code.as_str();
    let mut found = BTreeSet::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let inner = group.split('}').next().unwrap_or_default();
            for part in inner.split(',') {
                let part = part.trim();
                if part.contains("::") {
                    found.insert(ident(part));
                }
            }
        } else {
            found.insert(ident(rest));
        }
    }
    found.retain(|m| !m.is_empty());
    found
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let Some(module) = module_of(file.strip_prefix(&src).expect("under src")) else {
            continue;
        };
        let text = std::fs::read_to_string(&file).expect("read source");
        let targets = references(&text);
        let entry = edges.entry(module.clone()).or_default();
        entry.extend(targets.into_iter().filter(|t| *t != module));
    }
    edges
}

/// A cycle through `start`, if there is one (depth-first search).
fn cycle_from(start: &str, edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn walk(
        node: &str,
        start: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        for next in edges.get(node).into_iter().flatten() {
            if next == start {
                path.push(next.clone());
                return true;
            }
            if seen.insert(next.clone()) {
                path.push(next.clone());
                if walk(next, start, edges, path, seen) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let mut path = vec![start.to_string()];
    let mut seen = BTreeSet::new();
    walk(start, start, edges, &mut path, &mut seen).then_some(path)
}

#[test]
fn the_module_graph_has_no_cycle() {
    let edges = graph();
    assert!(
        edges.len() > 10,
        "the scan of src/ found too few modules: {edges:?}"
    );
    for module in edges.keys() {
        if let Some(cycle) = cycle_from(module, &edges) {
            panic!("import cycle: {}", cycle.join(" → "));
        }
    }
}

#[test]
fn the_checker_sees_a_cycle_when_there_is_one() {
    let mut edges = graph();
    edges
        .entry("snapshot".into())
        .or_default()
        .insert("app".into());
    assert!(cycle_from("snapshot", &edges).is_some());
    assert_eq!(
        references(
            "use crate::{finding::Finding, report_data::Report};\nlet x = crate::rules::find(id);"
        ),
        ["finding", "report_data", "rules"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    );
}
