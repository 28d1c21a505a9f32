//! Small fixed reference resources (promotions, pages, methods, taxes, ...).

use crate::data::{money, num, ts, Gen, PRODUCT_T0};
use serde_json::{json, Value};

pub fn promotion(g: &Gen, id: u64) -> Value {
    let names = [
        "Verano 10%",
        "Envío gratis sobre $50",
        "2x1 en tazas ☕",
        "Black Friday",
        "Clientes VIP",
    ];
    let name = names[((id - 1) % 5) as usize];
    let begins = PRODUCT_T0 + id * 86_400 * 30;
    json!({"id": id, "name": name, "status": if id.is_multiple_of(2) { "expired" } else { "active" }, "enabled": id != 4,
           "discount_target": (["order", "shipping", "buy_x_get_y", "order", "categories"][((id - 1) % 5) as usize]),
           "condition_price": if id == 2 { money(5_000) } else { Value::Null }, "condition_qty": if id == 3 { json!(2) } else { Value::Null },
           "quantity_x": if id == 3 { json!(1) } else { Value::Null },
           "discount_amount_fix": if id == 4 { money(1_999) } else { Value::Null },
           "discount_amount_percent": if id == 4 { Value::Null } else { num("10.5") },
           "lasts": if id.is_multiple_of(2) { "date" } else { "none" }, "begins_at": ts(begins),
           "expires_at": if id.is_multiple_of(2) { json!(ts(begins + 86_400 * 7)) } else { Value::Null },
           "times_used": id * 13, "max_times_used": if id == 5 { json!(100) } else { Value::Null }, "cumulative": id == 1,
           "categories": if id == 5 && g.categories > 0 { json!([{"id": 1}]) } else { json!([]) },
           "customer_categories": if id == 5 && g.customer_categories > 0 { json!([{"id": 2}]) } else { json!([]) },
           "products": if id == 3 && g.products > 0 { json!([{"id": 1}]) } else { json!([]) },
           "products_x": if id == 3 && g.products > 0 { json!([{"id": 1}]) } else { json!([]) },
           "coupons": if id == 1 { json!([{"id": 1, "code": "VERANO10", "usage_limit": 500, "times_used": 13}]) } else { json!([]) },
           "countries": if id == 2 { json!(["CL", "PT"]) } else { json!([]) }, "regions": [], "municipalities": []})
}

pub fn page(_g: &Gen, id: u64) -> Value {
    let titles = [
        "Sobre nosotros",
        "Términos y condiciones",
        "Política de privacidade",
        "Preguntas frecuentes ❓",
        "Blog: recetas con mate",
        "常见问题",
    ];
    let t = titles[((id - 1) % 6) as usize];
    json!({"id": id, "title": t, "body": format!("<h1>{}</h1><p>Contenido de la página {} — con acentos, ñ y emoji 🌎.</p>", t, id),
           "status": (["public", "public", "draft", "hidden", "public", "draft"][((id - 1) % 6) as usize]), "legal": id == 2 || id == 3,
           "page_title": if id.is_multiple_of(2) { Value::Null } else { json!(t) }, "meta_description": null,
           "categories": if id == 5 { json!([{"position": 1, "id": 1, "name": "Blog"}]) } else { json!([]) },
           "template": {"id": 1, "name": "page"}, "permalink": crate::data::slug(t),
           "image": if id.is_multiple_of(3) { Value::Null } else { json!({"id": id * 10 + 1, "url": format!("https://cdn.jumpseller.com/sandbox/pages/{}/1.png", id)}) }})
}

pub fn payment_method(id: u64) -> Value {
    let m = [
        ("manual", "Transferencia bancaria"),
        ("mercado_pago", "Mercado Pago"),
        ("paypal", "PayPal"),
        ("webpay_cl", "Webpay Plus"),
    ];
    let (t, n) = m[((id - 1) % 4) as usize];
    json!({"id": id, "type": t, "name": n})
}

pub fn shipping_method(id: u64) -> Value {
    match id {
        1 => {
            json!({"id": 1, "type": "flat", "name": "Envío a domicilio 🚚", "enabled": true, "free_shipping": false,
                    "free_shipping_minimum_purchase": false, "fee": [{"type": "fixed", "value": money(2_990)}], "callback_url": null,
                    "fetch_services_url": null, "state": null, "city": null, "postal": null, "services": [], "tables": []})
        }
        2 => {
            json!({"id": 2, "type": "tables", "name": "Despacho por peso", "enabled": true, "free_shipping": false,
                    "free_shipping_minimum_purchase": false, "fee": [], "callback_url": null, "fetch_services_url": null,
                    "state": null, "city": null, "postal": null, "services": [],
                    "tables": [{"basedon": "weight", "values": {"amount": num("1.5"), "price": money(4_500)},
                                "locations": {"country": "CL", "region": 13, "municipality": "Santiago", "postal_code_range_start": null, "postal_code_range_end": null}}]})
        }
        _ => {
            json!({"id": id, "type": "external", "name": "Courier Externo", "enabled": false, "free_shipping": false,
                    "free_shipping_minimum_purchase": false, "fee": [], "callback_url": "https://shipping.example.com/rates",
                    "fetch_services_url": "https://shipping.example.com/services", "state": "RM", "city": "Santiago", "postal": "7500000",
                    "services": [{"id": 1, "service_name": "Express", "service_code": "EXP", "name": "Express 24h", "enabled": true, "original_service_name": "Express"}],
                    "tables": []})
        }
    }
}

pub fn location(id: u64) -> Value {
    json!({"id": id, "name": if id == 1 { "Bodega Central" } else { "Tienda Providencia" }, "email": format!("local{}@sandbox.example.com", id),
           "active": true, "main": id == 1, "pickup_point": id != 1, "is_stock_origin": true,
           "location_address": {"id": id, "name": "Bodega", "surname": null, "address": "Av. Providencia", "street_number": format!("{}", 1_000 + id),
                                "complement": null, "city": "Santiago", "postal": "7500000", "country": "CL", "region": "RM", "type": "location",
                                "taxid": null, "taxid_type": null, "default": id == 1, "region_format": "state", "municipality": "Providencia",
                                "latitude": num("-33.4263"), "longitude": num("-70.6167")}})
}

pub fn tax(id: u64) -> Value {
    let t = [
        ("IVA", "CL", "0.19"),
        ("IVA Portugal", "PT", "23.0"),
        ("Impuesto fijo bolsas", "CL", "10"),
    ];
    let (n, c, a) = t[((id - 1) % 3) as usize];
    json!({"id": id, "name": n, "country": c, "region": null, "category_id": if id == 3 { json!(1) } else { Value::Null },
           "tax_amount": num(a), "fixed": id == 3, "shipping": id == 1})
}

pub fn custom_field(id: u64) -> Value {
    if id == 1 {
        json!({"id": 1, "label": "Material", "type": "input", "values": [], "product_visibility": true})
    } else {
        json!({"id": id, "label": "Origen", "type": "selection", "values": ["Hecho en Chile 🇨🇱", "Feito no Brasil", "中国制造"], "product_visibility": true})
    }
}

pub fn checkout_custom_field(id: u64) -> Value {
    let f = [
        ("RUT", "input", "billing_shipping"),
        ("Fecha de nacimiento", "text", "contact"),
        ("¿Cómo nos conociste?", "select", "other"),
    ];
    let (l, t, a) = f[((id - 1) % 3) as usize];
    json!({"id": id, "label": l, "type": t, "area": a, "required": id == 1, "position": id, "deletable": id != 1,
           "custom_field_select_options": if t == "select" { json!(["Instagram", "Un amigo", "Google"]) } else { json!([]) }})
}

pub fn hook(id: u64) -> Value {
    json!({"id": id, "name": if id == 1 { Value::Null } else { json!("ERP sync") }, "event": if id == 1 { "order_paid" } else { "product_updated" },
           "url": format!("https://hooks.example.com/jumpseller/{}", id), "created_at": ts(PRODUCT_T0 + id * 86_400)})
}

pub const COUNTRIES: &[(&str, &str)] = &[
    ("CL", "Chile"),
    ("BR", "Brazil"),
    ("PT", "Portugal"),
    ("MX", "Mexico"),
    ("CO", "Colombia"),
    ("ES", "Spain"),
    ("CN", "China"),
];

pub fn regions(cc: &str) -> Vec<(&'static str, &'static str, &'static str)> {
    match cc {
        "CL" => vec![
            ("RM", "Región Metropolitana de Santiago", "CL-RM"),
            ("VS", "Valparaíso", "CL-VS"),
            ("BI", "Biobío", "CL-BI"),
            ("AR", "La Araucanía", "CL-AR"),
        ],
        "BR" => vec![
            ("SP", "São Paulo", "BR-SP"),
            ("RJ", "Rio de Janeiro", "BR-RJ"),
        ],
        "PT" => vec![("11", "Lisboa", "PT-11"), ("13", "Porto", "PT-13")],
        "MX" => vec![("CMX", "Ciudad de México", "MX-CMX")],
        "CO" => vec![("DC", "Bogotá D.C.", "CO-DC")],
        "ES" => vec![("MD", "Madrid", "ES-MD"), ("CT", "Cataluña", "ES-CT")],
        "CN" => vec![("SH", "上海市", "CN-SH")],
        _ => vec![],
    }
}

pub fn municipalities(cc: &str, rc: &str) -> Vec<(&'static str, &'static str)> {
    match (cc, rc) {
        ("CL", "RM") => vec![
            ("13101", "Santiago"),
            ("13123", "Providencia"),
            ("13120", "Ñuñoa"),
            ("13114", "Las Condes"),
        ],
        ("CL", "VS") => vec![("5101", "Valparaíso"), ("5109", "Viña del Mar")],
        _ => vec![("0001", "Centro")],
    }
}
