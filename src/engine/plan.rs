//! xBestIndex: choosing how a table is read, with cost in API requests.
//! The choice is written into idx_str as JSON and read back in xFilter.

use crate::schema::{Op, Table};
use rusqlite::vtab::{IndexConstraintOp as SqliteOp, IndexFlags, IndexInfo};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub enum Access {
    /// The whole table: the list endpoint, or the parent's list exploded.
    Scan,
    /// `id = ?` / `id IN (...)`: one GET per value.
    Get,
    /// A pushdown route of the profile (index into `Table::pushdown`).
    Push(usize),
    /// A `between` route (a date range) with the argv positions of its
    /// lower and upper bounds.
    Range {
        route: usize,
        lo: Option<usize>,
        hi: Option<usize>,
    },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Plan {
    pub access: Access,
    /// argv[0] is an IN list to iterate (all at once, `sqlite3_vtab_in`).
    pub in_list: bool,
    /// argv index (0-based) holding a LIMIT we may stop at.
    pub limit_arg: Option<usize>,
    /// No column is read: answer from a count endpoint, emit empty rows.
    pub count_only: bool,
    /// argv positions of the values of a route's `also` columns.
    #[serde(default)]
    pub also_args: Vec<usize>,
}

/// The profile operator a SQLite constraint operator can be served by.
fn route_op(op: &SqliteOp) -> Option<Op> {
    Some(match op {
        SqliteOp::SQLITE_INDEX_CONSTRAINT_EQ => Op::Eq,
        SqliteOp::SQLITE_INDEX_CONSTRAINT_GT => Op::Gt,
        SqliteOp::SQLITE_INDEX_CONSTRAINT_GE => Op::Ge,
        SqliteOp::SQLITE_INDEX_CONSTRAINT_LT => Op::Lt,
        SqliteOp::SQLITE_INDEX_CONSTRAINT_LE => Op::Le,
        _ => return None,
    })
}

/// Rows we expect in the table when nothing better is known. Real counts
/// replace this once a count endpoint has been read on this connection.
pub fn estimated_rows(table: &Table, known: Option<u64>) -> f64 {
    known
        .map(|n| n as f64)
        .unwrap_or(if table.source.single { 1.0 } else { 1000.0 })
}

pub fn best_index(
    table: &Table,
    est_rows: f64,
    pagesize: u32,
    info: &mut IndexInfo,
) -> rusqlite::Result<bool> {
    let pages = |rows: f64| (rows / pagesize.max(1) as f64).ceil().max(1.0);
    struct Cand {
        access: Access,
        constraint: usize,
        /// Constraints giving the route's `also` columns, in order.
        also: Vec<usize>,
        cost: f64,
        rows: f64,
        omit: bool,
        unique: bool,
    }
    // An equality constraint on each column, for routes that need several.
    let eq_on: Vec<(usize, i32)> = info
        .constraints()
        .enumerate()
        .filter(|(_, c)| c.is_usable() && c.operator() == SqliteOp::SQLITE_INDEX_CONSTRAINT_EQ)
        .map(|(i, c)| (i, c.column()))
        .collect();
    let mut cands: Vec<Cand> = Vec::new();
    let mut has_limit = None;
    let mut has_offset = false;
    let mut others = 0usize;
    let id_col = table.columns.iter().position(|c| c.name == "id");
    for (i, c) in info.constraints().enumerate() {
        if !c.is_usable() {
            continue;
        }
        match c.operator() {
            SqliteOp::SQLITE_INDEX_CONSTRAINT_LIMIT => {
                has_limit = Some(i);
                continue;
            }
            SqliteOp::SQLITE_INDEX_CONSTRAINT_OFFSET => {
                has_offset = true;
                continue;
            }
            _ => others += 1,
        }
        let Some(op) = route_op(&c.operator()) else {
            continue;
        };
        let col = c.column();
        if col >= 0 && Some(col as usize) == id_col && op == Op::Eq && table.get.is_some() {
            cands.push(Cand {
                access: Access::Get,
                constraint: i,
                also: vec![],
                cost: 1.0,
                rows: 1.0,
                omit: true,
                unique: true,
            });
        }
        for (route, pd) in table.pushdown.iter().enumerate() {
            let Some(route_column) = table.columns.iter().position(|x| x.name == pd.column) else {
                continue;
            };
            if col >= 0 && route_column == col as usize && pd.op == op {
                // Every `also` column needs its own equality.
                let also: Option<Vec<usize>> = pd
                    .also
                    .iter()
                    .map(|a| {
                        let also_column = table.columns.iter().position(|x| &x.name == a)? as i32;
                        eq_on
                            .iter()
                            .find(|(_, c)| *c == also_column)
                            .map(|(k, _)| *k)
                    })
                    .collect();
                let Some(also) = also else { continue };
                let rows = if pd.single {
                    1.0
                } else {
                    est_rows / 4.0 / (1 + also.len()) as f64
                };
                let cost = if pd.single || !pd.paged {
                    1.0
                } else {
                    pages(rows) + 0.5
                };
                // Exact routes whose value set is closed (or a single object)
                // return exactly the matching rows: SQLite need not re-check.
                let omit = pd.exact
                    && op == Op::Eq
                    && (pd.single || !pd.values.is_empty() || pd.via_parent);
                let cost = cost - also.len() as f64 * 0.1;
                cands.push(Cand {
                    access: Access::Push(route),
                    constraint: i,
                    also,
                    cost,
                    rows,
                    omit,
                    unique: false,
                });
            }
        }
    }
    // Date ranges: a lower and/or upper bound on a `between` route's column.
    // The route returns a superset (whole days), so nothing is omitted.
    let mut range: Option<(usize, Vec<(usize, bool)>)> = None;
    for (route, pd) in table
        .pushdown
        .iter()
        .enumerate()
        .filter(|(_, pd)| pd.op == Op::Between)
    {
        let Some(route_column) = table.columns.iter().position(|x| x.name == pd.column) else {
            continue;
        };
        let bounds: Vec<(usize, bool)> = info
            .constraints()
            .enumerate()
            .filter(|(_, c)| {
                c.is_usable() && c.column() >= 0 && c.column() as usize == route_column
            })
            .filter_map(|(i, c)| match c.operator() {
                SqliteOp::SQLITE_INDEX_CONSTRAINT_GT | SqliteOp::SQLITE_INDEX_CONSTRAINT_GE => {
                    Some((i, true))
                }
                SqliteOp::SQLITE_INDEX_CONSTRAINT_LT | SqliteOp::SQLITE_INDEX_CONSTRAINT_LE => {
                    Some((i, false))
                }
                _ => None,
            })
            .collect();
        let lo = bounds.iter().find(|b| b.1).copied();
        let hi = bounds.iter().find(|b| !b.1).copied();
        if lo.is_some() || hi.is_some() {
            let picked: Vec<(usize, bool)> = lo.into_iter().chain(hi).collect();
            // Two bounds narrow more than one.
            let rows = est_rows / if picked.len() == 2 { 8.0 } else { 2.0 };
            cands.push(Cand {
                access: Access::Range {
                    route,
                    lo: None,
                    hi: None,
                },
                constraint: picked[0].0,
                also: vec![],
                cost: pages(rows) + 0.5,
                rows,
                omit: false,
                unique: false,
            });
            range = Some((route, picked));
        }
    }
    let scan_cost = if table.source.single || !table.source.paged && table.source.parent.is_none() {
        1.0
    } else {
        pages(est_rows) + 1.0
    };
    let best = cands.into_iter().min_by(|a, b| {
        a.cost
            .partial_cmp(&b.cost)
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let mut plan = Plan {
        access: Access::Scan,
        in_list: false,
        limit_arg: None,
        count_only: false,
        also_args: vec![],
    };
    let mut next_arg = 1;
    let mut consumed = 0usize;
    // Columns SQLite will not look at again: those of constraints we omit.
    let mut omitted_cols: u64 = 0;
    let (cost, rows) = match best {
        Some(c) if matches!(c.access, Access::Range { .. }) => {
            let (route, picked) = range.clone().unwrap_or_default();
            let (mut lo, mut hi) = (None, None);
            for (ci, is_lo) in picked {
                info.constraint_usage(ci).set_argv_index(next_arg);
                if is_lo {
                    lo = Some(next_arg as usize - 1);
                } else {
                    hi = Some(next_arg as usize - 1);
                }
                next_arg += 1;
            }
            plan.access = Access::Range { route, lo, hi };
            (c.cost, c.rows)
        }
        Some(c) => {
            plan.access = c.access.clone();
            let is_in = info.is_in_constraint(c.constraint).unwrap_or(false);
            if is_in {
                plan.in_list = info.set_in_constraint(c.constraint, true).unwrap_or(false);
            }
            let mut usage = info.constraint_usage(c.constraint);
            usage.set_argv_index(next_arg);
            usage.set_omit(c.omit);
            next_arg += 1;
            // The other keys of a several-key route follow, re-checked by SQLite.
            for a in &c.also {
                plan.also_args.push(next_arg as usize - 1);
                info.constraint_usage(*a).set_argv_index(next_arg);
                next_arg += 1;
            }
            if c.omit {
                consumed += 1;
                // Bit 63 stands for every column from 63 on: never clear it.
                if let Some(col) = info
                    .constraints()
                    .nth(c.constraint)
                    .map(|k| k.column())
                    .filter(|c| (0..63).contains(c))
                {
                    omitted_cols |= 1u64 << col;
                }
            }
            if c.unique && !is_in {
                info.set_idx_flags(IndexFlags::SQLITE_INDEX_SCAN_UNIQUE);
            }
            let factor = if is_in { 5.0 } else { 1.0 };
            (c.cost * factor, c.rows * factor)
        }
        None => (scan_cost, est_rows),
    };
    // LIMIT is ours only when SQLite has nothing left to filter or sort after us.
    if let Some(limit_constraint) = has_limit {
        if consumed == others && !has_offset && info.num_of_order_by() == 0 {
            plan.limit_arg = Some(next_arg as usize - 1);
            let mut usage = info.constraint_usage(limit_constraint);
            usage.set_argv_index(next_arg);
            usage.set_omit(true);
        }
    }
    let count_path = match &plan.access {
        Access::Scan if table.source.parent.is_none() => table.count.is_some(),
        Access::Push(route) => table.pushdown[*route].count.is_some(),
        _ => false,
    };
    plan.count_only = info.col_used() & !omitted_cols == 0
        && count_path
        && consumed == others
        && plan.limit_arg.is_none()
        && !plan.in_list;
    info.set_estimated_cost(if plan.count_only { 1.0 } else { cost });
    info.set_estimated_rows(rows.max(1.0) as i64);
    info.set_idx_str(&serde_json::to_string(&plan).unwrap_or_default());
    Ok(true)
}
