//! What SQLGetDiagRec and SQLGetDiagField answer from a handle's records:
//! the header fields, the record fields, the SQLSTATE in ODBC 2 form for
//! ODBC 2 applications, the class origins. These calls post no records of
//! their own: a bad argument is a bare SQL_ERROR (`Answer::Error`).

use super::diag::{odbc2_state, Diags, Record};
use odbc_sys::HeaderDiagnosticIdentifier as Field;

/// A diagnostic call's outcome before it is written out.
#[derive(Debug, PartialEq)]
pub enum Answer<T> {
    Found(T),
    /// No such record: SQL_NO_DATA.
    NoData,
    /// A bad argument: SQL_ERROR, and no record.
    Error,
}

/// A field's value, in the C type the field has.
#[derive(Debug, PartialEq)]
pub enum DiagValue {
    Text(String),
    /// SQLRETURN.
    ReturnCode(i16),
    /// SQLINTEGER.
    Integer(i32),
    /// SQLLEN.
    Len(isize),
}

/// One record as SQLGetDiagRec gives it.
#[derive(Debug, PartialEq)]
pub struct RecordOut {
    pub sqlstate: String,
    pub native: i32,
    pub message: String,
}

fn sqlstate(r: &Record, odbc2: bool) -> String {
    if odbc2 {
        odbc2_state(&r.sqlstate)
    } else {
        r.sqlstate.clone()
    }
}

fn nth(diags: &Diags, rec: i16) -> Answer<&Record> {
    if rec <= 0 {
        return Answer::Error;
    }
    match diags.records.get(rec as usize - 1) {
        Some(r) => Answer::Found(r),
        None => Answer::NoData,
    }
}

/// SQLGetDiagRec's record `rec` (1-based).
pub fn record(diags: &Diags, odbc2: bool, rec: i16) -> Answer<RecordOut> {
    match nth(diags, rec) {
        Answer::Found(r) => Answer::Found(RecordOut {
            sqlstate: sqlstate(r, odbc2),
            native: r.native,
            message: r.message.clone(),
        }),
        Answer::NoData => Answer::NoData,
        Answer::Error => Answer::Error,
    }
}

/// SQLGetDiagField: header fields ignore `rec`; record fields need a
/// record.
pub fn field(diags: &Diags, odbc2: bool, rec: i16, id: i16) -> Answer<DiagValue> {
    let is = |field: Field| id == field as i16;
    if is(Field::ReturnCode) {
        return Answer::Found(DiagValue::ReturnCode(diags.return_code));
    }
    if is(Field::Number) {
        return Answer::Found(DiagValue::Integer(diags.records.len() as i32));
    }
    if is(Field::RowCount) || is(Field::CursorRowCount) {
        return Answer::Found(DiagValue::Len(diags.row_count as isize));
    }
    if is(Field::DynamicFunction) {
        return Answer::Found(DiagValue::Text(String::new()));
    }
    if is(Field::DynamicFunctionCode) {
        return Answer::Found(DiagValue::Integer(0));
    }
    let r = match nth(diags, rec) {
        Answer::Found(r) => r,
        Answer::NoData => return Answer::NoData,
        Answer::Error => return Answer::Error,
    };
    let value = if is(Field::SqlState) {
        DiagValue::Text(sqlstate(r, odbc2))
    } else if is(Field::Native) {
        DiagValue::Integer(r.native)
    } else if is(Field::MessageText) {
        DiagValue::Text(r.message.clone())
    } else if is(Field::ClassOrigin) || is(Field::SubclassOrigin) {
        let odbc_defined = r.sqlstate.starts_with("IM")
            || r.sqlstate.starts_with("HY")
            || r.sqlstate.starts_with("01S");
        DiagValue::Text(if odbc_defined { "ODBC 3.0" } else { "ISO 9075" }.into())
    } else if is(Field::ConnectionName) {
        DiagValue::Text(String::new())
    } else if is(Field::ServerName) {
        DiagValue::Text("Jumpseller".into())
    } else if is(Field::RowNumber) {
        // Unknown.
        DiagValue::Len(-1)
    } else if is(Field::ColumnNumber) {
        // Unknown.
        DiagValue::Integer(-1)
    } else {
        return Answer::Error;
    };
    Answer::Found(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_records() -> Diags {
        let mut d = Diags::default();
        d.push("HY000", "first");
        d.push("42S02", "second");
        d.return_code = -1;
        d
    }

    #[test]
    fn records_are_one_based_and_odbc2_gets_s1_states() {
        let d = two_records();
        assert_eq!(record(&d, false, 0), Answer::Error);
        assert_eq!(record(&d, false, 3), Answer::NoData);
        let Answer::Found(r) = record(&d, true, 2) else {
            panic!("record 2")
        };
        assert_eq!(r.sqlstate, "S0002");
        assert!(r.message.ends_with("second"));
    }

    #[test]
    fn header_fields_ignore_the_record_number() {
        let d = two_records();
        let id = |f: Field| f as i16;
        assert_eq!(
            field(&d, false, 0, id(Field::Number)),
            Answer::Found(DiagValue::Integer(2))
        );
        assert_eq!(
            field(&d, false, -5, id(Field::ReturnCode)),
            Answer::Found(DiagValue::ReturnCode(-1))
        );
        assert_eq!(field(&d, false, 0, id(Field::SqlState)), Answer::Error);
        assert_eq!(
            field(&d, false, 1, id(Field::ClassOrigin)),
            Answer::Found(DiagValue::Text("ODBC 3.0".into()))
        );
        assert_eq!(
            field(&d, false, 2, id(Field::SubclassOrigin)),
            Answer::Found(DiagValue::Text("ISO 9075".into()))
        );
        assert_eq!(field(&d, false, 1, 999), Answer::Error);
    }
}
