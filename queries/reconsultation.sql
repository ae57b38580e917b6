-- title: 終結後12か月以内の再相談
-- title_en: Re-consultation within 12 months of closure
-- description: for cases closed or suspended with a closing date, by fiscal year of the closing date: how many (n_closed) were followed by a new case of the same person consulted 1 to 365 days after that date (n_again), with the share and a total row
-- share: pct = n_again / n_closed
-- total-row: yes
-- column: closed_fy | 終結年度 | fiscal year of closure
-- column: n_closed | 終結・中断件数 | closed or suspended cases
-- column: n_again | 12か月以内の再相談あり | consulted again within 12 months
-- column: pct | 再相談の割合(%) | share consulted again (%)
-- keysum: n_closed = n_closed_key, n_again = n_again_key
--
-- Same person = same person key (resident number, else name + birth date).
-- "Within 12 months" = the later case's consult_date is after the closing
-- date and at most 365 days after it (a new case opened the very day the
-- earlier one closed is not counted).  Closures of the last 12 months of the
-- data have had less time to be followed up, so their share is lower.
-- Fiscal year of a date: April..March, computed in SQL so the statement also
-- runs in the plain sqlite3 shell.
--
-- How: only persons with two or more cases can come back; they are found
-- from the person index without reading the cases (rep), and their cases are
-- read in one scan (rc; "+person_id" keeps SQLite from fetching them one by
-- one through the index, which is slower than a scan).  A closure counts
-- when the same person has a case consulted in the 365 days after it: a
-- seek into the automatic index SQLite builds on rc(person_id), not a scan.
-- The *_key columns: the sums of the record keys of the closures each count
-- counts (their cell keys).
WITH again AS (  -- closures that were followed by a new consultation in time
  -- runs on the covering index case_person: a scan in person order, one
  -- nearby probe per closure, and the record key of each closure that
  -- counts (CROSS JOIN keeps record_key the inner loop: driven by its
  -- keys, the scan would fetch every case by rowid instead)
  SELECT CAST(substr(a.closed_date, 1, 4) AS INTEGER) - (substr(a.closed_date, 6, 2) < '04') AS fy,
         count(*) AS n, sum(k.rkey) AS n_key
  FROM case_record a
  CROSS JOIN record_key k ON k.unit = 1 AND k.id = a.case_id
  WHERE a.status_id IN (2, 3) AND a.closed_date IS NOT NULL  -- 終結, 中断
    AND EXISTS (SELECT 1 FROM case_record b
                WHERE b.person_id = a.person_id
                  AND b.consult_date > a.closed_date
                  AND b.consult_date <= date(a.closed_date, '+365 days'))
  GROUP BY 1
),
closed AS (  -- every closure
  SELECT CAST(substr(c.closed_date, 1, 4) AS INTEGER) - (substr(c.closed_date, 6, 2) < '04') AS fy,
         count(*) AS n, sum(k.rkey) AS n_key
  FROM case_record c
  JOIN record_key k ON k.unit = 1 AND k.id = c.case_id
  WHERE c.status_id IN (2, 3) AND c.closed_date IS NOT NULL
  GROUP BY 1
),
body AS (
  SELECT closed.fy AS ord, label(closed.fy || '年度', 'FY' || closed.fy) AS closed_fy,
         closed.n AS n_closed, coalesce(again.n, 0) AS n_again, closed.n_key AS n_closed_key,
         again.n_key AS n_again_key
  FROM closed LEFT JOIN again ON again.fy = closed.fy
  UNION ALL
  SELECT 99999, label('合計', 'Total'),
         (SELECT coalesce(sum(n), 0) FROM closed), (SELECT coalesce(sum(n), 0) FROM again),
         (SELECT sum(n_key) FROM closed), (SELECT sum(n_key) FROM again)
)
SELECT closed_fy, n_closed, n_again, round(100.0 * n_again / n_closed, 1) AS pct, n_closed_key, n_again_key
FROM body
ORDER BY ord;
