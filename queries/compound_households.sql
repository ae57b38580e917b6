-- title: 世帯のつながりで見える複合課題（8050・ダブルケア・ヤングケアラー）
-- title_en: Compound needs found through household links (8050, double care, young carers)
-- description: households and cases matching the 8050, double-care and young-carer patterns through household links; the matching cases in two parts that do not overlap: n_coded lists the pattern's code in its own problem list, n_uncoded does not (found only through the link)
-- param: from date 2000-01-01 (first consultation date included; cases outside the range are ignored altogether)
-- param: to date 2100-12-31 (last consultation date included)
-- column: pattern | 類型 | pattern
-- column: n_households | 世帯数 | households
-- column: n_coded | 事例数（課題コード記載あり） | cases listing the pattern's code
-- column: n_uncoded | 事例数（課題コード未記載） | cases without the pattern's code
-- keysum: n_households = n_households_key, n_coded = n_coded_key, n_uncoded = n_uncoded_key
--
-- Why two parts and no column of all the cases: a row that showed all the
-- matching cases next to those without the code would give, by subtraction,
-- the cases with the code -- a count that may be 1..k-1 while both shown
-- columns are >= k.  The parts are disjoint, so each is a count of its own
-- cases and hidden on its own; a reader adds them only when both are shown.
-- (The same rule for any table: a shown count that is a subset of another
-- shown count in its row needs the difference hidden too; this query avoids
-- nested columns instead.)  n_households counts households, not cases, and
-- no case set is the difference of it and a case column.
-- Definitions (ages are at consultation, from the 5-year age band and the
-- under-18 flag, the only age data kept; households are linked by 世帯番号):
--  8050: a household with a case aged 75+ listing 介護 or 認知症 and a case
--        aged 40-64 listing ひきこもり.  The cases = those cases of such
--        households; n_uncoded = of them, the ones not listing 8050問題,
--        n_coded = the ones listing it.
--  ダブルケア: a case listing both 子育て and 介護, or a household with a case
--        listing 子育て and a case listing 介護.  The cases = cases listing
--        both plus the cases listing 子育て or 介護 in such households;
--        n_households = such households (a case listing both but with no
--        household number counts among the cases only); n_uncoded = of the
--        cases, the ones not listing ダブルケア, n_coded = the ones listing it.
--  ヤングケアラー: a case under 18 listing ヤングケアラー, or a case under 18 in
--        a household where another person's case lists 介護 or 障がい.
--        n_households = households of such cases; n_uncoded = of them, the
--        ones not listing ヤングケアラー, n_coded = the ones listing it.
-- A case may match several patterns: the rows do not add up (no totals).
-- Bits of problem_mask: 介護 1<<1, 認知症 1<<2, 障がい 1<<3, 子育て 1<<5,
-- ひきこもり 1<<11, 8050問題 1<<12, ダブルケア 1<<13, ヤングケアラー 1<<14.
-- How: one scan picks the cases that can matter (c); one grouping by
-- household (h) counts, per household, the cases each pattern would count,
-- so 8050 and ダブルケア need no join back to the cases.  Only the cases
-- under 18 are joined to their household, to ask whether another person
-- there has a 介護 or 障がい case.
-- The *_key columns: the sums of the record keys of the units each count
-- counts (their cell keys).  A case's key rides along with it (c, h,
-- young) and is summed as the case is counted; n_coded's is the row's
-- cases' less the uncoded ones'.  The households a row counts are listed
-- once each (hh) and their keys summed.  (Looking up only the keys of the
-- cases counted, from a second list of them, was no faster: the join back
-- from the cases to h costs what the lookups save.)
WITH c AS (  -- the cases that can play a part in some pattern, with their record keys
  SELECT cr.person_id, cr.household_id, cr.age_band_id AS band, cr.minor, cr.problem_mask AS m, k.rkey AS rk
  FROM case_record cr
  JOIN record_key k ON k.unit = 1 AND k.id = cr.case_id
  WHERE cr.consult_date BETWEEN :from AND :to
    AND (cr.problem_mask & ((1 << 1) | (1 << 2) | (1 << 3) | (1 << 5) | (1 << 11) | (1 << 14)) <> 0
         OR cr.minor)
),
h AS (  -- per household: the parts present, and the cases that would count (and their keys)
  SELECT household_id,
         count(*) FILTER (WHERE band >= 16 AND m & ((1 << 1) | (1 << 2)) <> 0) AS elder,
         count(*) FILTER (WHERE band BETWEEN 9 AND 13 AND m & (1 << 11) <> 0) AS midlife,
         count(*) FILTER (WHERE ((band >= 16 AND m & ((1 << 1) | (1 << 2)) <> 0)
                                 OR (band BETWEEN 9 AND 13 AND m & (1 << 11) <> 0))
                                AND m & (1 << 12) = 0) AS uncoded_8050,
         max(m & (1 << 5) <> 0) AS child_rearing,
         max(m & (1 << 1) <> 0) AS care,
         count(*) FILTER (WHERE m & ((1 << 1) | (1 << 5)) <> 0) AS double_cases,
         count(*) FILTER (WHERE m & ((1 << 1) | (1 << 5)) <> 0 AND m & (1 << 13) = 0) AS uncoded_double,
         -- persons with a 介護 or 障がい case: min = max = P means only P
         min(CASE WHEN m & ((1 << 1) | (1 << 3)) <> 0 THEN person_id END) AS cd_min,
         max(CASE WHEN m & ((1 << 1) | (1 << 3)) <> 0 THEN person_id END) AS cd_max,
         -- the record keys of the cases the counts above count, summed alike
         coalesce(sum(rk) FILTER (WHERE (band >= 16 AND m & ((1 << 1) | (1 << 2)) <> 0)
                                  OR (band BETWEEN 9 AND 13 AND m & (1 << 11) <> 0)), 0) AS k_8050,
         coalesce(sum(rk) FILTER (WHERE ((band >= 16 AND m & ((1 << 1) | (1 << 2)) <> 0)
                                         OR (band BETWEEN 9 AND 13 AND m & (1 << 11) <> 0))
                                        AND m & (1 << 12) = 0), 0) AS k_uncoded_8050,
         coalesce(sum(rk) FILTER (WHERE m & ((1 << 1) | (1 << 5)) <> 0), 0) AS k_double,
         coalesce(sum(rk) FILTER (WHERE m & ((1 << 1) | (1 << 5)) <> 0 AND m & (1 << 13) = 0), 0)
           AS k_uncoded_double
  FROM c
  WHERE household_id IS NOT NULL
  GROUP BY household_id
),
young AS (  -- children matching the young-carer pattern (few: only under-18 cases are joined)
  SELECT c.household_id, c.m, c.rk
  FROM c LEFT JOIN h ON h.household_id = c.household_id
  WHERE c.minor
    AND (c.m & (1 << 14) <> 0
         OR (h.cd_min IS NOT NULL AND NOT (h.cd_min = c.person_id AND h.cd_max = c.person_id)))
),
hh(ord, household_id) AS (  -- the households each row counts, for their record keys
  SELECT 1, household_id FROM h WHERE elder > 0 AND midlife > 0
  UNION ALL
  SELECT 2, household_id FROM h WHERE child_rearing AND care
  UNION ALL
  SELECT DISTINCT 3, household_id FROM young WHERE household_id IS NOT NULL
),
hk(ord, n_households_key) AS (
  SELECT hh.ord, sum(k.rkey)
  FROM hh JOIN record_key k ON k.unit = 3 AND k.id = hh.household_id
  GROUP BY hh.ord
),
r(ord, label_ja, label_en, n_households, n_cases, n_uncoded, k_cases, k_uncoded) AS (
  SELECT 1, '8050', '8050',
         count(*), coalesce(sum(elder + midlife), 0), coalesce(sum(uncoded_8050), 0),
         coalesce(sum(k_8050), 0), coalesce(sum(k_uncoded_8050), 0)
  FROM h WHERE elder > 0 AND midlife > 0
  UNION ALL
  SELECT 2, 'ダブルケア', 'Double care',
         (SELECT count(*) FROM h WHERE child_rearing AND care),
         (SELECT coalesce(sum(double_cases), 0) FROM h WHERE child_rearing AND care)
           + (SELECT count(*) FROM c WHERE household_id IS NULL AND m & (1 << 1) <> 0 AND m & (1 << 5) <> 0),
         (SELECT coalesce(sum(uncoded_double), 0) FROM h WHERE child_rearing AND care)
           + (SELECT count(*) FROM c WHERE household_id IS NULL AND m & (1 << 1) <> 0 AND m & (1 << 5) <> 0
                                       AND m & (1 << 13) = 0),
         (SELECT coalesce(sum(k_double), 0) FROM h WHERE child_rearing AND care)
           + (SELECT coalesce(sum(rk), 0) FROM c
              WHERE household_id IS NULL AND m & (1 << 1) <> 0 AND m & (1 << 5) <> 0),
         (SELECT coalesce(sum(k_uncoded_double), 0) FROM h WHERE child_rearing AND care)
           + (SELECT coalesce(sum(rk), 0) FROM c
              WHERE household_id IS NULL AND m & (1 << 1) <> 0 AND m & (1 << 5) <> 0 AND m & (1 << 13) = 0)
  UNION ALL
  SELECT 3, 'ヤングケアラー', 'Young carers',
         count(DISTINCT household_id), count(*), count(*) FILTER (WHERE m & (1 << 14) = 0),
         coalesce(sum(rk), 0), coalesce(sum(rk) FILTER (WHERE m & (1 << 14) = 0), 0)
  FROM young
)
SELECT label(r.label_ja, r.label_en) AS pattern, r.n_households, r.n_cases - r.n_uncoded AS n_coded, r.n_uncoded,
       hk.n_households_key, r.k_cases - r.k_uncoded AS n_coded_key, r.k_uncoded AS n_uncoded_key
FROM r LEFT JOIN hk ON hk.ord = r.ord
ORDER BY r.ord;
