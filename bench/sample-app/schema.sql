-- The sample app: a trimmed copy of pagila's schema.
--
-- pagila is the PostgreSQL port of MySQL's Sakila sample database (https://github.com/devrimgunduz/pagila,
-- PostgreSQL licence; Sakila (c) Oracle, BSD licence). Kept from pagila: the tables below, their column types and
-- names, payment range-partitioned by month on payment_date (pagila's payment_p2022_01 ...), smallint foreign-key
-- columns that reference integer keys (film.language_id, inventory.film_id, rental.customer_id, payment.customer_id,
-- customer.address_id, ...), and the unique index on rental (rental_date, inventory_id, customer_id).
-- Left out on purpose, as the traps an index review should find: pagila's idx_fk_* indexes on the foreign-key
-- columns, its title and last-name indexes, and every text-search index. Added: rental.rental_period, the rental
-- as a range (pagila's temporal setup has one), so a statement can order by lower(rental_period).
-- Views, functions, triggers, staff pictures and film.fulltext are not needed by the workload and are not here.

create extension if not exists pg_stat_statements;
create extension if not exists hypopg;

create type mpaa_rating as enum ('G', 'PG', 'PG-13', 'R', 'NC-17');

create table language (
  language_id serial primary key,
  name character(20) not null,
  last_update timestamp without time zone not null default now()
);

create table category (
  category_id serial primary key,
  name character varying(25) not null,
  last_update timestamp without time zone not null default now()
);

create table country (
  country_id serial primary key,
  country character varying(50) not null,
  last_update timestamp without time zone not null default now()
);

create table city (
  city_id serial primary key,
  city character varying(50) not null,
  country_id smallint not null references country (country_id),
  last_update timestamp without time zone not null default now()
);

create table address (
  address_id serial primary key,
  address character varying(50) not null,
  address2 character varying(50),
  district character varying(20) not null,
  city_id smallint not null references city (city_id),
  postal_code character varying(10),
  phone character varying(20) not null,
  last_update timestamp without time zone not null default now()
);

create table staff (
  staff_id serial primary key,
  first_name character varying(45) not null,
  last_name character varying(45) not null,
  address_id smallint not null references address (address_id),
  email character varying(50),
  store_id smallint not null,
  active boolean not null default true,
  username character varying(16) not null,
  password character varying(40),
  last_update timestamp without time zone not null default now()
);

create table store (
  store_id serial primary key,
  manager_staff_id smallint not null references staff (staff_id),
  address_id smallint not null references address (address_id),
  last_update timestamp without time zone not null default now()
);

create table customer (
  customer_id serial primary key,
  store_id smallint not null references store (store_id),
  first_name character varying(45) not null,
  last_name character varying(45) not null,
  email character varying(50),
  address_id smallint not null references address (address_id),
  activebool boolean not null default true,
  create_date date not null default current_date,
  last_update timestamp without time zone default now(),
  active integer
);

create table actor (
  actor_id serial primary key,
  first_name character varying(45) not null,
  last_name character varying(45) not null,
  last_update timestamp without time zone not null default now()
);

create table film (
  film_id serial primary key,
  title character varying(255) not null,
  description text,
  release_year integer check (release_year between 1901 and 2155),
  language_id smallint not null references language (language_id),
  original_language_id smallint references language (language_id),
  rental_duration smallint not null default 3,
  rental_rate numeric(4, 2) not null default 4.99,
  length smallint,
  replacement_cost numeric(5, 2) not null default 19.99,
  rating mpaa_rating default 'G',
  last_update timestamp without time zone not null default now(),
  special_features text[]
);

create table film_actor (
  actor_id smallint not null references actor (actor_id),
  film_id smallint not null references film (film_id),
  last_update timestamp without time zone not null default now(),
  primary key (actor_id, film_id)
);

create table film_category (
  film_id smallint not null references film (film_id),
  category_id smallint not null references category (category_id),
  last_update timestamp without time zone not null default now(),
  primary key (film_id, category_id)
);

create table inventory (
  inventory_id serial primary key,
  film_id smallint not null references film (film_id),
  store_id smallint not null references store (store_id),
  last_update timestamp without time zone not null default now()
);

create table rental (
  rental_id serial primary key,
  rental_date timestamp without time zone not null,
  inventory_id integer not null references inventory (inventory_id),
  customer_id smallint not null references customer (customer_id),
  return_date timestamp without time zone,
  staff_id smallint not null references staff (staff_id),
  rental_period tsrange,
  last_update timestamp without time zone not null default now()
);
create unique index idx_unq_rental_rental_date_inventory_id_customer_id
  on rental (rental_date, inventory_id, customer_id);

create table payment (
  payment_id serial not null,
  customer_id smallint not null references customer (customer_id),
  staff_id smallint not null references staff (staff_id),
  rental_id integer not null references rental (rental_id),
  amount numeric(5, 2) not null,
  payment_date timestamp without time zone not null,
  primary key (payment_date, payment_id)
) partition by range (payment_date);

create table payment_p2022_01 partition of payment for values from ('2022-01-01') to ('2022-02-01');
create table payment_p2022_02 partition of payment for values from ('2022-02-01') to ('2022-03-01');
create table payment_p2022_03 partition of payment for values from ('2022-03-01') to ('2022-04-01');
create table payment_p2022_04 partition of payment for values from ('2022-04-01') to ('2022-05-01');
create table payment_p2022_05 partition of payment for values from ('2022-05-01') to ('2022-06-01');
create table payment_p2022_06 partition of payment for values from ('2022-06-01') to ('2022-07-01');
-- New payments (the workload's INSERTs) land here; the generated history ends on 2022-06-30.
create table payment_p2022_07 partition of payment for values from ('2022-07-01') to ('2022-08-01');
