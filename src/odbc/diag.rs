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

/// ODBC 3 SQLSTATE -> the ODBC 2 one, per the ODBC appendix "SQLSTATE
/// Mappings". Only the one-to-one entries: 01001 (01S03 or 01S04) depends
/// on a count the record no longer knows, so it stays. 07009 is S1002 for
/// the column functions, where the driver raises it (S1093 would be the
/// parameter functions').
const ODBC2_STATES: &[(&str, &str)] = &[
    ("07005", "24000"),
    ("07009", "S1002"),
    ("22007", "22008"),
    ("22018", "22005"),
    ("42000", "37000"),
    ("42S01", "S0001"),
    ("42S02", "S0002"),
    ("42S11", "S0011"),
    ("42S12", "S0012"),
    ("42S21", "S0021"),
    ("42S22", "S0022"),
    ("42S23", "S0023"),
    ("HY000", "S1000"),
    ("HY001", "S1001"),
    ("HY003", "S1003"),
    ("HY004", "S1004"),
    ("HY007", "S1010"),
    ("HY008", "S1008"),
    ("HY009", "S1009"),
    ("HY010", "S1010"),
    ("HY011", "S1011"),
    ("HY012", "S1012"),
    ("HY018", "70100"),
    ("HY019", "22003"),
    ("HY024", "S1009"),
    ("HY090", "S1090"),
    ("HY091", "S1091"),
    ("HY092", "S1092"),
    ("HY096", "S1096"),
    ("HY097", "S1097"),
    ("HY098", "S1098"),
    ("HY099", "S1099"),
    ("HY100", "S1100"),
    ("HY101", "S1101"),
    ("HY103", "S1103"),
    ("HY104", "S1104"),
    ("HY105", "S1105"),
    ("HY106", "S1106"),
    ("HY107", "S1107"),
    ("HY108", "S1108"),
    ("HY109", "S1109"),
    ("HY110", "S1110"),
    ("HY111", "S1111"),
    ("HYC00", "S1C00"),
    ("HYT00", "S1T00"),
];

/// The SQLSTATE an ODBC 2 application (SQL_ATTR_ODBC_VERSION =
/// SQL_OV_ODBC2) is given for an ODBC 3 one; unchanged when ODBC 2 had
/// the same code.
pub fn odbc2_state(state: &str) -> String {
    ODBC2_STATES
        .iter()
        .find(|(v3, _)| *v3 == state)
        .map_or(state, |(_, v2)| v2)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odbc2_states_follow_the_spec_table() {
        for (v3, v2) in [
            ("22018", "22005"),
            ("22007", "22008"),
            ("42000", "37000"),
            ("07005", "24000"),
            ("HY024", "S1009"),
            ("HY000", "S1000"),
            ("42S02", "S0002"),
            ("01004", "01004"),
            ("22003", "22003"),
            ("08003", "08003"),
        ] {
            assert_eq!(odbc2_state(v3), v2, "{v3}");
        }
    }

    #[test]
    fn every_state_the_driver_raises_by_kind_has_an_odbc2_form() {
        // Each ODBC 3-only code the kinds map to is translated.
        let kinds = [
            Kind::Syntax,
            Kind::Data,
            Kind::DatetimeFormat,
            Kind::General,
        ];
        for k in kinds {
            assert_ne!(odbc2_state(sqlstate(k)), sqlstate(k), "{k:?}");
        }
    }
}
