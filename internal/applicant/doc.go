// Package applicant owns applicants: the people (or businesses) being verified. It validates what
// integrators send (real dates, ISO countries in any of their forms stored as alpha-2, phone shapes,
// emails, enums), creates and changes applicants with their audit entries, and lists them.
package applicant
