//! The IRD: its records are the result's columns, so its fields are
//! answered from the statement's column descriptions (the same answers
//! SQLColAttribute gives) rather than stored. Its header keeps only the
//! row status and rows-fetched pointers.

use super::fields::FieldValue;
use super::{Desc, DescKind, DescRec, Record};
use crate::error::{Error, Result};
use crate::odbc::sqlext::SQL_UB_FIXED;
use crate::odbc::{col_attribute, Attr, ColDesc, Stmt};
use odbc_sys::Desc as D;
use std::sync::Arc;

fn owner(desc: &Desc) -> Result<Arc<Stmt>> {
    desc.owner
        .upgrade()
        .ok_or_else(|| Error::odbc("HY000", "The descriptor's statement was freed."))
}

/// The result's columns; HY007 before the statement is prepared.
pub(super) fn columns(desc: &Desc) -> Result<Vec<ColDesc>> {
    owner(desc)?.described_columns()
}

pub(super) fn bookmarks_on(desc: &Desc) -> bool {
    owner(desc).is_ok_and(|s| s.use_bookmarks() != 0)
}

/// The bookmark column as the IRD's record 0: a fixed bookmark is an
/// INTEGER, a variable one an 8-byte BINARY.
fn bookmark_field(fixed: bool, id: i16) -> Result<Option<FieldValue>> {
    let is = |d: D| d as i16 == id;
    let n = if is(D::Type) || is(D::ConciseType) {
        if fixed {
            4
        } else {
            -2
        }
    } else if is(D::Length) || is(D::OctetLength) {
        if fixed {
            4
        } else {
            8
        }
    } else if is(D::Nullable) || is(D::Unnamed) {
        // SQL_NO_NULLS; SQL_UNNAMED.
        if is(D::Nullable) {
            0
        } else {
            1
        }
    } else {
        return Err(Error::odbc(
            "HY091",
            format!("Field {id} is not described for the bookmark record."),
        ));
    };
    Ok(Some(FieldValue::Int(n)))
}

/// One record field of the IRD; None past the last column.
pub(super) fn field(desc: &Desc, rec: usize, id: i16) -> Result<Option<FieldValue>> {
    let stmt = owner(desc)?;
    let cols = stmt.described_columns()?;
    if rec == 0 {
        return bookmark_field(stmt.use_bookmarks() == SQL_UB_FIXED, id);
    }
    let Some(c) = cols.get(rec - 1) else {
        return Ok(None);
    };
    // Not among SQLColAttribute's: no intervals, no row versions.
    if id == D::DatetimeIntervalPrecision as i16 || id == D::RowVer as i16 {
        return Ok(Some(FieldValue::Int(0)));
    }
    Ok(Some(
        match col_attribute(c, id as u16, cols.len(), stmt.conn.env.is_odbc2())? {
            Attr::Num(n) => FieldValue::Int(n),
            Attr::Str(s) => FieldValue::Text(s),
        },
    ))
}

/// SQLGetDescRec on the IRD.
pub(super) fn rec(desc: &Desc, rec: usize) -> Result<Option<DescRec>> {
    let int = |id: D| -> Result<i64> { Ok(field(desc, rec, id as i16)?.map_or(0, |v| v.int())) };
    if rec > 0 && columns(desc)?.len() < rec {
        return Ok(None);
    }
    let name = if rec == 0 {
        String::new()
    } else {
        field(desc, rec, D::Name as i16)?
            .map(|v| v.text().to_string())
            .unwrap_or_default()
    };
    let numeric = |id: D| if rec == 0 { Ok(0) } else { int(id) };
    Ok(Some(DescRec {
        name,
        type_: int(D::Type)? as i16,
        subtype: numeric(D::DatetimeIntervalCode)? as i16,
        length: int(D::OctetLength)?,
        precision: numeric(D::Precision)? as i16,
        scale: numeric(D::Scale)? as i16,
        nullable: int(D::Nullable)? as i16,
    }))
}

/// The IRD's records as stored records of a `kind` descriptor (SQLCopyDesc
/// from an IRD); record 0 is a default bookmark record.
pub(super) fn records(desc: &Desc, kind: DescKind) -> Result<Vec<Record>> {
    let cols = columns(desc)?;
    let mut out = vec![Record::new(kind)];
    for (i, c) in cols.iter().enumerate() {
        let get =
            |id: D| -> Result<i64> { Ok(field(desc, i + 1, id as i16)?.map_or(0, |v| v.int())) };
        let mut r = Record::new(kind);
        r.set_concise(get(D::ConciseType)? as i16);
        r.length = get(D::Length)?;
        r.octet_length = get(D::OctetLength)?;
        r.precision = get(D::Precision)? as i16;
        r.scale = get(D::Scale)? as i16;
        r.num_prec_radix = get(D::NumPrecRadix)?;
        r.nullable = c.nullable as i16;
        r.name = c.name.clone();
        r.unnamed = c.name.is_empty() as i16;
        out.push(r);
    }
    Ok(out)
}
