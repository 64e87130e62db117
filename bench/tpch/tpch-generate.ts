/**
 * TPC-H data in SQL, following the specification's distributions (clause 4.2.3): the fixed nations and regions,
 * part names from the 92 colours, types, containers, brands and sizes, four suppliers per part, customers of
 * five segments (a third of them without orders), 1-7 lines per order with ship, commit and receipt dates,
 * return flags and line statuses against CURRENTDATE 1995-06-17, prices from the specification's formula, and the
 * comment words the queries look for. Values come from a hash of the row key, so every run loads the same data.
 * Order keys are dense (the specification leaves gaps); nothing in the queries depends on the gaps.
 */

const COLOURS =
  "almond antique aquamarine azure beige bisque black blanched blue blush brown burlywood burnished chartreuse chiffon chocolate coral cornflower cornsilk cream cyan dark deep dim dodger drab firebrick floral forest frosted gainsboro ghost goldenrod green grey honeydew hot indian ivory khaki lace lavender lawn lemon light lime linen magenta maroon medium metallic midnight mint misty moccasin navajo navy olive orange orchid pale papaya peach peru pink plum powder puff purple red rose rosy royal saddle salmon sandy seashell sienna sky slate smoke snow spring steel tan thistle tomato turquoise violet wheat white yellow";
const WORDS =
  "furiously quickly carefully blithely slyly fluffily regular final express special pending bold ironic even silent ruthless requests packages deposits accounts theodolites instructions pinto beans foxes ideas dependencies excuses platelets asymptotes courts dolphins sleep wake nag haggle cajole use boost affix detect integrate maintain are";
const NATIONS: Array<[string, number]> = [
  ["ALGERIA", 0],
  ["ARGENTINA", 1],
  ["BRAZIL", 1],
  ["CANADA", 1],
  ["EGYPT", 4],
  ["ETHIOPIA", 0],
  ["FRANCE", 3],
  ["GERMANY", 3],
  ["INDIA", 2],
  ["INDONESIA", 2],
  ["IRAN", 4],
  ["IRAQ", 4],
  ["JAPAN", 2],
  ["JORDAN", 4],
  ["KENYA", 0],
  ["MOROCCO", 0],
  ["MOZAMBIQUE", 0],
  ["PERU", 1],
  ["CHINA", 2],
  ["ROMANIA", 3],
  ["SAUDI ARABIA", 4],
  ["VIETNAM", 2],
  ["RUSSIA", 3],
  ["UNITED KINGDOM", 3],
  ["UNITED STATES", 1],
];
const REGIONS = ["AFRICA", "AMERICA", "ASIA", "EUROPE", "MIDDLE EAST"];

const array = (words: string) =>
  `array[${words
    .split(" ")
    .map((w) => `'${w}'`)
    .join(",")}]`;

/** The statements that load TPC-H at scale factor `sf`, in order. Helper functions are dropped at the end. */
export function tpchLoadStatements(sf: number): Array<[label: string, sql: string]> {
  const P = Math.round(200_000 * sf);
  const S = Math.round(10_000 * sf);
  const C = Math.round(150_000 * sf);
  const O = Math.round(1_500_000 * sf);
  const r = (key: string, salt: number, lo: number, hi: number) => `tpch_rand(${key}, ${salt}, ${lo}, ${hi})`;
  const pick = (list: string, key: string, salt: number) =>
    `(${list})[1 + tpch_rand(${key}, ${salt}, 0, array_length(${list}, 1) - 1)]`;
  const text = (key: string, salt: number, words: number) =>
    `(select string_agg(${pick(array(WORDS), `${key} * 13 + w`, salt)}, ' ') from generate_series(1, ${words}) w)`;
  const orderdate = (key: string) => `(date '1992-01-01' + ${r(key, 41, 0, 2405)}::int)`;
  return [
    [
      "helpers",
      `create function tpch_rand(k bigint, salt int, lo bigint, hi bigint) returns int
         language sql immutable parallel safe as $$ select (lo + abs(hashint8(k * 104729 + salt)::bigint) % (hi - lo + 1))::int $$`,
    ],
    [
      "region",
      `insert into region select k - 1, r, 'region ' || r from unnest(${array(REGIONS.join(" ").replace("MIDDLE EAST", "MIDDLE_EAST"))}) with ordinality t(r, k)`,
    ],
    ["region names", "update region set r_name = 'MIDDLE EAST' where r_name = 'MIDDLE_EAST'"],
    [
      "nation",
      `insert into nation values ${NATIONS.map(([n, reg], i) => `(${i}, '${n}', ${reg}, 'nation ${n.toLowerCase()}')`).join(", ")}`,
    ],
    [
      `part (${P.toLocaleString("en-US")})`,
      `insert into part select k,
         (select string_agg(c, ' ') from (select ${pick(array(COLOURS), "k * 7 + n", 1)} as c from generate_series(1, 5) n) w),
         'Manufacturer#' || m, 'Brand#' || m || ${r("k", 3, 1, 5)},
         ${pick(array("STANDARD SMALL MEDIUM LARGE ECONOMY PROMO"), "k", 4)} || ' ' || ${pick(array("ANODIZED BURNISHED PLATED POLISHED BRUSHED"), "k", 5)} || ' ' || ${pick(array("TIN NICKEL BRASS STEEL COPPER"), "k", 6)},
         ${r("k", 7, 1, 50)}, ${pick(array("SM LG MED JUMBO WRAP"), "k", 8)} || ' ' || ${pick(array("CASE BOX BAG JAR PKG PACK CAN DRUM"), "k", 9)},
         (90000 + ((k / 10) % 20001) + 100 * (k % 1000)) / 100.0, left(repeat(md5(k::text), 7), ${r("k", 10, 5, 22)})
       from generate_series(1, ${P}) k, lateral (select ${r("k", 2, 1, 5)} as m) mm`,
    ],
    [
      `supplier (${S.toLocaleString("en-US")})`,
      `insert into supplier select k, 'Supplier#' || lpad(k::text, 9, '0'), left(repeat(md5('a' || k), 7), ${r("k", 11, 10, 40)}), n,
         (n + 10) || '-' || ${r("k", 12, 100, 999)} || '-' || ${r("k", 13, 100, 999)} || '-' || ${r("k", 14, 1000, 9999)},
         ${r("k", 15, -99999, 999999)} / 100.0,
         case when k % 1000 = 7 then 'Customer unhappy Complaints ' when k % 1000 = 11 then 'Customer glad Recommends ' else '' end || ${text("k", 16, 6)}
       from generate_series(1, ${S}) k, lateral (select ${r("k", 17, 0, 24)}::int as n) nn`,
    ],
    [
      "partsupp",
      `insert into partsupp select p, (p + (i * (${S} / 4 + (p - 1) / ${S}))) % ${S} + 1, ${r("p * 4 + i", 18, 1, 9999)},
         ${r("p * 4 + i", 19, 100, 100000)} / 100.0, left(repeat(md5('ps' || p || i), 7), ${r("p * 4 + i", 20, 49, 198)})
       from generate_series(1, ${P}) p, generate_series(0, 3) i`,
    ],
    [
      `customer (${C.toLocaleString("en-US")})`,
      `insert into customer select k, 'Customer#' || lpad(k::text, 9, '0'), left(repeat(md5('c' || k), 7), ${r("k", 21, 10, 40)}), n,
         (n + 10) || '-' || ${r("k", 22, 100, 999)} || '-' || ${r("k", 23, 100, 999)} || '-' || ${r("k", 24, 1000, 9999)},
         ${r("k", 25, -99999, 999999)} / 100.0, ${pick(array("AUTOMOBILE BUILDING FURNITURE MACHINERY HOUSEHOLD"), "k", 26)},
         left(repeat(md5('cc' || k), 7), ${r("k", 27, 29, 116)})
       from generate_series(1, ${C}) k, lateral (select ${r("k", 28, 0, 24)}::int as n) nn`,
    ],
    [
      `lineitem (about ${(O * 4).toLocaleString("en-US")})`,
      `insert into lineitem
       select o, pk, (pk + (i * (${S} / 4 + (pk - 1) / ${S}))) % ${S} + 1, l, q,
              q * (90000 + ((pk / 10) % 20001) + 100 * (pk % 1000)) / 100.0,
              ${r("o * 8 + l", 33, 0, 10)} / 100.0, ${r("o * 8 + l", 34, 0, 8)} / 100.0,
              case when rd <= date '1995-06-17' then ${pick(array("R A"), "o * 8 + l", 35)} else 'N' end,
              case when sd > date '1995-06-17' then 'O' else 'F' end,
              sd, od + ${r("o * 8 + l", 36, 30, 90)}::int, rd,
              ${pick(array("DELIVER_IN_PERSON COLLECT_COD NONE TAKE_BACK_RETURN"), "o * 8 + l", 37)},
              ${pick(array("REG_AIR AIR RAIL SHIP TRUCK MAIL FOB"), "o * 8 + l", 38)},
              left(repeat(md5('l' || o || l), 7), ${r("o * 8 + l", 39, 10, 43)})
         from generate_series(1, ${O}) o
         cross join lateral (select ${orderdate("o")} as od, ${r("o", 42, 1, 7)} as lines) ord
         cross join lateral generate_series(1, ord.lines) l
         cross join lateral (select ${r("o * 8 + l", 30, 1, P)}::int as pk, ${r("o * 8 + l", 31, 0, 3)}::int as i, ${r("o * 8 + l", 32, 1, 50)} as q) li
         cross join lateral (select od + ${r("o * 8 + l", 43, 1, 121)}::int as sd) s
         cross join lateral (select sd + ${r("o * 8 + l", 44, 1, 30)}::int as rd) rr`,
    ],
    [
      "lineitem words",
      "update lineitem set l_shipinstruct = replace(l_shipinstruct, '_', ' '), l_shipmode = replace(l_shipmode, '_', ' ') where l_shipinstruct like '%\\_%' or l_shipmode like '%\\_%'",
    ],
    [
      `orders (${O.toLocaleString("en-US")})`,
      `insert into orders
       select o, case when c % 3 = 0 then c - 1 else c end, case when f = n then 'F' when f = 0 then 'O' else 'P' end, total,
              ${orderdate("o")}, ${pick(array("1-URGENT 2-HIGH 3-MEDIUM 4-NOT_SPECIFIED 5-LOW"), "o", 45)},
              'Clerk#' || lpad(${r("o", 46, 1, Math.max(1, Math.round(1000 * sf)))}::text, 9, '0'), 0,
              case when o % 100 = 3 then 'special requests ' else '' end || ${text("o", 47, 5)}
         from (select l_orderkey as o, sum(l_extendedprice * (1 + l_tax) * (1 - l_discount)) as total,
                      count(*) filter (where l_linestatus = 'F') as f, count(*) as n
                 from lineitem group by l_orderkey) agg,
              lateral (select ${r("o", 48, 2, C)}::int as c) cc`,
    ],
    [
      "order priorities",
      "update orders set o_orderpriority = '4-NOT SPECIFIED' where o_orderpriority = '4-NOT_SPECIFIED'",
    ],
    ["helpers dropped", "drop function tpch_rand(bigint, int, bigint, bigint)"],
  ];
}
