//! SQLEndTran. The store has no transactions (SQL_TXN_CAPABLE is
//! SQL_TC_NONE): every INSERT, UPDATE and DELETE is sent to the API when its
//! statement executes, and is final then. COMMIT therefore has nothing left
//! to do, and ROLLBACK cannot undo anything: when writes were sent since the
//! last COMMIT or ROLLBACK (in manual-commit mode), it succeeds with a 01000
//! warning naming them, so that the application is told, without an error
//! that would break a client's close. Cursors stay open across both
//! (SQL_CB_PRESERVE).

use super::{lock, Conn, Env, SUCCESS};
use crate::engine::journal::Writes;
use crate::error::{Error, Result};
use odbc_sys::{CompletionType, RetCode};

/// SQLEndTran's completion type; HY012 for anything else.
fn completion_type(completion: i16) -> Result<CompletionType> {
    [CompletionType::Commit, CompletionType::Rollback]
        .into_iter()
        .find(|c| *c as i16 == completion)
        .ok_or_else(|| {
            Error::odbc(
                "HY012",
                format!("Completion type {completion} is not valid."),
            )
        })
}

/// The 01000 warning of a ROLLBACK that found writes already sent.
pub fn rollback_warning(writes: &Writes) -> String {
    let how_many = match writes.count {
        1 => "1 write".to_string(),
        n => format!("{n} writes"),
    };
    format!(
        "ROLLBACK cannot undo writes already sent to the store: {writes} ({how_many}). The Jumpseller API has no transactions; each write was final when its statement returned."
    )
}

impl Conn {
    /// Ends this connection's "transaction": the writes recorded since the
    /// last COMMIT or ROLLBACK are forgotten; a ROLLBACK that had some to
    /// forget says so. Statements and their cursors are left alone.
    fn end_transaction(&self, completion: CompletionType) -> Option<String> {
        let session = lock(&self.state)
            .connected
            .as_ref()
            .map(|c| c.session.clone())?;
        let writes = session.take_writes();
        (completion == CompletionType::Rollback && !writes.is_empty())
            .then(|| rollback_warning(&writes))
    }

    /// SQLEndTran(SQL_HANDLE_DBC): 08003 on a connection that is not open
    /// (there is no transaction to end; the environment's SQLEndTran skips
    /// such connections instead).
    pub fn end_tran(&self, completion: i16) -> Result<RetCode> {
        let completion = completion_type(completion)?;
        self.session()?;
        if let Some(warning) = self.end_transaction(completion) {
            lock(&self.diags).push("01000", warning);
        }
        Ok(SUCCESS)
    }
}

impl Env {
    /// SQLEndTran(SQL_HANDLE_ENV): every connection of the environment;
    /// the warnings land on the environment.
    pub fn end_tran(&self, completion: i16) -> Result<RetCode> {
        let completion = completion_type(completion)?;
        for conn in super::handles::connections_of(self) {
            if let Some(warning) = conn.end_transaction(completion) {
                lock(&self.diags).push("01000", warning);
            }
        }
        Ok(SUCCESS)
    }
}
