//! `sys_identity`: the rows this connection's last writing execution
//! created, with the ids the store gave them. One execution is one
//! SQLExecute / SQLExecDirect, however many parameter sets it runs; each
//! set is a batch, numbered from 1. Reading the view runs no request.

use super::{Ctx, Session};
use std::sync::{Mutex, Weak};

/// What `sys_identity` shows.
#[derive(Default)]
pub(super) struct Identity {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// The parameter set being run, from 1 (0 before the first).
    batch: u32,
    rows: Vec<Created>,
}

struct Created {
    id: Option<i64>,
    batch: u32,
    table: String,
}

/// Rows kept at most: a bulk load's ids beyond it are counted in no view.
const KEPT: usize = 100_000;

/// The view's definition over `js_identity()`'s JSON.
pub(super) const VIEW_SQL: &str = "SELECT value->>0 AS Id, value->>1 AS Batch, \
     value->>2 AS Operation, value->>3 AS Message, value->>4 AS TableName \
     FROM json_each(js_identity())";

impl Identity {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A new parameter set of the current execution starts.
    pub(super) fn next_batch(&self) {
        self.state().batch += 1;
    }

    /// One row created by an INSERT.
    pub(super) fn record(&self, table: &str, id: Option<i64>) {
        let mut st = self.state();
        if st.rows.len() < KEPT {
            let batch = st.batch.max(1);
            st.rows.push(Created {
                id,
                batch,
                table: table.to_string(),
            });
        }
    }

    /// The rows as a JSON array of [Id, Batch, Operation, Message, TableName].
    pub(super) fn json(&self) -> String {
        let rows: Vec<serde_json::Value> = self
            .state()
            .rows
            .iter()
            .map(|c| {
                serde_json::json!([
                    c.id.map(|i| i.to_string()),
                    c.batch.to_string(),
                    "INSERT",
                    "SUCCESS",
                    c.table
                ])
            })
            .collect();
        serde_json::Value::Array(rows).to_string()
    }
}

impl Session {
    /// A writing execution starts: sys_identity forgets the previous one.
    pub fn begin_write_execution(&self) {
        *self.ctx.identity.state() = State::default();
    }
}

/// `js_identity()`: the JSON the view reads. The context is held weakly: it
/// owns the connection, not the other way.
pub(super) fn register(conn: &rusqlite::Connection, ctx: Weak<Ctx>) -> rusqlite::Result<()> {
    conn.create_scalar_function(
        "js_identity",
        0,
        rusqlite::functions::FunctionFlags::SQLITE_UTF8,
        move |_| {
            Ok(ctx
                .upgrade()
                .map(|c| c.identity.json())
                .unwrap_or_else(|| "[]".into()))
        },
    )
}
