//! Parameter markers: SQLBindParameter, SQLNumParams, and the bindings an
//! execution needs.

use super::bind_record;
use super::Stmt;
use crate::error::{Error, Result};
use crate::odbc::convert::{self, NumericSpec};
use crate::odbc::descriptor::{DescData, Record};
use crate::odbc::{lock, SUCCESS};
use odbc_sys::{ParamType, RetCode};

/// An input parameter as the APD and IPD records say (SQLBindParameter
/// sets both). The addresses are opaque here; the FFI layer reads them at
/// execute time.
#[derive(Debug, Clone, Copy)]
pub struct ParamBinding {
    /// The APD's SQL_DESC_CONCISE_TYPE.
    pub c_type: i16,
    /// The IPD's SQL_DESC_CONCISE_TYPE.
    pub sql_type: i16,
    pub ptr: usize,
    pub buf_len: isize,
    /// The length / indicator buffer.
    pub ind: usize,
    /// The APD's precision and scale, for SQL_C_NUMERIC.
    pub num: NumericSpec,
}

/// SQLBindParameter's ColumnSize and DecimalDigits on the IPD record, by
/// the SQL type: precision and scale of exact numbers, precision of
/// approximate ones, fractional-second precision of datetimes, length of
/// the rest.
fn describe_ipd(r: &mut Record, sql_type: i16, size: u64, digits: i16) {
    r.set_concise(sql_type);
    match sql_type {
        2 | 3 => (r.precision, r.scale) = (size as i16, digits),
        6..=8 => r.precision = size as i16,
        91..=93 | 9 | 10 | 11 => r.precision = digits,
        _ => r.length = size as i64,
    }
}

/// The binding of parameter `i`, or 07002 when its APD record has no
/// buffer.
fn binding_of(apd: &DescData, ipd: &DescData, i: usize) -> Result<ParamBinding> {
    let Some(a) = apd.record(i).filter(|r| r.is_bound()) else {
        return Err(Error::odbc(
            "07002",
            format!("Parameter {i} has no value bound (SQLBindParameter)."),
        ));
    };
    if a.indicator_ptr != 0 && a.octet_length_ptr != 0 && a.indicator_ptr != a.octet_length_ptr {
        return Err(Error::odbc(
            "HYC00",
            format!("Parameter {i}: separate SQL_DESC_INDICATOR_PTR and SQL_DESC_OCTET_LENGTH_PTR buffers are not supported for parameters; point both at one SQLLEN."),
        ));
    }
    Ok(ParamBinding {
        c_type: a.concise_type,
        sql_type: ipd.record(i).map_or(0, |r| r.concise_type),
        ptr: a.data_ptr,
        buf_len: a.octet_length as isize,
        ind: a.indicator_ptr.max(a.octet_length_ptr),
        num: NumericSpec {
            precision: a.precision,
            scale: a.scale,
        },
    })
}

impl Stmt {
    #[allow(clippy::too_many_arguments)]
    pub fn bind_parameter(
        &self,
        number: u16,
        io_type: i16,
        c_type: i16,
        sql_type: i16,
        (size, digits): (u64, i16),
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
        let st = lock(&self.state);
        let n = number as usize;
        let (apd, ipd) = (st.descs.apd.clone(), st.descs.ipd.clone());
        drop(st);
        {
            let mut a = apd.lock();
            if number as i16 > a.header.count {
                a.header.count = number as i16;
            }
            bind_record(a.record_mut(apd.kind, n), c_type, ptr, buf_len, ind);
        }
        let mut i = ipd.lock();
        if number as i16 > i.header.count {
            i.header.count = number as i16;
        }
        let r = i.record_mut(ipd.kind, n);
        describe_ipd(r, sql_type, size, digits);
        r.parameter_type = io_type;
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
        let (apd, ipd) = (st.descs.apd.lock(), st.descs.ipd.lock());
        (1..=markers).map(|i| binding_of(&apd, &ipd, i)).collect()
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
