//! User profiles whose tables read each other in a cycle (a table that is
//! its own parent, parents in a ring) used to overflow the stack on the
//! first fetch and abort the host. They are refused at connect with
//! SQLSTATE 08001 and a message naming the tables.
#![allow(unused_unsafe)]
#![warn(clippy::undocumented_unsafe_blocks)]

mod common;

use common::*;
use jumpseller_odbc::ffi::*;
use jumpseller_odbc::schema::BUILTIN;
use serde_json::{json, Value as Json};
use std::path::PathBuf;

/// A temp folder holding one profile file, removed when dropped.
struct TempProfile(PathBuf);

impl TempProfile {
    fn new(name: &str, profile: &Json) -> TempProfile {
        let dir = std::env::temp_dir().join(format!(
            "jumpseller-odbc-engine-profiles-{}-{name}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("profile.json"), profile.to_string()).unwrap();
        TempProfile(dir)
    }

    fn path(&self) -> String {
        self.0.join("profile.json").to_string_lossy().into_owned()
    }
}

impl Drop for TempProfile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The built-in profile with `edit` applied to its tables.
fn builtin_with(edit: impl FnOnce(&mut Vec<Json>)) -> Json {
    let mut p: Json = serde_json::from_str(BUILTIN).unwrap();
    edit(p["tables"].as_array_mut().unwrap());
    p
}

/// Connects with the profile: Ok, or the (SQLSTATE, message) records.
fn connect_with_profile(
    sb: &jumpseller_sandbox::Sandbox,
    path: &str,
) -> Result<(), Vec<(String, String)>> {
    let e = env();
    let d = dbc(e);
    let (rc, _) = driver_connect(d, &format!("{};Profile={{{path}}}", conn_str(sb)));
    let result = if rc == SQL_SUCCESS || rc == SQL_SUCCESS_WITH_INFO {
        // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
        unsafe { SQLDisconnect(d) };
        Ok(())
    } else {
        Err(diag(HandleType::Dbc, d))
    };
    // SAFETY: see "Calling the exports" in tests/common (handles, buffer lengths).
    unsafe {
        SQLFreeHandle(HandleType::Dbc as i16, d);
        SQLFreeHandle(HandleType::Env as i16, e);
    }
    result
}

fn refused(sb: &jumpseller_sandbox::Sandbox, name: &str, profile: Json, says: &[&str]) {
    let file = TempProfile::new(name, &profile);
    let diag = connect_with_profile(sb, &file.path())
        .expect_err("a profile with a cycle of parents is refused");
    let all: String = diag.iter().map(|(s, m)| format!("{s} {m}\n")).collect();
    assert!(diag.iter().any(|(s, _)| s == "08001"), "{name}: {all}");
    for s in says {
        assert!(
            all.contains(s),
            "{name}: the message does not say {s}: {all}"
        );
    }
}

#[test]
fn a_table_that_is_its_own_parent_is_refused_at_connect() {
    let sb = sandbox();
    let profile = builtin_with(|tables| {
        tables.push(json!({
            "name": "Nested",
            "source": {"parent": {"table": "Nested", "list": "/nested/{parent}.json", "key": "parent_id"}},
            "columns": [
                {"name": "parent_id", "type": "BIGINT", "path": "$parent.id"},
                {"name": "id", "type": "BIGINT"}
            ]
        }));
    });
    refused(&sb, "self", profile, &["Nested -> Nested", "cycle"]);
}

#[test]
fn parents_in_a_ring_are_refused_at_connect() {
    let sb = sandbox();
    let profile = builtin_with(|tables| {
        // Products read through ProductVariants, which are read through Products.
        let products = tables.iter_mut().find(|t| t["name"] == "Products").unwrap();
        products["source"] =
            json!({"parent": {"table": "ProductVariants", "array": "products", "key": "id"}});
    });
    refused(
        &sb,
        "ring",
        profile,
        &["Products", "ProductVariants", "cycle"],
    );
}

#[test]
fn the_built_in_profile_written_to_a_file_still_connects() {
    let sb = sandbox();
    let profile: Json = serde_json::from_str(BUILTIN).unwrap();
    let file = TempProfile::new("builtin", &profile);
    connect_with_profile(&sb, &file.path()).expect("the built-in profile connects");
}
