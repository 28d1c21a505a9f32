//! What a sync reads the store through: live engine sessions over one
//! client (so one rate limiter, one request count), each paging its own way.
//! - `Pace::Ahead` requests pages ahead of the reader (the connection's
//!   `Prefetch`): for whole tables, where every page is wanted.
//! - `Pace::Exact` requests one page at a time: for a window or one
//!   parent's children, where a page read ahead past the end of a list
//!   without a count is a request spent for nothing.
//!
//! The sessions read a copy of the profile with hidden columns
//! (embedded.rs), so that a table's rows come with the rows of its array
//! children: a `Reading` hands out both, batch by batch.

use crate::config::live::{self, open_session};
use crate::config::Config;
use crate::engine::{Interrupt, Query, Session, Setup, Value};
use crate::error::{Error, Kind, Result};
use crate::jumpseller::Client;
use crate::schema::{Profile, Table};
use std::sync::Arc;

use super::embedded::{self, Embedded};
use super::layout::quoted;
use crate::schema::BUILTIN;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pace {
    Ahead,
    Exact,
}

pub struct Reader {
    /// The connection's profile (the tables the replica holds).
    profile: Arc<Profile>,
    ahead: Session,
    exact: Session,
    /// A statement's cancel and deadline (SyncCache), or none.
    interrupt: Interrupt,
}

/// Rows of a table and of its array children, read together.
pub struct Batch {
    pub rows: Vec<Vec<Value>>,
    pub children: Vec<ChildRows>,
}

/// One array child's rows in a batch, and the keys of the parents they
/// belong to (a parent whose array is now empty has none).
pub struct ChildRows {
    /// Index of the child in the profile's tables.
    pub table: usize,
    pub parent_keys: Vec<Value>,
    pub rows: Vec<Vec<Value>>,
}

/// A running `SELECT` of a table and its hidden columns.
pub struct Reading {
    query: Query,
    width: usize,
    embedded: Vec<Embedded>,
}

impl Reader {
    /// Signs in as a connection would (the sync command, tests).
    pub fn open(config: &Config) -> Result<Reader> {
        let session = live::live_session(config)?;
        Reader::over(config, session.client().clone())
    }

    /// Over a client already signed in (a live connection's).
    pub fn over(config: &Config, client: Arc<Client>) -> Result<Reader> {
        let profile = Profile::load(config.profile.as_deref())?;
        let (text, origin) = Profile::source(config.profile.as_deref())?
            .unwrap_or_else(|| (BUILTIN.to_string(), "(built-in)".to_string()));
        let hidden = Arc::new(embedded::with_hidden_columns(&text, &origin, &profile)?);
        let exact = Config {
            prefetch: Some(0),
            ..config.clone()
        };
        Ok(Reader {
            profile,
            ahead: open_session(config, hidden.clone(), client.clone(), &Setup::default())?,
            exact: open_session(&exact, hidden, client, &Setup::default())?,
            interrupt: Interrupt::none(),
        })
    }

    pub fn interrupt(&self) -> &Interrupt {
        &self.interrupt
    }

    /// Reads stop with the statement's cancel or deadline.
    pub fn interrupted_by(mut self, interrupt: Interrupt) -> Reader {
        self.interrupt = interrupt;
        self
    }

    pub fn profile(&self) -> &Arc<Profile> {
        &self.profile
    }

    /// Requests sent so far by the sync's client.
    pub fn requests_sent(&self) -> u64 {
        self.ahead.client().requests_sent()
    }

    /// The table's rows (and its array children's) `[WHERE filter]`.
    pub fn read(
        &self,
        pace: Pace,
        table: &Table,
        filter: &str,
        params: &[Value],
    ) -> Result<Reading> {
        let session = match pace {
            Pace::Ahead => &self.ahead,
            Pace::Exact => &self.exact,
        };
        let columns: Vec<String> = table
            .columns
            .iter()
            .map(|c| c.name.clone())
            .chain(embedded::hidden_names(&self.profile, table))
            .map(|c| quoted(&c))
            .collect();
        let mut sql = format!("SELECT {} FROM {}", columns.join(", "), self.name(table));
        if !filter.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(filter);
        }
        let mut query = session.prepare(&sql)?;
        query.execute(params, &self.interrupt)?;
        Ok(Reading {
            query,
            width: table.columns.len(),
            embedded: embedded::children_of(&self.profile, table),
        })
    }

    /// `SELECT COUNT(*)`: a count route when the table has one.
    pub fn count(&self, table: &Table) -> Result<u64> {
        let sql = format!("SELECT COUNT(*) FROM {}", self.name(table));
        let mut q = self.exact.prepare(&sql)?;
        q.execute(&[], &self.interrupt)?;
        match q.next_row()?.as_deref() {
            Some([Value::Int(n)]) => Ok(*n as u64),
            other => Err(Error::new(
                Kind::General,
                format!(
                    "COUNT(*) of {} answered {other:?}, not a number.",
                    table.name
                ),
            )),
        }
    }

    fn name(&self, table: &Table) -> String {
        format!("{}.{}", quoted(&self.profile().schema), quoted(&table.name))
    }
}

impl Reading {
    /// Up to `n` more rows, with their children; None at the end.
    pub fn next_batch(&mut self, n: usize) -> Result<Option<Batch>> {
        let mut rows = Vec::with_capacity(n);
        let mut children: Vec<ChildRows> = self
            .embedded
            .iter()
            .map(|e| ChildRows {
                table: e.child,
                parent_keys: Vec::new(),
                rows: Vec::new(),
            })
            .collect();
        while rows.len() < n {
            let Some(mut row) = self.query.next_row()? else {
                break;
            };
            let hidden = row.split_off(self.width);
            for (e, out) in self.embedded.iter().zip(children.iter_mut()) {
                out.parent_keys.push(row[e.parent_key].clone());
                out.rows.extend(e.rows(&row, &hidden));
            }
            rows.push(row);
        }
        Ok((!rows.is_empty()).then_some(Batch { rows, children }))
    }
}
