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
