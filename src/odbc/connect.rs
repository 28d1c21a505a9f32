//! Connections: from a connection string to a verified client and an engine
//! session; connection attributes.

use super::diag::Diags;
use super::{lock, Env, SUCCESS};
use crate::config::live::{self, SignIn};
use crate::config::Config;
use crate::engine::{Session, Setup};
use crate::error::{err, Error, Kind, Result};
use crate::ffi::strings::{WIDE_DM_CP, WIDE_NAME};
use crate::jumpseller::Client;
use crate::logging::Logger;
use crate::schema::Profile;
use odbc_sys::{ConnectionAttribute, DriverConnectOption, InfoType, RetCode};
use std::sync::{Arc, Mutex};

use super::sqlext::{SQL_CD_TRUE, SQL_CUR_USE_DRIVER, SQL_MODE_READ_ONLY};

/// SQL_ATTR_ANSI_APP: the driver manager tells whether the application is
/// ANSI.
const ANSI_APP: ConnectionAttribute = ConnectionAttribute(super::sqlext::SQL_ATTR_ANSI_APP);

/// SQL_ATTR_APP_WCHAR_TYPE: iODBC says which SQLWCHAR it will pass; only
/// this build's own (ffi::strings::WIDE_DM_CP) is accepted, so that iODBC
/// converts to it rather than hand over text of another width.
const APP_WCHAR_TYPE: ConnectionAttribute =
    ConnectionAttribute(super::sqlext::SQL_ATTR_APP_WCHAR_TYPE);

pub struct Conn {
    pub env: Arc<Env>,
    pub state: Mutex<ConnState>,
    pub diags: Mutex<Diags>,
}

/// What a connection attribute reads back as.
#[derive(Debug, Clone)]
pub enum AttrValue {
    Int(u64),
    Text(String),
}

pub struct Connected {
    pub config: Config,
    pub session: Session,
    pub logger: Logger,
}

pub struct ConnState {
    pub connected: Option<Connected>,
    pub autocommit: bool,
    pub login_timeout: u64,
    pub connection_timeout: u64,
    pub access_mode: u64,
    pub metadata_id: bool,
    pub txn_isolation: u64,
    pub packet_size: u64,
    pub quiet_mode: u64,
}

impl Conn {
    pub fn new(env: Arc<Env>) -> Arc<Conn> {
        Arc::new(Conn {
            env,
            state: Mutex::new(ConnState {
                connected: None,
                autocommit: true,
                login_timeout: 0,
                connection_timeout: 0,
                access_mode: 0,
                metadata_id: false,
                txn_isolation: 0,
                packet_size: 0,
                quiet_mode: 0,
            }),
            diags: Mutex::new(Default::default()),
        })
    }

    pub fn session(&self) -> Result<Session> {
        match &lock(&self.state).connected {
            Some(c) => Ok(c.session.clone()),
            None => Err(Error::odbc("08003", "The connection is not open.")),
        }
    }

    /// SQLConnect: a DSN, with UID/PWD overriding the DSN's when given.
    pub fn connect_dsn(
        &self,
        dsn: &str,
        uid: Option<String>,
        pwd: Option<String>,
    ) -> Result<String> {
        let mut s = format!("DSN={}", crate::config::quote_value(dsn));
        for (k, v) in [("UID", uid), ("PWD", pwd)] {
            if let Some(v) = v.filter(|v| !v.is_empty()) {
                s.push_str(&format!(";{k}={}", crate::config::quote_value(&v)));
            }
        }
        self.connect(&s, DriverConnectOption::NoPrompt as u16)
    }

    /// Connects from a full connection string; returns the completed string.
    /// `prompt` is the SQLDriverConnect completion mode (DriverCompletion).
    pub fn connect(&self, conn_str: &str, prompt: u16) -> Result<String> {
        if lock(&self.state).connected.is_some() {
            return Err(Error::odbc("08002", "The connection is already open."));
        }
        let (config, warnings) = Config::from_connection_string(conn_str)?;
        for w in &warnings.0 {
            lock(&self.diags).push("01S00", w.clone());
        }
        if prompt != DriverConnectOption::NoPrompt as u16 {
            // No dialog exists; with everything given, connecting is what a
            // dialog would have done.
            lock(&self.diags).push("01000", "The driver has no connection dialog: it used the properties given (and the browser, for an OAuth sign-in).");
        }
        let profile = Profile::load(config.profile.as_deref())?;
        let logger = live::open_logger(&config)?;
        let login_timeout = lock(&self.state).login_timeout;
        logger.log(
            1,
            &format!(
                "connect {} as {}",
                crate::logging::redact(&config.url),
                config
                    .display_value("Login")
                    .unwrap_or_else(|| "(OAuth)".into())
            ),
        );
        let client = self.sign_in(&config, &logger, login_timeout, prompt)?;
        let views = match &config.user_defined_views {
            Some(path) => super::views::load(path)?,
            None => Vec::new(),
        };
        let cache = config.cache_location.as_deref().map(std::path::Path::new);
        let pg = crate::replica::pg_read::open_for(&config, &profile)?;
        let fixed = |session: &Session| -> Result<Vec<crate::engine::additions::FixedTable>> {
            let mut tables = super::system_tables::build(session)?;
            // Only with a replica: without one the catalog stays as it was.
            if let Some(reader) = &pg {
                tables.push(crate::replica::status::table_of(
                    &reader.states()?,
                    config.cache_tolerance,
                ));
            } else if cache.is_some() {
                tables.push(crate::replica::status::table(
                    cache,
                    config.cache_tolerance,
                )?);
            }
            Ok(tables)
        };
        let replica = crate::replica::auto::parts(&config, &profile, &client)?;
        let declare_pg = |conn: &rusqlite::Connection, schema: &str| -> Result<()> {
            match &pg {
                Some(reader) => {
                    crate::replica::pg_read::declare_tables(conn, schema, reader.clone())
                }
                None => Ok(()),
            }
        };
        let setup = Setup {
            views,
            fixed_tables: Some(&fixed),
            offline_replica: cache.filter(|_| config.offline || config.auto_cache),
            offline_tables: pg
                .as_ref()
                .filter(|_| config.offline || config.auto_cache)
                .map(|_| &declare_pg as &dyn Fn(&rusqlite::Connection, &str) -> Result<()>),
            auto: replica.auto,
            write_through: replica.write_through,
        };
        let session = live::open_session(&config, profile, client, &setup)?;
        let completed = config.completed_connection_string();
        session.keep_write_journal(!lock(&self.state).autocommit);
        if let Some(bytes) = config.memo_bytes {
            session.set_memo_bytes(bytes as usize);
        }
        lock(&self.state).connected = Some(Connected {
            config,
            session,
            logger,
        });
        Ok(completed)
    }

    /// The client signed in and verified (config/live.rs), the ODBC parts
    /// here: whether the browser may open, the records of what was said.
    fn sign_in(
        &self,
        config: &Config,
        logger: &Logger,
        login_timeout: u64,
        prompt: u16,
    ) -> Result<Arc<Client>> {
        let cannot_prompt = (prompt == DriverConnectOption::NoPrompt as u16).then(|| {
            "the application asked the driver not to prompt (SQL_DRIVER_NOPROMPT)".to_string()
        });
        let mut sign_in = SignIn {
            login_timeout,
            cannot_prompt,
            preface: &mut |m| lock(&self.diags).push("28000", m),
        };
        let (client, warning) = live::signed_in_client(config, logger, &mut sign_in)?;
        if let Some(w) = warning {
            lock(&self.diags).push("01000", w);
        }
        Ok(client)
    }

    pub fn disconnect(&self) -> Result<RetCode> {
        if lock(&self.state).connected.is_none() {
            return Err(Error::odbc("08003", "The connection is not open."));
        }
        // The spec's answer while a statement still runs (on another
        // thread): the application cancels it or waits, then disconnects.
        if super::handles::any_statement_running(self) {
            return Err(Error::odbc(
                "HY010",
                "A statement of this connection is still running (function sequence error): cancel it (SQLCancel) or let it finish, then disconnect.",
            ));
        }
        super::descriptor::free_explicit_of(self);
        super::handles::free_statements_of(self);
        let mut st = lock(&self.state);
        st.connected = None;
        Ok(SUCCESS)
    }

    /// SQLNativeSql: the SQL as the engine will run it (escapes rewritten).
    pub fn native_sql(&self, sql: &str) -> String {
        crate::engine::rewrite_escapes(sql)
    }

    pub fn set_attr(&self, attr: i32, value: u64, text: Option<String>) -> Result<RetCode> {
        let mut st = lock(&self.state);
        match ConnectionAttribute(attr) {
            // The store has no transactions: in manual-commit mode the
            // writes are journaled so that a ROLLBACK can say it undid none.
            ConnectionAttribute::AUTOCOMMIT => {
                st.autocommit = value != 0;
                if let Some(c) = &st.connected {
                    c.session.keep_write_journal(!st.autocommit);
                }
            }
            ConnectionAttribute::LOGIN_TIMEOUT => st.login_timeout = value,
            ConnectionAttribute::CONNECTION_TIMEOUT => st.connection_timeout = value,
            ConnectionAttribute::ACCESS_MODE => st.access_mode = value,
            ConnectionAttribute::METADATA_ID => st.metadata_id = value != 0,
            ConnectionAttribute::TXN_ISOLATION => st.txn_isolation = value,
            ConnectionAttribute::PACKET_SIZE => st.packet_size = value,
            ConnectionAttribute::QUIET_MODE => st.quiet_mode = value,
            ConnectionAttribute::CURRENT_CATALOG => {
                if text.as_deref().is_some_and(|t| !t.is_empty()) {
                    return err(
                        Kind::NotImplemented,
                        "Jumpseller has no catalogs; SQL_ATTR_CURRENT_CATALOG cannot be set.",
                    );
                }
            }
            ConnectionAttribute::TRACE
            | ConnectionAttribute::TRACEFILE
            | ConnectionAttribute::ODBC_CURSORS
            | ANSI_APP
            | ConnectionAttribute::ASYNC_ENABLE
                if value == 0 || text.is_some() => {}
            ConnectionAttribute::ASYNC_ENABLE => {
                return err(
                    Kind::NotImplemented,
                    "Asynchronous execution is not supported.",
                )
            }
            APP_WCHAR_TYPE if value == u64::from(WIDE_DM_CP) => {}
            APP_WCHAR_TYPE => {
                return Err(Error::odbc(
                    "HY024",
                    format!("SQL_ATTR_APP_WCHAR_TYPE {value} is not this driver's SQLWCHAR encoding: it takes {WIDE_DM_CP} ({WIDE_NAME})."),
                ))
            }
            _ => {
                return Err(Error::odbc(
                    "HY092",
                    format!("Connection attribute {attr} is not supported."),
                ))
            }
        }
        Ok(SUCCESS)
    }

    pub fn get_attr(&self, attr: i32) -> Result<AttrValue> {
        let st = lock(&self.state);
        Ok(AttrValue::Int(match ConnectionAttribute(attr) {
            ConnectionAttribute::AUTOCOMMIT => st.autocommit as u64,
            ConnectionAttribute::LOGIN_TIMEOUT => st.login_timeout,
            ConnectionAttribute::CONNECTION_TIMEOUT => st.connection_timeout,
            ConnectionAttribute::ACCESS_MODE => st.access_mode,
            ConnectionAttribute::METADATA_ID => st.metadata_id as u64,
            ConnectionAttribute::TXN_ISOLATION => st.txn_isolation,
            ConnectionAttribute::PACKET_SIZE => st.packet_size,
            ConnectionAttribute::QUIET_MODE => st.quiet_mode,
            ConnectionAttribute::AUTO_IPD => 0,
            ConnectionAttribute::ASYNC_ENABLE => 0,
            ConnectionAttribute::TRACE => 0,
            ConnectionAttribute::ODBC_CURSORS => SQL_CUR_USE_DRIVER,
            // SQL_CD_TRUE when the connection is closed, else SQL_CD_FALSE.
            ConnectionAttribute::CONNECTION_DEAD => st.connected.is_none() as u64 * SQL_CD_TRUE,
            ConnectionAttribute::CURRENT_CATALOG => return Ok(AttrValue::Text(String::new())),
            APP_WCHAR_TYPE => u64::from(WIDE_DM_CP),
            _ => {
                return Err(Error::odbc(
                    "HY092",
                    format!("Connection attribute {attr} is not supported."),
                ))
            }
        }))
    }
}

/// Connection attributes whose value is a string, not an integer.
pub fn is_string_attr(attr: i32) -> bool {
    matches!(
        ConnectionAttribute(attr),
        ConnectionAttribute::CURRENT_CATALOG
            | ConnectionAttribute::TRACEFILE
            | ConnectionAttribute::TRANSLATE_LIB
    )
}

impl Conn {
    pub fn data_source_name(&self) -> String {
        lock(&self.state)
            .connected
            .as_ref()
            .and_then(|c| {
                c.config
                    .pairs
                    .iter()
                    .find(|(k, _)| *k == "DSN")
                    .map(|(_, v)| v.clone())
            })
            .unwrap_or_default()
    }

    /// SQLGetInfo: the static answers, with the ones that depend on this
    /// connection filled in; strings always as `Info::Text`.
    pub fn info(&self, info_type: u16) -> Result<super::info::Info> {
        use super::info::{get, Info};
        let answer = get(info_type).ok_or_else(|| {
            Error::odbc(
                "HY096",
                format!("Information type {info_type} is not valid."),
            )
        })?;
        const DATA_SOURCE_NAME: u16 = InfoType::DataSourceName as u16;
        const USER_NAME: u16 = InfoType::UserName as u16;
        const DATA_SOURCE_READ_ONLY: u16 = InfoType::DataSourceReadOnly as u16;
        Ok(match (info_type, answer) {
            (DATA_SOURCE_NAME, _) => Info::Text(self.data_source_name()),
            (USER_NAME, _) => Info::Text(self.user_name()),
            // Writes go through unless the connection is read-only.
            (DATA_SOURCE_READ_ONLY, _) => {
                Info::Text(if self.read_only() { "Y" } else { "N" }.into())
            }
            (_, Info::Str(s)) => Info::Text(s.to_string()),
            (_, other) => other,
        })
    }

    /// ReadOnly=true, or SQL_ATTR_ACCESS_MODE = SQL_MODE_READ_ONLY.
    pub fn read_only(&self) -> bool {
        let st = lock(&self.state);
        st.access_mode == SQL_MODE_READ_ONLY
            || st.connected.as_ref().is_some_and(|c| c.config.read_only)
    }

    pub fn user_name(&self) -> String {
        lock(&self.state)
            .connected
            .as_ref()
            .and_then(|c| c.config.login.clone())
            .unwrap_or_default()
    }
}
