//! How a bound parameter's value is read at execution: what its length /
//! indicator says (NULL, data at execution, NUL-terminated, a length) and
//! how many bytes its C type takes. `ffi/` then reads the bytes. Also
//! what one SQLPutData piece's length says (`put_data_source`), where a
//! row of a parameter array is (`ParamLayout`), and what an execution
//! hands back for the FFI layer to write (`ExecOut`).

use super::convert::fixed_size;
use super::ParamBinding;
use crate::engine::Value;
use crate::error::{Error, Result};
use crate::ffi::strings::WIDE_SIZE;
use odbc_sys::{CDataType, Char, Len, RetCode, DATA_AT_EXEC, NTS, NULL_DATA};

use super::sqlext::SQL_LEN_DATA_AT_EXEC_OFFSET;

/// Where a parameter's value is.
#[derive(Debug, PartialEq, Eq)]
pub enum ParamSource {
    /// SQL_NULL_DATA: no buffer to read.
    Null,
    /// Exactly this many bytes at the value pointer.
    Bytes(usize),
    /// A string ended by a NUL of `unit` bytes.
    Terminated { unit: usize },
    /// SQL_DATA_AT_EXEC or SQL_LEN_DATA_AT_EXEC(n): the application sends
    /// the value with SQLPutData after SQLParamData asks for it.
    AtExec,
}

/// `indicator` is the value at StrLen_or_IndPtr, `None` when that pointer
/// is null (the value is then NUL-terminated, or of its fixed size).
pub fn param_source(binding: &ParamBinding, indicator: Option<Len>) -> Result<ParamSource> {
    let ind = indicator.unwrap_or(NTS);
    if ind == NULL_DATA {
        return Ok(ParamSource::Null);
    }
    if ind == DATA_AT_EXEC || ind <= SQL_LEN_DATA_AT_EXEC_OFFSET {
        return Ok(ParamSource::AtExec);
    }
    Ok(match fixed_size(binding.c_type) {
        Some(n) => ParamSource::Bytes(n),
        None if ind == NTS || ind < 0 => ParamSource::Terminated {
            unit: if binding.c_type == CDataType::WChar as i16 {
                WIDE_SIZE
            } else {
                size_of::<Char>()
            },
        },
        None => ParamSource::Bytes(ind as usize),
    })
}

/// What SQLPutData's StrLen_or_Ind says of its piece of a parameter of C
/// type `c_type`: NULL, a length, NUL-terminated, or the type's fixed size.
pub fn put_data_source(c_type: i16, len: Len) -> Result<ParamSource> {
    if len == NULL_DATA {
        return Ok(ParamSource::Null);
    }
    if let Some(n) = fixed_size(c_type) {
        return Ok(ParamSource::Bytes(n));
    }
    if len == NTS {
        return Ok(ParamSource::Terminated {
            unit: if c_type == CDataType::WChar as i16 {
                WIDE_SIZE
            } else {
                size_of::<Char>()
            },
        });
    }
    if len < 0 {
        return Err(Error::odbc(
            "HY090",
            format!("SQLPutData's StrLen_or_Ind {len} is not a length, SQL_NTS or SQL_NULL_DATA."),
        ));
    }
    Ok(ParamSource::Bytes(len as usize))
}

/// SQL_PARAM_* values of SQL_ATTR_PARAM_STATUS_PTR (sqlext.h).
pub const SQL_PARAM_SUCCESS: u16 = 0;
pub const SQL_PARAM_ERROR: u16 = 5;
pub const SQL_PARAM_UNUSED: u16 = 7;
/// SQL_ATTR_PARAM_OPERATION_PTR's "skip this row".
pub const SQL_PARAM_IGNORE: u16 = 1;
/// SQL_NEED_DATA: a data-at-execution parameter awaits SQLParamData.
pub const SQL_NEED_DATA: RetCode = 99;

/// One parameter's value as read at execution.
#[derive(Debug, Clone)]
pub enum Cell {
    Value(Value),
    /// Sent later with SQLPutData; `token` is what SQLParamData returns
    /// (the row's ParameterValuePtr).
    AtExec {
        token: usize,
    },
}

/// One row of parameter values.
#[derive(Debug)]
pub enum ParamRow {
    /// SQL_PARAM_IGNORE.
    Ignored,
    /// Its values could not be read or converted.
    Bad(Error),
    Cells(Vec<Cell>),
}

/// Where an execution's parameter values are.
pub struct ParamLayout {
    pub bindings: Vec<ParamBinding>,
    /// SQL_ATTR_PARAMSET_SIZE.
    pub rows: usize,
    /// SQL_ATTR_PARAM_BIND_TYPE: 0 column-wise, else the size of a row.
    pub bind_type: usize,
    /// SQL_ATTR_PARAM_BIND_OFFSET_PTR (0: none).
    pub offset_ptr: usize,
    /// SQL_ATTR_PARAM_OPERATION_PTR (0: none).
    pub operation_ptr: usize,
}

impl ParamLayout {
    /// The addresses of `b`'s value and indicator in row `row`, `offset`
    /// the value at SQL_ATTR_PARAM_BIND_OFFSET_PTR. An unbound (0) address
    /// stays 0.
    pub fn addresses(&self, b: &ParamBinding, row: usize, offset: usize) -> (usize, usize) {
        let (value_stride, ind_stride) = if self.bind_type == 0 {
            let element = fixed_size(b.c_type).unwrap_or(b.buf_len.max(0) as usize);
            (element, size_of::<Len>())
        } else {
            (self.bind_type, self.bind_type)
        };
        let at = |base: usize, stride: usize| {
            if base == 0 {
                0
            } else {
                base + offset + row * stride
            }
        };
        (at(b.ptr, value_stride), at(b.ind, ind_stride))
    }
}

/// What an execution returns, and what the FFI layer writes for it.
pub struct ExecOut {
    pub result: Result<RetCode>,
    /// One SQL_PARAM_* per row, for SQL_ATTR_PARAM_STATUS_PTR.
    pub statuses: Vec<u16>,
    /// Rows processed (error rows included), for
    /// SQL_ATTR_PARAMS_PROCESSED_PTR.
    pub processed: usize,
    pub status_ptr: usize,
    pub processed_ptr: usize,
}

impl ExecOut {
    pub fn only(result: Result<RetCode>) -> ExecOut {
        ExecOut {
            result,
            statuses: Vec::new(),
            processed: 0,
            status_ptr: 0,
            processed_ptr: 0,
        }
    }
}

/// What SQLParamData answers.
pub enum ParamDataOut {
    /// SQL_NEED_DATA, with the next parameter's token.
    Need(usize),
    /// The statement ran.
    Done(ExecOut),
}

#[cfg(test)]
mod tests {
    use super::*;
    use odbc_sys::{len_data_at_exec, SqlDataType};

    fn binding(c_type: CDataType) -> ParamBinding {
        ParamBinding {
            c_type: c_type as i16,
            sql_type: SqlDataType::VARCHAR.0,
            ptr: 0,
            buf_len: 0,
            ind: 0,
            num: crate::odbc::convert::NumericSpec::DEFAULT,
        }
    }

    #[test]
    fn indicators_say_where_the_value_is() {
        let text = binding(CDataType::Char);
        let wide = binding(CDataType::WChar);
        let int = binding(CDataType::SBigInt);
        assert_eq!(
            param_source(&text, Some(NULL_DATA)).unwrap(),
            ParamSource::Null
        );
        assert_eq!(
            param_source(&text, None).unwrap(),
            ParamSource::Terminated { unit: 1 }
        );
        assert_eq!(
            param_source(&wide, Some(NTS)).unwrap(),
            ParamSource::Terminated { unit: WIDE_SIZE }
        );
        assert_eq!(param_source(&text, Some(7)).unwrap(), ParamSource::Bytes(7));
        // Fixed-size types ignore the length.
        assert_eq!(param_source(&int, Some(3)).unwrap(), ParamSource::Bytes(8));
        for at_exec in [DATA_AT_EXEC, len_data_at_exec(10)] {
            assert_eq!(
                param_source(&text, Some(at_exec)).unwrap(),
                ParamSource::AtExec
            );
        }
    }

    #[test]
    fn rows_are_found_column_wise_and_row_wise() {
        let b = ParamBinding {
            c_type: odbc_sys::CDataType::Char as i16,
            sql_type: 12,
            ptr: 1000,
            buf_len: 20,
            ind: 5000,
            num: crate::odbc::convert::NumericSpec::DEFAULT,
        };
        let mut layout = ParamLayout {
            bindings: vec![b],
            rows: 3,
            bind_type: 0,
            offset_ptr: 0,
            operation_ptr: 0,
        };
        assert_eq!(
            layout.addresses(&b, 2, 0),
            (1040, 5000 + 2 * size_of::<Len>())
        );
        layout.bind_type = 64;
        assert_eq!(layout.addresses(&b, 2, 8), (1000 + 8 + 128, 5000 + 8 + 128));
        let unbound = ParamBinding { ind: 0, ..b };
        assert_eq!(layout.addresses(&unbound, 1, 0).1, 0);
    }
}
