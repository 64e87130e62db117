-- A Dexter-style index set for the sample app, for comparison in bench/advisor-sample-app.ts: one single-column
-- B-tree for each column a statement filters or joins on that has no index yet, as a tool does that looks at
-- one filter at a time (no expressions, no partial, composite, covering, BRIN or GIN indexes). Bench setup only.
create index dexter_rental_return_date on rental (return_date);        -- s01, s10, s17, s20
create index dexter_rental_inventory_id on rental (inventory_id);      -- s08, s10
create index dexter_rental_customer_id on rental (customer_id);        -- s08
create index dexter_rental_staff_id on rental (staff_id);              -- s17
create index dexter_customer_email on customer (email);                -- s03 (compared through lower())
create index dexter_customer_store_id on customer (store_id);          -- s16
create index dexter_payment_customer_id on payment (customer_id);      -- s09, s16
create index dexter_payment_amount on payment (amount);                -- s16
create index dexter_inventory_film_id on inventory (film_id);          -- s10
create index dexter_inventory_store_id on inventory (store_id);        -- s10
create index dexter_film_title on film (title);                        -- s07 (ILIKE '%x%')
create index dexter_film_actor_film_id on film_actor (film_id);        -- s11
create index dexter_film_category_category_id on film_category (category_id); -- s12
create index dexter_address_city_id on address (city_id);              -- s14
