//! Descriptors (ARD, APD, IRD, IPD): real objects with a header and
//! records. A statement's implicit four are made with it; explicit ones
//! are allocated on a connection and serve as the ARD or APD of any of its
//! statements. The statement attributes for arrays, binding and statuses
//! are header fields here, and SQLBindCol / SQLBindParameter set records:
//! fetch and execute read the descriptors the statement has now.
//!
//! - `fields`: every descriptor field as data (type, who may read or set);
//! - `records`: a record's fields, the TYPE / CONCISE_TYPE coupling, the
//!   consistency check;
//! - `access`: SQLGetDescField / SQLSetDescField / the Rec forms / SQLCopyDesc;
//! - `ird`: the IRD's fields, answered from the statement's columns;
//! - `explicit`: SQLAllocHandle(SQL_HANDLE_DESC), associating and freeing.

mod access;
mod explicit;
pub mod fields;
mod ird;
mod records;

pub use access::DescRec;
pub use access::{copy, NewRec, MAX_ARRAY_SIZE};
pub use explicit::{alloc_explicit, free_desc, free_explicit_of};
pub use fields::FieldValue;
pub use records::Record;

use super::diag::Diags;
use super::{lock, Conn, Stmt};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

/// What a descriptor describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DescKind {
    Ard,
    Apd,
    Ird,
    Ipd,
    /// Explicitly allocated: an application descriptor, ARD or APD by use.
    App,
}

impl DescKind {
    pub fn is_app(self) -> bool {
        matches!(self, DescKind::Ard | DescKind::Apd | DescKind::App)
    }

    /// For parameters (the implicit APD and IPD).
    pub fn is_param(self) -> bool {
        matches!(self, DescKind::Apd | DescKind::Ipd)
    }
}

/// The header fields.
#[derive(Debug, Clone)]
pub struct Header {
    /// SQL_DESC_ARRAY_SIZE: rows per fetch (ARD) or parameter sets (APD).
    pub array_size: u64,
    /// SQL_DESC_ARRAY_STATUS_PTR: row / parameter statuses (IRD, IPD) or
    /// operations (ARD, APD).
    pub array_status_ptr: usize,
    pub bind_offset_ptr: usize,
    /// SQL_DESC_BIND_TYPE: 0 column-wise, else the size of a row.
    pub bind_type: u64,
    pub rows_processed_ptr: usize,
    /// SQL_DESC_COUNT: the highest record number in use.
    pub count: i16,
}

impl Default for Header {
    fn default() -> Header {
        Header {
            array_size: 1,
            array_status_ptr: 0,
            bind_offset_ptr: 0,
            bind_type: 0,
            rows_processed_ptr: 0,
            count: 0,
        }
    }
}

/// A descriptor's fields. `records[0]` is the bookmark record; records
/// past `header.count` are defaults.
#[derive(Debug, Clone)]
pub struct DescData {
    pub header: Header,
    pub records: Vec<Record>,
}

impl DescData {
    fn new(kind: DescKind) -> DescData {
        DescData {
            header: Header::default(),
            records: vec![Record::new(kind)],
        }
    }

    /// Record `n`, made (with its predecessors) if it is past the end.
    pub fn record_mut(&mut self, kind: DescKind, n: usize) -> &mut Record {
        while self.records.len() <= n {
            self.records.push(Record::new(kind));
        }
        &mut self.records[n]
    }

    /// Record `n` if it is within SQL_DESC_COUNT (or the bookmark record).
    pub fn record(&self, n: usize) -> Option<&Record> {
        if n > self.header.count.max(0) as usize {
            return None;
        }
        self.records.get(n)
    }

    /// SQL_DESC_COUNT becomes `count`; records above it are dropped.
    pub fn set_count(&mut self, kind: DescKind, count: i16) {
        self.header.count = count;
        self.records.truncate(count as usize + 1);
        self.record_mut(kind, count as usize);
    }

    /// After unbinding record `n`: COUNT falls to the highest record still
    /// bound (SQLBindCol / SQLBindParameter with null pointers).
    pub fn shrink_after_unbind(&mut self, n: usize) {
        if n != self.header.count as usize {
            return;
        }
        let highest = (1..self.records.len().min(n + 1))
            .rev()
            .find(|&i| self.records[i].is_bound())
            .unwrap_or(0);
        self.header.count = highest as i16;
        self.records.truncate(highest + 1);
    }
}

pub struct Desc {
    pub kind: DescKind,
    pub conn: Arc<Conn>,
    /// The statement an implicit descriptor belongs to.
    pub owner: Weak<Stmt>,
    pub data: Mutex<DescData>,
    pub diags: Mutex<Diags>,
}

impl Desc {
    pub fn implicit(kind: DescKind, conn: Arc<Conn>, owner: Weak<Stmt>) -> Arc<Desc> {
        Arc::new(Desc {
            kind,
            conn,
            owner,
            data: Mutex::new(DescData::new(kind)),
            diags: Mutex::new(Diags::default()),
        })
    }

    pub fn is_explicit(&self) -> bool {
        self.kind == DescKind::App
    }

    pub fn lock(&self) -> MutexGuard<'_, DescData> {
        lock(&self.data)
    }

    pub fn handle(self: &Arc<Self>) -> u64 {
        Arc::as_ptr(self) as u64
    }
}

/// A statement's descriptors: the four in use and its own implicit ARD and
/// APD, to return to when an explicit one is dropped.
pub struct StmtDescs {
    pub ard: Arc<Desc>,
    pub apd: Arc<Desc>,
    pub ird: Arc<Desc>,
    pub ipd: Arc<Desc>,
    pub implicit_ard: Arc<Desc>,
    pub implicit_apd: Arc<Desc>,
}

impl StmtDescs {
    pub fn new(conn: &Arc<Conn>, owner: &Weak<Stmt>) -> StmtDescs {
        let make = |k| Desc::implicit(k, conn.clone(), owner.clone());
        let (ard, apd) = (make(DescKind::Ard), make(DescKind::Apd));
        StmtDescs {
            implicit_ard: ard.clone(),
            implicit_apd: apd.clone(),
            ard,
            apd,
            ird: make(DescKind::Ird),
            ipd: make(DescKind::Ipd),
        }
    }

    /// The implicit descriptors, for the handle registry.
    pub fn implicit(&self) -> [Arc<Desc>; 4] {
        [
            self.implicit_ard.clone(),
            self.implicit_apd.clone(),
            self.ird.clone(),
            self.ipd.clone(),
        ]
    }
}
