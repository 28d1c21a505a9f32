//! Collections: a deterministic base (id ranges generated on demand) plus an overlay of writes.

use crate::data::{Gen, FULFILLMENT_OFFSET};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::RwLock;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Coll {
    Products,
    Orders,
    Customers,
    Categories,
    CustomerCategories,
    Variants(u64),
    Images(u64),
    Options(u64),
    Values(u64, u64),
    Attachments(u64),
    DigitalProducts(u64),
    Fields(u64),
    Reviews(u64),
    History(u64),
    Documents(u64),
    Fulfillments,
    CustomerFields(u64),
    Promotions,
    Pages,
    PageImages(u64),
    PaymentMethods,
    ShippingMethods,
    Locations,
    Taxes,
    CustomFields,
    SelectOptions(u64),
    CheckoutCustomFields,
    Hooks,
    JsApps,
    /// stock written by PUT /products_locations: (location, product), id the variant (0 for
    /// a product without variants); no generated base
    Stock(u64, u64),
}

pub const NESTED_ID_BASE: u64 = 900_000_000;

/// Whether a record belongs in a filtered list: called with its id and, if a write touched it,
/// the stored record (else the filter reads the generator's cheap functions).
pub type Filter<'a> = &'a dyn Fn(u64, Option<&Value>) -> bool;

/// The writes: what differs from the generated base.
#[derive(Default)]
struct Overlay {
    /// per collection, id -> Some(record) created or updated, None deleted
    colls: HashMap<Coll, BTreeMap<u64, Option<Value>>>,
    /// the last id given to a created child record (ids from NESTED_ID_BASE up)
    next_nested: u64,
    /// the last id given to a created top-level record, per collection
    next_top: HashMap<Coll, u64>,
}

pub struct Db {
    pub gen: Gen,
    overlay: RwLock<Overlay>,
}

impl Db {
    pub fn new(gen: Gen) -> Db {
        Db {
            gen,
            overlay: RwLock::new(Overlay {
                next_nested: NESTED_ID_BASE,
                ..Default::default()
            }),
        }
    }

    /// the base id range (inclusive; empty when lo > hi). Fulfillments need a further
    /// existence check within it (see `base_exists`).
    pub fn base(&self, c: Coll) -> (u64, u64) {
        let g = &self.gen;
        let sub = |p: u64, n: u64| {
            if n == 0 || p >= NESTED_ID_BASE / 10 {
                (1, 0)
            } else {
                (p * 10 + 1, p * 10 + n)
            }
        };
        let prod_ok = |p: u64| p >= 1 && p <= g.products;
        match c {
            Coll::Products => (1, g.products),
            Coll::Orders => (1, g.orders),
            Coll::Customers => (1, g.customers),
            Coll::Categories => (1, g.categories),
            Coll::CustomerCategories => (1, g.customer_categories),
            Coll::Variants(p) if prod_ok(p) => sub(p, g.product_variant_count(p)),
            Coll::Images(p) if prod_ok(p) => sub(p, g.product_image_count(p)),
            Coll::Options(p) if prod_ok(p) => sub(p, g.option_count(p)),
            Coll::Values(p, o) if prod_ok(p) && o > p * 10 && o <= p * 10 + g.option_count(p) => {
                sub(o, g.option_value_count(p, o - p * 10))
            }
            Coll::Attachments(p) if prod_ok(p) => sub(p, g.attachment_count(p)),
            Coll::DigitalProducts(p) if prod_ok(p) => {
                sub(p, if g.product_is_digital(p) { 2 } else { 0 })
            }
            Coll::Fields(p) if prod_ok(p) => sub(p, g.product_field_count(p)),
            Coll::Reviews(p) if prod_ok(p) => sub(p, g.review_count(p)),
            Coll::History(o) if o >= 1 && o <= g.orders => sub(o, g.order_history_count(o)),
            Coll::Documents(o) if o >= 1 && o <= g.orders => {
                sub(o, if g.order_has_document(o) { 1 } else { 0 })
            }
            Coll::Fulfillments => (FULFILLMENT_OFFSET + 1, FULFILLMENT_OFFSET + g.orders),
            Coll::CustomerFields(cu) if cu >= 1 && cu <= g.customers => {
                sub(cu, g.customer_field_count(cu))
            }
            Coll::Promotions => (1, 5),
            Coll::Pages => (1, 6),
            Coll::PageImages(pg) if (1..=6).contains(&pg) => sub(pg, pg % 3),
            Coll::PaymentMethods => (1, 4),
            Coll::ShippingMethods => (1, 3),
            Coll::Locations => (1, 2),
            Coll::Taxes => (1, 3),
            Coll::CustomFields => (1, 2),
            Coll::SelectOptions(cf) if cf == 2 => sub(cf, 3),
            Coll::CheckoutCustomFields => (1, 3),
            Coll::Hooks => (1, 2),
            Coll::JsApps => (1, 1),
            _ => (1, 0),
        }
    }

    fn base_exists(&self, c: Coll, id: u64) -> bool {
        let (lo, hi) = self.base(c);
        if id < lo || id > hi {
            return false;
        }
        match c {
            Coll::Fulfillments => self.gen.order_fulfilled(id - FULFILLMENT_OFFSET),
            _ => true,
        }
    }

    fn needs_scan(c: Coll) -> bool {
        matches!(c, Coll::Fulfillments)
    }

    pub fn base_gen(&self, c: Coll, id: u64) -> Value {
        let g = &self.gen;
        let k = id % 10;
        let p = id / 10;
        match c {
            Coll::Products => g.product_core(id),
            Coll::Orders => g.order(id),
            Coll::Customers => g.customer(id),
            Coll::Categories => g.category(id),
            Coll::CustomerCategories => g.customer_category(id),
            Coll::Variants(_) => g.variant(p, k),
            Coll::Images(_) => g.image(p, k),
            Coll::Options(_) => g.option(p, k, false),
            Coll::Values(pid, o) => g.option_value(pid, o - pid * 10, k),
            Coll::Attachments(_) => g.attachment(p, k),
            Coll::DigitalProducts(_) => g.digital_product(p, k),
            Coll::Fields(_) => g.product_field(p, k),
            Coll::Reviews(_) => g.review(p, k),
            Coll::History(_) => g.order_history(p, k),
            Coll::Documents(_) => g.document(p, k),
            Coll::Fulfillments => g.fulfillment(id),
            Coll::CustomerFields(_) => g.customer_field(p, k),
            Coll::Promotions => crate::misc::promotion(g, id),
            Coll::Pages => crate::misc::page(g, id),
            Coll::PageImages(_) => {
                json!({"id": id, "url": format!("https://cdn.jumpseller.com/sandbox/pages/{}/{}.png", p, k)})
            }
            Coll::PaymentMethods => crate::misc::payment_method(id),
            Coll::ShippingMethods => crate::misc::shipping_method(id),
            Coll::Locations => crate::misc::location(id),
            Coll::Taxes => crate::misc::tax(id),
            Coll::CustomFields => crate::misc::custom_field(id),
            Coll::SelectOptions(_) => {
                json!({"id": id, "value": (["Hecho en Chile 🇨🇱", "Feito no Brasil", "中国制造"][(k as usize + 2) % 3])})
            }
            Coll::CheckoutCustomFields => crate::misc::checkout_custom_field(id),
            Coll::Hooks => crate::misc::hook(id),
            Coll::JsApps => {
                json!({"id": id, "url": "https://apps.example.com/widget.js", "template": "layout", "element": "body", "application_id": 4242})
            }
            Coll::Stock(..) => Value::Null,
        }
    }

    /// true when no write touched collection `c` (at `id`, or anywhere in it for `None`), so the
    /// generated base record is what a read returns
    pub fn pristine(&self, checks: &[(Coll, Option<u64>)]) -> bool {
        let overlay = self.overlay.read().unwrap();
        checks
            .iter()
            .all(|(c, id)| match (overlay.colls.get(c), id) {
                (None, _) => true,
                (Some(m), Some(id)) => !m.contains_key(id),
                (Some(m), None) => m.is_empty(),
            })
    }

    pub fn exists(&self, c: Coll, id: u64) -> bool {
        let overlay = self.overlay.read().unwrap();
        if let Some(entry) = overlay.colls.get(&c).and_then(|m| m.get(&id)) {
            return entry.is_some();
        }
        drop(overlay);
        self.base_exists(c, id)
    }

    pub fn get(&self, c: Coll, id: u64) -> Option<Value> {
        {
            let overlay = self.overlay.read().unwrap();
            if let Some(entry) = overlay.colls.get(&c).and_then(|m| m.get(&id)) {
                return entry.clone();
            }
        }
        if self.base_exists(c, id) {
            Some(self.base_gen(c, id))
        } else {
            None
        }
    }

    /// ids visible in the collection, in order, skipping `offset`, at most `limit`,
    /// optionally filtered.
    pub fn ids(
        &self,
        c: Coll,
        desc: bool,
        offset: u64,
        limit: u64,
        filter: Option<Filter>,
    ) -> Vec<u64> {
        let overlay = self.overlay.read().unwrap();
        let empty = BTreeMap::new();
        let m = overlay.colls.get(&c).unwrap_or(&empty);
        let (lo, hi) = self.base(c);
        let created: Vec<u64> = m
            .range((hi.max(lo.saturating_sub(1)) + 1)..)
            .filter(|(_, v)| v.is_some())
            .map(|(k, _)| *k)
            .collect();
        let created: Vec<u64> = {
            // also created ids below lo (never for our id schemes, but be safe)
            let mut v: Vec<u64> = m
                .range(..lo)
                .filter(|(_, v)| v.is_some())
                .map(|(k, _)| *k)
                .collect();
            v.extend(created);
            v
        };
        let mut out = Vec::new();
        if limit == 0 {
            return out;
        }
        if filter.is_none() && !Self::needs_scan(c) {
            // arithmetic paging over the base with deletions
            let deleted: Vec<u64> = if hi >= lo {
                m.range(lo..=hi)
                    .filter(|(_, v)| v.is_none())
                    .map(|(k, _)| *k)
                    .collect()
            } else {
                vec![]
            };
            let nbase = if hi >= lo {
                hi - lo + 1 - deleted.len() as u64
            } else {
                0
            };
            let total = nbase + created.len() as u64;
            let nth_asc = |i: u64| -> u64 {
                if i < nbase {
                    let mut cand = lo + i;
                    for d in &deleted {
                        if *d <= cand {
                            cand += 1;
                        } else {
                            break;
                        }
                    }
                    cand
                } else {
                    created[(i - nbase) as usize]
                }
            };
            let mut i = offset;
            while i < total && (out.len() as u64) < limit {
                let idx = if desc { total - 1 - i } else { i };
                out.push(nth_asc(idx));
                i += 1;
            }
            return out;
        }
        let mut skipped = 0u64;
        let mut visit = |id: u64, out: &mut Vec<u64>| -> bool {
            let ok = match m.get(&id) {
                Some(None) => false,
                Some(Some(v)) => filter.map(|f| f(id, Some(v))).unwrap_or(true),
                None => self.base_exists(c, id) && filter.map(|f| f(id, None)).unwrap_or(true),
            };
            if ok {
                if skipped < offset {
                    skipped += 1;
                } else {
                    out.push(id);
                }
            }
            (out.len() as u64) < limit
        };
        if desc {
            for id in created.iter().rev() {
                if !visit(*id, &mut out) {
                    return out;
                }
            }
            if hi >= lo {
                let mut id = hi;
                loop {
                    if !visit(id, &mut out) {
                        return out;
                    }
                    if id == lo {
                        break;
                    }
                    id -= 1;
                }
            }
        } else {
            if hi >= lo {
                for id in lo..=hi {
                    if !visit(id, &mut out) {
                        return out;
                    }
                }
            }
            for id in created.iter() {
                if !visit(*id, &mut out) {
                    return out;
                }
            }
        }
        out
    }

    pub fn count(&self, c: Coll, filter: Option<Filter>) -> u64 {
        if filter.is_none() && !Self::needs_scan(c) {
            let overlay = self.overlay.read().unwrap();
            let (lo, hi) = self.base(c);
            let mut n = if hi >= lo { hi - lo + 1 } else { 0 };
            if let Some(m) = overlay.colls.get(&c) {
                for (k, v) in m {
                    let in_base = *k >= lo && *k <= hi;
                    match (in_base, v.is_some()) {
                        (true, false) => n -= 1,
                        (false, true) => n += 1,
                        _ => {}
                    }
                }
            }
            return n;
        }
        self.ids(c, false, 0, u64::MAX, filter).len() as u64
    }

    pub fn all(&self, c: Coll) -> Vec<Value> {
        self.ids(c, false, 0, u64::MAX, None)
            .into_iter()
            .filter_map(|id| self.get(c, id))
            .collect()
    }

    pub fn next_id(&self, c: Coll) -> u64 {
        let mut overlay = self.overlay.write().unwrap();
        let top = matches!(
            c,
            Coll::Products
                | Coll::Orders
                | Coll::Customers
                | Coll::Categories
                | Coll::CustomerCategories
                | Coll::Promotions
                | Coll::Pages
                | Coll::PaymentMethods
                | Coll::ShippingMethods
                | Coll::Locations
                | Coll::Taxes
                | Coll::CustomFields
                | Coll::CheckoutCustomFields
                | Coll::Hooks
                | Coll::JsApps
        );
        // top-level records (and fulfillments, whose ids are not nested in their order's)
        // continue after the base range and anything stored; children share one counter
        if top || c == Coll::Fulfillments {
            let (_, hi) = self.base(c);
            let highest_stored = overlay
                .colls
                .get(&c)
                .and_then(|m| m.keys().next_back().copied())
                .unwrap_or(0);
            let last = overlay.next_top.entry(c).or_insert(0);
            let id = (*last).max(hi).max(highest_stored) + 1;
            *last = id;
            id
        } else {
            overlay.next_nested += 1;
            overlay.next_nested
        }
    }

    pub fn put(&self, c: Coll, id: u64, v: Value) {
        self.overlay
            .write()
            .unwrap()
            .colls
            .entry(c)
            .or_default()
            .insert(id, Some(v));
    }
    pub fn delete(&self, c: Coll, id: u64) {
        self.overlay
            .write()
            .unwrap()
            .colls
            .entry(c)
            .or_default()
            .insert(id, None);
    }
}
