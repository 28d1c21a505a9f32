#!/usr/bin/env python3
"""Which GET operations of the official OpenAPI document a schema profile reaches.

    python3 docs/coverage.py [--profile src/schema/jumpseller.json]
                             [--openapi ../shared/jumpseller-openapi.json] [--tables]

Every route of the profile is collected: each table's source list (or its
parent's sub-resource list), `get`, `count`, and every pushdown's `list` and
`count`. Paths are compared with the document's after replacing every
`{placeholder}` by `{}` and dropping query strings. A GET operation counts as
reachable when some route of the profile is that path. The rest are listed
with the reason they are not reached (REASONS below; an unexplained one makes
the script exit 1, so a new endpoint in the document cannot go unnoticed).

With --tables, prints the table list (endpoints and pushdown per table) as
Markdown instead.
"""
import argparse, json, os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))

# Why an operation is not reached. "equivalent" = its data is in a table through
# another route; "engine" = the engine would need a feature it lacks; "scope" =
# not store data / not a read of rows.
REASONS = {
    '/products/{}/variants.json': ('equivalent', 'ProductVariants reads the product\'s variants array (WHERE product_id = ? uses GET /products/{id}.json)'),
    '/products/{}/images.json': ('equivalent', 'ProductImages reads the product\'s images array (WHERE product_id = ? uses GET /products/{id}.json)'),
    '/products/{}/variants/{}.json': ('engine', 'two path keys (product id + variant id); ProductVariants WHERE product_id = ? AND id = ? costs one request anyway'),
    '/products/{}/images/{}.json': ('engine', 'two path keys; ProductImages WHERE product_id = ? costs one request'),
    '/products/{}/options/{}.json': ('engine', 'two path keys; ProductOptions WHERE product_id = ? costs one request'),
    '/products/{}/options/{}/values.json': ('engine', 'two path keys (product id + option id): the engine routes one value. ProductOptionValues explodes the values array of /products/{id}/options.json instead'),
    '/products/{}/options/{}/values/{}.json': ('engine', 'three path keys'),
    '/products/{}/attachments/{}.json': ('engine', 'two path keys; ProductAttachments WHERE product_id = ? costs one request'),
    '/products/{}/digital_products/{}.json': ('engine', 'two path keys; ProductDigitalProducts WHERE product_id = ? costs one request'),
    '/products/{}/variants/count.json': ('engine', 'count of a sub-resource: the engine only counts whole tables or pushdown routes whose predicate it consumes'),
    '/products/{}/images/count.json': ('engine', 'count of a sub-resource (as above)'),
    '/products/{}/options/count.json': ('engine', 'count of a sub-resource (as above)'),
    '/products/{}/options/{}/values/count.json': ('engine', 'count of a sub-resource with two path keys'),
    '/products/{}/attachments/count.json': ('engine', 'count of a sub-resource (as above)'),
    '/products/{}/digital_products/count.json': ('engine', 'count of a sub-resource (as above)'),
    '/products/{}/fields/count.json': ('engine', 'count of a sub-resource (as above)'),
    '/pages/{}/images/count.json': ('engine', 'count of a sub-resource (as above)'),
    '/products/category/{}/count.json': ('engine', 'ProductCategories.category_id is answered by /products/category/{id}.json, which returns whole products (a superset SQLite re-filters), so a count from it would not be the count of the rows'),
    '/products/search.json': ('engine', 'free-text search (query=...): no SQL predicate maps onto it; would need LIKE/MATCH pushdown or hidden parameter columns'),
    '/orders/search.json': ('engine', 'free-text search (as above); its filters (status_filters[], dateFilter) would need value transformation (timestamp -> date) to be pushed down safely'),
    '/customers/search.json': ('engine', 'free-text search (as above)'),
    '/customers/{}/orders.json': ('engine', 'as a pushdown for Orders.customer_id it makes SQLite plan Customers JOIN Orders as one request per customer (measured: 152 requests instead of 16 on the sandbox): the engine batches keyed lookups into one read of the table only for get and via_parent routes. Add it in a user profile when single-customer queries matter more (docs/profile.md)'),
    '/customers/{}/orders/status/{}.json': ('engine', 'two path keys (customer id + status)'),
    '/customers/{}/fields/{}': ('engine', 'two path keys; CustomerAdditionalFields WHERE customer_id = ? costs one request'),
    '/pages/{}/images/{}.json': ('engine', 'two path keys; PageImages WHERE page_id = ? costs one request'),
    '/custom_fields/{}/select_options/{}.json': ('engine', 'two path keys; CustomFieldSelectOptions WHERE custom_field_id = ? costs one request'),
    '/countries/{}/regions/{}.json': ('engine', 'two path keys; Regions WHERE country_code = ? costs one request'),
    '/countries/{}/regions/{}/municipalities.json': ('engine', 'two path keys (country code + region code): a Municipalities table could neither be scanned (its parent Regions is itself a fan-out child) nor be read for one region'),
    '/products_locations': ('engine', 'needs two lists of keys at once (location_ids AND product_ids are both required): would need a route filled from two tables\' keys, or a fan-out over Products x Locations'),
    '/fulfillments/{}/label.json': ('engine', 'one object per fulfillment (not a list), 400 for fulfillments without a label; a fan-out source cannot declare a single-object sub-resource. Fulfillments.label_url already carries the label link'),
    '/carts/{}.json': ('equivalent', 'a cart is an unfinished order in the order shape: Orders WHERE id = ? answers it through /orders/{id}.json'),
    '/jsapps/{}.json': ('engine', 'filtered by app code, which is not a field of the JsApp rows (only application_id is): no column to put the predicate on'),
    '/apps/{}/install_status.json': ('scope', 'about the calling OAuth app (needs its code), not store data'),
    '/apps/{}/install_status_by_store_id.json': ('scope', 'about the calling OAuth app, not store data'),
    '/apps/{}/billing_cycle_dates.json': ('scope', 'billing of the calling OAuth app, not store data'),
    '/apps/{}/billing_cycle_orders.json': ('scope', 'billing of the calling OAuth app, not store data'),
    '/apps/{}/check_billing_cycle_order.json': ('scope', 'billing of the calling OAuth app, not store data'),
}


def norm(path):
    return re.sub(r'\{[^}]*\}', '{}', path.split('?')[0])


def routes(profile):
    """(normalised path, table, role) for every route of the profile."""
    out = []
    for t in profile['tables']:
        s = t['source']
        if s.get('list'):
            out.append((s['list'], t['name'], 'scan'))
        if s.get('parent') and s['parent'].get('list'):
            out.append((s['parent']['list'], t['name'], f"scan (fan-out over {s['parent']['table']})"))
        if t.get('get'):
            out.append((t['get'], t['name'], 'id = ?'))
        if t.get('count'):
            out.append((t['count'], t['name'], 'COUNT(*)'))
        for pd in t.get('pushdown', []):
            out.append((pd['list'], t['name'], f"{pd['column']} {pd['op']} ?"))
            if pd.get('count'):
                out.append((pd['count'], t['name'], f"COUNT(*) with {pd['column']} {pd['op']} ?"))
    return [(norm(p), t, r) for p, t, r in out]


def coverage(profile, openapi):
    gets = [p for p, ops in openapi['paths'].items() if 'get' in ops]
    used = {}
    for p, t, r in routes(profile):
        used.setdefault(p, []).append(f'{t} ({r})')
    reached = [(p, used[norm(p)]) for p in gets if norm(p) in used]
    missed = [(p, REASONS.get(norm(p))) for p in gets if norm(p) not in used]
    unknown_routes = sorted({p for p in used if p not in {norm(g) for g in gets}})
    return gets, reached, missed, unknown_routes


def print_coverage(profile, openapi):
    gets, reached, missed, unknown = coverage(profile, openapi)
    kinds = {}
    for _, why in missed:
        kinds[why[0] if why else '?'] = kinds.get(why[0] if why else '?', 0) + 1
    print(f'**{len(reached)} of {len(gets)}** GET operations of the document are reached by some table '
          f'({len(missed)} are not: ' + ', '.join(f'{n} {k}' for k, n in sorted(kinds.items())) + ').\n')
    print('| GET operation | reached by |')
    print('|---|---|')
    for p, by in reached:
        print(f'| `{p}` | ' + '; '.join(by) + ' |')
    print('\nNot reached:\n')
    print('| GET operation | kind | why |')
    print('|---|---|---|')
    for p, why in missed:
        print(f'| `{p}` | {why[0] if why else "?"} | {why[1] if why else "NOT EXPLAINED"} |')
    if unknown:
        print('\nProfile routes that are not GET operations of the document: ' + ', '.join(f'`{u}`' for u in unknown))
    return all(why for _, why in missed)


def print_tables(profile):
    print('| table | rows come from | with the key / filters (pushdown) | get / count | primary key | parents (foreign keys) |')
    print('|---|---|---|---|---|---|')
    for t in profile['tables']:
        s = t['source']
        if s.get('list'):
            src = f"`{s['list']}`" + (' (one object)' if s.get('single') else '') + ('' if s.get('paged', True) else ' (not paged)')
        else:
            ps = s['parent']
            if ps.get('array'):
                src = f"`{ps['array']}` array of each {ps['table']} row"
            else:
                src = f"`{ps['list']}` for each {ps['table']} row (fan-out)"
        pds = []
        for pd in t.get('pushdown', []):
            how = []
            if pd.get('via_parent'):
                how.append('parent object')
            if pd.get('sets_parent'):
                how.append('sub-resource')
            if pd.get('exact') is False:
                how.append('superset, SQLite re-filters')
            if pd.get('values'):
                how.append('values ' + '/'.join(pd['values']))
            if pd.get('count'):
                how.append(f"count `{pd['count']}`")
            pds.append(f"`{pd['column']} {pd['op']}` → `{pd['list']}`" + (f" ({', '.join(how)})" if how else ''))
        gc = []
        if t.get('get'):
            gc.append(f"`id =` → `{t['get']}`")
        if t.get('count'):
            gc.append(f"`COUNT(*)` → `{t['count']}`")
        fks = [f"{', '.join(fk['columns'])} → {fk['references']}" for fk in t.get('foreign_keys', [])]
        print(f"| **{t['name']}** | {src} | {'<br>'.join(pds) or '-'} | {'<br>'.join(gc) or '-'} | {', '.join(t['primary_key'])} | {'<br>'.join(fks) or '-'} |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--profile', default=os.path.join(HERE, '..', 'src', 'schema', 'jumpseller.json'))
    ap.add_argument('--openapi', default=os.path.join(HERE, '..', '..', 'shared', 'jumpseller-openapi.json'))
    ap.add_argument('--tables', action='store_true')
    a = ap.parse_args()
    profile = json.load(open(a.profile))
    if a.tables:
        print_tables(profile)
        return 0
    return 0 if print_coverage(profile, json.load(open(a.openapi))) else 1


if __name__ == '__main__':
    sys.exit(main())
