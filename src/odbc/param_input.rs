//! How a bound parameter's value is read at execution: what its length /
//! indicator says (NULL, data at execution, NUL-terminated, a length) and
//! how many bytes its C type takes. `ffi/` then reads the bytes.

use super::convert::fixed_size;
use super::ParamBinding;
use crate::error::{Error, Result};
use odbc_sys::{CDataType, Char, Len, WChar, DATA_AT_EXEC, NTS, NULL_DATA};

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
            ParamSource::Terminated { unit: 2 }
        );
        assert_eq!(param_source(&text, Some(7)).unwrap(), ParamSource::Bytes(7));
        // Fixed-size types ignore the length.
        assert_eq!(param_source(&int, Some(3)).unwrap(), ParamSource::Bytes(8));
        for at_exec in [DATA_AT_EXEC, len_data_at_exec(10)] {
            let err = param_source(&text, Some(at_exec)).unwrap_err();
            assert_eq!(err.state, Some("HYC00"));
        }
    }
}
