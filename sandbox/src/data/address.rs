//! Postal addresses of customers and orders.

use super::words::{CITIES, STREETS};
use super::Gen;
use crate::jw::W;
use crate::prng::Rng;
use serde_json::Value;

/// An address's random draws, taken in the order the generator has always taken them, kept
/// apart from writing because an order draws both its addresses before writing either.
/// Order addresses carry more keys than a customer's, and billing ones a tax id.
pub(super) struct Addr {
    billing: bool,
    order: bool,
    /// (city, region, region code, country, country code)
    city: (
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
    ),
    street: &'static str,
    num: u64,
    /// the four number groups of a Chilean RUT, "a.bbb.ccc-d"
    taxid: Option<(u64, u64, u64, u64)>,
    postal: Option<u64>,
    complement: Option<u64>,
    lat: Option<u64>,
    lon: Option<u64>,
    neighbourhood: bool,
}

impl Addr {
    pub(super) fn draw(rng: &mut Rng, billing: bool, order: bool) -> Addr {
        let city = rng.pick(CITIES);
        let street = rng.pick(STREETS);
        let num = rng.range(1, 9_999);
        let taxid = if billing {
            if rng.pct(40) {
                None
            } else {
                let a = rng.range(5, 25);
                let b = rng.below(1000);
                let c = rng.below(1000);
                Some((a, b, c, rng.below(10)))
            }
        } else {
            None
        };
        let postal = if rng.pct(30) {
            None
        } else {
            Some(rng.below(9_999_999))
        };
        let (mut complement, mut lat, mut lon, mut neighbourhood) = (None, None, None, false);
        if order {
            complement = if rng.pct(60) {
                None
            } else {
                Some(rng.range(1, 2_000))
            };
            if !billing {
                lat = if rng.pct(50) {
                    None
                } else {
                    Some(rng.below(999_999))
                };
                lon = if rng.pct(50) {
                    None
                } else {
                    Some(rng.below(999_999))
                };
            }
            neighbourhood = !rng.pct(70);
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

    pub(super) fn write(&self, w: &mut W, first: &str, last: &str) {
        let (city, region, region_code, country, country_code) = self.city;
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
            w.key("country_code").str(country_code);
            w.key("region_code").str(region_code);
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
            w.key("country").str(country_code);
        }
        w.end_obj();
    }
}

impl Gen {
    /// a customer's address as a `Value`, drawn from the customer's stream
    pub(super) fn customer_address(
        &self,
        rng: &mut Rng,
        first: &str,
        last: &str,
        billing: bool,
    ) -> Value {
        let address = Addr::draw(rng, billing, false);
        let mut w = W::with_capacity(512);
        address.write(&mut w, first, last);
        w.into_value()
    }
}
