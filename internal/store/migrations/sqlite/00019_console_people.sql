-- +goose Up
-- The people who work in the review console (package people): one row per person, for the whole
-- installation (not per environment). The email is personal data: sealed, and found through a
-- keyed blind index (HMAC-SHA256 of the lower-cased address). password_hash is an argon2id PHC
-- string ('' for a person who signs in only through single sign-on); totp_secret is sealed, NULL
-- until the person starts enrolling, totp_enrolled_at is set once a first code confirmed it, and
-- totp_step is the last time step accepted, so a code is never accepted twice.
CREATE TABLE console_users (
    id             TEXT PRIMARY KEY,
    email_index    TEXT NOT NULL UNIQUE,
    email          BLOB NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('viewer', 'reviewer', 'approver', 'admin')),
    status         TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
    password_hash  TEXT NOT NULL,
    totp_secret    BLOB,
    totp_enrolled_at BIGINT,
    totp_step      BIGINT NOT NULL DEFAULT 0,
    oidc_subject   TEXT UNIQUE,
    revision       BIGINT NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);

-- Console sessions, shared by every replica: only the SHA-256 of the cookie's token is kept.
-- A session ends when idle too long (last_seen_at), at expires_at whatever its use, at logout, or
-- when its person is disabled. mfa says the second factor was given in this session.
CREATE TABLE console_sessions (
    id            TEXT PRIMARY KEY,
    token_hash    TEXT NOT NULL UNIQUE,
    user_id       TEXT NOT NULL REFERENCES console_users (id),
    mfa           BIGINT NOT NULL CHECK (mfa IN (0, 1)),
    created_at    BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL
);
CREATE INDEX console_sessions_user ON console_sessions (user_id);

-- Failed sign-ins per account, shared by every replica: past a limit within a window, sign-in is
-- refused until the window ends. account_key is the blind index of the email typed (whether or not
-- a person has it) for passwords, 'totp:' and the person's id for second-factor codes.
CREATE TABLE console_login_failures (
    account_key   TEXT PRIMARY KEY,
    failures      BIGINT NOT NULL,
    window_start  BIGINT NOT NULL
);

-- +goose Down
DROP TABLE console_login_failures;
DROP TABLE console_sessions;
DROP TABLE console_users;
