//! Data at execution: a parameter bound with SQL_DATA_AT_EXEC or
//! SQL_LEN_DATA_AT_EXEC(n) is sent in pieces after SQLExecute /
//! SQLExecDirect returned SQL_NEED_DATA. Each SQLParamData finishes the
//! parameter being sent and returns the next one's token (the
//! ParameterValuePtr the application bound, for its row); SQLPutData
//! appends a piece (character, wide and binary values in any number of
//! pieces, other types in one; SQL_NULL_DATA for NULL). The SQLParamData
//! after the last parameter runs the statement. Meanwhile every other
//! function on the statement but SQLCancel (which ends the sequence),
//! SQLGetDiagRec/Field and SQLGetStmtAttr is HY010. A parameter for which
//! no piece came is NULL.

use super::Stmt;
use crate::error::{Error, Result};
use crate::odbc::convert::{fixed_size, from_c};
use crate::odbc::param_input::{Cell, ParamDataOut, ParamRow, SQL_NEED_DATA};
use crate::odbc::{lock, ParamBinding, SUCCESS};
use odbc_sys::RetCode;

/// A statement waiting for its values at execution.
pub(super) struct NeedData {
    bindings: Vec<ParamBinding>,
    rows: Vec<ParamRow>,
    /// (row, parameter index) of every value at execution, in the order
    /// SQLParamData asks for them.
    pending: Vec<(usize, usize)>,
    next: usize,
    /// The value being sent.
    current: Option<Piece>,
}

struct Piece {
    row: usize,
    param: usize,
    data: Vec<u8>,
    null: bool,
    pieces: usize,
}

fn sequence(message: &str) -> Error {
    Error::odbc("HY010", format!("{message} (function sequence error)."))
}

impl Stmt {
    /// Starts a data-at-execution sequence: SQL_NEED_DATA.
    pub(super) fn enter_need_data(&self, rows: Vec<ParamRow>) -> Result<RetCode> {
        let bindings = self.param_bindings()?;
        let _run = self.begin()?;
        let mut st = lock(&self.state);
        if st.query.is_none() && st.call.is_none() {
            return Err(sequence(
                "SQLExecute needs a statement prepared with SQLPrepare first",
            ));
        }
        let mut pending = Vec::new();
        for (r, row) in rows.iter().enumerate() {
            if let ParamRow::Cells(cells) = row {
                for (p, c) in cells.iter().enumerate() {
                    if matches!(c, Cell::AtExec { .. }) {
                        pending.push((r, p));
                    }
                }
            }
        }
        st.close_cursor();
        st.need_data = Some(NeedData {
            bindings,
            rows,
            pending,
            next: 0,
            current: None,
        });
        self.set_need_data(true);
        Ok(SQL_NEED_DATA)
    }

    /// SQLParamData.
    pub fn param_data(&self) -> Result<ParamDataOut> {
        let mut st = lock(&self.state);
        let Some(nd) = st.need_data.as_mut() else {
            return Err(sequence(
                "SQLParamData is called only after SQLExecute or SQLExecDirect returned SQL_NEED_DATA",
            ));
        };
        if let Some(piece) = nd.current.take() {
            let b = nd.bindings[piece.param];
            let bytes = (!piece.null && piece.pieces > 0).then_some(&piece.data[..]);
            match from_c(b.c_type, b.sql_type, bytes, b.num) {
                Ok(v) => {
                    if let ParamRow::Cells(cells) = &mut nd.rows[piece.row] {
                        cells[piece.param] = Cell::Value(v);
                    }
                }
                Err(e) => {
                    // The sequence ends; the statement is as before SQLExecute.
                    st.need_data = None;
                    drop(st);
                    self.set_need_data(false);
                    return Err(e);
                }
            }
        }
        if let Some(&(row, param)) = nd.pending.get(nd.next) {
            nd.next += 1;
            let token = match &nd.rows[row] {
                ParamRow::Cells(cells) => match cells[param] {
                    Cell::AtExec { token } => token,
                    Cell::Value(_) => 0,
                },
                _ => 0,
            };
            nd.current = Some(Piece {
                row,
                param,
                data: Vec::new(),
                null: false,
                pieces: 0,
            });
            return Ok(ParamDataOut::Need(token));
        }
        let rows = st.need_data.take().map(|nd| nd.rows).unwrap_or_default();
        drop(st);
        self.set_need_data(false);
        Ok(ParamDataOut::Done(self.run_rows(rows)))
    }

    /// SQLPutData: `read` gets the parameter's C type and returns the
    /// piece's bytes (None for SQL_NULL_DATA).
    pub fn put_data(&self, read: impl FnOnce(i16) -> Result<Option<Vec<u8>>>) -> Result<RetCode> {
        let mut st = lock(&self.state);
        let Some(nd) = st.need_data.as_mut() else {
            return Err(sequence(
                "SQLPutData is called only while SQLParamData asks for a parameter's value",
            ));
        };
        let Some(piece) = nd.current.as_mut() else {
            return Err(sequence(
                "SQLPutData needs SQLParamData to name the parameter first",
            ));
        };
        let c_type = nd.bindings[piece.param].c_type;
        match read(c_type)? {
            None => {
                if piece.pieces > 0 {
                    return Err(Error::odbc(
                        "HY011",
                        "SQL_NULL_DATA must be the only piece of a parameter's value.",
                    ));
                }
                piece.null = true;
            }
            Some(bytes) => {
                if piece.null {
                    return Err(Error::odbc(
                        "HY011",
                        "The parameter was already sent as NULL.",
                    ));
                }
                if piece.pieces > 0 && fixed_size(c_type).is_some() {
                    return Err(Error::odbc(
                        "HY019",
                        "Only character and binary values can be sent in pieces.",
                    ));
                }
                piece.data.extend_from_slice(&bytes);
            }
        }
        piece.pieces += 1;
        Ok(SUCCESS)
    }

    /// SQLCancel during a data-at-execution sequence ends it.
    pub(super) fn cancel_need_data(&self) {
        lock(&self.state).need_data = None;
        self.set_need_data(false);
    }
}
