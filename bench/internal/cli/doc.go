// Package cli is what the benchmark commands (bench/load, bench/uploadrss, bench/webhooks,
// bench/verify) share around their measurements: the main wrapper that turns an error into exit
// status 1 and stops on SIGINT or SIGTERM, the flags that choose the kycd binary and the database
// (-bin, -db, -pg, -server-env), and the preparation of the server those flags describe.
package cli
