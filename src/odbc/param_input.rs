//! How a bound parameter's value is read at execution: what its length /
//! indicator says (NULL, data at execution, NUL-terminated, a length) and
//! how many bytes its C type takes. `ffi/` then reads the bytes.

use super::convert::fixed_size;
use super::ParamBinding;
use crate::error::{Error, Result};
use odbc_sys::{CDataType, Char, Len, WChar, DATA_AT_EXEC, NTS, NULL_DATA};

/// SQL_LEN_DATA_AT_EXEC_OFFSET (sqlext.h): indicators at or below it are
/// SQL_LEN_DATA_AT_EXEC(length). odbc-sys keeps it private to
/// `len_data_at_exec`.
const SQL_LEN_DATA_AT_EXEC_OFFSET: Len = -100;

/// Where a parameter's value is.
#[derive(Debug, PartialEq, Eq)]
pub enum ParamSource {
    /// SQL_NULL_DATA: no buffer to read.
    Null,
    /// Exactly this many bytes at the value pointer.
    Bytes(usize),
    /// A string ended by a NUL of `unit` bytes.
    Terminated { unit: usize },
}

/// `indicator` is the value at StrLen_or_IndPtr, `None` when that pointer
/// is null (the value is then NUL-terminated, or of its fixed size).
pub fn param_source(binding: &ParamBinding, indicator: Option<Len>) -> Result<ParamSource> {
    let ind = indicator.unwrap_or(NTS);
    if ind == NULL_DATA {
        return Ok(ParamSource::Null);
    }
    if ind == DATA_AT_EXEC || ind <= SQL_LEN_DATA_AT_EXEC_OFFSET {
        return Err(Error::odbc(
            "HYC00",
            "Parameters supplied at execution time (SQL_DATA_AT_EXEC) are not supported.",
        ));
    }
    Ok(match fixed_size(binding.c_type) {
        Some(n) => ParamSource::Bytes(n),
        None if ind == NTS || ind < 0 => ParamSource::Terminated {
            unit: if binding.c_type == CDataType::WChar as i16 {
                size_of::<WChar>()
            } else {
                size_of::<Char>()
            },
        },
        None => ParamSource::Bytes(ind as usize),
    })
}
