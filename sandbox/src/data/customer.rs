//! Customers, their groups (customer categories) and their additional fields.

use super::format::slug;
use super::time::ts;
use super::words::{FIRST_NAMES, LAST_NAMES};
use super::{Gen, K_CCAT, K_CUST, PRODUCT_T0};
use crate::prng::{hash3, Rng};
use serde_json::{json, Value};

pub struct PersonName {
    pub first: &'static str,
    pub last: &'static str,
}

impl Gen {
    // ---------------- light attributes (cheap, used for filtering) -------------
    pub fn customer_name(&self, id: u64) -> PersonName {
        let mut rng = Rng::new(self.seed, K_CUST, id);
        PersonName {
            first: rng.pick(FIRST_NAMES),
            last: rng.pick(LAST_NAMES),
        }
    }
    pub fn customer_email(&self, id: u64) -> String {
        let name = self.customer_name(id);
        let first = slug(name.first);
        let last = slug(name.last);
        let domain = [
            "example.com",
            "correo.cl",
            "exemplo.com.br",
            "mail.example.org",
        ][(hash3(self.seed, K_CUST + 7, id) % 4) as usize];
        format!("{}.{}{}@{}", first, last, id, domain)
    }
    pub fn customer_category_ids(&self, id: u64) -> Vec<u64> {
        if self.customer_categories == 0 {
            return vec![];
        }
        // one hash picks both how many groups (by its low digits) and which (by higher bits)
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
        let mut rng = Rng::new(self.seed, K_CUST + 1, id);
        let name = self.customer_name(id);
        let status = match rng.below(10) {
            0 => "pending",
            1 => "disabled",
            _ => "approved",
        };
        let accepts = rng.pct(40);
        let marketing_changed_at = ts(PRODUCT_T0 + id * 7_200);
        let categories: Vec<Value> = self
            .customer_category_ids(id)
            .into_iter()
            .map(|c| json!({"customer_category": self.customer_category(c)}))
            .collect();
        let fields: Vec<Value> = (1..=self.customer_field_count(id))
            .map(|k| json!({"customer_additional_field": self.customer_field(id, k)}))
            .collect();
        let shipping = if rng.pct(15) {
            Value::Null
        } else {
            self.customer_address(&mut rng, name.first, name.last, false)
        };
        let billing = if rng.pct(35) {
            Value::Null
        } else {
            self.customer_address(&mut rng, name.first, name.last, true)
        };
        // the remaining draws happen inside the json! below, in key order
        json!({
            "id": id,
            "email": self.customer_email(id),
            "phone": if rng.pct(25) { Value::Null } else { json!(format!("+56 9 {:04} {:04}", rng.below(10_000), rng.below(10_000))) },
            "fullname": format!("{} {}", name.first, name.last),
            "status": status,
            "accepts_marketing": accepts,
            "accepted_marketing_at": if accepts { json!(marketing_changed_at) } else { Value::Null },
            "cancelled_marketing_at": if !accepts && rng.pct(20) { json!(marketing_changed_at) } else { Value::Null },
            "shipping_address": shipping,
            "billing_address": billing,
            "customer_categories": categories,
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
}
