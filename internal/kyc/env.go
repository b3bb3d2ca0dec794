package kyc

// Env is the environment a credential and every piece of data belong to. A test key sees only
// test data and a live key only live data; every query is scoped by Env.
type Env string

// The two environments.
const (
	EnvTest Env = "test"
	EnvLive Env = "live"
)

// Valid reports whether e is test or live.
func (e Env) Valid() bool { return e == EnvTest || e == EnvLive }
