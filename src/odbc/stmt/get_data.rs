//! SQLGetData: a column of the current row, in as many pieces as the
//! application's buffer needs.

use super::{bad_column, no_cursor, Stmt, StmtState};
use crate::error::{Error, Result};
use crate::odbc::convert::{self, Encoded, NumericSpec, Piece};
use crate::odbc::lock;

impl StmtState {
    /// The C type and SQL_C_NUMERIC precision and scale SQLGetData uses:
    /// SQL_ARD_TYPE takes the ARD record's; SQL_C_NUMERIC is the default
    /// precision and scale 0.
    fn get_data_target(&self, column: u16, c_type: i16) -> (i16, NumericSpec) {
        if c_type != convert::C_ARD_TYPE {
            return (c_type, NumericSpec::DEFAULT);
        }
        let ard = self.descs.ard.lock();
        match ard.record(column as usize) {
            Some(r) => (
                r.concise_type,
                NumericSpec {
                    precision: r.precision,
                    scale: r.scale,
                },
            ),
            None => (convert::C_DEFAULT, NumericSpec::DEFAULT),
        }
    }
}

impl Stmt {
    /// SQLGetData: the next piece of `column` for a buffer of `buf_len`
    /// bytes; None once the whole value was returned.
    pub fn get_data(&self, column: u16, c_type: i16, buf_len: usize) -> Result<Option<Piece>> {
        let _run = self.begin()?;
        if column == 0 {
            return self.bookmark_piece(c_type);
        }
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
        if column == 0 || column as usize > st.columns.len() {
            return Err(bad_column(column, st.columns.len()));
        }
        convert::check_c_type(c_type)?;
        let (offset, done) = match st.get_data_progress {
            Some((col, off, done)) if col == column => (off, done),
            _ => (0, false),
        };
        if done {
            return Ok(None);
        }
        // Encode once per column: a value that fits is handed out whole
        // (its bytes moved, not copied); a longer one is kept for the later
        // pieces to borrow (a 10 MB value read in 64 KB pieces must not be
        // copied 160 times).
        let piece = match st.get_data_encoded.as_ref() {
            Some((col, ct, encoded)) if *col == column && *ct == c_type => {
                convert::piece(encoded, offset, room_for(encoded, buf_len))
            }
            _ => {
                let (target, num) = st.get_data_target(column, c_type);
                let value = &row[column as usize - 1];
                let sql_type = st.columns[column as usize - 1].sql_type;
                let (encoded, cut) = convert::encode_cut(value, sql_type, target, num)?;
                if cut {
                    lock(&self.diags).push(
                        "01S07",
                        "Fractional truncation: the value had more fractional digits than SQL_C_NUMERIC's scale keeps.",
                    );
                }
                let encoded = convert::max_length(encoded, st.attrs.max_length);
                let room = room_for(&encoded, buf_len);
                if offset > 0 {
                    // Another C type for a column part read: on from there.
                    let piece = convert::piece(&encoded, offset, room);
                    st.get_data_encoded = Some((column, c_type, encoded));
                    return self.after_piece(&mut st, column, offset, piece);
                }
                let (piece, rest) = convert::first_piece(encoded, room);
                st.get_data_encoded = rest.map(|rest| (column, c_type, rest));
                piece
            }
        };
        self.after_piece(&mut st, column, offset, piece)
    }

    /// Records how far `column` was read and warns of what is left.
    fn after_piece(
        &self,
        st: &mut StmtState,
        column: u16,
        offset: usize,
        piece: Piece,
    ) -> Result<Option<Piece>> {
        let finished = !piece.truncated;
        st.get_data_progress = Some((column, offset + piece.consumed, finished));
        if piece.truncated {
            lock(&self.diags).push(
                "01004",
                "String data, right truncated: call SQLGetData again for the rest.",
            );
        }
        Ok(Some(piece))
    }
}

/// Fixed-size values fill their C type whatever the BufferLength.
fn room_for(encoded: &Encoded, buf_len: usize) -> usize {
    if matches!(encoded, Encoded::Fixed(_)) {
        usize::MAX
    } else {
        buf_len
    }
}
