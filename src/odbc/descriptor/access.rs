//! SQLGetDescField, SQLSetDescField, SQLGetDescRec, SQLSetDescRec and
//! SQLCopyDesc over the field table: the table says whether a field exists
//! for the descriptor and whether it may be set; this file applies the
//! spec's rules on record numbers, the read-only IRD and the header.

use super::fields::{self, Access, FieldValue};
use super::{ird, Desc, DescData, DescKind, Header};
use crate::error::{Error, Result};
use crate::odbc::{lock, SUCCESS};
use odbc_sys::{Desc as D, RetCode};
use std::sync::Arc;

/// The most rows or parameter sets an array may hold (a bigger array is an
/// application's mistake more often than a wish; each row is converted in
/// memory).
pub const MAX_ARRAY_SIZE: u64 = 100_000;

/// SQL_DESC_ALLOC_TYPE values.
const SQL_DESC_ALLOC_AUTO: i64 = 1;
const SQL_DESC_ALLOC_USER: i64 = 2;

/// What SQLGetDescRec answers.
#[derive(Debug, Clone, Default)]
pub struct DescRec {
    pub name: String,
    pub type_: i16,
    pub subtype: i16,
    pub length: i64,
    pub precision: i16,
    pub scale: i16,
    pub nullable: i16,
}

/// What SQLSetDescRec sets.
#[derive(Debug, Clone, Copy)]
pub struct NewRec {
    pub type_: i16,
    pub subtype: i16,
    pub length: i64,
    pub precision: i16,
    pub scale: i16,
    pub data_ptr: usize,
    pub octet_length_ptr: usize,
    pub indicator_ptr: usize,
}

fn bad_field(id: i16, why: &str) -> Error {
    Error::odbc(
        "HY091",
        format!("Descriptor field {id} {why} (invalid descriptor field identifier)."),
    )
}

fn bad_record(rec: i16, why: &str) -> Error {
    Error::odbc(
        "07009",
        format!("Record {rec}: {why} (invalid descriptor index)."),
    )
}

fn ird_read_only() -> Error {
    Error::odbc(
        "HY016",
        "An implementation row descriptor cannot be modified.",
    )
}

/// The field `id`, if `kind` uses it.
fn used_field(kind: DescKind, id: i16) -> Result<&'static fields::Field> {
    let f = fields::field(id).ok_or_else(|| bad_field(id, "is not a descriptor field"))?;
    if f.access(kind) == Access::No {
        return Err(bad_field(id, "is not used by this kind of descriptor"));
    }
    Ok(f)
}

fn header_value(h: &Header, id: i16) -> i64 {
    let is = |d: D| d as i16 == id;
    if is(D::ArraySize) {
        h.array_size as i64
    } else if is(D::ArrayStatusPtr) {
        h.array_status_ptr as i64
    } else if is(D::BindOffsetPtr) {
        h.bind_offset_ptr as i64
    } else if is(D::BindType) {
        h.bind_type as i64
    } else if is(D::RowsProcessedPtr) {
        h.rows_processed_ptr as i64
    } else {
        h.count as i64
    }
}

impl Desc {
    /// SQLGetDescField; None is SQL_NO_DATA (a record past SQL_DESC_COUNT).
    pub fn get_field(&self, rec: i16, id: i16) -> Result<Option<FieldValue>> {
        let f = used_field(self.kind, id)?;
        if f.header {
            if id == D::AllocType as i16 {
                let t = if self.is_explicit() {
                    SQL_DESC_ALLOC_USER
                } else {
                    SQL_DESC_ALLOC_AUTO
                };
                return Ok(Some(FieldValue::Int(t)));
            }
            if self.kind == DescKind::Ird && id == D::Count as i16 {
                return Ok(Some(FieldValue::Int(ird::columns(self)?.len() as i64)));
            }
            return Ok(Some(FieldValue::Int(header_value(&self.lock().header, id))));
        }
        self.check_record_number(rec, false)?;
        if self.kind == DescKind::Ird {
            return ird::field(self, rec as usize, id);
        }
        let data = self.lock();
        Ok(data.record(rec as usize).and_then(|r| r.get(id)))
    }

    /// 07009 for a record number the descriptor cannot have: negative, or
    /// 0 (the bookmark) on a parameter descriptor or, with bookmarks off,
    /// on the IRD.
    fn check_record_number(&self, rec: i16, setting: bool) -> Result<()> {
        if rec < 0 {
            return Err(bad_record(rec, "record numbers are not negative"));
        }
        if rec == 0 && self.kind.is_param() {
            return Err(bad_record(rec, "parameters have no bookmark record"));
        }
        if rec == 0 && self.kind == DescKind::Ird && !setting && !ird::bookmarks_on(self) {
            return Err(bad_record(
                rec,
                "record 0 is the bookmark, and SQL_ATTR_USE_BOOKMARKS is off",
            ));
        }
        Ok(())
    }

    /// SQLSetDescField.
    pub fn set_field(&self, rec: i16, id: i16, v: FieldValue) -> Result<RetCode> {
        let f = fields::field(id).ok_or_else(|| bad_field(id, "is not a descriptor field"))?;
        let pointer_header = f.header && f.access(DescKind::Ird) == Access::ReadWrite;
        if self.kind == DescKind::Ird && !pointer_header {
            return Err(ird_read_only());
        }
        // The IPD's DATA_PTR is not kept: setting it asks for the
        // consistency check only.
        if self.kind == DescKind::Ipd && id == D::DataPtr as i16 {
            self.check_record_number(rec, true)?;
            let data = self.lock();
            return match data.record(rec as usize) {
                Some(r) => r.check_consistency(self.kind).map(|_| SUCCESS),
                None => Err(bad_record(rec, "no such parameter record")),
            };
        }
        match used_field(self.kind, id)?.access(self.kind) {
            Access::ReadWrite => {}
            _ => return Err(bad_field(id, "is read-only")),
        }
        if f.header {
            return self.set_header(id, v.int());
        }
        self.check_record_number(rec, true)?;
        let mut data = self.lock();
        if rec > data.header.count {
            data.header.count = rec;
        }
        let mut r = data.record_mut(self.kind, rec as usize).clone();
        if self.kind.is_app() && !fields::keeps_binding(id) {
            // Any other field unbinds the record: DATA_PTR comes last.
            r.data_ptr = 0;
        }
        r.set(id, &v)?;
        if id == D::DataPtr as i16 && r.data_ptr != 0 {
            r.check_consistency(self.kind)?;
        }
        // COUNT stays: only SQLBindCol / SQLBindParameter lower it.
        data.records[rec as usize] = r;
        Ok(SUCCESS)
    }

    fn set_header(&self, id: i16, n: i64) -> Result<RetCode> {
        let is = |d: D| d as i16 == id;
        let mut data = self.lock();
        let h = &mut data.header;
        if is(D::ArraySize) {
            if n <= 0 {
                return Err(Error::odbc(
                    "HY024",
                    "SQL_DESC_ARRAY_SIZE must be at least 1.",
                ));
            }
            h.array_size = (n as u64).min(MAX_ARRAY_SIZE);
            if n as u64 > MAX_ARRAY_SIZE {
                lock(&self.diags).push(
                    "01S02",
                    format!("The array size was capped at {MAX_ARRAY_SIZE}."),
                );
            }
        } else if is(D::ArrayStatusPtr) {
            h.array_status_ptr = n as usize;
        } else if is(D::BindOffsetPtr) {
            h.bind_offset_ptr = n as usize;
        } else if is(D::BindType) {
            h.bind_type = n as u64;
        } else if is(D::RowsProcessedPtr) {
            h.rows_processed_ptr = n as usize;
        } else if is(D::Count) {
            if !(0..=i16::MAX as i64).contains(&n) {
                return Err(bad_record(n as i16, "SQL_DESC_COUNT cannot be negative"));
            }
            data.set_count(self.kind, n as i16);
        }
        Ok(SUCCESS)
    }

    /// SQLGetDescRec; None is SQL_NO_DATA.
    pub fn get_rec(&self, rec: i16) -> Result<Option<DescRec>> {
        self.check_record_number(rec, false)?;
        if self.kind == DescKind::Ird {
            return ird::rec(self, rec as usize);
        }
        let data = self.lock();
        Ok(data.record(rec as usize).map(|r| DescRec {
            name: r.name.clone(),
            type_: r.type_,
            subtype: r.interval_code,
            length: r.octet_length,
            precision: r.precision,
            scale: r.scale,
            nullable: r.nullable,
        }))
    }

    /// SQLSetDescRec: the fields in the spec's order, then the
    /// consistency check; nothing changes if it fails.
    pub fn set_rec(&self, rec: i16, new: NewRec) -> Result<RetCode> {
        if self.kind == DescKind::Ird {
            return Err(ird_read_only());
        }
        self.check_record_number(rec, true)?;
        let mut data = self.lock();
        let mut r = data.record_mut(self.kind, rec as usize).clone();
        r.set_type(new.type_);
        if matches!(new.type_, 9 | 10) {
            r.set(
                D::DatetimeIntervalCode as i16,
                &FieldValue::Int(new.subtype as i64),
            )?;
        }
        r.octet_length = new.length;
        r.precision = new.precision;
        r.scale = new.scale;
        if self.kind.is_app() {
            r.data_ptr = new.data_ptr;
            r.octet_length_ptr = new.octet_length_ptr;
            r.indicator_ptr = new.indicator_ptr;
        }
        if new.data_ptr != 0 {
            r.check_consistency(self.kind)?;
        }
        if rec > data.header.count {
            data.header.count = rec;
        }
        data.records[rec as usize] = r;
        Ok(SUCCESS)
    }
}

/// SQLCopyDesc: every field of `source` but SQL_DESC_ALLOC_TYPE into
/// `target`, which cannot be an IRD. From an IRD, the records describe
/// the result (the statement must be prepared or executed).
pub fn copy(source: &Arc<Desc>, target: &Arc<Desc>) -> Result<RetCode> {
    if target.kind == DescKind::Ird {
        return Err(ird_read_only());
    }
    if Arc::ptr_eq(source, target) {
        return Ok(SUCCESS);
    }
    let copied: DescData = if source.kind == DescKind::Ird {
        let mut d = target.lock().clone();
        let recs = ird::records(source, target.kind)?;
        d.header.count = recs.len() as i16 - 1;
        d.records = recs;
        d
    } else {
        source.lock().clone()
    };
    let mut t = target.lock();
    *t = copied;
    Ok(SUCCESS)
}
