-- 0007_records.sql -- indexes for the pages of GET .../records, which
-- are keyset pages ("the rows after this one"): each page must start
-- where the last one stopped instead of scanning up to it, or a walk
-- through a million observations costs a million rows per page.
--
-- Row order needs nothing: the primary key is (version, row). A filter
-- on a territory in row order does: without this index SQLite walks
-- the whole version in row order looking for the territory's few rows
-- (0.1-0.6 s a page on 1M rows), with it it reads just them. The
-- observation_territory index of 0002 orders them by period instead.
CREATE INDEX observation_territory_row ON observation (version, territory, row);

-- Sorting by period (sort=period, sort=-period: "the latest first") and
-- filtering on one period. An index of a WITHOUT ROWID table ends with
-- the primary key, so this one is (version, period, row): the keyset
-- (period, row) of those pages, read in order from where the last ended.
CREATE INDEX observation_period ON observation (version, period);
