//! Orders and what hangs off them: history, documents (invoices) and fulfillments.
//!
//! `write_order` is the hot path of order lists (a million orders cost nothing because each is
//! generated on demand), so it writes JSON text directly and avoids allocating per line.

use super::address::Addr;
use super::time::{ts, write_ts};
use super::words::SIZES;
use super::{
    Gen, FULFILLMENT_OFFSET, K_MISC, K_OCUST, K_ORD, K_OSTAT, K_OTIME, ORDER_SPAN,
    ORDER_STATUS_ENUM, ORDER_STATUS_LABEL, ORDER_T0, SHIP_ENUM, SHIP_LABEL, STATUS_ABANDONED,
    STATUS_CANCELED, STATUS_PAID, STATUS_PENDING_PAYMENT,
};
use crate::jw::W;
use crate::prng::{hash3, Rng};
use serde_json::{json, Value};

/// Orders have 1..=5 lines; a fixed array keeps generation allocation-free.
const MAX_LINES: usize = 5;

/// One product line of a generated order (money in cents, weight in grams).
struct OrderLine {
    product_id: u64,
    /// the variant's position among the product's variants (its id is `product_id*10+k`)
    variant_k: Option<u64>,
    price: i64,
    qty: i64,
    discount: i64,
    weight: u64,
}

/// Everything about an order drawn before its first key is written. The draws happen in
/// `plan_order` in a fixed order; the writers draw the rest, in key order.
struct OrderPlan {
    status: usize,
    created: u64,
    customer: Option<u64>,
    first: &'static str,
    last: &'static str,
    email: String,
    lines: [Option<OrderLine>; MAX_LINES],
    subtotal: i64,
    tax: i64,
    pickup: bool,
    shipping: i64,
    shipping_tax: i64,
    discount: i64,
    total: i64,
    ship_idx: usize,
    fulfilled: bool,
    completed: Option<u64>,
    tracking: bool,
    shipping_address: Addr,
    billing_address: Addr,
    coupon: bool,
}

impl Gen {
    // ---------------- light attributes (cheap, used for filtering) -------------
    pub fn order_status_idx(&self, id: u64) -> usize {
        let h = hash3(self.seed, K_OSTAT, id) % 100;
        if h < 25 {
            STATUS_ABANDONED
        } else if h < 35 {
            STATUS_CANCELED
        } else if h < 50 {
            STATUS_PENDING_PAYMENT
        } else {
            STATUS_PAID
        }
    }
    pub fn order_customer(&self, id: u64) -> Option<u64> {
        if self.customers == 0 {
            return None;
        }
        // orders cluster on a subset of customers (some customers order a lot)
        let h = hash3(self.seed, K_OCUST, id);
        let c = if h.is_multiple_of(3) {
            (h >> 8) % (self.customers.div_ceil(10)) + 1
        } else {
            (h >> 8) % self.customers + 1
        };
        Some(c)
    }
    pub fn order_created(&self, id: u64) -> u64 {
        let n = self.orders.max(1);
        let gap = (ORDER_SPAN / n).max(1);
        ORDER_T0 + (id - 1) * ORDER_SPAN / n + hash3(self.seed, K_OTIME, id) % (gap / 2).max(1)
    }
    pub fn order_ship_idx(&self, id: u64) -> usize {
        // only paid orders get shipped
        if self.order_status_idx(id) != STATUS_PAID {
            return 0;
        }
        (hash3(self.seed, K_OSTAT + 1000, id) % 6) as usize
    }
    /// in transit, delivered, failed or ready for pickup: anything past "requested"
    pub fn order_fulfilled(&self, id: u64) -> bool {
        self.order_ship_idx(id) >= 2
    }

    // ---------------- full records -------------------------------------------

    pub fn order(&self, id: u64) -> Value {
        let mut w = W::with_capacity(4096);
        self.write_order(id, &mut w);
        w.into_value()
    }

    /// The order as JSON text. The key order is the API's; each writer below draws from `rng`
    /// as it goes, so the calls must stay in this order.
    pub fn write_order(&self, id: u64, w: &mut W) {
        let mut rng = Rng::new(self.seed, K_ORD, id);
        let plan = self.plan_order(id, &mut rng);
        w.obj();
        w.key("id").u64(id);
        write_order_source(&mut rng, plan.created, w);
        write_order_amounts(&plan, w);
        self.write_order_checkout(&mut rng, id, &plan, w);
        write_order_promotions(&plan, w);
        write_order_customer(&mut rng, id, &plan, w);
        write_order_addresses(&plan, w);
        self.write_order_lines(&plan.lines, w);
        write_order_additional_fields(&mut rng, w);
        write_shipping_taxes(plan.shipping, w);
        write_order_statuses(id, &plan, w);
        write_billing_information(&mut rng, w);
        w.end_obj();
    }

    /// the draws an order takes before writing: lines, totals, dates and both addresses
    fn plan_order(&self, id: u64, rng: &mut Rng) -> OrderPlan {
        let status = self.order_status_idx(id);
        let created = self.order_created(id);
        let customer = self.order_customer(id);
        let (first, last, email) = match customer {
            Some(c) => {
                let name = self.customer_name(c);
                (name.first, name.last, self.customer_email(c))
            }
            None => ("Invitado", "Anónimo", format!("guest{}@example.com", id)),
        };
        let line_count = rng.range(1, MAX_LINES as u64);
        let mut lines: [Option<OrderLine>; MAX_LINES] = [None, None, None, None, None];
        let mut subtotal: i64 = 0;
        let mut tax: i64 = 0;
        for slot in lines.iter_mut().take(line_count as usize) {
            let line = self.draw_order_line(rng);
            let net = (line.price - line.discount) * line.qty;
            subtotal += net;
            tax += net * 19 / 100;
            *slot = Some(line);
        }
        let pickup = rng.pct(15);
        let shipping: i64 = if pickup {
            0
        } else {
            [0, 2_990, 349_000, 4_500, 1_250][rng.below(5) as usize]
        };
        let shipping_tax = shipping * 19 / 100;
        let discount: i64 = if rng.pct(85) { 0 } else { subtotal / 20 };
        let total = subtotal + tax + shipping + shipping_tax - discount;
        let ship_idx = self.order_ship_idx(id);
        let fulfilled = ship_idx >= 2;
        let completed = if status == STATUS_PAID || status == STATUS_CANCELED {
            Some(created + 600 + rng.below(7_200))
        } else {
            None
        };
        let shipping_address = Addr::draw(rng, false, true);
        let billing_address = Addr::draw(rng, true, true);
        let coupon = rng.pct(10);
        OrderPlan {
            status,
            created,
            customer,
            first,
            last,
            email,
            lines,
            subtotal,
            tax,
            pickup,
            shipping,
            shipping_tax,
            discount,
            total,
            ship_idx,
            fulfilled,
            completed,
            tracking: fulfilled && !pickup,
            shipping_address,
            billing_address,
            coupon,
        }
    }

    fn draw_order_line(&self, rng: &mut Rng) -> OrderLine {
        let product_id = if self.products > 0 {
            rng.range(1, self.products)
        } else {
            1
        };
        let variants = self.product_variant_count(product_id);
        let variant_k = if variants > 0 {
            Some(rng.range(1, variants))
        } else {
            None
        };
        let price = self.product_price_cents(product_id);
        let qty = rng.range(1, 4) as i64;
        let discount = if rng.pct(80) { 0 } else { price / 10 };
        let weight = rng.below(3_000);
        OrderLine {
            product_id,
            variant_k,
            price,
            qty,
            discount,
            weight,
        }
    }

    /// shipping and payment method, notes and the checkout links
    fn write_order_checkout(&self, rng: &mut Rng, id: u64, plan: &OrderPlan, w: &mut W) {
        w.key("shipping_method_id");
        if plan.pickup {
            w.null()
        } else {
            w.u64(1 + rng.below(3))
        }
        w.key("shipping_service_id").null();
        w.key("shipping_method_name").str(if plan.pickup {
            "Retiro en tienda"
        } else {
            "Envío a domicilio 🚚"
        });
        w.key("payment_method_name").str(rng.pick::<&str>(&[
            "Transferencia bancaria",
            "Webpay Plus",
            "Mercado Pago",
            "PayPal",
        ]));
        w.key("payment_method_type").str(rng.pick::<&str>(&[
            "manual",
            "webpay_plus",
            "mercado_pago",
            "paypal",
        ]));
        w.key("payment_information").opt_str(if rng.pct(60) {
            None
        } else {
            Some("Transferencia nº 000123")
        });
        w.key("payment_notification_id").null();
        w.key("additional_information").opt_str(if rng.pct(75) {
            None
        } else {
            Some("Por favor dejar en conserjería. ¡Gracias! 🙏")
        });
        w.key("duplicate_url").str_fmt(format_args!(
            "https://sandbox.jumpseller.com/admin/orders/{}/duplicate",
            id
        ));
        w.key("recovery_url");
        if plan.status == STATUS_ABANDONED {
            w.str_fmt(format_args!(
                "https://sandbox.jumpseller.com/cart/recover/{:x}",
                hash3(self.seed, 99, id)
            ))
        } else {
            w.null()
        }
        w.key("review_url").null();
        w.key("checkout_url").str_fmt(format_args!(
            "https://sandbox.jumpseller.com/checkout/{}",
            id
        ));
    }

    fn write_order_lines(&self, lines: &[Option<OrderLine>], w: &mut W) {
        w.key("products").arr();
        for line in lines.iter().flatten() {
            let pid = line.product_id;
            let size = line
                .variant_k
                .map(|k| SIZES[((k - 1) % SIZES.len() as u64) as usize]);
            w.obj();
            w.key("id").u64(pid);
            w.key("variant_id")
                .opt_u64(line.variant_k.map(|k| pid * 10 + k));
            w.key("sku")
                .str_fmt(format_args!("SKU-{}-{}", pid, size.unwrap_or("U")));
            w.key("name").str(&self.product_name(pid));
            w.key("image");
            if self.product_image_count(pid) > 0 {
                w.str_fmt(format_args!(
                    "https://cdn.jumpseller.com/sandbox/image/{}/1.jpg",
                    pid
                ))
            } else {
                w.null()
            }
            w.key("qty").i64(line.qty);
            w.key("price").money(line.price);
            w.key("discount").money(line.discount);
            w.key("weight").num_fmt(format_args!(
                "{}.{:03}",
                line.weight / 1000,
                line.weight % 1000
            ));
            w.key("taxes").arr();
            w.obj();
            w.key("id").u64(1);
            w.key("name").str("IVA");
            w.key("rate").num("0.19");
            w.key("fixed").bool(false);
            w.key("tax_on_product_price").bool(true);
            w.end_obj();
            w.end_arr();
            w.key("stock_locations").arr();
            w.obj();
            w.key("location_id").u64(1);
            w.key("stock").i64(line.qty);
            w.end_obj();
            w.end_arr();
            w.end_obj();
        }
        w.end_arr();
    }

    pub fn order_history_count(&self, oid: u64) -> u64 {
        1 + hash3(self.seed, K_MISC + 5, oid) % 3
    }
    pub fn order_history(&self, oid: u64, k: u64) -> Value {
        let msgs = [
            "Pedido creado",
            "Pago confirmado ✅",
            "Pedido enviado al cliente",
            "Nota: cliente pidió factura",
        ];
        json!({"id": oid * 10 + k, "message": msgs[((k - 1) % 4) as usize], "created_at": ts(self.order_created(oid) + k * 3_600)})
    }
    pub fn order_has_document(&self, oid: u64) -> bool {
        self.order_status_idx(oid) == STATUS_PAID
    }
    pub fn document(&self, oid: u64, k: u64) -> Value {
        json!({"document_type": 1, "external_id": format!("F-{}", 10_000 + oid), "public_id": format!("doc{}x{}", oid, k),
               "url": format!("https://docs.example.com/invoices/{}.pdf", oid), "order_id": oid, "app_code": "facturacion-sandbox"})
    }
    pub fn fulfillment(&self, fid: u64) -> Value {
        let oid = fid - FULFILLMENT_OFFSET;
        let created = self.order_created(oid) + 86_400;
        let ship = SHIP_ENUM[self.order_ship_idx(oid)];
        let name = self.order_customer(oid).map(|c| self.customer_name(c));
        json!({"id": fid, "created_at": ts(created), "updated_at": ts(created + 3_600),
               "tracking_number": format!("CX{:09}", oid), "tracking_company": "Chilexpress", "type": "manual",
               "shipment_status": if ship == "pickup_available" { "delivered" } else { ship },
               "label_url": null, "expected_arrival_from": ts(created + 2 * 86_400), "expected_arrival_to": ts(created + 5 * 86_400),
               "fulfillment_address": {"address": {"name": name.as_ref().map(|n| n.first).unwrap_or("Invitado"), "surname": name.as_ref().map(|n| n.last).unwrap_or(""),
                    "address": "Av. Providencia 1234", "city": "Santiago", "postal": null, "municipality": "Providencia", "region": "Región Metropolitana", "country": "CL"}},
               "order_id": oid})
    }
}

/// where the order came from (the checkout, mostly)
fn write_order_source(rng: &mut Rng, created: u64, w: &mut W) {
    w.key("source").obj();
    w.key("created_from")
        .str(rng.pick::<&str>(&["checkout", "checkout", "checkout", "admin", "api", "pos"]));
    w.key("created_from_app_code").null();
    w.key("source_name")
        .opt_str(if rng.pct(50) { Some("google") } else { None });
    w.key("medium")
        .opt_str(if rng.pct(50) { Some("organic") } else { None });
    w.key("campaign").null();
    w.key("referral_url").opt_str(if rng.pct(70) {
        None
    } else {
        Some("https://www.google.com/")
    });
    w.key("referral_code").null();
    w.key("user_agent").str("Mozilla/5.0 (X11; Linux x86_64)");
    w.key("first_page_visited").str("/");
    w.key("first_page_visited_at");
    write_ts(w, created.saturating_sub(900));
    w.key("referral_source").null();
    w.end_obj();
}

/// dates, currency and every total
fn write_order_amounts(plan: &OrderPlan, w: &mut W) {
    w.key("created_at");
    write_ts(w, plan.created);
    w.key("completed_at");
    match plan.completed {
        Some(t) => write_ts(w, t),
        None => w.null(),
    }
    w.key("currency").str("USD");
    w.key("subtotal").money(plan.subtotal);
    w.key("tax").money(plan.tax);
    w.key("shipping_tax").money(plan.shipping_tax);
    w.key("shipping").money(plan.shipping);
    w.key("shipping_required").bool(!plan.pickup);
    w.key("total").money(plan.total);
    w.key("discount").money(plan.discount);
    w.key("shipping_discount").money(0);
    w.key("gift_cards_discount").money(0);
    w.key("fulfillment_status").str(if plan.fulfilled {
        "fulfilled"
    } else {
        "unfulfilled"
    });
}

fn write_order_promotions(plan: &OrderPlan, w: &mut W) {
    w.key("coupons")
        .opt_str(if plan.coupon { Some("VERANO10") } else { None });
    w.key("promotions");
    if plan.coupon {
        w.arr();
        w.obj();
        w.key("id").u64(1);
        w.key("name").str("Verano 10%");
        w.key("discount_amount").money(plan.discount);
        w.end_obj();
        w.end_arr();
    } else {
        w.empty_arr();
    }
}

fn write_order_customer(rng: &mut Rng, id: u64, plan: &OrderPlan, w: &mut W) {
    w.key("customer").obj();
    w.key("id").opt_u64(plan.customer);
    w.key("email").str(&plan.email);
    w.key("phone")
        .str_fmt(format_args!("+56 9 {:08}", id % 100_000_000));
    w.key("phone_prefix").str("+56");
    w.key("ip").str_fmt(format_args!(
        "190.{}.{}.{}",
        id % 255,
        (id / 255) % 255,
        rng.below(255)
    ));
    w.key("fullname")
        .str_fmt(format_args!("{} {}", plan.first, plan.last));
    w.end_obj();
}

fn write_order_addresses(plan: &OrderPlan, w: &mut W) {
    w.key("shipping_branch").null();
    w.key("shipping_address");
    plan.shipping_address.write(w, plan.first, plan.last);
    w.key("billing_address");
    plan.billing_address.write(w, plan.first, plan.last);
    w.key("pickup_address");
    if plan.pickup {
        write_store_pickup_address(w);
    } else {
        w.null();
    }
}

/// the one store every pickup order is collected from
fn write_store_pickup_address(w: &mut W) {
    w.obj();
    w.key("name").str("Tienda Providencia");
    w.key("surname").null();
    w.key("address").str("Av. Providencia 1234");
    w.key("city").str("Santiago");
    w.key("postal").null();
    w.key("region").str("Región Metropolitana");
    w.key("country").str("Chile");
    w.key("country_code").str("CL");
    w.key("region_code").str("RM");
    w.key("street_number").u64(1234);
    w.key("complement").null();
    w.key("municipality").str("Providencia");
    w.key("pickup_place_name").str("Local 1");
    w.end_obj();
}

fn write_order_additional_fields(rng: &mut Rng, w: &mut W) {
    w.key("additional_fields");
    if rng.pct(70) {
        w.empty_arr();
    } else {
        w.arr();
        w.obj();
        w.key("label").str("RUT");
        w.key("value").str("12.345.678-5");
        w.key("id").u64(1);
        w.key("area").str("billing_shipping");
        w.end_obj();
        w.end_arr();
    }
}

fn write_shipping_taxes(shipping: i64, w: &mut W) {
    w.key("shipping_taxes");
    if shipping > 0 {
        w.arr();
        w.obj();
        w.key("id").u64(2);
        w.key("name").str("IVA envío");
        w.key("country").str("CL");
        w.key("region").null();
        w.key("rate").num("0.19");
        w.key("fixed").bool(false);
        w.key("tax_on_shipping_price").bool(true);
        w.end_obj();
        w.end_arr();
    } else {
        w.empty_arr();
    }
}

/// order status, tracking and shipment status
fn write_order_statuses(id: u64, plan: &OrderPlan, w: &mut W) {
    let status = plan.status;
    w.key("status").str(ORDER_STATUS_LABEL[status]);
    w.key("status_name").str(ORDER_STATUS_LABEL[status]);
    w.key("status_enum").str(ORDER_STATUS_ENUM[status]);
    w.key("tracking_url");
    if plan.tracking {
        w.str_fmt(format_args!("https://tracking.example.com/{}", id))
    } else {
        w.null()
    }
    w.key("tracking_company").opt_str(if plan.tracking {
        Some("Chilexpress")
    } else {
        None
    });
    w.key("tracking_number");
    if plan.tracking {
        w.str_fmt(format_args!("CX{:09}", id))
    } else {
        w.null()
    }
    w.key("shipping_option").str(if plan.pickup {
        "store_pickup"
    } else {
        "delivery"
    });
    w.key("same_day_delivery").bool(false);
    w.key("shipment_status").str(SHIP_LABEL[plan.ship_idx]);
    w.key("shipment_status_enum").str(SHIP_ENUM[plan.ship_idx]);
    w.key("recovered_from").null();
    w.key("external_shipping_rate_id").null();
    w.key("external_shipping_rate_description").null();
}

fn write_billing_information(rng: &mut Rng, w: &mut W) {
    w.key("billing_information");
    if rng.pct(80) {
        w.null();
    } else {
        w.obj();
        w.key("business_activity").str("Comercio al por menor");
        w.key("company_name").str("Comercial Ñuñoa SpA");
        w.key("taxpayer_type").str("company");
        w.end_obj();
    }
}
