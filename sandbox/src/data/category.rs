//! Product categories.

use super::format::slug;
use super::words::CATEGORY_NAMES;
use super::{Gen, K_CAT};
use crate::jw::W;
use crate::prng::Rng;
use serde_json::Value;

impl Gen {
    pub fn category(&self, id: u64) -> Value {
        let mut w = W::with_capacity(128);
        self.write_category(id, &mut w);
        w.into_value()
    }
    pub fn write_category(&self, id: u64, w: &mut W) {
        let mut rng = Rng::new(self.seed, K_CAT, id);
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
            w.u64(rng.range(1, (id - 1).min(4)))
        }
        w.key("permalink").str(&slug(&name));
        w.end_obj();
    }
}
