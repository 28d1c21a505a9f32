//! Products: the cheap attributes filters use, the description, and the product record itself
//! (core keys plus its sub-collections, see `product_children.rs`).

use super::format::slug;
use super::time::write_ts;
use super::words::{ADJECTIVES, BRANDS, LOREM, NOUNS};
use super::{Gen, K_PCATS, K_PIMG, K_PNAME, K_PROD, K_PSTAT, K_PVAR, PRODUCT_T0};
use crate::jw::W;
use crate::prng::{hash3, Rng};
use serde_json::{json, Value};

impl Gen {
    // ---------------- light attributes (cheap, used for filtering) -------------
    pub fn product_name(&self, id: u64) -> String {
        let mut rng = Rng::new(self.seed, K_PNAME, id);
        let noun = rng.pick(NOUNS);
        let adjective = rng.pick(ADJECTIVES);
        let emoji = if rng.pct(7) { " 🎉" } else { "" };
        format!("{} {} Nº{}{}", noun, adjective, id, emoji)
    }
    pub fn product_status(&self, id: u64) -> &'static str {
        let h = hash3(self.seed, K_PSTAT, id) % 100;
        if h < 75 {
            "available"
        } else if h < 90 {
            "not-available"
        } else {
            "disabled"
        }
    }
    pub fn product_category_ids(&self, id: u64) -> Vec<u64> {
        if self.categories == 0 {
            return vec![];
        }
        let mut rng = Rng::new(self.seed, K_PCATS, id);
        let wanted = if rng.pct(15) {
            0
        } else {
            rng.range(1, 3.min(self.categories))
        };
        let mut ids: Vec<u64> = Vec::new();
        while (ids.len() as u64) < wanted {
            let c = rng.range(1, self.categories);
            if !ids.contains(&c) {
                ids.push(c);
            }
        }
        ids.sort_unstable();
        ids
    }
    pub fn product_variant_count(&self, id: u64) -> u64 {
        let mut rng = Rng::new(self.seed, K_PVAR, id);
        if rng.pct(40) {
            0
        } else {
            rng.range(1, 5)
        }
    }
    pub fn product_image_count(&self, id: u64) -> u64 {
        hash3(self.seed, K_PIMG, id) % 5
    }
    pub fn product_price_cents(&self, id: u64) -> i64 {
        let mut rng = Rng::new(self.seed, K_PROD + 100, id);
        match rng.below(4) {
            0 => (rng.range(1, 60) * 1000 - 10) as i64 * 100, // CLP-like whole numbers e.g. 19990
            1 => rng.range(100, 9_999) as i64,                // 12.99
            2 => (rng.range(1, 4_000) * 50) as i64 + rng.range(0, 1) as i64 * 5, // 19990.5 style
            _ => rng.range(1_000, 2_000_000) as i64,
        }
    }

    // ---------------- full records -------------------------------------------

    pub fn description(&self, id: u64) -> String {
        let mut s = String::new();
        self.description_pieces(id, &mut |p| s.push_str(p));
        s
    }
    /// the description as a sequence of text pieces (so it can be escaped straight into JSON)
    fn description_pieces(&self, id: u64, out: &mut dyn FnMut(&str)) {
        if self.huge_description_product == Some(id) {
            out(&huge_description());
            return;
        }
        let mut rng = Rng::new(self.seed, K_PROD + 200, id);
        let paras = match rng.below(20) {
            0 => 60 + rng.below(60), // several KB
            1..=5 => 10 + rng.below(15),
            _ => 1 + rng.below(3),
        };
        out("<div class=\"product-description\">\n<h2>Descripción</h2>\n");
        for i in 0..paras {
            let sentence = rng.pick(LOREM);
            if i % 7 == 3 {
                out("<ul><li>");
                out(sentence);
                out("</li><li>100% <strong>algodón</strong> &amp; lino</li></ul>\n");
            } else {
                out("<p>");
                out(sentence);
                out("</p>\n");
            }
        }
        out("</div>");
    }
    fn write_description(&self, id: u64, w: &mut W) {
        w.begin_str();
        self.description_pieces(id, &mut |p| w.str_piece(p));
        w.end_str();
    }

    /// product without the sub-collection arrays (images, variants, digital_products),
    /// which the state layer assembles (so writes to sub-resources show up).
    pub fn product_core(&self, id: u64) -> Value {
        let mut w = W::with_capacity(4096);
        w.obj();
        self.write_product_core_fields(id, &mut w);
        w.end_obj();
        w.into_value()
    }

    /// the whole product as served by lists and gets when nothing about it was written:
    /// the core plus its base images, variants and digital products
    pub fn write_product_full(&self, id: u64, w: &mut W) {
        w.obj();
        let digital = self.write_product_core_fields(id, w);
        w.key("images").arr();
        for k in 1..=self.product_image_count(id) {
            self.write_image(id, k, w);
        }
        w.end_arr();
        w.key("variants").arr();
        for k in 1..=self.product_variant_count(id) {
            self.write_variant(id, k, w);
        }
        w.end_arr();
        w.key("digital_products").arr();
        if digital {
            for k in 1..=2 {
                self.write_digital_product(id, k, w);
            }
        }
        w.end_arr();
        w.end_obj();
    }

    /// Writes the core keys; returns whether the product is digital. Each writer below draws
    /// from `rng` as it goes, so the calls must stay in this (the API's key) order.
    fn write_product_core_fields(&self, id: u64, w: &mut W) -> bool {
        let mut rng = Rng::new(self.seed, K_PROD, id);
        let plan = self.plan_product(id, &mut rng);
        self.write_product_identity(&mut rng, id, &plan, w);
        write_product_price_and_stock(&mut rng, &plan, w);
        self.write_product_catalog_fields(&mut rng, id, &plan, w);
        write_product_dimensions(&mut rng, plan.cylinder, w);
        w.key("permalink")
            .str_fmt(format_args!("{}-{}", slug(&plan.name), id));
        w.key("categories").arr();
        for c in plan.categories {
            self.write_category(c, w);
        }
        w.end_arr();
        plan.digital
    }

    /// the draws a product takes before writing (`product_core_type_probe` relies on
    /// `digital` being the first)
    fn plan_product(&self, id: u64, rng: &mut Rng) -> ProductPlan {
        let name = self.product_name(id);
        let price = self.product_price_cents(id);
        let digital = rng.pct(8);
        let unlimited = rng.pct(10);
        let created = PRODUCT_T0 + id * 3_600 + rng.below(3_000);
        let updated = created
            + if rng.pct(30) {
                0
            } else {
                rng.below(200 * 86_400)
            };
        let categories = self.product_category_ids(id);
        let cylinder = !rng.pct(80);
        ProductPlan {
            name,
            price,
            digital,
            unlimited,
            created,
            updated,
            categories,
            cylinder,
        }
    }

    /// id, names, description and type
    fn write_product_identity(&self, rng: &mut Rng, id: u64, plan: &ProductPlan, w: &mut W) {
        w.key("id").u64(id);
        w.key("name").str(&plan.name);
        w.key("page_title");
        if rng.pct(50) {
            w.null()
        } else {
            w.str_fmt(format_args!("{} | Tienda Ñandú", plan.name))
        }
        w.key("description");
        self.write_description(id, w);
        w.key("type").str(if plan.digital {
            "digital"
        } else if rng.pct(3) {
            "gift_card"
        } else {
            "physical"
        });
        w.key("days_to_expire");
        if plan.digital {
            w.u64(30)
        } else {
            w.null()
        }
    }

    /// codes, flags, status and dates
    fn write_product_catalog_fields(&self, rng: &mut Rng, id: u64, plan: &ProductPlan, w: &mut W) {
        w.key("sku");
        if rng.pct(15) {
            w.null()
        } else {
            w.str_fmt(format_args!("SKU-{:06}", id))
        }
        w.key("brand");
        if rng.pct(40) {
            w.null()
        } else {
            w.str(rng.pick(BRANDS))
        }
        w.key("barcode");
        if rng.pct(50) {
            w.null()
        } else {
            w.str_fmt(format_args!("789{:010}", id))
        }
        w.key("google_product_category_text");
        if rng.pct(70) {
            w.null()
        } else {
            w.str("Apparel & Accessories > Clothing")
        }
        w.key("quotable").bool(rng.pct(5));
        w.key("featured").bool(rng.pct(15));
        w.key("reviews_enabled").bool(rng.pct(60));
        w.key("status").str(self.product_status(id));
        w.key("created_at");
        write_ts(w, plan.created);
        w.key("updated_at");
        write_ts(w, plan.updated);
    }

    /// whether the product is digital (it then has two digital products), without generating
    /// it: the first draw of the product's stream, as in `plan_product`
    pub fn product_is_digital(&self, id: u64) -> bool {
        Rng::new(self.seed, K_PROD, id).pct(8)
    }
    /// only the product's `type`, as "digital" or "physical" (gift cards read as physical)
    pub fn product_core_type_probe(&self, id: u64) -> Value {
        let digital = self.product_is_digital(id);
        json!({"type": if digital { "digital" } else { "physical" }})
    }
    pub fn is_digital(&self, core: &Value) -> bool {
        core.get("type").and_then(|v| v.as_str()) == Some("digital")
    }
}

/// What a product draws before writing its first key.
struct ProductPlan {
    name: String,
    price: i64,
    digital: bool,
    unlimited: bool,
    created: u64,
    updated: u64,
    categories: Vec<u64>,
    /// package format "cylinder" (has a diameter) rather than "box" (length and width)
    cylinder: bool,
}

fn write_product_price_and_stock(rng: &mut Rng, plan: &ProductPlan, w: &mut W) {
    let price = plan.price;
    w.key("price").money(price);
    w.key("discount")
        .money(if rng.pct(80) { 0 } else { price / 10 });
    let (kg, decimals) = (rng.below(5), rng.below(100));
    w.key("weight").num_fmt(format_args!("{}.{}", kg, decimals));
    w.key("stock")
        .u64(if plan.unlimited { 0 } else { rng.below(500) });
    w.key("stock_unlimited").bool(plan.unlimited);
    w.key("stock_threshold").u64(rng.below(10));
    w.key("stock_notification").bool(rng.pct(30));
    w.key("back_in_stock_enabled").bool(rng.pct(20));
    w.key("cost_per_item");
    if rng.pct(50) {
        w.null()
    } else {
        w.money(price * 6 / 10)
    }
    w.key("compare_at_price");
    if rng.pct(75) {
        w.null()
    } else {
        w.money(price * 13 / 10)
    }
}

fn write_product_dimensions(rng: &mut Rng, cylinder: bool, w: &mut W) {
    w.key("package_format")
        .str(if cylinder { "cylinder" } else { "box" });
    w.key("length");
    if cylinder {
        w.null()
    } else {
        w.num_fmt(format_args!("{}.5", 10 + rng.below(40)))
    }
    w.key("width");
    if cylinder {
        w.null()
    } else {
        w.u64(5 + rng.below(30))
    }
    let (whole, tenths) = (1 + rng.below(30), rng.below(10));
    w.key("height")
        .num_fmt(format_args!("{}.{}", whole, tenths));
    w.key("diameter");
    if cylinder {
        w.num_fmt(format_args!("{}.25", 3 + rng.below(20)))
    } else {
        w.null()
    }
}

/// a 10 MB description for the product chosen by `--huge-description-product` (tests of
/// chunked fetches); no draws, so it does not disturb the product's other values
fn huge_description() -> String {
    let mut s = String::with_capacity(10 * 1024 * 1024 + 64);
    s.push_str("<div class=\"huge\">");
    let mut i = 0u64;
    while s.len() < 10 * 1024 * 1024 {
        s.push_str("<p>");
        s.push_str(LOREM[(i % LOREM.len() as u64) as usize]);
        s.push_str(&format!(" [{}]</p>\n", i));
        i += 1;
    }
    s.push_str("</div>");
    s
}
