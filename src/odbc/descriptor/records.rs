//! A descriptor record: its stored fields, how setting one field moves
//! others (SQL_DESC_TYPE, SQL_DESC_CONCISE_TYPE and
//! SQL_DESC_DATETIME_INTERVAL_CODE are one fact said three ways; setting
//! the type resets the length, precision and scale to the type's defaults),
//! and the consistency check run when SQL_DESC_DATA_PTR is set.

use super::fields::FieldValue;
use super::DescKind;
use crate::error::{Error, Result};
use crate::odbc::convert;
use crate::schema::SqlType;
use odbc_sys::Desc as D;

// Verbose types and their subcodes (sql.h).
const SQL_DATETIME: i16 = 9;
const SQL_INTERVAL: i16 = 10;
const SQL_TYPE_DATE: i16 = 91;
const SQL_INTERVAL_FIRST: i16 = 101;
const SQL_INTERVAL_LAST: i16 = 113;
// SQL_NUMERIC / SQL_DECIMAL (and SQL_C_NUMERIC, which is SQL_NUMERIC).
const SQL_NUMERIC: i16 = 2;
const SQL_DECIMAL: i16 = 3;
const SQL_FLOAT: i16 = 6;
/// SQL_PARAM_INPUT, SQL_UNNAMED, SQL_NULLABLE.
const PARAM_INPUT: i16 = 1;
const UNNAMED: i16 = 1;
const NULLABLE: i16 = 1;

/// The most digits an SQL_NUMERIC_STRUCT's 16-byte value holds whole, and
/// the precision SQLBindCol / SQLBindParameter give SQL_C_NUMERIC.
pub const MAX_NUMERIC_PRECISION: i16 = 38;

#[derive(Debug, Clone)]
pub struct Record {
    pub type_: i16,
    pub concise_type: i16,
    pub interval_code: i16,
    pub interval_precision: i64,
    pub length: i64,
    pub octet_length: i64,
    pub precision: i16,
    pub scale: i16,
    pub num_prec_radix: i64,
    pub data_ptr: usize,
    pub indicator_ptr: usize,
    pub octet_length_ptr: usize,
    pub name: String,
    pub unnamed: i16,
    pub nullable: i16,
    pub parameter_type: i16,
}

impl Record {
    pub fn new(kind: DescKind) -> Record {
        // Application records start as SQL_C_DEFAULT; an IPD record's type
        // is undefined until SQLBindParameter or the application sets it.
        let t = if kind.is_app() { convert::C_DEFAULT } else { 0 };
        Record {
            type_: t,
            concise_type: t,
            interval_code: 0,
            interval_precision: 0,
            length: 0,
            octet_length: 0,
            precision: 0,
            scale: 0,
            num_prec_radix: 0,
            data_ptr: 0,
            indicator_ptr: 0,
            octet_length_ptr: 0,
            name: String::new(),
            unnamed: UNNAMED,
            nullable: NULLABLE,
            parameter_type: PARAM_INPUT,
        }
    }

    /// Whether a buffer is bound (an application record).
    pub fn is_bound(&self) -> bool {
        self.data_ptr != 0 || self.indicator_ptr != 0 || self.octet_length_ptr != 0
    }

    /// A stored field's value; None for fields this record does not keep
    /// (the IRD's, answered from the columns).
    pub fn get(&self, id: i16) -> Option<FieldValue> {
        use FieldValue::{Int, Text};
        let is = |d: D| d as i16 == id;
        Some(if is(D::Type) {
            Int(self.type_ as i64)
        } else if is(D::ConciseType) {
            Int(self.concise_type as i64)
        } else if is(D::DatetimeIntervalCode) {
            Int(self.interval_code as i64)
        } else if is(D::DatetimeIntervalPrecision) {
            Int(self.interval_precision)
        } else if is(D::Length) {
            Int(self.length)
        } else if is(D::OctetLength) {
            Int(self.octet_length)
        } else if is(D::Precision) {
            Int(self.precision as i64)
        } else if is(D::Scale) {
            Int(self.scale as i64)
        } else if is(D::NumPrecRadix) {
            Int(self.num_prec_radix)
        } else if is(D::DataPtr) {
            Int(self.data_ptr as i64)
        } else if is(D::IndicatorPtr) {
            Int(self.indicator_ptr as i64)
        } else if is(D::OctetLengthPtr) {
            Int(self.octet_length_ptr as i64)
        } else if is(D::Name) {
            Text(self.name.clone())
        } else if is(D::Unnamed) {
            Int(self.unnamed as i64)
        } else if is(D::Nullable) {
            Int(self.nullable as i64)
        } else if is(D::ParameterType) {
            Int(self.parameter_type as i64)
        } else {
            return self.ipd_derived(id);
        })
    }

    /// The IPD's read-only fields, from the parameter's SQL type.
    fn ipd_derived(&self, id: i16) -> Option<FieldValue> {
        use FieldValue::{Int, Text};
        let is = |d: D| d as i16 == id;
        let ours = our_type(self.concise_type);
        Some(if is(D::CaseSensitive) {
            Int(ours.is_some_and(|t| t.is_char()) as i64)
        } else if is(D::Unsigned) {
            Int(ours.is_none_or(|t| t.is_unsigned()) as i64)
        } else if is(D::FixedPrecScale) || is(D::RowVer) {
            Int(0)
        } else if is(D::TypeName) || is(D::LocalTypeName) {
            Text(ours.map(|t| t.type_name()).unwrap_or("").to_string())
        } else {
            return None;
        })
    }

    /// Sets a stored field, with the coupling the spec asks for. The
    /// value's kind was checked against the field table.
    pub fn set(&mut self, id: i16, v: &FieldValue) -> Result<()> {
        let n = v.int();
        let is = |d: D| d as i16 == id;
        if is(D::Type) {
            self.set_type(n as i16);
        } else if is(D::ConciseType) {
            self.set_concise(n as i16);
        } else if is(D::DatetimeIntervalCode) {
            self.interval_code = n as i16;
            self.concise_type = concise_of(self.type_, self.interval_code);
        } else if is(D::DatetimeIntervalPrecision) {
            self.interval_precision = n;
        } else if is(D::Length) {
            self.length = n;
        } else if is(D::OctetLength) {
            self.octet_length = n;
        } else if is(D::Precision) {
            self.precision = n as i16;
        } else if is(D::Scale) {
            self.scale = n as i16;
        } else if is(D::NumPrecRadix) {
            self.num_prec_radix = n;
        } else if is(D::DataPtr) {
            self.data_ptr = n as usize;
        } else if is(D::IndicatorPtr) {
            self.indicator_ptr = n as usize;
        } else if is(D::OctetLengthPtr) {
            self.octet_length_ptr = n as usize;
        } else if is(D::Name) {
            self.name = v.text().to_string();
            self.unnamed = if self.name.is_empty() { UNNAMED } else { 0 };
        } else if is(D::Unnamed) {
            self.unnamed = n as i16;
        } else if is(D::ParameterType) {
            if n as i16 != PARAM_INPUT {
                return Err(Error::odbc(
                    "HYC00",
                    "Only input parameters (SQL_PARAM_INPUT) are supported.",
                ));
            }
            self.parameter_type = n as i16;
        } else {
            return Err(Error::odbc(
                "HY091",
                format!("Descriptor field {id} cannot be set."),
            ));
        }
        Ok(())
    }

    /// SQL_DESC_TYPE: the concise type follows (for datetime and interval
    /// types, with the subcode), and length, precision and scale take the
    /// type's defaults.
    pub fn set_type(&mut self, t: i16) {
        self.type_ = t;
        if t != SQL_DATETIME && t != SQL_INTERVAL {
            self.interval_code = 0;
        }
        self.concise_type = concise_of(t, self.interval_code);
        self.defaults_for_type();
    }

    /// SQL_DESC_CONCISE_TYPE: the verbose type and subcode follow.
    pub fn set_concise(&mut self, c: i16) {
        let (t, code) = verbose_of(c);
        self.type_ = t;
        self.interval_code = code;
        self.concise_type = c;
        self.defaults_for_type();
    }

    fn defaults_for_type(&mut self) {
        match self.type_ {
            SQL_NUMERIC | SQL_DECIMAL => {
                self.precision = MAX_NUMERIC_PRECISION;
                self.scale = 0;
            }
            SQL_FLOAT => self.precision = 53,
            SQL_DATETIME => {
                // Fractional seconds: none for a date or time, to the
                // microsecond for a timestamp.
                self.precision = if self.interval_code == 3 { 6 } else { 0 };
            }
            _ => {
                self.length = 1;
                self.precision = 0;
                self.scale = 0;
            }
        }
    }

    /// The consistency check (SQLSetDescRec's rules), when SQL_DESC_DATA_PTR
    /// is set: the type is one this driver converts, datetime types have a
    /// subcode, and SQL_C_NUMERIC's precision and scale fit its struct.
    pub fn check_consistency(&self, kind: DescKind) -> Result<()> {
        let inconsistent = |why: String| Err(Error::odbc("HY021", why));
        if (SQL_INTERVAL_FIRST..=SQL_INTERVAL_LAST).contains(&self.concise_type)
            || self.type_ == SQL_INTERVAL
        {
            return inconsistent("Interval types are not supported.".into());
        }
        if self.type_ == SQL_DATETIME && !(1..=3).contains(&self.interval_code) {
            return inconsistent(format!(
                "SQL_DESC_TYPE is SQL_DATETIME but SQL_DESC_DATETIME_INTERVAL_CODE {} is not SQL_CODE_DATE, SQL_CODE_TIME or SQL_CODE_TIMESTAMP.",
                self.interval_code
            ));
        }
        if kind.is_app() && convert::check_c_type(self.concise_type).is_err() {
            return inconsistent(format!(
                "SQL_DESC_CONCISE_TYPE {} is not a C type this driver converts.",
                self.concise_type
            ));
        }
        if matches!(self.type_, SQL_NUMERIC | SQL_DECIMAL) {
            if !(1..=MAX_NUMERIC_PRECISION).contains(&self.precision) {
                return inconsistent(format!(
                    "SQL_DESC_PRECISION {} is not between 1 and {MAX_NUMERIC_PRECISION}.",
                    self.precision
                ));
            }
            if !(0..=self.precision).contains(&self.scale) {
                return inconsistent(format!(
                    "SQL_DESC_SCALE {} is not between 0 and the precision {}.",
                    self.scale, self.precision
                ));
            }
        }
        Ok(())
    }
}

/// The concise type of a verbose type and subcode.
fn concise_of(t: i16, code: i16) -> i16 {
    match (t, code) {
        (SQL_DATETIME, 1..=3) => SQL_TYPE_DATE - 1 + code,
        (SQL_INTERVAL, 1..=13) => SQL_INTERVAL_FIRST - 1 + code,
        (t, _) => t,
    }
}

/// The verbose type and subcode of a concise type.
fn verbose_of(c: i16) -> (i16, i16) {
    match c {
        91..=93 => (SQL_DATETIME, c - SQL_TYPE_DATE + 1),
        SQL_INTERVAL_FIRST..=SQL_INTERVAL_LAST => (SQL_INTERVAL, c - SQL_INTERVAL_FIRST + 1),
        c => (c, 0),
    }
}

/// This driver's SQL type with ODBC code `code`, if any.
fn our_type(code: i16) -> Option<SqlType> {
    [
        SqlType::BigInt,
        SqlType::Integer,
        SqlType::SmallInt,
        SqlType::Decimal(MAX_NUMERIC_PRECISION as u8, 0),
        SqlType::Double,
        SqlType::Bit,
        SqlType::Timestamp,
        SqlType::Date,
        SqlType::Time,
        SqlType::WVarchar(1),
        SqlType::WLongVarchar,
    ]
    .into_iter()
    .find(|t| t.odbc_code() == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_concise_type_and_subcode_move_together() {
        let mut r = Record::new(DescKind::Ard);
        r.set_concise(93);
        assert_eq!((r.type_, r.interval_code, r.precision), (9, 3, 6));
        r.set_type(2);
        assert_eq!((r.concise_type, r.interval_code), (2, 0));
        assert_eq!((r.precision, r.scale), (MAX_NUMERIC_PRECISION, 0));
        r.set_type(9);
        assert!(r.check_consistency(DescKind::Ard).is_err());
        r.set(D::DatetimeIntervalCode as i16, &FieldValue::Int(1))
            .unwrap();
        assert_eq!(r.concise_type, 91);
        assert!(r.check_consistency(DescKind::Ard).is_ok());
    }

    #[test]
    fn numeric_precision_and_scale_are_checked() {
        let mut r = Record::new(DescKind::Ard);
        r.set_concise(convert::C_NUMERIC);
        r.scale = 4;
        r.precision = 3;
        assert!(r.check_consistency(DescKind::Ard).is_err());
        r.precision = 10;
        assert!(r.check_consistency(DescKind::Ard).is_ok());
        r.precision = 39;
        assert!(r.check_consistency(DescKind::Ard).is_err());
    }
}
