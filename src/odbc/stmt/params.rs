//! Parameter markers: SQLBindParameter, SQLNumParams, and the bindings an
//! execution needs.

use super::Stmt;
use crate::error::{Error, Result};
use crate::odbc::{convert, lock, SUCCESS};
use odbc_sys::{ParamType, RetCode};

/// An input parameter bound with SQLBindParameter. The addresses are
/// opaque here; the FFI layer reads them at execute time.
#[derive(Debug, Clone, Copy)]
pub struct ParamBinding {
    pub c_type: i16,
    pub sql_type: i16,
    pub ptr: usize,
    pub buf_len: isize,
    pub ind: usize,
}

impl Stmt {
    #[allow(clippy::too_many_arguments)]
    pub fn bind_parameter(
        &self,
        number: u16,
        io_type: i16,
        c_type: i16,
        sql_type: i16,
        ptr: usize,
        buf_len: isize,
        ind: usize,
    ) -> Result<RetCode> {
        if number == 0 {
            return Err(Error::odbc("07009", "Parameters are numbered from 1."));
        }
        if io_type != ParamType::Input as i16 {
            return Err(Error::odbc("HYC00", "Only input parameters are supported."));
        }
        convert::check_c_type(c_type)?;
        let _run = self.begin()?;
        lock(&self.state).params.insert(
            number,
            ParamBinding {
                c_type,
                sql_type,
                ptr,
                buf_len,
                ind,
            },
        );
        Ok(SUCCESS)
    }

    /// The bindings the statement's markers need, in order; an unbound one
    /// is 07002.
    pub fn param_bindings(&self) -> Result<Vec<ParamBinding>> {
        let st = lock(&self.state);
        let markers = match (&st.query, &st.call) {
            (Some(q), _) => q.param_count(),
            (None, Some(call)) => call.markers.len(),
            _ => 0,
        };
        (1..=markers as u16)
            .map(|i| {
                st.params.get(&i).copied().ok_or_else(|| {
                    Error::odbc(
                        "07002",
                        format!("Parameter {i} has no value bound (SQLBindParameter)."),
                    )
                })
            })
            .collect()
    }

    pub fn num_params(&self) -> Result<i16> {
        let st = lock(&self.state);
        match (&st.query, &st.call) {
            (Some(q), _) => Ok(q.param_count() as i16),
            (None, Some(call)) => Ok(call.markers.len() as i16),
            _ => Err(Error::odbc(
                "HY010",
                "SQLNumParams needs a prepared statement (function sequence error).",
            )),
        }
    }
}
