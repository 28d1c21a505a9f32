//! What user SQL may do besides reading and writing the store. The engine is
//! a SQLite connection, and plain SQLite SQL reaches the host: `ATTACH` opens
//! (and creates) any file, `VACUUM INTO` writes one, pragmas change how the
//! connection works, and `DROP TABLE Categories` would remove a table for the
//! rest of the connection. An authorizer refuses those at prepare time; TEMP
//! tables, views and triggers stay allowed, as does reading and writing the
//! store's tables. A refusal is a 42000 with a message naming what was
//! refused. Files the driver needs of its own are opened from its code, never
//! from user SQL.

use super::Ctx;
use crate::error::{Error, Kind};
use rusqlite::hooks::{AuthAction, AuthContext, Authorization};
use std::sync::Weak;

/// Pragmas that only read facts about the schema: harmless, and used by tools.
const READ_ONLY_PRAGMAS: &[&str] = &[
    "table_info",
    "table_xinfo",
    "table_list",
    "index_list",
    "index_info",
    "index_xinfo",
    "foreign_key_list",
    "database_list",
    "collation_list",
    "function_list",
    "module_list",
    "pragma_list",
    "compile_options",
];

/// Installs the authorizer on a connection whose own setup is finished.
/// The context is held weakly: it owns the connection, not the other way.
pub fn install(conn: &mut rusqlite::Connection, ctx: Weak<Ctx>) -> rusqlite::Result<()> {
    conn.authorizer(Some(move |auth: AuthContext<'_>| {
        let Some(ctx) = ctx.upgrade() else {
            return Authorization::Deny;
        };
        // The session's own setup (additions.rs) runs before it is sealed.
        if !ctx.sealed.load(std::sync::atomic::Ordering::SeqCst) {
            return Authorization::Allow;
        }
        let why = refusal(&auth.action, auth.database_name)
            .or_else(|| fixed_write(&auth.action, auth.database_name, &ctx))
            .or_else(|| replica_rowid(&auth.action, auth.database_name, &ctx));
        match why {
            None => {
                ctx.touch(&auth.action, auth.database_name);
                Authorization::Allow
            }
            Some(why) => {
                ctx.scope().set_error(Error::new(Kind::Syntax, why));
                Authorization::Deny
            }
        }
    }))
}

/// Why a write is refused because it changes a fixed table (sys_tables ...).
fn fixed_write(action: &AuthAction<'_>, database: Option<&str>, ctx: &Ctx) -> Option<String> {
    // Offline and AutoCache keep them in temp (the store's schema is the
    // read-only replica there).
    let home = if ctx.offline {
        "temp"
    } else {
        ctx.profile.schema.as_str()
    };
    if database != Some(home) {
        return None;
    }
    let table = match action {
        AuthAction::Insert { table_name }
        | AuthAction::Delete { table_name }
        | AuthAction::Update { table_name, .. } => *table_name,
        _ => return None,
    };
    let fixed = ctx.fixed.lock().unwrap_or_else(|e| e.into_inner());
    fixed
        .contains(&table.to_ascii_lowercase())
        .then(|| format!("{table} is read-only: it describes the connection's catalog."))
}

/// Why reading a replica table's rowid is refused. A live row's rowid is
/// the driver's (an order's id, a hash of a child row's key); the replica's
/// rows have their database's own rowids. Under AutoCache a write runs live,
/// so `UPDATE ... WHERE rowid = ?` with a rowid read from the replica would
/// change another row without a word: an error instead.
fn replica_rowid(action: &AuthAction<'_>, database: Option<&str>, ctx: &Ctx) -> Option<String> {
    if !ctx.offline || database != Some(ctx.profile.schema.as_str()) {
        return None;
    }
    match action {
        AuthAction::Read {
            table_name,
            column_name,
        } if column_name.eq_ignore_ascii_case("rowid") => Some(format!(
            "The rowid of {table_name} is not available from the local replica (Offline or AutoCache): it is not the rowid a live connection gives the row. Use the table's key columns (SQLPrimaryKeys, SQLSpecialColumns)."
        )),
        _ => None,
    }
}

/// Why an action is refused, or None when it is allowed.
fn refusal(action: &AuthAction<'_>, database: Option<&str>) -> Option<String> {
    let temp = database == Some("temp");
    let files = "SQL through this driver reaches only the store; it never opens, creates or \
                 changes files";
    match action {
        AuthAction::Attach { .. } => Some(format!("ATTACH is not allowed: {files}.")),
        AuthAction::Detach { .. } => Some("DETACH is not allowed: the store's schema stays attached.".into()),
        AuthAction::Pragma { pragma_name, .. } => {
            let name = pragma_name.to_ascii_lowercase();
            (!READ_ONLY_PRAGMAS.contains(&name.as_str())).then(|| {
                format!(
                    "PRAGMA {name} is not allowed: only pragmas that read the schema are ({}).",
                    READ_ONLY_PRAGMAS.join(", ")
                )
            })
        }
        AuthAction::CreateVtable { table_name, .. } | AuthAction::DropVtable { table_name, .. } => {
            Some(format!(
                "Creating or dropping {table_name} is not allowed: it is a table of the store, defined by the profile."
            ))
        }
        AuthAction::AlterTable { table_name, .. } => Some(format!(
            "ALTER TABLE {table_name} is not allowed: the store's tables come from the profile."
        )),
        // Tables, views, indexes and triggers outside TEMP would shadow the
        // store's tables for the rest of the connection.
        AuthAction::CreateTable { table_name }
        | AuthAction::CreateView {
            view_name: table_name,
        }
        | AuthAction::CreateIndex { table_name, .. }
        | AuthAction::CreateTrigger { table_name, .. }
        | AuthAction::DropTable { table_name }
        | AuthAction::DropView {
            view_name: table_name,
        }
        | AuthAction::DropIndex { table_name, .. }
        | AuthAction::DropTrigger { table_name, .. }
            if !temp =>
        {
            Some(format!(
                "Creating or dropping {table_name} outside TEMP is not allowed: use CREATE TEMP TABLE / TEMP VIEW for your own."
            ))
        }
        AuthAction::Function { function_name }
            if function_name.eq_ignore_ascii_case("load_extension") =>
        {
            Some("load_extension is not allowed: extensions are never loaded.".into())
        }
        AuthAction::Unknown { code, .. } => Some(format!(
            "This SQL operation (SQLite authorizer code {code}) is not allowed."
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_pragmas_and_the_store_tables_definitions_are_refused() {
        assert!(refusal(
            &AuthAction::Attach {
                filename: "/etc/passwd"
            },
            None
        )
        .is_some());
        assert!(refusal(
            &AuthAction::Detach {
                database_name: "Jumpseller"
            },
            None
        )
        .is_some());
        let pragma = |name| AuthAction::Pragma {
            pragma_name: name,
            pragma_value: None,
        };
        assert!(refusal(&pragma("writable_schema"), Some("main")).is_some());
        assert!(refusal(&pragma("journal_mode"), Some("main")).is_some());
        assert!(refusal(&pragma("table_info"), Some("main")).is_none());
        let drop = AuthAction::DropVtable {
            table_name: "Categories",
            module_name: "jumpseller",
        };
        assert!(refusal(&drop, Some("Jumpseller")).is_some());
        let create = AuthAction::CreateTable {
            table_name: "Products",
        };
        assert!(refusal(&create, Some("main")).is_some());
    }

    #[test]
    fn temp_objects_reads_and_writes_stay_allowed() {
        let temp = AuthAction::CreateTempTable { table_name: "mine" };
        assert!(refusal(&temp, Some("temp")).is_none());
        let view = AuthAction::CreateTempView { view_name: "v" };
        assert!(refusal(&view, Some("temp")).is_none());
        assert!(refusal(&AuthAction::Select, None).is_none());
        let read = AuthAction::Read {
            table_name: "Products",
            column_name: "id",
        };
        assert!(refusal(&read, Some("Jumpseller")).is_none());
        let insert = AuthAction::Insert {
            table_name: "Categories",
        };
        assert!(refusal(&insert, Some("Jumpseller")).is_none());
        let upper = AuthAction::Function {
            function_name: "upper",
        };
        assert!(refusal(&upper, None).is_none());
    }
}
