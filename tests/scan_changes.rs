//! Scans while the store changes (issue 14.3): every record that exists for
//! the whole scan comes back exactly once; records created or deleted during
//! it at most once; nothing else. The sandbox changes the store when a given
//! list request arrives (a hook), holding that request a moment so that the
//! pages requested ahead of the reader see the store before and after the
//! change in a known order.
#![allow(unused_unsafe)]

mod common;

use common::*;
use jumpseller_sandbox::{Hook, Mutation};
use std::collections::{BTreeMap, BTreeSet};
use std::os::raw::c_void;

const ORDER_LISTS: &[&str] = &["GET /orders.json", "GET /orders/after/{id}.json"];
const PRODUCT_LISTS: &[&str] = &["GET /products.json", "GET /products/after/{id}.json"];

fn hook(routes: &[&str], nth: u64, hold_ms: u64, mutations: Vec<Mutation>) -> Hook {
    Hook {
        routes: routes.iter().map(|r| r.to_string()).collect(),
        nth,
        hold_ms,
        mutations,
    }
}

fn ids(d: *mut c_void, sql: &str) -> Vec<i64> {
    query(d, sql)
        .into_iter()
        .map(|r| r[0].as_deref().unwrap().parse().unwrap())
        .collect()
}

/// The answer is right for a store that held `before` when the scan began
/// and `after` when it ended: every id of both exactly once, ids of either
/// at most once, no other id.
fn assert_exact(got: &[i64], before: &BTreeSet<i64>, after: &BTreeSet<i64>) {
    let mut seen = BTreeMap::new();
    for id in got {
        *seen.entry(*id).or_insert(0) += 1;
    }
    let twice: Vec<_> = seen
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(id, _)| *id)
        .collect();
    let missing: Vec<_> = before
        .intersection(after)
        .filter(|id| !seen.contains_key(id))
        .collect();
    let invented: Vec<_> = seen
        .keys()
        .filter(|id| !before.contains(id) && !after.contains(id))
        .collect();
    assert!(
        twice.is_empty() && missing.is_empty() && invented.is_empty(),
        "{} rows; read twice: {twice:?}; missing: {missing:?}; invented: {invented:?}",
        got.len()
    );
}

/// Scans `table` while the hooks change the store; `before` and `after`
/// are its ids then.
fn scan_during(
    table: &str,
    extra: &str,
    hooks: Vec<Hook>,
    before: impl Iterator<Item = i64>,
    after: impl Fn(&BTreeSet<i64>) -> BTreeSet<i64>,
) {
    let sb = sandbox();
    let (e, d) = connect_with(&sb, extra);
    sb.set_hooks(hooks);
    let got = ids(d, &format!("SELECT id FROM {table}"));
    let before: BTreeSet<i64> = before.collect();
    let after = after(&before);
    // The store as it is now, read without changes (the hooks have fired).
    sb.set_hooks(vec![]);
    assert_eq!(
        ids(d, &format!("SELECT id FROM {table}"))
            .into_iter()
            .collect::<BTreeSet<_>>(),
        after,
        "the store after the changes"
    );
    assert_exact(&got, &before, &after);
    disconnect(e, d);
}

fn with_new_orders(n: i64) -> impl Fn(&BTreeSet<i64>) -> BTreeSet<i64> {
    move |b| b.iter().copied().chain(401..401 + n).collect()
}

fn without(id: i64) -> impl Fn(&BTreeSet<i64>) -> BTreeSet<i64> {
    move |b| b.iter().copied().filter(|i| *i != id).collect()
}

#[test]
fn an_order_created_mid_scan_without_prefetch() {
    let h = hook(ORDER_LISTS, 2, 0, vec![Mutation::CreateOrders(1)]);
    scan_during("Orders", "Prefetch=0", vec![h], 1..=400, with_new_orders(1));
}

#[test]
fn an_order_created_mid_scan_with_prefetch() {
    // The third list request waits while the fourth is answered: page 4
    // shows the store before the order, page 3 after it.
    let h = hook(ORDER_LISTS, 3, 300, vec![Mutation::CreateOrders(1)]);
    scan_during("Orders", "Prefetch=2", vec![h], 1..=400, with_new_orders(1));
}

#[test]
fn many_orders_created_mid_scan_without_prefetch() {
    let h = hook(ORDER_LISTS, 2, 0, vec![Mutation::CreateOrders(150)]);
    scan_during(
        "Orders",
        "Prefetch=0",
        vec![h],
        1..=400,
        with_new_orders(150),
    );
}

#[test]
fn many_orders_created_mid_scan_with_prefetch() {
    let h = hook(ORDER_LISTS, 3, 300, vec![Mutation::CreateOrders(150)]);
    scan_during(
        "Orders",
        "Prefetch=2",
        vec![h],
        1..=400,
        with_new_orders(150),
    );
}

#[test]
fn a_product_deleted_mid_scan_without_prefetch() {
    let h = hook(
        PRODUCT_LISTS,
        2,
        0,
        vec![Mutation::Delete("products/5.json".into())],
    );
    scan_during(
        "Products",
        "Prefetch=0;Pagesize=20",
        vec![h],
        1..=120,
        without(5),
    );
}

#[test]
fn a_product_deleted_mid_scan_with_prefetch() {
    let h = hook(
        PRODUCT_LISTS,
        3,
        300,
        vec![Mutation::Delete("products/5.json".into())],
    );
    scan_during(
        "Products",
        "Prefetch=2;Pagesize=20",
        vec![h],
        1..=120,
        without(5),
    );
}

#[test]
fn child_rows_of_a_scan_survive_a_deleted_parent() {
    // ProductVariants explodes the products list: a product deleted mid-scan
    // must not take another product's variants with it. Pages end just
    // before a product with variants, and product 1 goes after page 1.
    let sb = sandbox();
    let (e, d) = connect(&sb);
    let sql = "SELECT DISTINCT product_id FROM ProductVariants";
    let all: BTreeSet<i64> = ids(d, sql).into_iter().collect();
    let first = *all.iter().find(|p| **p > 2).unwrap();
    let (e2, d2) = connect_with(&sb, &format!("Prefetch=0;Pagesize={}", first - 1));
    sb.set_hooks(vec![hook(
        PRODUCT_LISTS,
        2,
        0,
        vec![Mutation::Delete("products/1.json".into())],
    )]);
    let got: BTreeSet<i64> = ids(d2, sql).into_iter().collect();
    let want: BTreeSet<i64> = all.iter().copied().filter(|i| *i != 1).collect();
    assert_eq!(got.difference(&want).filter(|i| **i != 1).count(), 0);
    assert_eq!(
        want.difference(&got).collect::<Vec<_>>(),
        Vec::<&i64>::new(),
        "missing parents"
    );
    disconnect(e2, d2);
    disconnect(e, d);
}

#[test]
fn a_customer_deleted_mid_scan_is_noticed_and_the_list_read_again() {
    // Customers have only page/limit: the deletion shifts the list under the
    // reader; the counts at both ends tell, and the list is read again.
    let h = hook(
        &["GET /customers.json"],
        2,
        0,
        vec![Mutation::Delete("customers/10.json".into())],
    );
    scan_during(
        "Customers",
        "Prefetch=0;Pagesize=50",
        vec![h.clone()],
        1..=150,
        without(10),
    );
    let h = Hook {
        hold_ms: 300,
        nth: 3,
        ..h
    };
    scan_during(
        "Customers",
        "Prefetch=2;Pagesize=50",
        vec![h],
        1..=150,
        without(10),
    );
}

#[test]
fn a_store_that_keeps_changing_fails_the_scan_with_40001() {
    let sb = sandbox();
    let (e, d) = connect_with(&sb, "Prefetch=0;Pagesize=50");
    // A customer deleted at every list request after the first.
    sb.set_hooks(
        (2..60)
            .map(|n| {
                hook(
                    &["GET /customers.json"],
                    n,
                    0,
                    vec![Mutation::Delete(format!("customers/{}.json", n + 60))],
                )
            })
            .collect(),
    );
    let err = query_error(d, "SELECT id FROM Customers");
    assert_eq!(err[0].0, "40001", "{err:?}");
    assert!(err[0].1.contains("changed during the scan"), "{err:?}");
    disconnect(e, d);
}

#[test]
fn a_keyset_scan_costs_what_page_paging_did() {
    // 400 orders: four full pages and the empty fifth, one count.
    let sb = sandbox();
    let (e, d) = connect(&sb);
    sb.reset_counts();
    assert_eq!(ids(d, "SELECT id FROM Orders").len(), 400);
    assert_eq!(
        sb.requests_by_route(),
        BTreeMap::from([
            ("GET /orders/after/{id}.json".to_string(), 5),
            ("GET /orders/count.json".to_string(), 1)
        ])
    );
    // A LIMIT is one small page, in the list's own order (newest first).
    sb.reset_counts();
    assert_eq!(ids(d, "SELECT id FROM Orders LIMIT 3"), [400, 399, 398]);
    assert_eq!(
        sb.requests_by_route(),
        BTreeMap::from([("GET /orders.json".to_string(), 1)])
    );
    // id > N reads by id too, from N: without a count the window ramps as
    // page paging's did (pages 2, then 3 and 4, the last one past the end).
    sb.reset_counts();
    assert_eq!(ids(d, "SELECT id FROM Orders WHERE id > 150").len(), 250);
    assert_eq!(
        sb.requests_by_route().get("GET /orders/after/{id}.json"),
        Some(&4)
    );
    // Ids are positive: a bound below 1 reads every order.
    assert_eq!(ids(d, "SELECT id FROM Orders WHERE id > -5").len(), 400);
    disconnect(e, d);
}
