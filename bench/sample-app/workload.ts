/**
 * The sample app's workload: 20 statements in 7 pgbench scripts, run with the simple protocol (pgbench -M simple)
 * so the statements reach pg_stat_statements as an application's would, every constant normalised to $n
 * (date_trunc($1, ...), SELECT $3 inside EXISTS). pgbench substitutes :name even inside quotes in that mode, which
 * is how a script without string variables types an email or a timestamp.
 *
 * Script weights (pgbench -f script@weight; share of transactions = weight / 45):
 *   nplusone 2  s01 overdue rentals (50 rows), then s02 one customer by id for each of the 50 rows (N+1)
 *   login   10  s03 customer by lower(email)
 *   browse  12  s07 title ILIKE '%word%', s15 film with its language, s11 film's actors, s12 films of a category
 *   account 10  s08 customer's rental history, s09 customer's payments (partitioned table, no index)
 *   rent     6  s10 copies in stock (NOT EXISTS), s18 INSERT rental, s19 INSERT payment
 *   return   4  s20 UPDATE rental set return_date
 *   reports  1  s04 ORDER BY lower(rental_period) LIMIT 50, s05 payments of one hour, s06 date_trunc by day,
 *               s13 top customers of a month, s14 customers of a city, s16 EXISTS big payment, s17 returns of a day
 * 630 transactions (2 clients × 315) give about 28 N+1 parents and 1,400 one-row lookups, as in issue #16.
 */

/** The sizes data.sql generates at a scale (its sample_size table), which the random parameters range over. */
export interface SampleSizes {
  customers: number;
  films: number;
  inventory: number;
  rentals: number;
  /** The first rental not returned yet (the newest 2% are open). */
  openFrom: number;
}

export function sampleSizes(scale: number): SampleSizes {
  const customers = Math.max(100, Math.round(12000 * scale));
  const films = Math.max(200, Math.round(20000 * scale));
  const rentals = Math.max(2000, Math.round(1600000 * scale));
  return { customers, films, inventory: 4 * films, rentals, openFrom: Math.floor(rentals * 0.98) + 1 };
}

type Bound = number | keyof SampleSizes;
/** A pgbench variable: random(lo, hi), another variable plus a constant, or one word of a list. */
type Variable =
  | { random: readonly [Bound, Bound] }
  | { plus: readonly [string, number] }
  | { pick: readonly string[] };

export interface SampleStatement {
  id: string;
  /** What the application asks, in a few words. */
  purpose: string;
  /** SQL with :name placeholders, substituted as text (pgbench's simple protocol). */
  sql: string;
  vars: Record<string, Variable>;
}

const day = { mo: { random: [1, 6] }, dd: { random: [10, 27] }, hh: { random: [10, 22] } } as const;
const july = { dd: { random: [10, 28] }, hh: { random: [10, 22] } } as const;
const customer = { c: { random: [1, "customers"] } } as const;
const film = { f: { random: [1, "films"] } } as const;
const store = { s: { random: [1, 2] } } as const;

export const SAMPLE_STATEMENTS: SampleStatement[] = [
  {
    id: "s01",
    purpose: "overdue rentals, oldest first (the N+1 parent)",
    sql: "SELECT rental_id, customer_id, inventory_id, rental_date FROM rental WHERE return_date IS NULL ORDER BY rental_date LIMIT 50",
    vars: {},
  },
  {
    id: "s02",
    purpose: "one customer by id, once per overdue rental (the N+1 loop)",
    sql: "SELECT first_name, last_name, email FROM customer WHERE customer_id = :c",
    vars: customer,
  },
  {
    id: "s03",
    purpose: "log in by email as typed",
    sql: "SELECT customer_id, store_id, first_name, last_name FROM customer WHERE lower(email) = lower('Customer:c@sakilacustomer.org')",
    vars: customer,
  },
  {
    id: "s04",
    purpose: "latest rentals by their period",
    sql: "SELECT r.rental_id, r.customer_id, r.inventory_id FROM rental r ORDER BY lower(r.rental_period) DESC LIMIT 50",
    vars: {},
  },
  {
    id: "s05",
    purpose: "payments of one hour",
    sql: "SELECT payment_id, customer_id, amount, payment_date FROM payment WHERE payment_date >= '2022-0:mo-:dd :hh:00' AND payment_date < '2022-0:mo-:dd :hh:59'",
    vars: day,
  },
  {
    id: "s06",
    purpose: "revenue per day over a week",
    sql: "SELECT date_trunc('day', payment_date) AS day, count(*), sum(amount) FROM payment WHERE payment_date >= '2022-0:mo-:dd' AND payment_date < '2022-0:mo-:dd2' GROUP BY 1 ORDER BY 1",
    vars: { mo: { random: [1, 6] }, dd: { random: [10, 20] }, dd2: { plus: ["dd", 7] } },
  },
  {
    id: "s07",
    purpose: "search titles for a word",
    sql: "SELECT film_id, title, release_year FROM film WHERE title ILIKE '%:word%' ORDER BY title LIMIT 20",
    vars: { word: { pick: ["dino", "gold", "wonder", "ghost", "circus", "vertigo", "angels", "trap"] } },
  },
  {
    id: "s08",
    purpose: "customer's rental history",
    sql: "SELECT r.rental_id, r.rental_date, f.title FROM rental r JOIN inventory i ON i.inventory_id = r.inventory_id JOIN film f ON f.film_id = i.film_id WHERE r.customer_id = :c ORDER BY r.rental_date DESC LIMIT 20",
    vars: customer,
  },
  {
    id: "s09",
    purpose: "customer's payments",
    sql: "SELECT payment_id, amount, payment_date FROM payment WHERE customer_id = :c ORDER BY payment_date DESC LIMIT 20",
    vars: customer,
  },
  {
    id: "s10",
    purpose: "copies of a film in stock at a store",
    sql: "SELECT i.inventory_id FROM inventory i WHERE i.film_id = :f AND i.store_id = :s AND NOT EXISTS (SELECT 1 FROM rental r WHERE r.inventory_id = i.inventory_id AND r.return_date IS NULL)",
    vars: { ...film, ...store },
  },
  {
    id: "s11",
    purpose: "a film's actors",
    sql: "SELECT a.actor_id, a.first_name, a.last_name FROM actor a JOIN film_actor fa ON fa.actor_id = a.actor_id WHERE fa.film_id = :f",
    vars: film,
  },
  {
    id: "s12",
    purpose: "films of a category",
    sql: "SELECT f.film_id, f.title, f.rental_rate FROM film f JOIN film_category fc ON fc.film_id = f.film_id WHERE fc.category_id = :cat ORDER BY f.title LIMIT 50",
    vars: { cat: { random: [1, 16] } },
  },
  {
    id: "s13",
    purpose: "top customers of a month",
    sql: "SELECT customer_id, sum(amount) AS total FROM payment WHERE payment_date >= '2022-0:mo-01' AND payment_date < '2022-0:mo2-01' GROUP BY customer_id ORDER BY total DESC LIMIT 10",
    vars: { mo: { random: [1, 5] }, mo2: { plus: ["mo", 1] } },
  },
  {
    id: "s14",
    purpose: "customers of a city",
    sql: "SELECT c.customer_id, c.first_name, c.last_name FROM customer c JOIN address a ON a.address_id = c.address_id WHERE a.city_id = :city",
    vars: { city: { random: [1, 600] } },
  },
  {
    id: "s15",
    purpose: "a film with its language",
    sql: "SELECT f.title, f.description, f.rental_rate, l.name AS language FROM film f JOIN language l ON l.language_id = f.language_id WHERE f.film_id = :f",
    vars: film,
  },
  {
    id: "s16",
    purpose: "a store's customers with a big payment",
    sql: "SELECT c.customer_id, c.email FROM customer c WHERE c.store_id = :s AND EXISTS (SELECT 1 FROM payment p WHERE p.customer_id = c.customer_id AND p.amount > 11) ORDER BY c.customer_id LIMIT 20",
    vars: store,
  },
  {
    id: "s17",
    purpose: "copies a clerk took back on one day",
    sql: "SELECT count(*) FROM rental WHERE staff_id = :s AND return_date >= '2022-0:mo-:dd' AND return_date < '2022-0:mo-:dd2'",
    vars: { ...store, mo: { random: [1, 6] }, dd: { random: [10, 27] }, dd2: { plus: ["dd", 1] } },
  },
  {
    id: "s18",
    purpose: "rent a copy",
    sql: "INSERT INTO rental (rental_date, inventory_id, customer_id, staff_id, rental_period) VALUES ('2022-07-:dd :hh:30', :i, :c, :s, tsrange('2022-07-:dd :hh:30', NULL))",
    vars: { ...july, i: { random: [1, "inventory"] }, ...customer, ...store },
  },
  {
    id: "s19",
    purpose: "take the payment",
    sql: "INSERT INTO payment (customer_id, staff_id, rental_id, amount, payment_date) VALUES (:c, :s, :r, 4.99, '2022-07-:dd :hh:31')",
    vars: { ...july, ...customer, ...store, r: { random: [1, "rentals"] } },
  },
  {
    id: "s20",
    purpose: "a copy comes back",
    sql: "UPDATE rental SET return_date = '2022-07-:dd :hh:00', rental_period = tsrange(lower(rental_period), '2022-07-:dd :hh:00') WHERE rental_id = :r AND return_date IS NULL",
    vars: { ...july, r: { random: ["openFrom", "rentals"] } },
  },
];

export interface SampleScript {
  name: string;
  weight: number;
  /** Statement ids in order, with how many times each runs (fresh parameters each time). */
  steps: Array<[id: string, times: number]>;
}

export const SAMPLE_SCRIPTS: SampleScript[] = [
  {
    name: "nplusone",
    weight: 2,
    steps: [
      ["s01", 1],
      ["s02", 50],
    ],
  },
  { name: "login", weight: 10, steps: [["s03", 1]] },
  {
    name: "browse",
    weight: 12,
    steps: [
      ["s07", 1],
      ["s15", 1],
      ["s11", 1],
      ["s12", 1],
    ],
  },
  {
    name: "account",
    weight: 10,
    steps: [
      ["s08", 1],
      ["s09", 1],
    ],
  },
  {
    name: "rent",
    weight: 6,
    steps: [
      ["s10", 1],
      ["s18", 1],
      ["s19", 1],
    ],
  },
  { name: "return", weight: 4, steps: [["s20", 1]] },
  {
    name: "reports",
    weight: 1,
    steps: ["s04", "s05", "s06", "s13", "s14", "s16", "s17"].map((id) => [id, 1] as [string, number]),
  },
];

export function sampleStatement(id: string): SampleStatement {
  const found = SAMPLE_STATEMENTS.find((s) => s.id === id);
  if (!found) throw new Error(`no sample statement ${id}`);
  return found;
}

/** Expected calls of each statement per transaction of the weighted mix: the call weight of the bench. */
export function callsPerTransaction(): Map<string, number> {
  const total = SAMPLE_SCRIPTS.reduce((sum, s) => sum + s.weight, 0);
  const calls = new Map<string, number>();
  for (const script of SAMPLE_SCRIPTS) {
    for (const [id, times] of script.steps) {
      calls.set(id, (calls.get(id) ?? 0) + (script.weight / total) * times);
    }
  }
  return calls;
}

/** A pgbench script: \set lines for each statement's variables, then the statement (\if for a word list). */
export function pgbenchScript(script: SampleScript): string {
  const lines = [`-- sample app: ${script.name} (weight ${script.weight})`];
  for (const [id, times] of script.steps) {
    const statement = sampleStatement(id);
    for (let n = 0; n < times; n++) {
      let picks: Array<[string, readonly string[]]> = [];
      for (const [name, v] of Object.entries(statement.vars)) {
        if ("random" in v) lines.push(`\\set ${name} random(${v.random.map(pgbenchBound).join(", ")})`);
        else if ("plus" in v) lines.push(`\\set ${name} :${v.plus[0]} + ${v.plus[1]}`);
        else {
          lines.push(`\\set ${name}_n random(1, ${v.pick.length})`);
          picks = [...picks, [name, v.pick]];
        }
      }
      if (picks.length > 1) throw new Error(`${id}: one word list per statement`);
      const pick = picks[0];
      if (!pick) {
        lines.push(`${statement.sql};`);
        continue;
      }
      const [name, words] = pick;
      words.forEach((word, i) => {
        lines.push(`${i === 0 ? "\\if" : "\\elif"} :${name}_n = ${i + 1}`);
        lines.push(`${substitute(statement.sql, { [name]: word })};`);
      });
      lines.push("\\endif");
    }
  }
  return `${lines.join("\n")}\n`;
}

function pgbenchBound(bound: Bound): string {
  return typeof bound === "number" ? String(bound) : `:${bound}`;
}

/** Values for a statement's variables, drawn with the given random source, as pgbench would draw them. */
export function drawValues(
  statement: SampleStatement,
  sizes: SampleSizes,
  random: () => number,
): Record<string, string> {
  const values: Record<string, string> = {};
  const bound = (b: Bound) => (typeof b === "number" ? b : sizes[b]);
  for (const [name, v] of Object.entries(statement.vars)) {
    if ("random" in v) {
      const [lo, hi] = v.random.map(bound) as [number, number];
      values[name] = String(lo + Math.floor(random() * (hi - lo + 1)));
    } else if ("plus" in v) values[name] = String(Number(values[v.plus[0]]) + v.plus[1]);
    else values[name] = v.pick[Math.floor(random() * v.pick.length)] ?? "";
  }
  return values;
}

/** The statement as pgbench's simple protocol sends it: each :name that is a variable replaced by its value. */
export function substitute(sql: string, values: Record<string, string>): string {
  return sql.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (whole, name: string) => values[name] ?? whole);
}
