//! The sub-resources of a product: images, variants, options and their values, digital
//! products, attachments, custom-field values and reviews. Their ids encode the parent
//! (`product_id * 10 + k`, option values `option_id * 10 + k`).

use super::format::money;
use super::time::ts;
use super::words::{COLORS, SIZES};
use super::{Gen, K_MISC, K_PVAR, PRODUCT_T0};
use crate::jw::W;
use crate::prng::{hash3, Rng};
use serde_json::{json, Value};

impl Gen {
    pub fn image(&self, pid: u64, k: u64) -> Value {
        let mut w = W::with_capacity(128);
        self.write_image(pid, k, &mut w);
        w.into_value()
    }
    pub fn write_image(&self, pid: u64, k: u64, w: &mut W) {
        w.obj();
        w.key("id").u64(pid * 10 + k);
        w.key("position").u64(k);
        w.key("url").str_fmt(format_args!(
            "https://cdn.jumpseller.com/sandbox/image/{}/{}.jpg?{}",
            pid,
            k,
            1_600_000_000 + pid
        ));
        w.end_obj();
    }

    pub fn variant(&self, pid: u64, k: u64) -> Value {
        let mut w = W::with_capacity(512);
        self.write_variant(pid, k, &mut w);
        w.into_value()
    }
    pub fn write_variant(&self, pid: u64, k: u64, w: &mut W) {
        let mut rng = Rng::new(self.seed, K_PVAR + 500, pid * 10 + k);
        let base = self.product_price_cents(pid);
        let price = if rng.pct(50) {
            base
        } else {
            base + (k as i64) * 500
        };
        let unlimited = rng.pct(15);
        let image_count = self.product_image_count(pid);
        let image = if image_count > 0 && rng.pct(60) {
            Some(1 + (k - 1) % image_count)
        } else {
            None
        };
        let size = SIZES[((k - 1) % SIZES.len() as u64) as usize];
        let color = rng.pick(COLORS);
        w.obj();
        w.key("id").u64(pid * 10 + k);
        w.key("price").money(price);
        w.key("sku").str_fmt(format_args!("SKU-{}-{}", pid, size));
        w.key("barcode");
        if rng.pct(30) {
            w.null()
        } else {
            w.str_fmt(format_args!("78{:011}", pid * 10 + k))
        }
        w.key("stock")
            .u64(if unlimited { 0 } else { rng.below(200) });
        w.key("stock_unlimited").bool(unlimited);
        w.key("stock_threshold").u64(rng.below(5));
        w.key("stock_notification").bool(rng.pct(20));
        w.key("cost_per_item");
        if rng.pct(40) {
            w.null()
        } else {
            w.money(price * 55 / 100)
        }
        w.key("compare_at_price");
        if rng.pct(70) {
            w.null()
        } else {
            w.money(price * 120 / 100)
        }
        // every variant has a size; even products also come in one colour (see `option_count`)
        w.key("options").arr();
        write_variant_option(w, ("Talla", "option", 1), size, k);
        if pid.is_multiple_of(2) {
            write_variant_option(w, ("Color", "color", 2), color, 1);
        }
        w.end_arr();
        w.key("image");
        match image {
            Some(i) => self.write_image(pid, i, w),
            None => w.null(),
        }
        w.end_obj();
    }

    pub fn option(&self, pid: u64, k: u64, with_values: bool) -> Value {
        let (name, ty) = if k == 1 {
            ("Talla", "option")
        } else {
            ("Color", "color")
        };
        let mut o = json!({"id": pid * 10 + k, "name": name, "position": k, "option_type": ty,
            "addon_price": if k == 2 { money(150) } else { Value::Null }});
        if with_values {
            let vals: Vec<Value> = (1..=self.option_value_count(pid, k))
                .map(|v| self.option_value(pid, k, v))
                .collect();
            o["values"] = Value::Array(vals);
        }
        o
    }
    pub fn option_count(&self, pid: u64) -> u64 {
        if self.product_variant_count(pid) == 0 {
            0
        } else if pid.is_multiple_of(2) {
            2
        } else {
            1
        }
    }
    pub fn option_value_count(&self, pid: u64, k: u64) -> u64 {
        if k == 1 {
            self.product_variant_count(pid)
        } else {
            1
        }
    }
    /// A value as the spec's ProductOptionValueFields has it: always with its option and
    /// variants, whether listed alone or inside its option.
    pub fn option_value(&self, pid: u64, k: u64, v: u64) -> Value {
        let oid = pid * 10 + k;
        let name = if k == 1 {
            SIZES[((v - 1) % SIZES.len() as u64) as usize].to_string()
        } else {
            "Rojo".to_string()
        };
        let mut val = json!({"id": oid * 10 + v, "name": name, "custom": null, "position": v});
        val["product_option"] = json!({"option": self.option(pid, k, false)});
        let vars: Vec<Value> = if k == 1 {
            vec![json!({"variant": self.variant(pid, v)})]
        } else {
            (1..=self.product_variant_count(pid))
                .map(|x| json!({"variant": self.variant(pid, x)}))
                .collect()
        };
        val["variants"] = Value::Array(vars);
        val
    }

    pub fn digital_product(&self, pid: u64, k: u64) -> Value {
        let mut w = W::with_capacity(128);
        self.write_digital_product(pid, k, &mut w);
        w.into_value()
    }
    pub(super) fn write_digital_product(&self, pid: u64, k: u64, w: &mut W) {
        w.obj();
        w.key("id").u64(pid * 10 + k);
        w.key("url").str_fmt(format_args!(
            "https://cdn.jumpseller.com/sandbox/files/{}-{}.pdf",
            pid, k
        ));
        w.key("expiration_seconds").u64(86_400 * 3);
        w.key("external").bool(k == 2);
        w.end_obj();
    }
    pub fn attachment_count(&self, pid: u64) -> u64 {
        hash3(self.seed, K_MISC + 1, pid) % 3
    }
    pub fn attachment(&self, pid: u64, k: u64) -> Value {
        json!({"id": pid * 10 + k, "url": format!("https://cdn.jumpseller.com/sandbox/attachments/{}/manual-{}.pdf", pid, k)})
    }
    pub fn product_field_count(&self, pid: u64) -> u64 {
        hash3(self.seed, K_MISC + 2, pid) % 3
    }
    pub fn product_field(&self, pid: u64, k: u64) -> Value {
        let (label, ty, value) = if k == 1 {
            ("Material", "input", "Algodón orgánico")
        } else {
            ("Origen", "selection", "Hecho en Chile 🇨🇱")
        };
        json!({"id": pid * 10 + k, "custom_field_id": k, "type": ty, "label": label, "value": value,
               "value_id": if k == 2 { json!("2") } else { Value::Null }, "variant_id": null})
    }
    pub fn review_count(&self, pid: u64) -> u64 {
        let h = hash3(self.seed, K_MISC + 3, pid) % 10;
        if h < 6 {
            0
        } else {
            h - 5
        }
    }
    pub fn review(&self, pid: u64, k: u64) -> Value {
        let mut rng = Rng::new(self.seed, K_MISC + 4, pid * 10 + k);
        let c = if self.customers > 0 {
            rng.range(1, self.customers)
        } else {
            1
        };
        json!({"id": pid * 10 + k, "status": rng.pick(&["unread", "unpublished", "published"]), "rating": rng.range(1, 5),
               "review": rng.pick(&["¡Excelente calidad! 😍", "Chegou rápido, recomendo.", "No era lo que esperaba.", "很好", "Muy bueno pero la talla es pequeña."]),
               "date": ts(PRODUCT_T0 + pid * 3_600 + 86_400 * (k + 10)),
               "product_id": pid, "product_name": self.product_name(pid),
               "order_id": if rng.pct(50) { Value::Null } else { json!(rng.range(1, self.orders.max(1))) },
               "customer_email": self.customer_email(c)})
    }
}

/// one entry of a variant's `options`: the option (name, type, position) and the value chosen
fn write_variant_option(
    w: &mut W,
    (name, option_type, option_position): (&str, &str, u64),
    value: &str,
    value_position: u64,
) {
    w.obj();
    w.key("name").str(name);
    w.key("option_type").str(option_type);
    w.key("value").str(value);
    w.key("custom").null();
    w.key("product_option_position").u64(option_position);
    w.key("product_value_position").u64(value_position);
    w.end_obj();
}
