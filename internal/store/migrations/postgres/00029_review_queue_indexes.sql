-- +goose Up
-- The review console's queue at 20,000 open cases (bench/README.md, "Review console at 100k
-- applicants", has the figures before and after).
--
-- Every queue page is headed by the open cases per reason and the oldest one's age
-- (review.Service.Counts: count(*) and min(created_at) by reason). review_cases_queue_reason has
-- no created_at, so SQLite read every open case's row to find it and PostgreSQL scanned the
-- table; review_cases_counts answers it alone (a covering index, an index-only scan).
--
-- The queue filtered by level, or by the person holding the cases ("my cases"), walked the
-- environment's open cases in id order until a page was full: all of them for a level or a person
-- with few cases. These two bound the walk by the filter and keep the page's order.
CREATE INDEX review_cases_counts ON review_cases (env, status, reason, created_at);
CREATE INDEX review_cases_queue_level ON review_cases (env, status, level, id);
CREATE INDEX review_cases_queue_holder ON review_cases (env, status, claimed_by, id);

-- +goose Down
DROP INDEX review_cases_queue_holder;
DROP INDEX review_cases_queue_level;
DROP INDEX review_cases_counts;
