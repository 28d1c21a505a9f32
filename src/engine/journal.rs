//! What one connection has written to the store since the journal was last
//! taken. The store has no transactions: every POST, PUT and DELETE is final
//! when it succeeds. The layer above keeps this journal while the
//! application thinks it is inside a transaction (manual commit), so that a
//! ROLLBACK can say what it could not undo. The write path records each
//! successful request; the journal keeps the count and the first `KEPT`
//! writes, so it cannot grow without bound.

use super::Session;
use std::fmt;
use std::sync::{Mutex, MutexGuard};

/// How many writes the journal describes one by one; beyond it, it counts.
pub const KEPT: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Insert,
    Update,
    Delete,
}

/// One successful write request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub operation: Operation,
    pub table: String,
    /// The row's id, when it has one of its own.
    pub id: Option<i64>,
    /// The API path the request went to (names rows without an id).
    pub path: String,
}

/// The writes since the journal was last taken: how many, and the first
/// `KEPT` of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Writes {
    pub count: u64,
    pub first: Vec<Written>,
}

impl Writes {
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Operation::Insert => "INSERT",
            Operation::Update => "UPDATE",
            Operation::Delete => "DELETE",
        })
    }
}

impl fmt::Display for Written {
    /// `INSERT Categories id 13`, or `DELETE Variants at /products/4/variants/7.json`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.id {
            Some(id) => write!(f, "{} {} id {id}", self.operation, self.table),
            None => write!(f, "{} {} at {}", self.operation, self.table, self.path),
        }
    }
}

impl fmt::Display for Writes {
    /// The writes separated by `; `, then `and N more` when some were only
    /// counted.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (n, w) in self.first.iter().enumerate() {
            if n > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{w}")?;
        }
        let more = self.count - self.first.len() as u64;
        if more > 0 {
            write!(f, "; and {more} more")?;
        }
        Ok(())
    }
}

/// A connection's journal: off until the layer above turns it on.
#[derive(Default)]
pub(super) struct Journal {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    on: bool,
    writes: Writes,
}

impl Journal {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records one successful write (nothing while the journal is off).
    pub(super) fn record(&self, operation: Operation, table: &str, path: &str, id: Option<i64>) {
        let mut st = self.state();
        if !st.on {
            return;
        }
        st.writes.count += 1;
        if st.writes.first.len() < KEPT {
            st.writes.first.push(Written {
                operation,
                table: table.to_string(),
                id,
                path: path.to_string(),
            });
        }
    }
}

impl Journal {
    /// Records a successful INSERT from the API's answer (the new row's
    /// object, which carries its id when the table has one).
    pub(super) fn record_insert(&self, table: &str, path: &str, answer: &serde_json::Value) {
        let id = answer.get("id").and_then(serde_json::Value::as_i64);
        self.record(Operation::Insert, table, path, id);
    }
}

impl Session {
    /// Turns the write journal on or off. A change empties it: writes
    /// recorded before belong to no transaction the application still has.
    pub fn keep_write_journal(&self, on: bool) {
        let mut st = self.ctx.journal.state();
        if st.on != on {
            st.on = on;
            st.writes = Writes::default();
        }
    }

    /// The writes recorded since the journal was last taken.
    pub fn writes(&self) -> Writes {
        self.ctx.journal.state().writes.clone()
    }

    /// The writes recorded since the journal was last taken, emptying it.
    pub fn take_writes(&self) -> Writes {
        std::mem::take(&mut self.ctx.journal.state().writes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_count_and_the_first_writes() {
        let j = Journal::default();
        j.record(Operation::Insert, "Categories", "/categories.json", Some(1));
        assert!(j.state().writes.is_empty(), "off by default");
        j.state().on = true;
        for n in 0..(KEPT as i64 + 5) {
            j.record(Operation::Update, "Products", "/products/x.json", Some(n));
        }
        j.record(
            Operation::Delete,
            "Variants",
            "/products/4/variants/7.json",
            None,
        );
        let w = j.state().writes.clone();
        assert_eq!(w.count, KEPT as u64 + 6);
        assert_eq!(w.first.len(), KEPT);
        let text = w.to_string();
        assert!(
            text.starts_with("UPDATE Products id 0; UPDATE Products id 1;"),
            "{text}"
        );
        assert!(text.ends_with("; and 6 more"), "{text}");
        let one = Writes {
            count: 1,
            first: vec![Written {
                operation: Operation::Delete,
                table: "Variants".into(),
                id: None,
                path: "/products/4/variants/7.json".into(),
            }],
        };
        assert_eq!(
            one.to_string(),
            "DELETE Variants at /products/4/variants/7.json"
        );
    }
}
