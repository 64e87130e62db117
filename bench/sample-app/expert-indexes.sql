-- An expert's index set for the sample app's workload (bench/sample-app/workload.ts), written by hand from its 20
-- statements and the data's shape, to measure dbopt's advice against (bench/advisor-sample-app.ts). Bench setup,
-- not user advice: plain CREATE INDEX (no CONCURRENTLY), and on the partitioned payment table a plain CREATE INDEX
-- on the parent, which builds and attaches one index per partition in one step.
-- Already there and kept: every primary key, payment's (payment_date, payment_id) on each partition, and pagila's
-- unique rental (rental_date, inventory_id, customer_id). Those serve s05, s06 and s13 (payment_date ranges, pruned
-- to one or two partitions, then the key's payment_date prefix) and s17's neighbours; nothing is added for them.
-- Left without an index on purpose: s02 (the N+1 loop: customer's primary key already answers each call, the
-- cure is one = ANY($1) query in the application), s13 (a whole month is a whole partition: a sequential scan is
-- the right plan), s14 (address has 12,000 rows and runs once per 45 transactions), s15 (primary keys).

-- s01 overdue rentals, oldest first: WHERE return_date IS NULL ORDER BY rental_date LIMIT 50. Without it the
-- planner walks the unique index from the oldest rental and filters out the 98% that came back. Partial, because
-- the constant IS NULL repeats in every call: the index holds the 2% open rentals only.
create index rental_open_by_date on rental (rental_date) where return_date is null;

-- s10 copies in stock: NOT EXISTS (SELECT 1 FROM rental r WHERE r.inventory_id = i.inventory_id AND
-- r.return_date IS NULL). The same open-rentals predicate, keyed by inventory_id: a probe per copy into 2% of the
-- rows instead of a hash of the whole rental table.
create index rental_open_by_inventory on rental (inventory_id) where return_date is null;

-- s10 again, its outer side: inventory WHERE film_id = $1 AND store_id = $2; both equalities in one key.
create index inventory_film_store on inventory (film_id, store_id);

-- s03 login: WHERE lower(email) = lower($1). A B-tree on email cannot answer lower(email); the expression can.
create index customer_lower_email on customer (lower(email));

-- s04 latest rentals: ORDER BY lower(r.rental_period) DESC LIMIT 50. An index on the expression gives the order,
-- so the top 50 are read from its end instead of sorting 1.6M computed values.
create index rental_period_start on rental (lower(rental_period));

-- s08 a customer's rental history: WHERE customer_id = $1 ORDER BY rental_date DESC LIMIT 20. The equality first,
-- then the sort column, so the 20 newest of the customer's ~130 rentals come in order without a sort.
create index rental_customer_date on rental (customer_id, rental_date);

-- s09 a customer's payments (ORDER BY payment_date DESC LIMIT 20) and s16 (EXISTS a payment with amount > 11 for
-- a customer): customer_id, then payment_date for s09's order, amount and payment_id carried for an index-only
-- scan of s09 and s16's filter. On the parent, so every partition gets one.
create index payment_customer_date on payment (customer_id, payment_date) include (amount, payment_id);

-- s07 title search: title ILIKE '%word%'. A leading wildcard defeats any B-tree (its order starts at the first
-- character); a trigram GIN index finds the titles holding the word's trigrams.
create extension if not exists pg_trgm;
create index film_title_trgm on film using gin (title gin_trgm_ops);

-- s11 a film's actors: film_actor WHERE film_id = $1. The primary key starts with actor_id, so it cannot serve a
-- film_id lookup.
create index film_actor_film on film_actor (film_id);

-- s12 films of a category, ORDER BY f.title LIMIT 50: one film in 16 is in a category, so walking film in title
-- order and probing film_category's primary key (film_id, category_id) finds 50 after about 800 films, without
-- reading the category's 1,250 films and sorting them. An index on film_category (category_id) would still sort.
create index film_title on film (title);

-- s17 copies taken back on one day: return_date in a one-day range. Rentals come back 0.5 to 10 days after they
-- start and rows are stored in rental order, so return_date follows the physical order (correlation about 0.99):
-- a BRIN index, a few kB against tens of MB for a B-tree, narrows the scan to the blocks of about ten days. From
-- PostgreSQL 16 it also leaves s20's UPDATE of return_date HOT (a B-tree on return_date would not).
create index rental_return_brin on rental using brin (return_date);
