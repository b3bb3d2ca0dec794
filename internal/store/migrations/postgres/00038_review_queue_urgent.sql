-- +goose Up
-- The review console's queue, most urgent first (review.OrderUrgent): the open cases of an
-- environment by priority, then due time, then id, paged by a cursor over those three columns
-- (bench/README.md, "Review console at 100k applicants", has the figures before and after).
--
-- Without review_cases_queue_urgent both databases read every open case of the environment and
-- sorted them for each page; with it a page is read in order from where the cursor left off, at
-- any depth. Filtered by level, by reason or by the person holding the cases ("my cases"), SQLite
-- then walked that index until a page was full: past every more urgent case for the least urgent
-- reason, all of the open cases for a rare level or a person with few (35 to 57 ms a page at
-- 20,000 open cases). The three others bound the walk by the filter and keep the order, as
-- 00020's and 00029's do for oldest first.
CREATE INDEX review_cases_queue_urgent ON review_cases (env, status, priority, due_at, id);
CREATE INDEX review_cases_urgent_reason ON review_cases (env, status, reason, priority, due_at, id);
CREATE INDEX review_cases_urgent_level ON review_cases (env, status, level, priority, due_at, id);
CREATE INDEX review_cases_urgent_holder ON review_cases (env, status, claimed_by, priority, due_at, id);

-- +goose Down
DROP INDEX review_cases_urgent_holder;
DROP INDEX review_cases_urgent_level;
DROP INDEX review_cases_urgent_reason;
DROP INDEX review_cases_queue_urgent;
