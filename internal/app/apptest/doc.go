// Package apptest is for tests only: it starts a whole kycd (app.New over a fresh database of
// either dialect, a file blob store under the test's temporary folder, River jobs and an HTTP
// server) and mints API keys for it, so that the handler tests of httpapi, web and appapi build
// their environment in one way. Everything it starts stops when the test ends.
package apptest
