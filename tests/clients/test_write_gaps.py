"""The API's former write gaps through pyodbc and unixODBC: an image's
position, stock per location, group membership (tables), and shipping-rate
quotes (a stored procedure, with parameter markers), each checked against the
sandbox's own answers, with its request count and its errors."""

from decimal import Decimal

import pyodbc
import pytest


@pytest.fixture
def box(start_sandbox):
    """A private sandbox (these tests write) and an autocommit connection."""
    sb = start_sandbox()
    conn = pyodbc.connect(sb.conn_str(), autocommit=True)
    yield sb, conn
    conn.close()


def sent(sb, route):
    return sb.stats()["by_route"].get(route, 0)


def refused(sb, cur, sql, state, *params):
    """The statement fails with `state` and sends no write."""
    sb.reset()
    with pytest.raises(pyodbc.Error) as e:
        cur.execute(sql, *params)
    assert e.value.args[0] == state, e.value.args
    writes = {k: v for k, v in sb.stats()["by_route"].items() if k.split(" ")[0] in ("POST", "PUT", "DELETE")}
    assert writes == {}, f"{sql} wrote {writes}"
    return str(e.value.args[1])


def test_image_position(box):
    sb, conn = box
    cur = conn.cursor()
    product = next(p for p in range(1, 30) if len(sb.api_get(f"/products/{p}.json")["product"]["images"]) >= 2)
    images = sb.api_get(f"/products/{product}.json")["product"]["images"]
    last = max(images, key=lambda i: i["position"])["id"]
    sb.reset()
    cur.execute("UPDATE ProductImages SET position = ? WHERE product_id = ? AND id = ?", 1, product, last)
    assert cur.rowcount == 1
    assert sent(sb, "PUT /products/{id}/images/{id}.json") == 1
    now = {i["id"]: i["position"] for i in sb.api_get(f"/products/{product}.json")["product"]["images"]}
    assert now[last] == 1 and sorted(now.values()) == list(range(1, len(images) + 1)), now
    m = refused(sb, cur, "UPDATE ProductImages SET url = ? WHERE product_id = ? AND id = ?", "HYC00",
                "https://x.example/i.png", product, last)
    assert "ProductImages.url" in m and "position" in m, m


def test_stock_per_location(box):
    sb, conn = box
    cur = conn.cursor()
    rows = cur.execute("SELECT product_id, variant_id FROM ProductLocations WHERE product_id = ? AND location_id = 1",
                       3).fetchall()
    sb.reset()
    cur.execute("UPDATE ProductLocations SET stock = ? WHERE product_id = ? AND location_id = ?", 321, 3, 1)
    assert cur.rowcount == len(rows)
    assert sent(sb, "PUT /products_locations") == len(rows)
    api = sb.api_get("/products_locations?location_ids=1&product_ids=3")
    assert len(api) == len(rows) and all(r["stock"] == 321 for r in api), api
    # The API's own refusal (its 400): 23000 with its text; the stock stays.
    with pytest.raises(pyodbc.Error) as e:
        cur.execute("UPDATE ProductLocations SET stock = -1 WHERE product_id = 3 AND location_id = 1")
    assert e.value.args[0] == "23000" and "negative" in str(e.value.args[1]), e.value.args
    assert all(r["stock"] == 321 for r in sb.api_get("/products_locations?location_ids=1&product_ids=3"))
    refused(sb, cur, "UPDATE ProductLocations SET location_id = 2 WHERE product_id = 3 AND location_id = 1", "HYC00")


def test_group_membership(box):
    sb, conn = box
    cur = conn.cursor()
    members = lambda: {c["customer"]["id"] for c in sb.api_get("/customer_categories/2/customers.json?limit=100")}  # noqa: E731
    outsider = next(c for c in range(1, 60) if c not in members())
    sb.reset()
    cur.execute("INSERT INTO CustomerCategoryCustomers (customer_category_id, customer_id) VALUES (?, ?)", 2, outsider)
    assert cur.rowcount == 1
    assert sent(sb, "POST /customer_categories/{id}/customers.json") == 1
    assert outsider in members()
    m = refused(sb, cur, "INSERT INTO CustomerCategoryCustomers (customer_category_id, customer_id, phone) "
                "VALUES (2, 1, '+56')", "HYC00")
    assert "phone" in m, m
    cur.execute("DELETE FROM CustomerCategoryCustomers WHERE customer_category_id = 2 AND customer_id = ?", outsider)
    assert outsider not in members()


def test_shipping_rates_procedure(box):
    sb, conn = box
    cur = conn.cursor()
    sb.reset()
    rows = cur.execute("{call GetShippingRates(?, ?, @PackagesDimensions = ?)}", 1, None,
                       '[{"length": 20, "width": 10, "height": 5, "weight": 4}]').fetchall()
    assert sent(sb, "POST /fulfillments/rates.json") == 1
    assert [d[0] for d in cur.description] == ["fulfillment_company", "service_label", "service_type", "amount"]
    assert len(rows) == 2 and all(isinstance(r.amount, Decimal) for r in rows)
    light = cur.execute("EXEC GetShippingRates @LocationId = ?", 1).fetchall()
    assert rows[0].amount > light[0].amount
    names = [(c.column_name, c.column_type) for c in cur.procedureColumns(procedure="GetShippingRates")]
    assert names[0] == ("LocationId", 1) and ("amount", 3) in names, names
    with pytest.raises(pyodbc.Error) as e:
        cur.execute("{call GetShippingRates(?)}", None)
    assert e.value.args[0] == "42000" and "LocationId" in str(e.value.args[1])
    with pytest.raises(pyodbc.Error) as e:
        cur.execute("{call GetShippingRates(?)}", "one")
    assert e.value.args[0] == "22018"
