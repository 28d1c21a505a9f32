//! The SQLWCHAR width the driver states to iODBC (docs/unicode.md): iODBC
//! 3.52.14+ asks it with SQLGetEnvAttr(SQL_ATTR_DRIVER_UNICODE_TYPE) and
//! offers its own with SQLSetConnectAttr(SQL_ATTR_APP_WCHAR_TYPE); the
//! driver must answer its build's encoding (UTF-16 here, UCS-4 in the
//! `iodbc` build) and refuse any other, so the DM converts instead.
mod common;
use common::*;
use jumpseller_odbc::ffi::strings::{WIDE_DM_CP, WIDE_SIZE};
use jumpseller_odbc::ffi::*;
use jumpseller_odbc::odbc::sqlext::{
    SQL_ATTR_APP_WCHAR_TYPE, SQL_ATTR_DRIVER_UNICODE_TYPE, SQL_DM_CP_UCS4, SQL_DM_CP_UTF16,
};
use std::ptr::null_mut;

#[test]
fn the_environment_states_the_wide_encoding() {
    let e = env();
    let mut cp = 0u32;
    // SAFETY: see "Calling the exports" in tests/common (a live local).
    let rc = unsafe {
        SQLGetEnvAttr(
            e,
            SQL_ATTR_DRIVER_UNICODE_TYPE,
            (&mut cp as *mut u32).cast(),
            0,
            null_mut(),
        )
    };
    assert_eq!(rc, SQL_SUCCESS);
    assert_eq!(cp, WIDE_DM_CP);
    // This build: 2-byte SQLWCHAR holding UTF-16.
    assert_eq!((cp, WIDE_SIZE), (SQL_DM_CP_UTF16, 2));
    assert_eq!(SQLFreeHandle(HandleType::Env as i16, e), SQL_SUCCESS);
}

#[test]
fn the_connection_takes_only_its_own_wide_encoding() {
    let e = env();
    let d = dbc(e);
    let set = |cp: u32| {
        // SAFETY: an integer attribute travels in the pointer, never read.
        unsafe { SQLSetConnectAttr(d, SQL_ATTR_APP_WCHAR_TYPE, cp as usize as *mut _, 0) }
    };
    assert_eq!(set(SQL_DM_CP_UCS4), SQL_ERROR);
    let d_states = diag(HandleType::Dbc, d);
    assert_eq!(d_states.len(), 1);
    assert_eq!(d_states[0].0, "HY024");
    assert!(d_states[0].1.contains("UTF-16"), "{}", d_states[0].1);
    assert_eq!(set(SQL_DM_CP_UTF16), SQL_SUCCESS);
    let mut cp = 0u64;
    // SAFETY: a live local, as above.
    let rc = unsafe {
        SQLGetConnectAttr(
            d,
            SQL_ATTR_APP_WCHAR_TYPE,
            (&mut cp as *mut u64).cast(),
            0,
            null_mut(),
        )
    };
    assert_eq!((rc, cp), (SQL_SUCCESS, u64::from(SQL_DM_CP_UTF16)));
    disconnect(e, d);
}
