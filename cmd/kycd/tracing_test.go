package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"

	"kycd/internal/store/storetest"
)

// otlpReceiver is a fake OTLP/HTTP collector: it decodes each export request (protobuf, as the
// exporter sends by default) and keeps the service name and span names it carried.
type otlpReceiver struct {
	t     *testing.T
	mu    sync.Mutex
	posts int
	spans map[string][]string // service.name → span names
}

func (o *otlpReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if r.Method != http.MethodPost || r.URL.Path != "/v1/traces" || r.Header.Get("Content-Type") != "application/x-protobuf" {
		o.t.Errorf("OTLP receiver got %s %s (%s)", r.Method, r.URL.Path, r.Header.Get("Content-Type"))
		w.WriteHeader(http.StatusNotFound)
		return
	}
	var req coltracepb.ExportTraceServiceRequest
	if err := proto.Unmarshal(body, &req); err != nil {
		o.t.Errorf("OTLP receiver: %v", err)
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.posts++
	for _, rs := range req.ResourceSpans {
		service := ""
		for _, kv := range rs.GetResource().GetAttributes() {
			if kv.Key == "service.name" {
				service = kv.GetValue().GetStringValue()
			}
		}
		for _, ss := range rs.ScopeSpans {
			for _, s := range ss.Spans {
				o.spans[service] = append(o.spans[service], s.Name)
			}
		}
	}
	w.Header().Set("Content-Type", "application/x-protobuf")
	b, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
	_, _ = w.Write(b)
}

// TestServeExportsSpansOverOTLP runs the real binary with OTEL_EXPORTER_OTLP_ENDPOINT pointing at
// a fake collector and OTEL_SERVICE_NAME set: the spans of its requests (and their statements)
// arrive there under that service name, flushed at the graceful stop at the latest. The same
// binary without the variable sends nothing.
func TestServeExportsSpansOverOTLP(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "kycd")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	collector := &otlpReceiver{t: t, spans: map[string][]string{}}
	srv := httptest.NewServer(collector)
	t.Cleanup(srv.Close)

	run := func(t *testing.T, otel ...string) {
		envv := append(withoutOTel(os.Environ()), "KYCD_DATA_DIR="+t.TempDir(), "KYCD_DATABASE_URL="+storetest.NewDatabase(t, "sqlite"),
			"KYCD_ADDR="+freeAddr(t), "KYCD_SANCTIONS_REFRESH=off")
		envv = append(envv, otel...)
		out, err := cmdIn(bin, envv, "apikey", "create", "--env", "test", "--name", "tracing").Output()
		if err != nil {
			t.Fatalf("apikey create: %v", err)
		}
		c := &client{t: t, key: strings.TrimSpace(string(out)), base: "http://" + envValue(envv, "KYCD_ADDR")}
		stop := serve(t, bin, envv, c)
		c.post("/v1/applicants", `{"profile":{"firstName":"Anna","lastName":"Eriksson"}}`)
		stop()
	}

	run(t) // tracing off: nothing may reach the collector
	collector.mu.Lock()
	if collector.posts != 0 {
		t.Errorf("with no OTLP endpoint set, the collector got %d exports", collector.posts)
	}
	collector.mu.Unlock()

	run(t, "OTEL_EXPORTER_OTLP_ENDPOINT="+srv.URL, "OTEL_SERVICE_NAME=kycd-replica-a")
	collector.mu.Lock()
	defer collector.mu.Unlock()
	got := collector.spans["kycd-replica-a"]
	if collector.posts == 0 || !slices.Contains(got, "POST /v1/applicants") || !slices.Contains(got, "GET /readyz") || !slices.Contains(got, "INSERT") {
		t.Fatalf("the collector got %d exports; spans by service: %v", collector.posts, collector.spans)
	}
}

// withoutOTel drops the OTEL_* variables of the test's own environment.
func withoutOTel(env []string) []string {
	return slices.DeleteFunc(slices.Clone(env), func(kv string) bool { return strings.HasPrefix(kv, "OTEL_") })
}
