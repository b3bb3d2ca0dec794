package store

import (
	"context"
	"fmt"
	"strings"
)

// JobCount is how many River jobs of a queue are in a state.
type JobCount struct {
	Queue string
	State string
	N     int64
}

// JobCountStates answers the states JobCounts counts: the unfinished ones, and discarded (jobs that
// gave up, which River keeps for a week). Completed and cancelled jobs, the bulk of the table, are
// left out, so the count reads the (state, queue, ...) index of River's fetch over the backlog only.
func JobCountStates() []string {
	return []string{"available", "pending", "scheduled", "running", "retryable", "discarded"}
}

// jobCountStates is JobCountStates as an SQL list.
var jobCountStates = "'" + strings.Join(JobCountStates(), "', '") + "'"

// JobCounts counts River's jobs by queue and state, for the jobs not finished and the discarded
// ones (JobCountStates), for /metrics. A queue and state with no job is not in the answer.
func (s *Store) JobCounts(ctx context.Context) ([]JobCount, error) {
	rs, err := s.reader().query(ctx, `SELECT queue, state, COUNT(*) FROM river_job WHERE state IN (`+jobCountStates+`) GROUP BY queue, state`)
	if err != nil {
		return nil, fmt.Errorf("job counts: %w", err)
	}
	defer rs.Close()
	var out []JobCount
	for rs.Next() {
		var c JobCount
		if err := rs.Scan(&c.Queue, &c.State, &c.N); err != nil {
			return nil, fmt.Errorf("job counts: %w", err)
		}
		out = append(out, c)
	}
	return out, rs.Err()
}
