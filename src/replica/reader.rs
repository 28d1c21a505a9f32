//! What a sync reads the store through: live engine sessions over one
//! client (so one rate limiter, one request count), each paging its own way.
//! - `Pace::Ahead` requests pages ahead of the reader (the connection's
//!   `Prefetch`): for whole tables, where every page is wanted.
//! - `Pace::Exact` requests one page at a time: for a window or one
//!   parent's children, where a page read ahead past the end of a list
//!   without a count is a request spent for nothing.

use crate::config::live::{self, open_session};
use crate::config::Config;
use crate::engine::{Interrupt, Query, Session, Setup, Value};
use crate::error::{Error, Kind, Result};
use crate::jumpseller::Client;
use crate::schema::{Profile, Table};
use std::sync::Arc;

use super::layout::quoted;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pace {
    Ahead,
    Exact,
}

pub struct Reader {
    ahead: Session,
    exact: Session,
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
        let exact = Config {
            prefetch: Some(0),
            ..config.clone()
        };
        Ok(Reader {
            ahead: open_session(config, profile.clone(), client.clone(), &Setup::default())?,
            exact: open_session(&exact, profile, client, &Setup::default())?,
        })
    }

    pub fn profile(&self) -> &Arc<Profile> {
        self.ahead.profile()
    }

    /// Requests sent so far by the sync's client.
    pub fn requests_sent(&self) -> u64 {
        self.ahead.client().requests_sent()
    }

    /// `SELECT * FROM table [WHERE filter]`, running.
    pub fn select(
        &self,
        pace: Pace,
        table: &Table,
        filter: &str,
        params: &[Value],
    ) -> Result<Query> {
        let session = match pace {
            Pace::Ahead => &self.ahead,
            Pace::Exact => &self.exact,
        };
        let mut sql = format!("SELECT * FROM {}", self.name(table));
        if !filter.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(filter);
        }
        let mut query = session.prepare(&sql)?;
        query.execute(params, &Interrupt::none())?;
        Ok(query)
    }

    /// `SELECT COUNT(*)`: a count route when the table has one.
    pub fn count(&self, table: &Table) -> Result<u64> {
        let sql = format!("SELECT COUNT(*) FROM {}", self.name(table));
        let mut q = self.exact.prepare(&sql)?;
        q.execute(&[], &Interrupt::none())?;
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
