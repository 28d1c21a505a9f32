//! Diagnostic records and the one mapping from error kinds to SQLSTATEs.

use crate::error::{Error, Kind};
use odbc_sys::RetCode;

pub const VENDOR: &str = "[Jumpseller][ODBC Driver]";

#[derive(Debug, Clone)]
pub struct Record {
    pub sqlstate: String,
    pub native: i32,
    pub message: String,
    /// Left by a call that came while another function ran on the handle
    /// (see `Diags::push_interjected`): not the running function's.
    pub interjected: bool,
}

/// The records of one handle, cleared at the start of every call but the
/// diagnostic getters.
#[derive(Debug, Default, Clone)]
pub struct Diags {
    pub records: Vec<Record>,
    /// SQL_DIAG_ROW_COUNT / SQL_DIAG_RETURNCODE of the last call.
    pub row_count: i64,
    pub return_code: RetCode,
}

impl Diags {
    pub fn clear(&mut self) {
        self.records.clear();
        self.row_count = 0;
        self.return_code = 0;
    }

    pub fn push(&mut self, sqlstate: &str, message: impl Into<String>) {
        self.records.push(Record {
            sqlstate: sqlstate.to_string(),
            native: 0,
            message: format!("{VENDOR} {}", message.into()),
            interjected: false,
        });
    }

    /// The error of a call that came while another function ran on the
    /// handle (from another thread): put first, where its caller looks, and
    /// kept apart from the running function's records, which it neither
    /// clears nor counts among (see `finish`).
    pub fn push_interjected(&mut self, e: &Error) {
        self.records.insert(
            0,
            Record {
                sqlstate: e.state.unwrap_or_else(|| sqlstate(e.kind)).to_string(),
                native: 0,
                message: format!("{VENDOR} {}", e.message),
                interjected: true,
            },
        );
    }

    /// Whether the handle holds records of its own function's.
    pub fn has_own_records(&self) -> bool {
        self.records.iter().any(|r| !r.interjected)
    }

    pub fn push_error(&mut self, e: &Error) {
        self.push(
            e.state.unwrap_or_else(|| sqlstate(e.kind)),
            e.message.clone(),
        );
    }
}

/// DESIGN.md §5.
pub fn sqlstate(kind: Kind) -> &'static str {
    match kind {
        // A connection that cannot be made because of its properties.
        Kind::Config => "08001",
        Kind::Connect => "08001",
        Kind::Auth => "28000",
        Kind::Lost => "08S01",
        Kind::Timeout => "HYT00",
        Kind::Cancelled => "HY008",
        Kind::Api | Kind::Malformed | Kind::General => "HY000",
        Kind::Syntax => "42000",
        Kind::NoTable => "42S02",
        Kind::NoColumn => "42S22",
        Kind::Constraint => "23000",
        Kind::Data => "22018",
        Kind::OutOfRange => "22003",
        Kind::Truncation => "22001",
        Kind::DatetimeFormat => "22007",
        Kind::BadConversion => "07006",
        Kind::NotImplemented => "HYC00",
    }
}

/// ODBC 2 applications expect the S1 family instead of HY.
pub fn odbc2_state(state: &str) -> String {
    match state {
        "HY000" => "S1000".into(),
        "HY001" => "S1001".into(),
        "HY009" => "S1009".into(),
        "HY010" => "S1010".into(),
        "HY090" => "S1090".into(),
        "HY092" => "S1092".into(),
        "HY096" => "S1096".into(),
        "HYC00" => "S1C00".into(),
        "HYT00" => "S1T00".into(),
        "HY008" => "S1008".into(),
        "42S02" => "S0002".into(),
        "42S22" => "S0022".into(),
        "07009" => "S1002".into(),
        s => s.to_string(),
    }
}
