-- The sample app's data (schema.sql first), generated here, deterministic (setseed). The size follows the setting
-- sample_app.scale: 1 gives 1.6M rentals and about 1.57M payments, 12,000 customers (37% of the smallint range
-- their rental.customer_id and payment.customer_id columns hold) and 20,000 films; 0.02 builds in seconds.
--   PGOPTIONS='-c sample_app.scale=1' psql -f schema.sql -f data.sql
-- rental_date and payment_date grow with the row number (append-only history, correlation about 1), from
-- 2022-01-01 to 2022-06-30. Names, emails and titles have mixed case, so lookups use lower() and ILIKE.

create temporary table sample_size as
select greatest(100, round(12000 * s))::int as customers,
       greatest(200, round(20000 * s))::int as films,
       greatest(2000, round(1600000 * s))::int as rentals
from (select current_setting('sample_app.scale')::numeric as s) scale;

select setseed(0.16);

insert into language (name)
select unnest(array['English', 'Italian', 'Japanese', 'Mandarin', 'French', 'German']);

insert into category (name)
select unnest(array['Action', 'Animation', 'Children', 'Classics', 'Comedy', 'Documentary', 'Drama', 'Family',
                    'Foreign', 'Games', 'Horror', 'Music', 'New', 'Sci-Fi', 'Sports', 'Travel']);

insert into country (country) select 'Country ' || n from generate_series(1, 109) n;
insert into city (city, country_id) select 'City ' || n, 1 + n % 109 from generate_series(1, 600) n;

insert into address (address, district, city_id, postal_code, phone)
select n || ' ' || (array['Main', 'Oak', 'Pine', 'Maple', 'Cedar', 'Elm'])[1 + n % 6] || ' Street',
       'District ' || (n % 50), 1 + (n * 7) % 600, lpad((n * 37 % 99999)::text, 5, '0'),
       lpad((n * 7919 % 1000000000)::text, 10, '0')
from generate_series(1, (select customers from sample_size) + 4) n;

insert into staff (first_name, last_name, address_id, email, store_id, username)
values ('Mike', 'Hillyer', 1, 'Mike.Hillyer@sakilastaff.com', 1, 'Mike'),
       ('Jon', 'Stephens', 2, 'Jon.Stephens@sakilastaff.com', 2, 'Jon');
insert into store (manager_staff_id, address_id) values (1, 3), (2, 4);

-- Emails in three spellings (upper, capitalised, lower): a login must compare lower(email). They carry the
-- customer number (pagila's are first.last) so the pgbench workload, which has no string variables, can type one.
insert into customer (store_id, first_name, last_name, email, address_id, active)
select 1 + n % 2, f, l,
       case n % 3 when 0 then 'CUSTOMER' || n || '@SAKILACUSTOMER.ORG' when 1 then 'Customer' || n || '@SakilaCustomer.org'
                  else 'customer' || n || '@sakilacustomer.org' end,
       n + 4, 1
from generate_series(1, (select customers from sample_size)) n,
     lateral (select (array['MARY', 'PATRICIA', 'LINDA', 'BARBARA', 'ELIZABETH', 'JENNIFER', 'MARIA', 'SUSAN',
                            'JOHN', 'ROBERT', 'MICHAEL', 'WILLIAM', 'DAVID', 'RICHARD', 'JOSEPH', 'THOMAS'])
                     [1 + n % 16] as f,
                     (array['SMITH', 'JOHNSON', 'WILLIAMS', 'JONES', 'BROWN', 'DAVIS', 'MILLER', 'WILSON', 'MOORE',
                            'TAYLOR', 'ANDERSON', 'JACKSON', 'WHITE', 'HARRIS', 'MARTIN', 'GARCIA', 'LEWIS'])
                     [1 + (n / 16) % 17] as l) names;

insert into actor (first_name, last_name)
select (array['PENELOPE', 'NICK', 'ED', 'JENNIFER', 'JOHNNY', 'BETTE', 'GRACE', 'MATTHEW', 'JOE', 'CHRISTIAN'])
         [1 + n % 10],
       (array['GUINESS', 'WAHLBERG', 'CHASE', 'DAVIS', 'LOLLOBRIGIDA', 'NICHOLSON', 'MOSTEL', 'JOHANSSON',
              'SWANK', 'GABLE', 'CAGE', 'BERRY', 'WOOD', 'BERGEN', 'OLIVIER', 'COSTNER', 'VOIGHT', 'TORN',
              'FAWCETT', 'TRACY'])[1 + (n / 10) % 20]
from generate_series(1, 200) n;

-- Titles as in pagila (two words), with a number so they stay distinct, in mixed case: searches use ILIKE '%x%'.
insert into film (title, description, release_year, language_id, rental_duration, rental_rate, length,
                  replacement_cost, rating, special_features)
select case n % 2 when 0 then upper(t) else initcap(t) end,
       'A ' || (array['Epic', 'Astounding', 'Fateful', 'Touching', 'Thrilling', 'Boring', 'Emotional'])[1 + n % 7]
         || ' ' || (array['Drama', 'Story', 'Documentary', 'Saga', 'Yarn', 'Panorama', 'Reflection'])[1 + n % 7]
         || ' of a ' || (array['Dentist', 'Cat', 'Database Administrator', 'Astronaut', 'Crocodile', 'Lumberjack',
                               'Monkey', 'Robot', 'Squirrel', 'Teacher'])[1 + (n / 7) % 10]
         || ' who must ' || (array['Chase', 'Defeat', 'Find', 'Meet', 'Outrace', 'Sink', 'Succumb'])[1 + (n / 3) % 7]
         || ' a Boat in ' || (array['Ancient India', 'A Shark Tank', 'The Gulf of Mexico', 'Soviet Georgia',
                                     'A Jet Boat', 'Berlin', 'Nigeria'])[1 + (n / 11) % 7],
       2000 + n % 23, 1 + (n % 100 = 0)::int * (1 + n % 5), 3 + n % 5, (array[0.99, 2.99, 4.99])[1 + n % 3],
       46 + n % 140, 9.99 + (n % 21), (array['G', 'PG', 'PG-13', 'R', 'NC-17'])[1 + n % 5]::mpaa_rating,
       (array['Trailers', 'Commentaries', 'Deleted Scenes', 'Behind the Scenes'])[1 + n % 2 : 2 + n % 3]
from generate_series(1, (select films from sample_size)) n,
     lateral (select (array['Academy', 'Ace', 'Adaptation', 'African', 'Agent', 'Airplane', 'Alabama', 'Aladdin',
                            'Alamo', 'Alaska', 'Ali', 'Alice', 'Alien', 'Alley', 'Alone', 'Amadeus', 'Amelie',
                            'American', 'Amistad', 'Anaconda', 'Analyze', 'Angels', 'Annie', 'Anonymous',
                            'Anthem', 'Antitrust', 'Anything', 'Apache', 'Apocalypse', 'Apollo', 'Arabia',
                            'Arachnophobia', 'Arizona', 'Armageddon', 'Army', 'Arsenic', 'Artist', 'Attacks',
                            'Attraction', 'Autumn'])[1 + n % 40]
                     || ' ' ||
                     (array['Dinosaur', 'Goldfinger', 'Holes', 'Prejudice', 'Egg', 'Sierra', 'Fury', 'Family',
                            'Ending', 'Chamber', 'Trap', 'Wonderland', 'Gaslight', 'Unbreakable', 'Ghost',
                            'Holiday', 'Hunchback', 'Circus', 'Grail', 'Wrath', 'Wind', 'Dragonfly', 'Vertigo',
                            'Resurrection', 'Lust', 'Lover', 'Pride', 'Spice', 'Candles', 'Mob', 'Driver',
                            'Wanda', 'Date', 'Bull', 'Rider', 'Trip', 'Dogma', 'Gold', 'Love', 'Crow'])
                     [1 + (n / 40) % 40]
                     || ' ' || n as t) titles;

insert into film_actor (actor_id, film_id)
select distinct 1 + (f * 7 + k * 31) % 200, f
from generate_series(1, (select films from sample_size)) f, generate_series(1, 5) k;

insert into film_category (film_id, category_id)
select f, 1 + (f * 5) % 16 from generate_series(1, (select films from sample_size)) f;

insert into inventory (film_id, store_id)
select f, 1 + k % 2 from generate_series(1, (select films from sample_size)) f, generate_series(1, 4) k;

-- Rentals in time order over 181 days; the newest 2% are not returned yet (return_date null, the range open).
select setseed(0.61);
insert into rental (rental_date, inventory_id, customer_id, return_date, staff_id, rental_period)
select d, 1 + floor(random() * 4 * z.films)::int, 1 + floor(random() * z.customers)::int, back,
       1 + n % 2, tsrange(d, back)
from sample_size z, generate_series(1, z.rentals) n,
     lateral (select timestamp '2022-01-01' + (n - 1) * (interval '181 days' / z.rentals) as d) rented,
     lateral (select case when n <= z.rentals * 0.98
                          then d + interval '1 hour' * (12 + floor(random() * 228)) end as back) returned;

-- One payment per returned rental, when it came back; in payment_date order, as an application appends them.
select setseed(0.42);
insert into payment (customer_id, staff_id, rental_id, amount, payment_date)
select customer_id, staff_id, rental_id, (array[0.99, 2.99, 4.99, 5.99, 7.99, 9.99, 11.99])[1 + rental_id % 7],
       least(d, timestamp '2022-06-30 23:59:59')
from (select r.*, r.rental_date + interval '1 minute' * floor(random() * 30) as d
      from rental r where r.return_date is not null) paid
order by d;

drop table sample_size;
