//! The user-facing documentation of connection keys stays complete: every key
//! (and alias) the driver accepts appears in README.md's table and in
//! installer/odbc.ini.template.
#![warn(clippy::undocumented_unsafe_blocks)]

use jumpseller_odbc::config::KEYS;

fn read(rel: &str) -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(rel))
        .unwrap_or_else(|e| panic!("read {rel}: {e}"))
}

#[test]
fn every_connection_key_is_in_the_readme() {
    let readme = read("README.md");
    let missing: Vec<&str> = KEYS
        .iter()
        .flat_map(|k| std::iter::once(k.name).chain(k.aliases.iter().copied()))
        .filter(|name| !readme.contains(&format!("`{name}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "README.md's connection-key table lacks {missing:?}"
    );
}

#[test]
fn every_connection_key_is_in_the_odbc_ini_template() {
    let template = read("installer/odbc.ini.template");
    let missing: Vec<&str> = KEYS
        .iter()
        .map(|k| k.name)
        .filter(|name| !["DSN"].contains(name))
        .filter(|name| {
            // a key line (`Key = ...` or `;Key = ...`) or a mention in a comment
            !template.lines().any(|l| {
                let l = l.trim_start_matches([';', '#', ' ']);
                l.starts_with(&format!("{name} ="))
                    || l.starts_with(&format!("{name}:"))
                    || l.contains(&format!(" {name},"))
                    || l.contains(&format!("{name} ("))
            })
        })
        .collect();
    assert!(
        missing.is_empty(),
        "installer/odbc.ini.template does not document {missing:?}"
    );
}

/// docs/architecture.md has a line for every source file, so the map of the
/// house stays current as rooms are added.
#[test]
fn every_source_file_is_on_the_architecture_page() {
    let page = read("docs/architecture.md");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    let mut dirs = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let missing: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let rel = f
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            // Listed under its directory's heading as `file` or `sub/file`,
            // or by its whole path under src/.
            let name = rel.split_once('/').map_or(rel.as_str(), |(_, rest)| rest);
            let listed = page.contains(&format!("`{name}`")) || page.contains(&format!("`{rel}`"));
            (!listed).then_some(rel)
        })
        .collect();
    assert!(
        missing.is_empty(),
        "docs/architecture.md has no line for {missing:?}"
    );
}
