//! Deterministic data: every record is a pure function of (seed, id).
//! Nothing here holds state; the overlay of writes lives in `state.rs`.

use crate::jw::W;
use crate::prng::{hash3, Rng};
use serde_json::{json, Number, Value};
use std::str::FromStr;

pub const PRODUCT_T0: u64 = 1_640_995_200; // 2022-01-01 00:00:00 UTC
pub const ORDER_T0: u64 = 1_704_067_200; // 2024-01-01 00:00:00 UTC
pub const ORDER_SPAN: u64 = 731 * 86_400; // two years
pub const FULFILLMENT_OFFSET: u64 = 7_000_000;

// stream kinds
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

pub fn money(cents: i64) -> Value {
    let neg = cents < 0;
    let c = cents.unsigned_abs();
    let whole = c / 100;
    let frac = c % 100;
    let s = if frac == 0 {
        format!("{}{}", if neg { "-" } else { "" }, whole)
    } else if frac.is_multiple_of(10) {
        format!("{}{}.{}", if neg { "-" } else { "" }, whole, frac / 10)
    } else {
        format!("{}{}.{:02}", if neg { "-" } else { "" }, whole, frac)
    };
    Value::Number(Number::from_str(&s).expect("decimal"))
}

/// decimal text -> JSON number, exactly as written
pub fn num(s: &str) -> Value {
    Value::Number(Number::from_str(s).expect("decimal"))
}

pub fn days_from_civil(y: i64, m: u64, d: u64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = (y - era * 400) as u64;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe as i64 - 719_468
}

pub fn civil_from_days(z: i64) -> (i64, u64, u64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = (z - era * 146_097) as u64;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe as i64 + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// "YYYY-MM-DD HH:MM:SS UTC"
pub fn ts(secs: u64) -> String {
    format!("{} UTC", ts_plain(secs))
}
pub fn ts_plain(secs: u64) -> String {
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    let r = secs % 86_400;
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        y,
        m,
        d,
        r / 3600,
        (r / 60) % 60,
        r % 60
    )
}
pub fn iso(secs: u64) -> String {
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    let r = secs % 86_400;
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+00:00",
        y,
        m,
        d,
        r / 3600,
        (r / 60) % 60,
        r % 60
    )
}
/// parse "YYYY-MM-DD" (optionally followed by time) to unix seconds of that day start
pub fn parse_date(s: &str) -> Option<u64> {
    let s = s.trim();
    if s.len() < 10 {
        return None;
    }
    let y: i64 = s.get(0..4)?.parse().ok()?;
    let m: u64 = s.get(5..7)?.parse().ok()?;
    let d: u64 = s.get(8..10)?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || &s[4..5] != "-" || &s[7..8] != "-" {
        return None;
    }
    let days = days_from_civil(y, m, d);
    if days < 0 {
        return None;
    }
    Some(days as u64 * 86_400)
}
/// parse "YYYY-MM-DD HH:MM:SS[ UTC]" or ISO-8601 "YYYY-MM-DDTHH:MM:SS" to unix seconds
pub fn parse_ts(s: &str) -> Option<u64> {
    let day = parse_date(s)?;
    let t = s.get(11..19).unwrap_or("00:00:00");
    let h: u64 = t.get(0..2)?.parse().ok()?;
    let mi: u64 = t.get(3..5)?.parse().ok()?;
    let se: u64 = t.get(6..8)?.parse().ok()?;
    Some(day + h * 3600 + mi * 60 + se)
}

const FIRST: &[&str] = &[
    "María José",
    "João",
    "Ana",
    "José Luis",
    "Conceição",
    "Lucía",
    "Sebastián",
    "Camila",
    "Matías",
    "Valentina",
    "Gonçalo",
    "Inês",
    "Beatriz",
    "Tomás",
    "Martín",
    "Sofía",
    "Renée",
    "Zoë",
    "伟",
    "芳",
    "Xiù Yīng",
    "Ñusta",
    "Joaquín",
    "Antônio",
    "Françoise",
    "Ólafur",
    "Chloé",
    "Agustín",
    "Isabel",
    "Pedro",
];
const LAST: &[&str] = &[
    "González",
    "Muñoz",
    "Rojas",
    "Díaz",
    "Pérez",
    "Soto",
    "da Silva",
    "Gonçalves",
    "Conceição",
    "Araújo",
    "Fernández",
    "López",
    "Núñez",
    "O'Brien",
    "van der Berg",
    "王",
    "李",
    "张",
    "Castañeda",
    "Ibáñez",
    "Magalhães",
    "Peña",
    "Sánchez-Villalobos",
    "Ruiz",
    "Ng",
];
const ADJ: &[&str] = &[
    "Orgánico",
    "Artesanal",
    "Clásico",
    "Premium",
    "Ecológico",
    "Vintage",
    "Bordado",
    "Tejido a mano",
    "de Algodão",
    "Térmico",
    "Minimalista",
    "Edición Limitada",
    "Reciclado",
    "Impermeable",
    "经典",
];
const NOUN: &[&str] = &[
    "Camiseta",
    "Taza de café",
    "Mochila",
    "Bufanda",
    "Poncho",
    "Chaqueta",
    "Zapatillas",
    "Gorro",
    "Cuaderno",
    "Vela aromática",
    "Cerâmica",
    "Jarrón",
    "Sombrero",
    "Alfombra",
    "Lámpara",
    "茶杯",
    "Chocolate 70%",
    "Mate & Bombilla",
    "Cojín",
    "Pulsera",
];
const BRANDS: &[&str] = &[
    "Andes Co.",
    "Pachamama",
    "Ñandú",
    "Casa Lusitana",
    "龙井",
    "Sur & Norte",
];
const CITIES: &[(&str, &str, &str, &str, &str)] = &[
    ("Santiago", "Región Metropolitana", "RM", "Chile", "CL"),
    ("Valparaíso", "Valparaíso", "VS", "Chile", "CL"),
    ("São Paulo", "São Paulo", "SP", "Brazil", "BR"),
    ("Lisboa", "Lisboa", "11", "Portugal", "PT"),
    ("Porto", "Porto", "13", "Portugal", "PT"),
    (
        "Ciudad de México",
        "Ciudad de México",
        "CMX",
        "Mexico",
        "MX",
    ),
    ("Bogotá", "Bogotá D.C.", "DC", "Colombia", "CO"),
    ("Madrid", "Madrid", "MD", "Spain", "ES"),
    ("上海", "上海市", "SH", "China", "CN"),
    ("Concepción", "Biobío", "BI", "Chile", "CL"),
];
const STREETS: &[&str] = &[
    "Av. Providencia",
    "Rua Augusta",
    "Calle Mayor",
    "Av. Libertador Bernardo O'Higgins",
    "Rua das Flores",
    "Paseo de la Reforma",
    "南京路",
    "Pasaje Los Aromos",
];
const SIZES: &[&str] = &["XS", "S", "M", "L", "XL", "XXL"];
const COLORS: &[&str] = &[
    "Rojo",
    "Azul",
    "Verde Oliva",
    "Negro",
    "Blanco",
    "Café",
    "Amarelo",
];
const CATEGORY_NAMES: &[&str] = &[
    "Ropa",
    "Hogar",
    "Cocina",
    "Accesorios",
    "Calzado",
    "Papelería",
    "Decoração",
    "Regalos 🎁",
    "Ofertas",
    "Nuevos",
    "Invierno",
    "Verano",
    "茶具",
    "Niños",
    "Mascotas",
    "Outlet",
];
const LOREM: &[&str] = &[
    "Confeccionado con materiales de primera calidad, pensado para durar muchos años.",
    "Produzido artesanalmente por comunidades locais, com tingimento natural.",
    "Ideal para regalar: viene en una caja de cartón reciclado con tarjeta.",
    "Lavar a mano con agua fría; no usar secadora. Puede encoger levemente.",
    "Diseño exclusivo de nuestra tienda, inspirado en los paisajes del sur de Chile.",
    "手工制作，每件都独一无二。",
    "Envío en 24–48 horas hábiles a todo el país; retiro gratis en tienda.",
    "Garantía de 6 meses contra defectos de fabricación. ¿Dudas? ¡Escríbenos!",
];

pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        let c = match c {
            'á' | 'à' | 'â' | 'ã' | 'Á' => 'a',
            'é' | 'ê' | 'É' => 'e',
            'í' | 'Í' => 'i',
            'ó' | 'ô' | 'õ' | 'Ó' => 'o',
            'ú' | 'ü' | 'Ú' => 'u',
            'ñ' | 'Ñ' => 'n',
            'ç' => 'c',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        "item".into()
    } else {
        out
    }
}

pub struct PersonName {
    pub first: &'static str,
    pub last: &'static str,
}

pub const ORDER_STATUS_ENUM: &[&str] = &["abandoned", "canceled", "pending_payment", "paid"];
pub const ORDER_STATUS_LABEL: &[&str] = &["Abandoned", "Canceled", "Pending Payment", "Paid"];
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
    // ---------------- light attributes (cheap, used for filtering) -------------
    pub fn product_name(&self, id: u64) -> String {
        let mut r = Rng::new(self.seed, K_PNAME, id);
        let n = r.pick(NOUN);
        let a = r.pick(ADJ);
        let emoji = if r.pct(7) { " 🎉" } else { "" };
        format!("{} {} Nº{}{}", n, a, id, emoji)
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
        let mut r = Rng::new(self.seed, K_PCATS, id);
        let n = if r.pct(15) {
            0
        } else {
            r.range(1, 3.min(self.categories))
        };
        let mut v: Vec<u64> = Vec::new();
        while (v.len() as u64) < n {
            let c = r.range(1, self.categories);
            if !v.contains(&c) {
                v.push(c);
            }
        }
        v.sort_unstable();
        v
    }
    pub fn product_variant_count(&self, id: u64) -> u64 {
        let mut r = Rng::new(self.seed, K_PVAR, id);
        if r.pct(40) {
            0
        } else {
            r.range(1, 5)
        }
    }
    pub fn product_image_count(&self, id: u64) -> u64 {
        hash3(self.seed, K_PIMG, id) % 5
    }
    pub fn product_price_cents(&self, id: u64) -> i64 {
        let mut r = Rng::new(self.seed, K_PROD + 100, id);
        match r.below(4) {
            0 => (r.range(1, 60) * 1000 - 10) as i64 * 100, // CLP-like whole numbers e.g. 19990
            1 => r.range(100, 9_999) as i64,                // 12.99
            2 => (r.range(1, 4_000) * 50) as i64 + r.range(0, 1) as i64 * 5, // 19990.5 style
            _ => r.range(1_000, 2_000_000) as i64,
        }
    }

    pub fn order_status_idx(&self, id: u64) -> usize {
        let h = hash3(self.seed, K_OSTAT, id) % 100;
        if h < 25 {
            0
        } else if h < 35 {
            1
        } else if h < 50 {
            2
        } else {
            3
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
        if self.order_status_idx(id) != 3 {
            return 0;
        }
        (hash3(self.seed, K_OSTAT + 1000, id) % 6) as usize
    }
    pub fn order_fulfilled(&self, id: u64) -> bool {
        self.order_ship_idx(id) >= 2
    }

    pub fn customer_name(&self, id: u64) -> PersonName {
        let mut r = Rng::new(self.seed, K_CUST, id);
        PersonName {
            first: r.pick(FIRST),
            last: r.pick(LAST),
        }
    }
    pub fn customer_email(&self, id: u64) -> String {
        let n = self.customer_name(id);
        let first = slug(n.first);
        let last = slug(n.last);
        let dom = [
            "example.com",
            "correo.cl",
            "exemplo.com.br",
            "mail.example.org",
        ][(hash3(self.seed, K_CUST + 7, id) % 4) as usize];
        format!("{}.{}{}@{}", first, last, id, dom)
    }
    pub fn customer_category_ids(&self, id: u64) -> Vec<u64> {
        if self.customer_categories == 0 {
            return vec![];
        }
        let h = hash3(self.seed, K_CCAT, id);
        match h % 10 {
            0..=4 => vec![],
            5..=8 => vec![(h >> 8) % self.customer_categories + 1],
            _ => {
                let a = (h >> 8) % self.customer_categories + 1;
                let b = (h >> 20) % self.customer_categories + 1;
                if a == b {
                    vec![a]
                } else {
                    vec![a.min(b), a.max(b)]
                }
            }
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
            out(&s);
            return;
        }
        let mut r = Rng::new(self.seed, K_PROD + 200, id);
        let paras = match r.below(20) {
            0 => 60 + r.below(60), // several KB
            1..=5 => 10 + r.below(15),
            _ => 1 + r.below(3),
        };
        out("<div class=\"product-description\">\n<h2>Descripción</h2>\n");
        for i in 0..paras {
            let l = r.pick(LOREM);
            if i % 7 == 3 {
                out("<ul><li>");
                out(l);
                out("</li><li>100% <strong>algodón</strong> &amp; lino</li></ul>\n");
            } else {
                out("<p>");
                out(l);
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

    pub fn category(&self, id: u64) -> Value {
        let mut w = W::with_capacity(128);
        self.write_category(id, &mut w);
        w.into_value()
    }
    pub fn write_category(&self, id: u64, w: &mut W) {
        let mut r = Rng::new(self.seed, K_CAT, id);
        let base = CATEGORY_NAMES[((id - 1) % CATEGORY_NAMES.len() as u64) as usize];
        let name = if id as usize > CATEGORY_NAMES.len() {
            format!("{} {}", base, id)
        } else {
            base.to_string()
        };
        w.obj();
        w.key("id").u64(id);
        w.key("name").str(&name);
        w.key("parent_id");
        if id <= 4 {
            w.null()
        } else {
            w.u64(r.range(1, (id - 1).min(4)))
        }
        w.key("permalink").str(&slug(&name));
        w.end_obj();
    }

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
        let mut r = Rng::new(self.seed, K_PVAR + 500, pid * 10 + k);
        let base = self.product_price_cents(pid);
        let price = if r.pct(50) {
            base
        } else {
            base + (k as i64) * 500
        };
        let unlimited = r.pct(15);
        let nimg = self.product_image_count(pid);
        let image = if nimg > 0 && r.pct(60) {
            Some(1 + (k - 1) % nimg)
        } else {
            None
        };
        let size = SIZES[((k - 1) % SIZES.len() as u64) as usize];
        let color = r.pick(COLORS);
        w.obj();
        w.key("id").u64(pid * 10 + k);
        w.key("price").money(price);
        w.key("sku").str_fmt(format_args!("SKU-{}-{}", pid, size));
        w.key("barcode");
        if r.pct(30) {
            w.null()
        } else {
            w.str_fmt(format_args!("78{:011}", pid * 10 + k))
        }
        w.key("stock").u64(if unlimited { 0 } else { r.below(200) });
        w.key("stock_unlimited").bool(unlimited);
        w.key("stock_threshold").u64(r.below(5));
        w.key("stock_notification").bool(r.pct(20));
        w.key("cost_per_item");
        if r.pct(40) {
            w.null()
        } else {
            w.money(price * 55 / 100)
        }
        w.key("compare_at_price");
        if r.pct(70) {
            w.null()
        } else {
            w.money(price * 120 / 100)
        }
        w.key("options").arr();
        w.obj();
        w.key("name").str("Talla");
        w.key("option_type").str("option");
        w.key("value").str(size);
        w.key("custom").null();
        w.key("product_option_position").u64(1);
        w.key("product_value_position").u64(k);
        w.end_obj();
        if pid.is_multiple_of(2) {
            w.obj();
            w.key("name").str("Color");
            w.key("option_type").str("color");
            w.key("value").str(color);
            w.key("custom").null();
            w.key("product_option_position").u64(2);
            w.key("product_value_position").u64(1);
            w.end_obj();
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

    /// writes the core keys; returns whether the product is digital
    fn write_product_core_fields(&self, id: u64, w: &mut W) -> bool {
        let mut r = Rng::new(self.seed, K_PROD, id);
        let name = self.product_name(id);
        let price = self.product_price_cents(id);
        let digital = r.pct(8);
        let unlimited = r.pct(10);
        let created = PRODUCT_T0 + id * 3_600 + r.below(3_000);
        let updated = created + if r.pct(30) { 0 } else { r.below(200 * 86_400) };
        let cats = self.product_category_ids(id);
        let fmt = if r.pct(80) { "box" } else { "cylinder" };
        let cyl = fmt == "cylinder";
        w.key("id").u64(id);
        w.key("name").str(&name);
        w.key("page_title");
        if r.pct(50) {
            w.null()
        } else {
            w.str_fmt(format_args!("{} | Tienda Ñandú", name))
        }
        w.key("description");
        self.write_description(id, w);
        w.key("type").str(if digital {
            "digital"
        } else if r.pct(3) {
            "gift_card"
        } else {
            "physical"
        });
        w.key("days_to_expire");
        if digital {
            w.u64(30)
        } else {
            w.null()
        }
        w.key("price").money(price);
        w.key("discount")
            .money(if r.pct(80) { 0 } else { price / 10 });
        let (a, b) = (r.below(5), r.below(100));
        w.key("weight").num_fmt(format_args!("{}.{}", a, b));
        w.key("stock").u64(if unlimited { 0 } else { r.below(500) });
        w.key("stock_unlimited").bool(unlimited);
        w.key("stock_threshold").u64(r.below(10));
        w.key("stock_notification").bool(r.pct(30));
        w.key("back_in_stock_enabled").bool(r.pct(20));
        w.key("cost_per_item");
        if r.pct(50) {
            w.null()
        } else {
            w.money(price * 6 / 10)
        }
        w.key("compare_at_price");
        if r.pct(75) {
            w.null()
        } else {
            w.money(price * 13 / 10)
        }
        w.key("sku");
        if r.pct(15) {
            w.null()
        } else {
            w.str_fmt(format_args!("SKU-{:06}", id))
        }
        w.key("brand");
        if r.pct(40) {
            w.null()
        } else {
            w.str(r.pick(BRANDS))
        }
        w.key("barcode");
        if r.pct(50) {
            w.null()
        } else {
            w.str_fmt(format_args!("789{:010}", id))
        }
        w.key("google_product_category_text");
        if r.pct(70) {
            w.null()
        } else {
            w.str("Apparel & Accessories > Clothing")
        }
        w.key("quotable").bool(r.pct(5));
        w.key("featured").bool(r.pct(15));
        w.key("reviews_enabled").bool(r.pct(60));
        w.key("status").str(self.product_status(id));
        w.key("created_at");
        w_ts(w, created);
        w.key("updated_at");
        w_ts(w, updated);
        w.key("package_format").str(fmt);
        w.key("length");
        if cyl {
            w.null()
        } else {
            w.num_fmt(format_args!("{}.5", 10 + r.below(40)))
        }
        w.key("width");
        if cyl {
            w.null()
        } else {
            w.u64(5 + r.below(30))
        }
        let (a, b) = (1 + r.below(30), r.below(10));
        w.key("height").num_fmt(format_args!("{}.{}", a, b));
        w.key("diameter");
        if cyl {
            w.num_fmt(format_args!("{}.25", 3 + r.below(20)))
        } else {
            w.null()
        }
        w.key("permalink")
            .str_fmt(format_args!("{}-{}", slug(&name), id));
        w.key("categories").arr();
        for c in cats {
            self.write_category(c, w);
        }
        w.end_arr();
        digital
    }

    pub fn is_digital(&self, core: &Value) -> bool {
        core.get("type").and_then(|v| v.as_str()) == Some("digital")
    }
    pub fn digital_product(&self, pid: u64, k: u64) -> Value {
        let mut w = W::with_capacity(128);
        self.write_digital_product(pid, k, &mut w);
        w.into_value()
    }
    fn write_digital_product(&self, pid: u64, k: u64, w: &mut W) {
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
        let mut r = Rng::new(self.seed, K_MISC + 4, pid * 10 + k);
        let c = if self.customers > 0 {
            r.range(1, self.customers)
        } else {
            1
        };
        json!({"id": pid * 10 + k, "status": r.pick(&["unread", "unpublished", "published"]), "rating": r.range(1, 5),
               "review": r.pick(&["¡Excelente calidad! 😍", "Chegou rápido, recomendo.", "No era lo que esperaba.", "很好", "Muy bueno pero la talla es pequeña."]),
               "date": ts(PRODUCT_T0 + pid * 3_600 + 86_400 * (k + 10)),
               "product_id": pid, "product_name": self.product_name(pid),
               "order_id": if r.pct(50) { Value::Null } else { json!(r.range(1, self.orders.max(1))) },
               "customer_email": self.customer_email(c)})
    }

    fn address(&self, r: &mut Rng, first: &str, last: &str, billing: bool, order: bool) -> Value {
        let a = Addr::draw(r, billing, order);
        let mut w = W::with_capacity(512);
        a.write(&mut w, first, last);
        w.into_value()
    }

    pub fn customer_category(&self, id: u64) -> Value {
        let names = [
            "Mayoristas",
            "VIP ⭐",
            "Clientes Frecuentes",
            "Revendedores",
            "Funcionários",
            "会员",
        ];
        let name = if id as usize <= names.len() {
            names[id as usize - 1].to_string()
        } else {
            format!("Grupo {}", id)
        };
        json!({"id": id, "name": name, "code": slug(&name)})
    }

    pub fn customer(&self, id: u64) -> Value {
        let mut r = Rng::new(self.seed, K_CUST + 1, id);
        let n = self.customer_name(id);
        let status = match r.below(10) {
            0 => "pending",
            1 => "disabled",
            _ => "approved",
        };
        let accepts = r.pct(40);
        let mk = ts(PRODUCT_T0 + id * 7_200);
        let cats: Vec<Value> = self
            .customer_category_ids(id)
            .into_iter()
            .map(|c| json!({"customer_category": self.customer_category(c)}))
            .collect();
        let fields: Vec<Value> = (1..=self.customer_field_count(id))
            .map(|k| json!({"customer_additional_field": self.customer_field(id, k)}))
            .collect();
        let ship = if r.pct(15) {
            Value::Null
        } else {
            self.address(&mut r, n.first, n.last, false, false)
        };
        let bill = if r.pct(35) {
            Value::Null
        } else {
            self.address(&mut r, n.first, n.last, true, false)
        };
        json!({
            "id": id,
            "email": self.customer_email(id),
            "phone": if r.pct(25) { Value::Null } else { json!(format!("+56 9 {:04} {:04}", r.below(10_000), r.below(10_000))) },
            "fullname": format!("{} {}", n.first, n.last),
            "status": status,
            "accepts_marketing": accepts,
            "accepted_marketing_at": if accepts { json!(mk) } else { Value::Null },
            "cancelled_marketing_at": if !accepts && r.pct(20) { json!(mk) } else { Value::Null },
            "shipping_address": ship,
            "billing_address": bill,
            "customer_categories": cats,
            "customer_additional_fields": fields,
        })
    }
    pub fn customer_field_count(&self, id: u64) -> u64 {
        hash3(self.seed, K_CUST + 2, id) % 3
    }
    pub fn customer_field(&self, cid: u64, k: u64) -> Value {
        let (label, value) = if k == 1 {
            ("RUT", format!("{}-{}", 10_000_000 + cid, cid % 10))
        } else {
            ("Fecha de nacimiento", "1990-05-17".to_string())
        };
        json!({"id": cid * 10 + k, "label": label, "value": value, "area": if k == 1 { "billing_shipping" } else { "contact" },
               "customer_id": cid, "checkout_custom_field_id": k})
    }

    pub fn order(&self, id: u64) -> Value {
        let mut w = W::with_capacity(4096);
        self.write_order(id, &mut w);
        w.into_value()
    }
    pub fn write_order(&self, id: u64, w: &mut W) {
        struct Line {
            pid: u64,
            vk: Option<u64>,
            price: i64,
            qty: i64,
            disc: i64,
            weight: u64,
        }
        let mut r = Rng::new(self.seed, K_ORD, id);
        let st = self.order_status_idx(id);
        let created = self.order_created(id);
        let cust = self.order_customer(id);
        let (first, last, email) = match cust {
            Some(c) => {
                let n = self.customer_name(c);
                (n.first, n.last, self.customer_email(c))
            }
            None => ("Invitado", "Anónimo", format!("guest{}@example.com", id)),
        };
        let nlines = r.range(1, 5);
        let mut lines: [Option<Line>; 5] = [None, None, None, None, None];
        let mut subtotal: i64 = 0;
        let mut tax: i64 = 0;
        for slot in lines.iter_mut().take(nlines as usize) {
            let pid = if self.products > 0 {
                r.range(1, self.products)
            } else {
                1
            };
            let nv = self.product_variant_count(pid);
            let vk = if nv > 0 { Some(r.range(1, nv)) } else { None };
            let price = self.product_price_cents(pid);
            let qty = r.range(1, 4) as i64;
            let disc = if r.pct(80) { 0 } else { price / 10 };
            let line_tax = (price - disc) * qty * 19 / 100;
            subtotal += (price - disc) * qty;
            tax += line_tax;
            let weight = r.below(3_000);
            *slot = Some(Line {
                pid,
                vk,
                price,
                qty,
                disc,
                weight,
            });
        }
        let pickup = r.pct(15);
        let shipping: i64 = if pickup {
            0
        } else {
            [0, 2_990, 349_000, 4_500, 1_250][r.below(5) as usize]
        };
        let shipping_tax = shipping * 19 / 100;
        let discount: i64 = if r.pct(85) { 0 } else { subtotal / 20 };
        let total = subtotal + tax + shipping + shipping_tax - discount;
        let ship_idx = self.order_ship_idx(id);
        let fulfilled = ship_idx >= 2;
        let completed = if st == 3 || st == 1 {
            Some(created + 600 + r.below(7_200))
        } else {
            None
        };
        let tracking = fulfilled && !pickup;
        let ship_addr = Addr::draw(&mut r, false, true);
        let bill_addr = Addr::draw(&mut r, true, true);
        let coupon = r.pct(10);

        w.obj();
        w.key("id").u64(id);
        w.key("source").obj();
        w.key("created_from")
            .str(r.pick::<&str>(&["checkout", "checkout", "checkout", "admin", "api", "pos"]));
        w.key("created_from_app_code").null();
        w.key("source_name")
            .opt_str(if r.pct(50) { Some("google") } else { None });
        w.key("medium")
            .opt_str(if r.pct(50) { Some("organic") } else { None });
        w.key("campaign").null();
        w.key("referral_url").opt_str(if r.pct(70) {
            None
        } else {
            Some("https://www.google.com/")
        });
        w.key("referral_code").null();
        w.key("user_agent").str("Mozilla/5.0 (X11; Linux x86_64)");
        w.key("first_page_visited").str("/");
        w.key("first_page_visited_at");
        w_ts(w, created.saturating_sub(900));
        w.key("referral_source").null();
        w.end_obj();
        w.key("created_at");
        w_ts(w, created);
        w.key("completed_at");
        match completed {
            Some(t) => w_ts(w, t),
            None => w.null(),
        }
        w.key("currency").str("USD");
        w.key("subtotal").money(subtotal);
        w.key("tax").money(tax);
        w.key("shipping_tax").money(shipping_tax);
        w.key("shipping").money(shipping);
        w.key("shipping_required").bool(!pickup);
        w.key("total").money(total);
        w.key("discount").money(discount);
        w.key("shipping_discount").money(0);
        w.key("gift_cards_discount").money(0);
        w.key("fulfillment_status").str(if fulfilled {
            "fulfilled"
        } else {
            "unfulfilled"
        });
        w.key("shipping_method_id");
        if pickup {
            w.null()
        } else {
            w.u64(1 + r.below(3))
        }
        w.key("shipping_service_id").null();
        w.key("shipping_method_name").str(if pickup {
            "Retiro en tienda"
        } else {
            "Envío a domicilio 🚚"
        });
        w.key("payment_method_name").str(r.pick::<&str>(&[
            "Transferencia bancaria",
            "Webpay Plus",
            "Mercado Pago",
            "PayPal",
        ]));
        w.key("payment_method_type").str(r.pick::<&str>(&[
            "manual",
            "webpay_plus",
            "mercado_pago",
            "paypal",
        ]));
        w.key("payment_information").opt_str(if r.pct(60) {
            None
        } else {
            Some("Transferencia nº 000123")
        });
        w.key("payment_notification_id").null();
        w.key("additional_information").opt_str(if r.pct(75) {
            None
        } else {
            Some("Por favor dejar en conserjería. ¡Gracias! 🙏")
        });
        w.key("duplicate_url").str_fmt(format_args!(
            "https://sandbox.jumpseller.com/admin/orders/{}/duplicate",
            id
        ));
        w.key("recovery_url");
        if st == 0 {
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
        w.key("coupons")
            .opt_str(if coupon { Some("VERANO10") } else { None });
        w.key("promotions");
        if coupon {
            w.arr();
            w.obj();
            w.key("id").u64(1);
            w.key("name").str("Verano 10%");
            w.key("discount_amount").money(discount);
            w.end_obj();
            w.end_arr();
        } else {
            w.empty_arr();
        }
        w.key("customer").obj();
        w.key("id").opt_u64(cust);
        w.key("email").str(&email);
        w.key("phone")
            .str_fmt(format_args!("+56 9 {:08}", id % 100_000_000));
        w.key("phone_prefix").str("+56");
        w.key("ip").str_fmt(format_args!(
            "190.{}.{}.{}",
            id % 255,
            (id / 255) % 255,
            r.below(255)
        ));
        w.key("fullname")
            .str_fmt(format_args!("{} {}", first, last));
        w.end_obj();
        w.key("shipping_branch").null();
        w.key("shipping_address");
        ship_addr.write(w, first, last);
        w.key("billing_address");
        bill_addr.write(w, first, last);
        w.key("pickup_address");
        if pickup {
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
        } else {
            w.null();
        }
        w.key("products").arr();
        for l in lines.iter().flatten() {
            let pid = l.pid;
            let size = l.vk.map(|k| SIZES[((k - 1) % SIZES.len() as u64) as usize]);
            w.obj();
            w.key("id").u64(pid);
            w.key("variant_id").opt_u64(l.vk.map(|k| pid * 10 + k));
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
            w.key("qty").i64(l.qty);
            w.key("price").money(l.price);
            w.key("discount").money(l.disc);
            w.key("weight")
                .num_fmt(format_args!("{}.{:03}", l.weight / 1000, l.weight % 1000));
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
            w.key("stock").i64(l.qty);
            w.end_obj();
            w.end_arr();
            w.end_obj();
        }
        w.end_arr();
        w.key("additional_fields");
        if r.pct(70) {
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
        w.key("status").str(ORDER_STATUS_LABEL[st]);
        w.key("status_name").str(ORDER_STATUS_LABEL[st]);
        w.key("status_enum").str(ORDER_STATUS_ENUM[st]);
        w.key("tracking_url");
        if tracking {
            w.str_fmt(format_args!("https://tracking.example.com/{}", id))
        } else {
            w.null()
        }
        w.key("tracking_company")
            .opt_str(if tracking { Some("Chilexpress") } else { None });
        w.key("tracking_number");
        if tracking {
            w.str_fmt(format_args!("CX{:09}", id))
        } else {
            w.null()
        }
        w.key("shipping_option")
            .str(if pickup { "store_pickup" } else { "delivery" });
        w.key("same_day_delivery").bool(false);
        w.key("shipment_status").str(SHIP_LABEL[ship_idx]);
        w.key("shipment_status_enum").str(SHIP_ENUM[ship_idx]);
        w.key("recovered_from").null();
        w.key("external_shipping_rate_id").null();
        w.key("external_shipping_rate_description").null();
        w.key("billing_information");
        if r.pct(80) {
            w.null();
        } else {
            w.obj();
            w.key("business_activity").str("Comercio al por menor");
            w.key("company_name").str("Comercial Ñuñoa SpA");
            w.key("taxpayer_type").str("company");
            w.end_obj();
        }
        w.end_obj();
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
        self.order_status_idx(oid) == 3
    }
    pub fn document(&self, oid: u64, k: u64) -> Value {
        json!({"document_type": 1, "external_id": format!("F-{}", 10_000 + oid), "public_id": format!("doc{}x{}", oid, k),
               "url": format!("https://docs.example.com/invoices/{}.pdf", oid), "order_id": oid, "app_code": "facturacion-sandbox"})
    }
    pub fn fulfillment(&self, fid: u64) -> Value {
        let oid = fid - FULFILLMENT_OFFSET;
        let created = self.order_created(oid) + 86_400;
        let ship = SHIP_ENUM[self.order_ship_idx(oid)];
        let n = self.order_customer(oid).map(|c| self.customer_name(c));
        json!({"id": fid, "created_at": ts(created), "updated_at": ts(created + 3_600),
               "tracking_number": format!("CX{:09}", oid), "tracking_company": "Chilexpress", "type": "manual",
               "shipment_status": if ship == "pickup_available" { "delivered" } else { ship },
               "label_url": null, "expected_arrival_from": ts(created + 2 * 86_400), "expected_arrival_to": ts(created + 5 * 86_400),
               "fulfillment_address": {"address": {"name": n.as_ref().map(|n| n.first).unwrap_or("Invitado"), "surname": n.as_ref().map(|n| n.last).unwrap_or(""),
                    "address": "Av. Providencia 1234", "city": "Santiago", "postal": null, "municipality": "Providencia", "region": "Región Metropolitana", "country": "CL"}},
               "order_id": oid})
    }

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

/// "YYYY-MM-DD HH:MM:SS UTC" as a JSON string
fn w_ts(w: &mut W, secs: u64) {
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    let r = secs % 86_400;
    w.str_fmt(format_args!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
        y,
        m,
        d,
        r / 3600,
        (r / 60) % 60,
        r % 60
    ));
}

/// an address's random draws, taken in the order the generator has always taken them
struct Addr {
    billing: bool,
    order: bool,
    city: (
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
    ),
    street: &'static str,
    num: u64,
    taxid: Option<(u64, u64, u64, u64)>,
    postal: Option<u64>,
    complement: Option<u64>,
    lat: Option<u64>,
    lon: Option<u64>,
    neighbourhood: bool,
}

impl Addr {
    fn draw(r: &mut Rng, billing: bool, order: bool) -> Addr {
        let city = r.pick(CITIES);
        let street = r.pick(STREETS);
        let num = r.range(1, 9_999);
        let taxid = if billing {
            if r.pct(40) {
                None
            } else {
                let a = r.range(5, 25);
                let b = r.below(1000);
                let c = r.below(1000);
                Some((a, b, c, r.below(10)))
            }
        } else {
            None
        };
        let postal = if r.pct(30) {
            None
        } else {
            Some(r.below(9_999_999))
        };
        let (mut complement, mut lat, mut lon, mut neighbourhood) = (None, None, None, false);
        if order {
            complement = if r.pct(60) {
                None
            } else {
                Some(r.range(1, 2_000))
            };
            if !billing {
                lat = if r.pct(50) {
                    None
                } else {
                    Some(r.below(999_999))
                };
                lon = if r.pct(50) {
                    None
                } else {
                    Some(r.below(999_999))
                };
            }
            neighbourhood = !r.pct(70);
        }
        Addr {
            billing,
            order,
            city,
            street,
            num,
            taxid,
            postal,
            complement,
            lat,
            lon,
            neighbourhood,
        }
    }

    fn write(&self, w: &mut W, first: &str, last: &str) {
        let (city, region, rcode, country, ccode) = self.city;
        w.obj();
        w.key("name").str(first);
        w.key("surname").str(last);
        if self.billing {
            w.key("taxid");
            match self.taxid {
                Some((a, b, c, d)) => w.str_fmt(format_args!("{}.{:03}.{:03}-{}", a, b, c, d)),
                None => w.null(),
            }
        }
        w.key("address")
            .str_fmt(format_args!("{} {}", self.street, self.num));
        w.key("city").str(city);
        w.key("postal");
        match self.postal {
            Some(p) => w.str_fmt(format_args!("{:07}", p)),
            None => w.null(),
        }
        if self.order {
            w.key("region").str(region);
            w.key("country").str(country);
            w.key("country_code").str(ccode);
            w.key("region_code").str(rcode);
            w.key("street_number").u64(self.num);
            w.key("complement");
            match self.complement {
                Some(c) => w.str_fmt(format_args!("Depto. {}", c)),
                None => w.null(),
            }
            if !self.billing {
                w.key("latitude");
                match self.lat {
                    Some(v) => w.num_fmt(format_args!("-33.{:06}", v)),
                    None => w.null(),
                }
                w.key("longitude");
                match self.lon {
                    Some(v) => w.num_fmt(format_args!("-70.{:06}", v)),
                    None => w.null(),
                }
            }
            w.key("municipality").str(city);
            w.key("neighbourhood");
            if self.neighbourhood {
                w.str("Barrio Italia")
            } else {
                w.null()
            }
        } else {
            w.key("municipality").str(city);
            w.key("region").str(region);
            w.key("country").str(ccode);
        }
        w.end_obj();
    }
}
