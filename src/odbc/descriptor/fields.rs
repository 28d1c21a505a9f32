//! Every descriptor field as data: its id, the C type of its value, whether
//! it is a header field, and what each kind of descriptor allows (the
//! table in SQLSetDescField's documentation). SQLGetDescField and
//! SQLSetDescField look a field up here before anything else: an id not
//! here, or one its descriptor does not use, is HY091.

use super::DescKind;
use odbc_sys::Desc as D;

/// The C type of a field's value at the boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueType {
    /// SQLSMALLINT
    Small,
    /// SQLINTEGER
    Int,
    /// SQLLEN
    Len,
    /// SQLULEN
    ULen,
    /// SQLPOINTER (an address)
    Ptr,
    /// Character data.
    Text,
}

/// A field's value, whatever its width at the boundary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldValue {
    Int(i64),
    Text(String),
}

impl FieldValue {
    pub fn int(&self) -> i64 {
        match self {
            FieldValue::Int(n) => *n,
            FieldValue::Text(_) => 0,
        }
    }

    pub fn text(&self) -> &str {
        match self {
            FieldValue::Int(_) => "",
            FieldValue::Text(s) => s,
        }
    }
}

/// What a kind of descriptor allows of a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Unused by this kind of descriptor.
    No,
    Read,
    ReadWrite,
}

use Access::{No, Read as R, ReadWrite as RW};
use ValueType::*;

#[derive(Debug)]
pub struct Field {
    pub id: i16,
    pub value: ValueType,
    pub header: bool,
    /// ARD, APD, IRD, IPD (an explicit descriptor is an ARD or APD: the two
    /// columns agree).
    pub access: [Access; 4],
}

const fn header(id: D, value: ValueType, access: [Access; 4]) -> Field {
    Field {
        id: id as i16,
        value,
        header: true,
        access,
    }
}

const fn record(id: D, value: ValueType, access: [Access; 4]) -> Field {
    Field {
        header: false,
        ..header(id, value, access)
    }
}

/// Read and written on every descriptor but the IRD, which only reads.
const TYPED: [Access; 4] = [RW, RW, R, RW];
const APP_ONLY: [Access; 4] = [RW, RW, No, No];
const IRD_ONLY: [Access; 4] = [No, No, R, No];
const IMP_READ: [Access; 4] = [No, No, R, R];

pub const FIELDS: &[Field] = &[
    header(D::AllocType, Small, [R, R, R, R]),
    header(D::ArraySize, ULen, APP_ONLY),
    header(D::ArrayStatusPtr, Ptr, [RW, RW, RW, RW]),
    header(D::BindOffsetPtr, Ptr, APP_ONLY),
    header(D::BindType, Int, APP_ONLY),
    header(D::Count, Small, [RW, RW, R, RW]),
    header(D::RowsProcessedPtr, Ptr, [No, No, RW, RW]),
    record(D::AutoUniqueValue, Int, IRD_ONLY),
    record(D::BaseColumnName, Text, IRD_ONLY),
    record(D::BaseTableName, Text, IRD_ONLY),
    record(D::CaseSensitive, Int, IMP_READ),
    record(D::CatalogName, Text, IRD_ONLY),
    record(D::ConciseType, Small, TYPED),
    record(D::DataPtr, Ptr, APP_ONLY),
    record(D::DatetimeIntervalCode, Small, TYPED),
    record(D::DatetimeIntervalPrecision, Int, TYPED),
    record(D::DisplaySize, Len, IRD_ONLY),
    record(D::FixedPrecScale, Small, IMP_READ),
    record(D::IndicatorPtr, Ptr, APP_ONLY),
    record(D::Label, Text, IRD_ONLY),
    record(D::Length, ULen, TYPED),
    record(D::LiteralPrefix, Text, IRD_ONLY),
    record(D::LiteralSuffix, Text, IRD_ONLY),
    record(D::LocalTypeName, Text, IMP_READ),
    record(D::Name, Text, [No, No, R, RW]),
    record(D::Nullable, Small, IMP_READ),
    record(D::NumPrecRadix, Int, TYPED),
    record(D::OctetLength, Len, TYPED),
    record(D::OctetLengthPtr, Ptr, APP_ONLY),
    record(D::ParameterType, Small, [No, No, No, RW]),
    record(D::Precision, Small, TYPED),
    record(D::RowVer, Small, IMP_READ),
    record(D::Scale, Small, TYPED),
    record(D::SchemaName, Text, IRD_ONLY),
    record(D::Searchable, Small, IRD_ONLY),
    record(D::TableName, Text, IRD_ONLY),
    record(D::Type, Small, TYPED),
    record(D::TypeName, Text, IMP_READ),
    record(D::Unnamed, Small, [No, No, R, RW]),
    record(D::Unsigned, Small, IMP_READ),
    record(D::Updatable, Small, IRD_ONLY),
];

/// The field `id` names, if it is a descriptor field.
pub fn field(id: i16) -> Option<&'static Field> {
    FIELDS.iter().find(|f| f.id == id)
}

impl Field {
    pub fn access(&self, kind: DescKind) -> Access {
        self.access[match kind {
            DescKind::Ard | DescKind::App => 0,
            DescKind::Apd => 1,
            DescKind::Ird => 2,
            DescKind::Ipd => 3,
        }]
    }
}

/// The record fields whose setting leaves a record bound (SQLSetDescField:
/// setting any other field unbinds it, so DATA_PTR is set last).
pub fn keeps_binding(id: i16) -> bool {
    [D::DataPtr, D::OctetLengthPtr, D::IndicatorPtr]
        .iter()
        .any(|d| *d as i16 == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_the_ird_never_writes_a_record() {
        for (i, f) in FIELDS.iter().enumerate() {
            assert!(FIELDS[i + 1..].iter().all(|g| g.id != f.id), "{}", f.id);
            if !f.header {
                assert_ne!(f.access(DescKind::Ird), RW, "{}", f.id);
            }
            assert_eq!(f.access(DescKind::Ard), f.access(DescKind::Apd));
        }
    }
}
