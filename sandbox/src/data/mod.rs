//! Deterministic data: every record is a pure function of (seed, id).
//! Nothing here holds state; the overlay of writes lives in `state.rs`.
//!
//! Each record draws from its own PRNG stream (a `K_*` kind plus the record id), so a record
//! can be generated without generating the ones before it. Within a generator the draws are
//! taken in a fixed order: reordering them, or adding one, changes every later value.

mod address;
mod category;
mod customer;
mod format;
mod order;
mod product;
mod product_children;
mod time;
mod words;

pub use customer::PersonName;
pub use format::{money, num, slug};
pub use time::{civil_from_days, days_from_civil, iso, parse_date, parse_ts, ts, ts_plain};

use crate::prng::hash3;
use serde_json::{json, Value};

pub const PRODUCT_T0: u64 = 1_640_995_200; // 2022-01-01 00:00:00 UTC
pub const ORDER_T0: u64 = 1_704_067_200; // 2024-01-01 00:00:00 UTC
pub const ORDER_SPAN: u64 = 731 * 86_400; // two years
pub const FULFILLMENT_OFFSET: u64 = 7_000_000;

// PRNG stream kinds, one per generator (values are part of the seeded output: never change them)
const K_PNAME: u64 = 11;
const K_PSTAT: u64 = 12;
const K_PCATS: u64 = 13;
const K_PROD: u64 = 14;
const K_PVAR: u64 = 15;
const K_PIMG: u64 = 16;
const K_OSTAT: u64 = 21;
const K_OCUST: u64 = 22;
const K_OTIME: u64 = 23;
const K_ORD: u64 = 24;
const K_CUST: u64 = 31;
const K_CCAT: u64 = 32;
const K_CAT: u64 = 41;
const K_MISC: u64 = 51;

/// The sizes of the generated store and its seed: all a record needs besides its id.
#[derive(Clone, Debug)]
pub struct Gen {
    pub seed: u64,
    pub products: u64,
    pub orders: u64,
    pub customers: u64,
    pub categories: u64,
    pub customer_categories: u64,
    pub huge_description_product: Option<u64>,
}

/// Order statuses by index (the index is what the generators and filters pass around).
pub const ORDER_STATUS_ENUM: &[&str] = &["abandoned", "canceled", "pending_payment", "paid"];
pub const ORDER_STATUS_LABEL: &[&str] = &["Abandoned", "Canceled", "Pending Payment", "Paid"];
pub(crate) const STATUS_ABANDONED: usize = 0;
pub(crate) const STATUS_CANCELED: usize = 1;
pub(crate) const STATUS_PENDING_PAYMENT: usize = 2;
pub(crate) const STATUS_PAID: usize = 3;
/// Shipment statuses by index; index 0 (unfulfilled) is never set by a write.
pub const SHIP_ENUM: &[&str] = &[
    "unfulfilled",
    "requested",
    "in_transit",
    "delivered",
    "failed",
    "pickup_available",
];
pub const SHIP_LABEL: &[&str] = &[
    "Unfulfilled",
    "Requested",
    "In Transit",
    "Delivered",
    "Failed",
    "Pickup Available",
];
pub const PRODUCT_STATUS: &[&str] = &["available", "not-available", "disabled"];

impl Gen {
    pub fn store(&self) -> Value {
        json!({"name": "Tienda Ñandú Sandbox 🦜", "code": "sandbox", "currency": "USD", "country": "CL", "timezone": "UTC",
               "email": "contacto@sandbox.example.com", "hooks_token": format!("{:032x}", (hash3(self.seed, 1, 1) as u128) << 64 | hash3(self.seed, 1, 2) as u128),
               "url": "https://sandbox.jumpseller.com", "logo": null, "weight_unit": "kg", "subscription_status": "active",
               "subscription_plan": "advanced", "fb_pixel_id": null,
               "address": {"address": "Av. Providencia 1234, Of. 56", "city": "Santiago", "postal": "7500000", "region": "Región Metropolitana",
                           "country": "Chile", "region_code": "RM", "country_code": "CL"},
               "whatsapp_phone": "+56 9 1234 5678"})
    }
}
