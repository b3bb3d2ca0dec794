// Package request owns KYC requests: what is asked of one applicant, with a signed, expiring link
// to the hosted page (the gatherer). It validates and stores requests, lets integrators change or
// abandon them, and expires them with River jobs: one scheduled at each request's expirationTime,
// inserted in the same transaction as the change that set it, and a periodic sweep as a safety net.
package request
