//! The crate's modules import one way: no module reaches, through `crate::` paths, a module
//! that reaches it back. Read from the sources, so a new cycle fails here with its path.

use std::collections::BTreeMap;
use std::path::Path;

/// Each module of `src/` and the modules its code names through `crate::`.
fn module_graph() -> BTreeMap<String, Vec<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut sources = BTreeMap::new();
    for entry in std::fs::read_dir(&src).expect("src/ is readable") {
        let path = entry.expect("an entry").path();
        if path.extension().is_some_and(|e| e == "rs") {
            let name = path.file_stem().expect("a name").to_string_lossy().into_owned();
            sources.insert(name, std::fs::read_to_string(&path).expect("a source file"));
        }
    }
    let modules: Vec<String> = sources.keys().filter(|m| !matches!(m.as_str(), "lib" | "main")).cloned().collect();
    sources
        .iter()
        .filter(|(name, _)| modules.contains(name))
        .map(|(name, text)| {
            let mut named: Vec<String> = text
                .lines()
                .filter(|line| !line.trim_start().starts_with("//"))
                .flat_map(crate_paths)
                .filter(|m| modules.contains(m) && m != name)
                .collect();
            named.sort();
            named.dedup();
            (name.clone(), named)
        })
        .collect()
}

/// The first segment after each `crate::` in a line: `crate::store::Store` and
/// `crate::{demo, server}` name `store`, `demo` and `server`.
fn crate_paths(line: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (at, _) in line.match_indices("crate::") {
        let rest = &line[at + "crate::".len()..];
        let list = match rest.strip_prefix('{') {
            Some(inner) => inner.split('}').next().unwrap_or_default(),
            None => rest,
        };
        for item in list.split(',') {
            let first: String = item.trim().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if !first.is_empty() {
                found.push(first);
            }
        }
    }
    found
}

/// A path of modules that leads back to its start, if any.
fn find_cycle(graph: &BTreeMap<String, Vec<String>>) -> Option<Vec<String>> {
    fn visit(
        module: &str,
        graph: &BTreeMap<String, Vec<String>>,
        path: &mut Vec<String>,
        done: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|m| m == module) {
            let mut cycle = path[start..].to_vec();
            cycle.push(module.to_owned());
            return Some(cycle);
        }
        if done.iter().any(|m| m == module) {
            return None;
        }
        path.push(module.to_owned());
        for next in graph.get(module).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.push(module.to_owned());
        None
    }
    let mut done = Vec::new();
    graph.keys().find_map(|m| visit(m, graph, &mut Vec::new(), &mut done))
}

#[test]
fn no_module_imports_back() {
    let graph = module_graph();
    if let Some(cycle) = find_cycle(&graph) {
        panic!("import cycle: {}", cycle.join(" -> "));
    }
    // The shape ARCHITECTURE.md describes: the builder on top, shared state below the server
    // and the service, which never name the builder.
    assert!(graph["mock"].contains(&"server".to_owned()) && graph["mock"].contains(&"service".to_owned()));
    assert!(graph["server"].contains(&"service".to_owned()) && graph["server"].contains(&"state".to_owned()));
    assert!(graph["service"].contains(&"state".to_owned()));
    for below in ["server", "service", "state", "handlers"] {
        assert!(!graph[below].contains(&"mock".to_owned()), "{below} names mock");
    }
    assert!(!graph["service"].contains(&"server".to_owned()), "the service knows nothing of HTTP");
}

#[test]
fn the_cycle_finder_finds_cycles() {
    let graph: BTreeMap<String, Vec<String>> = [("a", vec!["b"]), ("b", vec!["c"]), ("c", vec!["a"]), ("d", vec![])]
        .into_iter()
        .map(|(m, next)| (m.to_owned(), next.into_iter().map(str::to_owned).collect()))
        .collect();
    assert_eq!(find_cycle(&graph), Some(vec!["a".into(), "b".into(), "c".into(), "a".into()]));
    assert_eq!(crate_paths("use crate::{demo, server::serve, service};"), ["demo", "server", "service"]);
    assert_eq!(crate_paths("let x = crate::store::Store::new(crate::drift::f());"), ["store", "drift"]);
}
