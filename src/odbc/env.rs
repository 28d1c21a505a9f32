//! Environments: the ODBC version the application asked for, and the
//! environment attributes.

use super::diag::Diags;
use super::{lock, SUCCESS};
use crate::error::{Error, Result};
use odbc_sys::{AttrOdbcVersion, EnvironmentAttribute, RetCode};
use std::sync::{Arc, Mutex};

pub struct EnvState {
    pub odbc_version: i32,
    pub connection_pooling: u32,
    pub cp_match: u32,
}

pub struct Env {
    pub state: Mutex<EnvState>,
    pub diags: Mutex<Diags>,
}

impl Env {
    pub fn new() -> Arc<Env> {
        Arc::new(Env {
            state: Mutex::new(EnvState {
                odbc_version: AttrOdbcVersion::Odbc3 as i32,
                connection_pooling: 0,
                cp_match: 0,
            }),
            diags: Mutex::new(Diags::default()),
        })
    }

    pub fn is_odbc2(&self) -> bool {
        lock(&self.state).odbc_version == SQL_OV_ODBC2
    }
}

/// SQL_ATTR_CONNECTION_POOLING, kept under its old name for the exports
/// (a process-wide setting arrives with a null environment).
pub const ENV_CONNECTION_POOLING: i32 = EnvironmentAttribute::ConnectionPooling as i32;

// SQL_TRUE is the one value SQL_ATTR_OUTPUT_NTS may take.
use super::sqlext::{SQL_ATTR_DRIVER_UNICODE_TYPE, SQL_OV_ODBC2, SQL_TRUE};
use crate::ffi::strings::WIDE_DM_CP;

/// The environment attribute an SQLINTEGER names, if any.
fn environment_attribute(attr: i32) -> Option<EnvironmentAttribute> {
    use EnvironmentAttribute::*;
    [OdbcVersion, ConnectionPooling, CpMatch, OutputNts]
        .into_iter()
        .find(|a| *a as i32 == attr)
}

fn invalid(attr: i32) -> Error {
    Error::odbc(
        "HY092",
        format!("Environment attribute {attr} is not valid."),
    )
}

impl Env {
    pub fn set_attr(&self, attr: i32, value: usize) -> Result<RetCode> {
        let mut st = lock(&self.state);
        match environment_attribute(attr).ok_or_else(|| invalid(attr))? {
            EnvironmentAttribute::OdbcVersion => {
                let version = value as i32;
                let known = [
                    SQL_OV_ODBC2,
                    AttrOdbcVersion::Odbc3 as i32,
                    AttrOdbcVersion::Odbc3_80 as i32,
                ];
                if !known.contains(&version) {
                    return Err(Error::odbc(
                        "HY024",
                        format!("SQL_ATTR_ODBC_VERSION {value} is not valid; use 2, 3 or 380."),
                    ));
                }
                st.odbc_version = version;
            }
            EnvironmentAttribute::ConnectionPooling => st.connection_pooling = value as u32,
            EnvironmentAttribute::CpMatch => st.cp_match = value as u32,
            EnvironmentAttribute::OutputNts => {
                if value != SQL_TRUE {
                    return Err(Error::odbc(
                        "HYC00",
                        "SQL_ATTR_OUTPUT_NTS can only be SQL_TRUE.",
                    ));
                }
            }
        }
        Ok(SUCCESS)
    }

    pub fn get_attr(&self, attr: i32) -> Result<u32> {
        if attr == SQL_ATTR_DRIVER_UNICODE_TYPE {
            // iODBC asks which SQLWCHAR this build speaks.
            return Ok(WIDE_DM_CP);
        }
        let st = lock(&self.state);
        Ok(
            match environment_attribute(attr).ok_or_else(|| invalid(attr))? {
                EnvironmentAttribute::OdbcVersion => st.odbc_version as u32,
                EnvironmentAttribute::ConnectionPooling => st.connection_pooling,
                EnvironmentAttribute::CpMatch => st.cp_match,
                EnvironmentAttribute::OutputNts => SQL_TRUE as u32,
            },
        )
    }
}
