-- +goose Up
-- The review console's queue, most urgent first (review.OrderUrgent): the open cases of an
-- environment by priority, then due time, then id, paged by a cursor over those three columns.
-- Without this index both databases read every open case of the environment and sorted them for
-- each page; with it a page is read in order from where the cursor left off, at any depth.
CREATE INDEX review_cases_queue_urgent ON review_cases (env, status, priority, due_at, id);

-- +goose Down
DROP INDEX review_cases_queue_urgent;
