package store

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// Database spans: each statement run inside a recording span (an HTTP request's, a job's) gets a
// client span of its own, a child of that span, named by its operation (SELECT, INSERT...). The
// span holds the database system and the operation: never the statement's arguments (where
// personal data would be), and not its text. Statements outside any span (River polling for jobs,
// maintenance) make none, and cost a context lookup. PostgreSQL's come from pgx's tracer hook
// (so River's statements inside a job are seen too), SQLite's from the store's own queries
// (spanQuerier).

// spanScope is the instrumentation scope of database spans.
const spanScope = "kycd/internal/store"

var (
	attrPostgres = attribute.String("db.system.name", "postgresql")
	attrSQLite   = attribute.String("db.system.name", "sqlite")
)

// statementSpan starts the span of one statement when ctx has a recording span, and returns
// whether it did.
func statementSpan(ctx context.Context, system attribute.KeyValue, query string) (context.Context, trace.Span, bool) {
	parent := trace.SpanFromContext(ctx)
	if !parent.IsRecording() {
		return ctx, nil, false
	}
	op := operation(query)
	ctx, span := parent.TracerProvider().Tracer(spanScope).Start(ctx, op, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(system, attribute.String("db.operation.name", op)))
	return ctx, span, true
}

// endStatement records err's presence (not its text, which may quote a value) and ends span.
func endStatement(span trace.Span, err error) {
	if err != nil && err != errNoRows && err != pgx.ErrNoRows {
		span.SetStatus(codes.Error, "error")
	}
	span.End()
}

// operation is the first keyword of a statement (SELECT, INSERT, WITH...), past leading blanks
// and comments (River's statements start with "-- name: ..."); at most 16 letters, so it can never
// carry a value.
func operation(q string) string {
	for {
		q = strings.TrimLeft(q, " \t\r\n(")
		if !strings.HasPrefix(q, "--") {
			break
		}
		nl := strings.IndexByte(q, '\n')
		if nl < 0 {
			return "OTHER"
		}
		q = q[nl+1:]
	}
	n := 0
	for n < len(q) && n < 16 && (q[n] >= 'a' && q[n] <= 'z' || q[n] >= 'A' && q[n] <= 'Z') {
		n++
	}
	if n == 0 {
		return "OTHER"
	}
	return strings.ToUpper(q[:n])
}

// pgxSpans is the pgx query tracer that makes PostgreSQL's statement spans.
type pgxSpans struct{}

var _ pgx.QueryTracer = pgxSpans{}

// pgxSpanKey holds, in the context pgx passes from start to end, the span TraceQueryStart began
// (none when it began none, so that the caller's own span is never ended here).
type pgxSpanKey struct{}

func (pgxSpans) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	ctx, span, ok := statementSpan(ctx, attrPostgres, data.SQL)
	if !ok {
		return ctx
	}
	return context.WithValue(ctx, pgxSpanKey{}, span)
}

func (pgxSpans) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryEndData) {
	if span, ok := ctx.Value(pgxSpanKey{}).(trace.Span); ok {
		endStatement(span, data.Err)
	}
}

// spanQuerier makes SQLite's statement spans around the store's queries.
type spanQuerier struct{ q querier }

func (s spanQuerier) exec(ctx context.Context, query string, args ...any) (int64, error) {
	sctx, span, ok := statementSpan(ctx, attrSQLite, query)
	if !ok {
		return s.q.exec(ctx, query, args...)
	}
	n, err := s.q.exec(sctx, query, args...)
	endStatement(span, err)
	return n, err
}

func (s spanQuerier) query(ctx context.Context, query string, args ...any) (rows, error) {
	sctx, span, ok := statementSpan(ctx, attrSQLite, query)
	if !ok {
		return s.q.query(ctx, query, args...)
	}
	r, err := s.q.query(sctx, query, args...)
	endStatement(span, err) // the span covers the statement up to its first rows
	return r, err
}

func (s spanQuerier) queryRow(ctx context.Context, query string, args ...any) row {
	sctx, span, ok := statementSpan(ctx, attrSQLite, query)
	if !ok {
		return s.q.queryRow(ctx, query, args...)
	}
	return spanRow{r: s.q.queryRow(sctx, query, args...), span: span}
}

// spanRow ends its statement's span when it is scanned (database/sql runs the statement then).
type spanRow struct {
	r    row
	span trace.Span
}

func (r spanRow) Scan(dest ...any) error {
	err := r.r.Scan(dest...)
	endStatement(r.span, err)
	return err
}
