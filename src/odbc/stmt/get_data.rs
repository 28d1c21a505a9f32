//! SQLGetData: a column of the current row, in as many pieces as the
//! application's buffer needs.

use super::{bad_column, no_cursor, Stmt};
use crate::error::{Error, Result};
use crate::odbc::convert::{self, Encoded, Piece};
use crate::odbc::lock;

impl Stmt {
    /// SQLGetData: the next piece of column `n` for a buffer of `buf_len`.
    pub fn get_data(&self, n: u16, c_type: i16, buf_len: usize) -> Result<Option<Piece>> {
        let _run = self.begin()?;
        let mut st = lock(&self.state);
        if !st.cursor_open() && st.current.is_none() {
            return Err(no_cursor());
        }
        let Some(row) = st.current.as_ref() else {
            return Err(Error::odbc(
                "24000",
                "SQLGetData needs a fetched row (call SQLFetch first).",
            ));
        };
        if n == 0 || n as usize > st.cols.len() {
            return Err(bad_column(n, st.cols.len()));
        }
        convert::check_c_type(c_type)?;
        let (offset, done) = match st.getdata {
            Some((col, off, done)) if col == n => (off, done),
            _ => (0, false),
        };
        if done {
            return Ok(None);
        }
        // Encode once per column; later pieces borrow it (a 10 MB value read
        // in 64 KB pieces must not be copied 160 times).
        if !matches!(&st.getdata_cache, Some((col, ct, _)) if *col == n && *ct == c_type) {
            let e = convert::max_length(
                convert::encode(
                    &row[n as usize - 1],
                    st.cols[n as usize - 1].sql_type,
                    c_type,
                )?,
                st.attrs.max_length,
            );
            st.getdata_cache = Some((n, c_type, e));
        }
        let Some((_, _, enc)) = st.getdata_cache.as_ref() else {
            return Err(no_cursor());
        };
        let buf = if matches!(enc, Encoded::Fixed(_)) {
            usize::MAX
        } else {
            buf_len
        };
        let p = convert::piece(enc, offset, buf);
        let finished = !p.truncated;
        st.getdata = Some((n, offset + p.consumed, finished));
        if p.truncated {
            lock(&self.diags).push(
                "01004",
                "String data, right truncated: call SQLGetData again for the rest.",
            );
        }
        Ok(Some(p))
    }
}
