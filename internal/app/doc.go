// Package app is kycd's composition root: from a Config it builds the store, the blob store, the
// services, the River jobs and the HTTP handler, starts them and stops them in order.
package app
