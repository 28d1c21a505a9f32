//! Environments: the ODBC version the application asked for, and the
//! environment attributes.

use super::diag::Diags;
use super::{lock, SUCCESS};
use crate::error::Error;
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
                odbc_version: 3,
                connection_pooling: 0,
                cp_match: 0,
            }),
            diags: Mutex::new(Diags::default()),
        })
    }

    pub fn is_odbc2(&self) -> bool {
        lock(&self.state).odbc_version == 2
    }
}

// Environment attributes (sqlext.h).
pub const ENV_ODBC_VERSION: i32 = 200;
pub const ENV_CONNECTION_POOLING: i32 = 201;
pub const ENV_CP_MATCH: i32 = 202;
pub const ENV_OUTPUT_NTS: i32 = 10001;

impl Env {
    pub fn set_attr(&self, attr: i32, value: usize) -> crate::error::Result<i16> {
        let mut st = lock(&self.state);
        match attr {
            ENV_ODBC_VERSION => match value {
                2 | 3 | 380 => st.odbc_version = value as i32,
                _ => {
                    return Err(Error::odbc(
                        "HY024",
                        format!("SQL_ATTR_ODBC_VERSION {value} is not valid; use 2, 3 or 380."),
                    ))
                }
            },
            ENV_CONNECTION_POOLING => st.connection_pooling = value as u32,
            ENV_CP_MATCH => st.cp_match = value as u32,
            ENV_OUTPUT_NTS => {
                if value != 1 {
                    return Err(Error::odbc(
                        "HYC00",
                        "SQL_ATTR_OUTPUT_NTS can only be SQL_TRUE.",
                    ));
                }
            }
            _ => {
                return Err(Error::odbc(
                    "HY092",
                    format!("Environment attribute {attr} is not valid."),
                ))
            }
        }
        Ok(SUCCESS)
    }

    pub fn get_attr(&self, attr: i32) -> crate::error::Result<u32> {
        let st = lock(&self.state);
        Ok(match attr {
            ENV_ODBC_VERSION => st.odbc_version as u32,
            ENV_CONNECTION_POOLING => st.connection_pooling,
            ENV_CP_MATCH => st.cp_match,
            ENV_OUTPUT_NTS => 1,
            _ => {
                return Err(Error::odbc(
                    "HY092",
                    format!("Environment attribute {attr} is not valid."),
                ))
            }
        })
    }
}
