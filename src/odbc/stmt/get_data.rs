//! SQLGetData: a column of the current row, in as many pieces as the
//! application's buffer needs.

use super::{bad_column, no_cursor, Stmt, StmtState};
use crate::engine::Value;
use crate::error::{Error, Result};
use crate::odbc::convert::{self, Encoded, NumericSpec, Piece, Shape, NULL_DATA};
use crate::odbc::{lock, NO_DATA, SUCCESS};
use odbc_sys::RetCode;

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

/// Where SQLGetData's piece goes: the FFI layer's copy into the
/// application's buffer and indicator. It gets the bytes (the terminator
/// included) and the indicator, and may refuse (22002: a NULL with no
/// indicator pointer).
pub type Deliver<'a> = &'a mut dyn FnMut(&[u8], isize) -> Result<()>;

impl Stmt {
    /// SQLGetData: the next piece of `column` for a buffer of `buf_len`
    /// bytes, handed to `deliver`; SQL_NO_DATA once the whole value was
    /// returned.
    pub fn get_data(
        &self,
        column: u16,
        c_type: i16,
        buf_len: usize,
        deliver: Deliver,
    ) -> Result<RetCode> {
        let _run = self.begin()?;
        if column == 0 {
            return match self.bookmark_piece(c_type)? {
                Some(piece) => deliver(&piece.bytes, piece.indicator).map(|_| SUCCESS),
                None => Ok(NO_DATA),
            };
        }
        let mut st = lock(&self.state);
        if !st.cursor_open() && st.current.is_none() {
            return Err(no_cursor());
        }
        if st.current.is_none() {
            return Err(Error::odbc(
                "24000",
                "SQLGetData needs a fetched row (call SQLFetch first).",
            ));
        }
        if column == 0 || column as usize > st.columns.len() {
            return Err(bad_column(column, st.columns.len()));
        }
        convert::check_c_type(c_type)?;
        let (offset, done) = match st.get_data_progress {
            Some((col, off, done)) if col == column => (off, done),
            _ => (0, false),
        };
        if done {
            return Ok(NO_DATA);
        }
        // Encode once per column: a value that fits is handed out straight
        // from the statement's scratch buffer (no allocation per value); a
        // longer one is kept for the later pieces to borrow (a 10 MB value
        // read in 64 KB pieces must not be copied 160 times).
        let piece = match st.get_data_encoded.as_ref() {
            Some((col, ct, encoded)) if *col == column && *ct == c_type => {
                convert::piece(encoded, offset, room_for(encoded, buf_len))
            }
            _ => {
                let (shape, mut data) = self.encode_value(&mut st, column, c_type)?;
                if offset == 0 && fits_whole(shape, &data, buf_len) {
                    let result = self.deliver_whole(&mut st, column, shape, &mut data, deliver);
                    data.clear();
                    st.get_data_scratch = data;
                    return result;
                }
                let encoded = Encoded::from_parts(shape, data);
                let room = room_for(&encoded, buf_len);
                if offset > 0 {
                    // Another C type for a column part read: on from there.
                    let piece = convert::piece(&encoded, offset, room);
                    st.get_data_encoded = Some((column, c_type, encoded));
                    return self.after_piece(&mut st, column, offset, piece, deliver);
                }
                let (piece, rest) = convert::first_piece(encoded, room);
                st.get_data_encoded = rest.map(|rest| (column, c_type, rest));
                piece
            }
        };
        self.after_piece(&mut st, column, offset, piece, deliver)
    }

    /// The current row's `column` converted to `c_type` (SQL_ATTR_MAX_LENGTH
    /// applied) in the statement's scratch buffer, taken out of the state;
    /// 01S07 when SQL_C_NUMERIC cut fractional digits.
    fn encode_value(
        &self,
        st: &mut StmtState,
        column: u16,
        c_type: i16,
    ) -> Result<(Shape, Vec<u8>)> {
        let (target, num) = st.get_data_target(column, c_type);
        let sql_type = st.columns[column as usize - 1].sql_type;
        let mut data = std::mem::take(&mut st.get_data_scratch);
        let value = match st.current.as_ref() {
            Some(row) => &row[column as usize - 1],
            None => &Value::Null,
        };
        let (shape, cut) = convert::encode_into(value, sql_type, target, num, &mut data)?;
        if cut {
            lock(&self.diags).push(
                "01S07",
                "Fractional truncation: the value had more fractional digits than SQL_C_NUMERIC's scale keeps.",
            );
        }
        convert::max_length_in_place(shape, &mut data, st.attrs.max_length);
        Ok((shape, data))
    }

    /// A value that fits the buffer, handed out in one piece: what
    /// `first_piece` and `after_piece` do for it, without copying it.
    fn deliver_whole(
        &self,
        st: &mut StmtState,
        column: u16,
        shape: Shape,
        data: &mut Vec<u8>,
        deliver: Deliver,
    ) -> Result<RetCode> {
        st.get_data_encoded = None;
        let len = data.len();
        st.get_data_progress = Some((column, len, true));
        match shape {
            Shape::Null => deliver(&[], NULL_DATA)?,
            Shape::Fixed => deliver(data, len as isize)?,
            Shape::Var { unit, terminated } => {
                // The terminator goes out with the data, in one copy.
                if terminated {
                    data.resize(len + unit, 0);
                }
                deliver(data, len as isize)?
            }
        }
        Ok(SUCCESS)
    }

    /// Records how far `column` was read and warns of what is left.
    fn after_piece(
        &self,
        st: &mut StmtState,
        column: u16,
        offset: usize,
        piece: Piece,
        deliver: Deliver,
    ) -> Result<RetCode> {
        let finished = !piece.truncated;
        st.get_data_progress = Some((column, offset + piece.consumed, finished));
        if piece.truncated {
            lock(&self.diags).push(
                "01004",
                "String data, right truncated: call SQLGetData again for the rest.",
            );
        }
        deliver(&piece.bytes, piece.indicator)?;
        Ok(SUCCESS)
    }
}

/// Whether an encoded value goes out whole in a buffer of `buf_len` bytes.
fn fits_whole(shape: Shape, data: &[u8], buf_len: usize) -> bool {
    match shape {
        Shape::Fixed | Shape::Null => true,
        Shape::Var { unit, terminated } => {
            data.len() + if terminated { unit } else { 0 } <= buf_len
        }
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
