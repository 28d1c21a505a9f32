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
    /// The columns the statement reads (SQLite's colUsed: bit i for column
    /// i, bit 63 for every column from 63 on); a scan decodes only those.
    #[serde(default = "every_column")]
    pub columns: u64,
}

fn every_column() -> u64 {
    u64::MAX
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

/// One constraint SQLite offers: `column op ?` (column -1 is the rowid).
#[derive(Debug)]
pub struct Offered {
    pub column: i32,
    pub op: SqliteOp,
    pub usable: bool,
}

impl Offered {
    fn is_usable(&self) -> bool {
        self.usable
    }
    fn operator(&self) -> &SqliteOp {
        &self.op
    }
    fn column(&self) -> i32 {
        self.column
    }
}

/// What the planner reads from and writes to SQLite's index info: an
/// interface, so the planner's choices are testable without SQLite.
pub trait IndexOffer {
    fn offered(&self) -> Vec<Offered>;
    /// Whether constraint `i` is an `IN (...)`.
    fn is_in(&self, i: usize) -> bool;
    /// Asks for constraint `i`'s IN list all at once; whether SQLite agreed.
    fn take_in_whole(&mut self, i: usize) -> bool;
    /// Constraint `i`'s value goes to xFilter as argv[argv - 1].
    fn use_constraint(&mut self, i: usize, argv: i32, omit: bool);
    fn order_by_terms(&self) -> usize;
    /// Columns the statement reads (bit 63: any from 63 on).
    fn columns_used(&self) -> u64;
    fn set_unique(&mut self);
    fn set_result(&mut self, cost: f64, rows: i64, plan: &Plan);
}

impl IndexOffer for IndexInfo {
    fn offered(&self) -> Vec<Offered> {
        self.constraints()
            .map(|c| Offered {
                column: c.column(),
                op: c.operator(),
                usable: c.is_usable(),
            })
            .collect()
    }
    fn is_in(&self, i: usize) -> bool {
        self.is_in_constraint(i).unwrap_or(false)
    }
    fn take_in_whole(&mut self, i: usize) -> bool {
        self.set_in_constraint(i, true).unwrap_or(false)
    }
    fn use_constraint(&mut self, i: usize, argv: i32, omit: bool) {
        let mut usage = self.constraint_usage(i);
        usage.set_argv_index(argv);
        if omit {
            usage.set_omit(true);
        }
    }
    fn order_by_terms(&self) -> usize {
        self.num_of_order_by()
    }
    fn columns_used(&self) -> u64 {
        self.col_used()
    }
    fn set_unique(&mut self) {
        self.set_idx_flags(IndexFlags::SQLITE_INDEX_SCAN_UNIQUE);
    }
    fn set_result(&mut self, cost: f64, rows: i64, plan: &Plan) {
        self.set_estimated_cost(cost);
        self.set_estimated_rows(rows);
        self.set_idx_str(&serde_json::to_string(plan).unwrap_or_default());
    }
}

/// xBestIndex: the cheapest access for the constraints SQLite offers, in
/// API requests, written into idx_str for xFilter.
pub fn best_index(
    table: &Table,
    est_rows: f64,
    pagesize: u32,
    info: &mut impl IndexOffer,
) -> rusqlite::Result<bool> {
    let offered = info.offered();
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
    let eq_on: Vec<(usize, i32)> = offered
        .iter()
        .enumerate()
        .filter(|(_, c)| c.is_usable() && *c.operator() == SqliteOp::SQLITE_INDEX_CONSTRAINT_EQ)
        .map(|(i, c)| (i, c.column()))
        .collect();
    let mut cands: Vec<Cand> = Vec::new();
    let mut has_limit = None;
    let mut has_offset = false;
    let mut others = 0usize;
    let id_col = table.columns.iter().position(|c| c.name == "id");
    for (i, c) in offered.iter().enumerate() {
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
        let Some(op) = route_op(c.operator()) else {
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
                // SQLite need not re-check only what the route provably
                // answers exactly: an integer key (a single object or a
                // parent's children), or a closed enumeration whose value is
                // checked against its list (route_value). A lookup by text
                // may match loosely (case, spaces, Unicode forms), so text
                // is always re-checked.
                let integer_key = table.columns[route_column].sql_type().is_integer()
                    && (pd.single || pd.via_parent);
                let omit = pd.exact && op == Op::Eq && (integer_key || !pd.values.is_empty());
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
        let bounds: Vec<(usize, bool)> = offered
            .iter()
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
        columns: info.columns_used(),
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
                info.use_constraint(ci, next_arg, false);
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
            let is_in = info.is_in(c.constraint);
            if is_in {
                plan.in_list = info.take_in_whole(c.constraint);
            }
            info.use_constraint(c.constraint, next_arg, c.omit);
            next_arg += 1;
            // The other keys of a several-key route follow, re-checked by SQLite.
            for a in &c.also {
                plan.also_args.push(next_arg as usize - 1);
                info.use_constraint(*a, next_arg, false);
                next_arg += 1;
            }
            if c.omit {
                consumed += 1;
                // Bit 63 stands for every column from 63 on: never clear it.
                if let Some(col) = offered
                    .get(c.constraint)
                    .map(|k| k.column())
                    .filter(|c| (0..63).contains(c))
                {
                    omitted_cols |= 1u64 << col;
                }
            }
            if c.unique && !is_in {
                info.set_unique();
            }
            let factor = if is_in { 5.0 } else { 1.0 };
            (c.cost * factor, c.rows * factor)
        }
        None => (scan_cost, est_rows),
    };
    // LIMIT is ours only when SQLite has nothing left to filter or sort after us.
    if let Some(limit_constraint) = has_limit {
        if consumed == others && !has_offset && info.order_by_terms() == 0 {
            plan.limit_arg = Some(next_arg as usize - 1);
            info.use_constraint(limit_constraint, next_arg, true);
        }
    }
    let count_path = match &plan.access {
        Access::Scan if table.source.parent.is_none() => table.count.is_some(),
        Access::Push(route) => table.pushdown[*route].count.is_some(),
        _ => false,
    };
    plan.count_only = info.columns_used() & !omitted_cols == 0
        && count_path
        && consumed == others
        && plan.limit_arg.is_none()
        && !plan.in_list;
    let cost = if plan.count_only { 1.0 } else { cost };
    info.set_result(cost, rows.max(1.0) as i64, &plan);
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Profile;
    use std::collections::HashMap;

    /// SQLite's side of one xBestIndex call, recorded.
    #[derive(Default)]
    struct Fake {
        offered: Vec<(i32, SqliteOp)>,
        in_lists: Vec<usize>,
        order_by: usize,
        columns_used: u64,
        /// constraint -> (argv index, omitted)
        usage: HashMap<usize, (i32, bool)>,
        unique: bool,
        cost: f64,
        plan: Option<Plan>,
    }

    impl IndexOffer for Fake {
        fn offered(&self) -> Vec<Offered> {
            self.offered
                .iter()
                .map(|(column, op)| Offered {
                    column: *column,
                    op: copy_op(op),
                    usable: true,
                })
                .collect()
        }
        fn is_in(&self, i: usize) -> bool {
            self.in_lists.contains(&i)
        }
        fn take_in_whole(&mut self, i: usize) -> bool {
            self.in_lists.contains(&i)
        }
        fn use_constraint(&mut self, i: usize, argv: i32, omit: bool) {
            self.usage.insert(i, (argv, omit));
        }
        fn order_by_terms(&self) -> usize {
            self.order_by
        }
        fn columns_used(&self) -> u64 {
            self.columns_used
        }
        fn set_unique(&mut self) {
            self.unique = true;
        }
        fn set_result(&mut self, cost: f64, _rows: i64, plan: &Plan) {
            self.cost = cost;
            self.plan = Some(plan.clone());
        }
    }

    fn copy_op(op: &SqliteOp) -> SqliteOp {
        match op {
            SqliteOp::SQLITE_INDEX_CONSTRAINT_EQ => SqliteOp::SQLITE_INDEX_CONSTRAINT_EQ,
            SqliteOp::SQLITE_INDEX_CONSTRAINT_GT => SqliteOp::SQLITE_INDEX_CONSTRAINT_GT,
            SqliteOp::SQLITE_INDEX_CONSTRAINT_GE => SqliteOp::SQLITE_INDEX_CONSTRAINT_GE,
            SqliteOp::SQLITE_INDEX_CONSTRAINT_LT => SqliteOp::SQLITE_INDEX_CONSTRAINT_LT,
            SqliteOp::SQLITE_INDEX_CONSTRAINT_LIMIT => SqliteOp::SQLITE_INDEX_CONSTRAINT_LIMIT,
            _ => unimplemented!("not used by these tests"),
        }
    }

    const EQ: SqliteOp = SqliteOp::SQLITE_INDEX_CONSTRAINT_EQ;
    const GT: SqliteOp = SqliteOp::SQLITE_INDEX_CONSTRAINT_GT;
    const GE: SqliteOp = SqliteOp::SQLITE_INDEX_CONSTRAINT_GE;
    const LT: SqliteOp = SqliteOp::SQLITE_INDEX_CONSTRAINT_LT;
    const LIMIT: SqliteOp = SqliteOp::SQLITE_INDEX_CONSTRAINT_LIMIT;

    /// Plans `table` (built-in profile) for constraints on named columns
    /// (`""` for LIMIT); every column read unless `setup` says otherwise.
    fn plan_for(
        table: &str,
        constraints: &[(&str, SqliteOp)],
        setup: impl FnOnce(&mut Fake),
    ) -> Fake {
        let profile = Profile::builtin();
        let t = profile.table(table).unwrap();
        let mut fake = Fake {
            columns_used: u64::MAX,
            ..Fake::default()
        };
        for (name, op) in constraints {
            let column = t
                .columns
                .iter()
                .position(|c| c.name == *name)
                .map_or(-1, |i| i as i32);
            fake.offered.push((column, copy_op(op)));
        }
        setup(&mut fake);
        best_index(t, estimated_rows(t, Some(5000)), 100, &mut fake).unwrap();
        fake
    }

    fn access(f: &Fake) -> Access {
        f.plan.as_ref().unwrap().access.clone()
    }

    fn route(table: &str, column: &str) -> usize {
        let profile = Profile::builtin();
        let t = profile.table(table).unwrap();
        t.pushdown.iter().position(|p| p.column == column).unwrap()
    }

    #[test]
    fn an_id_is_one_get_and_sqlite_need_not_recheck_it() {
        let f = plan_for("Products", &[("id", EQ)], |_| {});
        assert_eq!(access(&f), Access::Get);
        assert_eq!(f.usage[&0], (1, true));
        assert!(f.unique);
        assert_eq!(f.cost, 1.0);
        // IN (...): the whole list at once, not unique.
        let f = plan_for("Products", &[("id", EQ)], |f| f.in_lists = vec![0]);
        assert_eq!(access(&f), Access::Get);
        assert!(f.plan.as_ref().unwrap().in_list && !f.unique);
    }

    #[test]
    fn the_cheapest_access_wins() {
        // A GET (1 request) beats the status route (pages of a quarter).
        let f = plan_for("Products", &[("status", EQ), ("id", EQ)], |_| {});
        assert_eq!(access(&f), Access::Get);
        assert_eq!(f.usage.get(&0), None, "the status is left to SQLite");
        // id > N: the `after` route, cheaper than a scan of 50 pages.
        let f = plan_for("Products", &[("id", GT)], |_| {});
        assert_eq!(access(&f), Access::Push(route("Products", "id")));
        // No usable constraint: a scan.
        let f = plan_for("Products", &[("name", EQ)], |_| {});
        assert_eq!(access(&f), Access::Scan);
        assert!(f.usage.is_empty());
    }

    #[test]
    fn only_routes_certain_to_hold_just_the_matching_rows_are_omitted() {
        // A closed set of values: exact.
        let f = plan_for("Products", &[("status", EQ)], |_| {});
        assert_eq!(access(&f), Access::Push(route("Products", "status")));
        assert_eq!(f.usage[&0], (1, true));
        // A single object looked up by text: the API may match loosely
        // (case, spaces), so SQLite re-checks.
        let f = plan_for("Customers", &[("email", EQ)], |_| {});
        assert_eq!(access(&f), Access::Push(route("Customers", "email")));
        assert_eq!(f.usage[&0], (1, false));
        // A parent key that is text (a country's code): re-checked too.
        let f = plan_for("Regions", &[("country_code", EQ)], |_| {});
        assert_eq!(f.usage[&0], (1, false));
        // A parent's object holding the rows: exact.
        let f = plan_for("ProductVariants", &[("product_id", EQ)], |_| {});
        assert_eq!(f.usage[&0], (1, true));
        // An open list route, a `>` route: SQLite re-checks.
        let f = plan_for("Orders", &[("customer_id", EQ)], |_| {});
        assert_eq!(access(&f), Access::Push(route("Orders", "customer_id")));
        assert_eq!(f.usage[&0], (1, false));
        let f = plan_for("Products", &[("id", GT)], |_| {});
        assert_eq!(f.usage[&0], (1, false));
    }

    #[test]
    fn date_bounds_take_the_range_route_and_are_rechecked() {
        let f = plan_for("Orders", &[("created_at", GE), ("created_at", LT)], |_| {});
        let r = route("Orders", "created_at");
        assert_eq!(
            access(&f),
            Access::Range {
                route: r,
                lo: Some(0),
                hi: Some(1)
            }
        );
        assert_eq!(f.usage[&0], (1, false));
        assert_eq!(f.usage[&1], (2, false));
    }

    #[test]
    fn limit_is_taken_only_when_nothing_is_left_to_filter_or_sort() {
        let f = plan_for("Products", &[("", LIMIT)], |_| {});
        assert_eq!(f.plan.as_ref().unwrap().limit_arg, Some(0));
        assert_eq!(f.usage[&0], (1, true));
        // After an omitted id: argv 2.
        let f = plan_for("Products", &[("id", EQ), ("", LIMIT)], |_| {});
        assert_eq!(f.plan.as_ref().unwrap().limit_arg, Some(1));
        assert_eq!(f.usage[&1], (2, true));
        // ORDER BY left to SQLite, or a constraint SQLite still checks.
        let f = plan_for("Products", &[("", LIMIT)], |f| f.order_by = 1);
        assert_eq!(f.plan.as_ref().unwrap().limit_arg, None);
        let f = plan_for("Products", &[("name", EQ), ("", LIMIT)], |_| {});
        assert_eq!(f.plan.as_ref().unwrap().limit_arg, None);
        let f = plan_for("Orders", &[("customer_id", EQ), ("", LIMIT)], |_| {});
        assert_eq!(f.plan.as_ref().unwrap().limit_arg, None);
    }

    #[test]
    fn count_only_when_no_column_is_read_and_a_count_route_answers() {
        let f = plan_for("Products", &[], |f| f.columns_used = 0);
        assert!(f.plan.as_ref().unwrap().count_only);
        assert_eq!(f.cost, 1.0);
        // The omitted status column is not "read".
        let status = 1u64
            << Profile::builtin()
                .table("Products")
                .unwrap()
                .columns
                .iter()
                .position(|c| c.name == "status")
                .unwrap();
        let f = plan_for("Products", &[("status", EQ)], |f| f.columns_used = status);
        assert!(f.plan.as_ref().unwrap().count_only);
        // A column read, a route without a count, a LIMIT: rows are needed.
        let f = plan_for("Products", &[], |_| {});
        assert!(!f.plan.as_ref().unwrap().count_only);
        let f = plan_for("Orders", &[("customer_id", EQ)], |f| f.columns_used = 0);
        assert!(!f.plan.as_ref().unwrap().count_only);
        let f = plan_for("Products", &[("", LIMIT)], |f| f.columns_used = 0);
        assert!(!f.plan.as_ref().unwrap().count_only);
    }
}
