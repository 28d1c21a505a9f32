//! Explicit descriptors: allocated on a connection
//! (SQLAllocHandle(SQL_HANDLE_DESC)), made a statement's ARD or APD with
//! SQLSetStmtAttr(SQL_ATTR_APP_ROW_DESC / SQL_ATTR_APP_PARAM_DESC), and
//! freed with SQLFreeHandle, SQLDisconnect or the connection's freeing:
//! the statements using one go back to their implicit descriptors.

use super::{Desc, DescData, DescKind};
use crate::error::{Error, Result};
use crate::odbc::diag::Diags;
use crate::odbc::handles::{self as reg, Handle};
use crate::odbc::stmt::{ATTR_APP_PARAM_DESC, ATTR_APP_ROW_DESC};
use crate::odbc::{lock, Conn, Stmt, SUCCESS};
use odbc_sys::RetCode;
use std::sync::{Arc, Mutex, Weak};

/// SQLAllocHandle(SQL_HANDLE_DESC): the handle's address.
pub fn alloc_explicit(conn: &Arc<Conn>) -> Result<usize> {
    conn.session()?;
    let desc = Arc::new(Desc {
        kind: DescKind::App,
        conn: conn.clone(),
        owner: Weak::new(),
        data: Mutex::new(DescData::new(DescKind::App)),
        diags: Mutex::new(Diags::default()),
    });
    Ok(reg::register(Handle::Desc(desc)))
}

/// SQLFreeHandle(SQL_HANDLE_DESC): HY017 for an implicit descriptor.
pub fn free_desc(desc: &Arc<Desc>) -> Result<RetCode> {
    if !desc.is_explicit() {
        return Err(Error::odbc(
            "HY017",
            "An automatically allocated descriptor cannot be freed (invalid use of an automatically allocated descriptor handle).",
        ));
    }
    release(desc);
    reg::unregister(Arc::as_ptr(desc) as usize);
    Ok(SUCCESS)
}

/// The statements using `desc` go back to their implicit ARD / APD.
fn release(desc: &Arc<Desc>) {
    for stmt in reg::statements_of(&desc.conn) {
        let mut st = lock(&stmt.state);
        let d = &mut st.descs;
        if Arc::ptr_eq(&d.ard, desc) {
            d.ard = d.implicit_ard.clone();
        }
        if Arc::ptr_eq(&d.apd, desc) {
            d.apd = d.implicit_apd.clone();
        }
    }
}

/// SQLDisconnect / freeing the connection: its explicit descriptors go.
pub fn free_explicit_of(conn: &Conn) {
    for desc in reg::explicit_descs_of(conn) {
        release(&desc);
        reg::unregister(Arc::as_ptr(&desc) as usize);
    }
}

impl Stmt {
    /// SQLSetStmtAttr(SQL_ATTR_APP_ROW_DESC / SQL_ATTR_APP_PARAM_DESC):
    /// SQL_NULL_HDESC (0) or the statement's own implicit descriptor goes
    /// back to it; an explicit one of the same connection replaces it.
    pub(crate) fn set_app_desc(&self, attr: i32, handle: usize) -> Result<()> {
        // Looked up before the statement's lock is taken (the registry's
        // lock is never taken under a statement's).
        let found = reg::desc(handle);
        let mut st = lock(&self.state);
        let d = &mut st.descs;
        let (slot, implicit) = if attr == ATTR_APP_ROW_DESC {
            (&mut d.ard, d.implicit_ard.clone())
        } else {
            debug_assert_eq!(attr, ATTR_APP_PARAM_DESC);
            (&mut d.apd, d.implicit_apd.clone())
        };
        if handle == 0 || handle == Arc::as_ptr(&implicit) as usize {
            *slot = implicit;
            return Ok(());
        }
        let desc = found.ok_or_else(|| {
            Error::odbc(
                "HY024",
                "The value is not a descriptor handle (invalid attribute value).",
            )
        })?;
        if !desc.is_explicit() {
            return Err(Error::odbc(
                "HY017",
                "Only the statement's own automatically allocated descriptor, or an explicitly allocated one, can be its ARD or APD.",
            ));
        }
        if !std::ptr::eq(&*desc.conn, &*self.conn) {
            return Err(Error::odbc(
                "HY024",
                "The descriptor was allocated on another connection (invalid attribute value).",
            ));
        }
        *slot = desc;
        Ok(())
    }
}
