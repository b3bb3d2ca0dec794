#!/bin/sh
# importgraph.sh prints kycd's import graph as a Mermaid graph, from `go list` (the packages' own
# imports, not their tests'). A subpackage is folded into its top folder under internal/
# (face/nn is face) unless a package outside that folder imports it (verify/check, used by
# docread and web, is its own node); test helpers (…test), internal/ subfolders and main are
# left out. With -full, every package is its own node. docs/architecture.md holds its output:
#
#   scripts/importgraph.sh   # then paste it over the graph in docs/architecture.md
set -eu
cd "$(dirname "$0")/.."
full=0
[ "${1:-}" = "-full" ] && full=1
echo '```mermaid'
echo 'graph LR'
go list -f '{{.ImportPath}}{{range .Imports}} {{.}}{{end}}' ./internal/... |
  awk -v full="$full" '
    function rel(p) { sub(/^kycd\/internal\//, "", p); return p }
    function top(p) { sub(/\/.*/, "", p); return p }
    function skip(p) { return p !~ /^kycd\/internal\// || rel(p) ~ /test$/ || rel(p) ~ /\/internal\// }
    function node(p) { p = rel(p); return (full || shared[p]) ? p : top(p) }
    {
      if (skip($1)) next
      line[++n] = $0
      for (i = 2; i <= NF; i++)
        if (!skip($i) && top(rel($i)) != top(rel($1))) shared[rel($i)] = 1
    }
    END {
      for (k = 1; k <= n; k++) {
        m = split(line[k], f, " ")
        from = node(f[1]); seen[from] = 1
        for (i = 2; i <= m; i++) {
          if (skip(f[i])) continue
          to = node(f[i]); seen[to] = 1
          if (to != from) edge[from " --> " to] = 1
        }
      }
      for (e in edge) { print "  " e; split(e, ft, " --> "); linked[ft[1]] = linked[ft[2]] = 1 }
      for (p in seen) if (!linked[p]) print "  " p
    }' | LC_ALL=C sort
echo '```'
