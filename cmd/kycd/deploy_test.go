package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"kycd/internal/app"
)

// deployDir is the repository's deploy folder, from this package's.
const deployDir = "../../deploy"

// TestSystemdUnit: deploy/systemd/kycd.service passes systemd-analyze verify (with ExecStart on a
// kycd just built: verify requires the binary) without a warning, is hardened (systemd-analyze
// security rates its exposure 2.0 or less: "OK"), and every variable it and its environment files
// set is one kycd reads.
func TestSystemdUnit(t *testing.T) {
	t.Parallel()
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		if os.Getenv("KYCD_TEST_REQUIRE_SERVICES") == "1" {
			t.Fatal("systemd-analyze is missing but KYCD_TEST_REQUIRE_SERVICES=1: scripts/test.sh installs Debian's systemd package")
		}
		t.Skip("skipped: systemd-analyze missing (scripts/test.sh installs it)")
	}
	unit, err := os.ReadFile(filepath.Join(deployDir, "systemd", "kycd.service"))
	if err != nil {
		t.Fatal(err)
	}
	const execStart = "ExecStart=/usr/local/bin/kycd serve\n"
	if !bytes.Contains(unit, []byte(execStart)) {
		t.Fatalf("the unit does not say %q", execStart)
	}
	for _, d := range []string{"DynamicUser=yes", "StateDirectory=kycd", "ProtectSystem=strict", "NoNewPrivileges=yes", "EnvironmentFile=/etc/kycd/master-key.env"} {
		if !bytes.Contains(unit, []byte("\n"+d+"\n")) {
			t.Errorf("the unit lacks %s", d)
		}
	}

	bin := buildKycd(t, "-buildvcs=false")
	dir := t.TempDir()
	verify := func(name string, unit []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, bytes.Replace(unit, []byte(execStart), []byte("ExecStart="+bin+" serve\n"), 1), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(analyze, "verify", path).CombinedOutput()
		if err != nil {
			return string(out) + err.Error()
		}
		return string(out)
	}
	if out := verify("kycd.service", unit); out != "" {
		t.Errorf("systemd-analyze verify: %s", out)
	}
	// verify only warns of a misspelt or malformed line, and exits 0: its output is what counts.
	bad := bytes.Replace(unit, []byte("ProtectSystem=strict"), []byte("ProtectSystm=strict"), 1)
	if out := verify("kycd-bad.service", bad); !strings.Contains(out, "ProtectSystm") {
		t.Errorf("systemd-analyze verify did not see a misspelt key: %q", out)
	}
	out, err := exec.Command(analyze, "security", "--offline=yes", filepath.Join(dir, "kycd.service")).CombinedOutput()
	m := regexp.MustCompile(`Overall exposure level for kycd.service: ([0-9.]+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("systemd-analyze security: %v\n%s", err, out)
	}
	if level, _ := strconv.ParseFloat(string(m[1]), 64); level > 2.0 {
		t.Errorf("systemd-analyze security rates the unit's exposure %s, more than 2.0", m[1])
	}

	vars := map[string]string{}
	var masterKeyIn []string
	set := func(name, where string) {
		vars[name] = where
		if name == "KYCD_MASTER_KEY" {
			masterKeyIn = append(masterKeyIn, where)
		}
	}
	for _, line := range strings.Split(string(unit), "\n") {
		if v, ok := strings.CutPrefix(line, "Environment="); ok {
			name, _, _ := strings.Cut(v, "=")
			set(name, "kycd.service")
		}
	}
	for _, f := range []string{"kycd.env", "master-key.env.example"} {
		for _, name := range envFileNames(t, filepath.Join(deployDir, "systemd", f)) {
			set(name, f)
		}
	}
	if !strings.Contains(string(unit), "EnvironmentFile=/etc/kycd/kycd.env\n") {
		t.Error("the unit does not read /etc/kycd/kycd.env")
	}
	checkSettingNames(t, vars)
	if !slices.Equal(masterKeyIn, []string{"master-key.env.example"}) {
		t.Errorf("KYCD_MASTER_KEY is set in %v, want the root-only master-key.env alone", masterKeyIn)
	}
}

// envFileNames reads the variable names of an environment file (NAME=value lines, # comments).
func envFileNames(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var names []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, _, ok := strings.Cut(line, "=")
		if !ok {
			t.Errorf("%s: %q is not NAME=value", path, line)
		}
		names = append(names, name)
	}
	return names
}

// checkSettingNames fails for each name (found where its value says) that kycd does not read.
func checkSettingNames(t *testing.T, names map[string]string) {
	t.Helper()
	known := SettingNames()
	for name, where := range names {
		if !slices.Contains(known, name) {
			t.Errorf("%s sets %s, which kycd does not read", where, name)
		}
	}
}

// The parts of Kubernetes objects the test reads.
type (
	k8sObject struct {
		Kind     string `yaml:"kind"`
		Metadata struct {
			Name string `yaml:"name"`
		} `yaml:"metadata"`
		Data       map[string]string `yaml:"data"`
		StringData map[string]string `yaml:"stringData"`
		Spec       k8sSpec           `yaml:"spec"`
	}
	k8sSpec struct {
		Replicas *int `yaml:"replicas"`
		Selector struct {
			MatchLabels map[string]string `yaml:"matchLabels"`
		} `yaml:"selector"`
		Strategy struct {
			RollingUpdate struct {
				MaxSurge int `yaml:"maxSurge"`
			} `yaml:"rollingUpdate"`
		} `yaml:"strategy"`
		Template struct {
			Metadata struct {
				Labels map[string]string `yaml:"labels"`
			} `yaml:"metadata"`
			Spec k8sPod `yaml:"spec"`
		} `yaml:"template"`
		// Service
		ServiceSelector map[string]string `yaml:"-"`
		Ports           []struct {
			Name       string `yaml:"name"`
			Port       int    `yaml:"port"`
			TargetPort string `yaml:"targetPort"`
		} `yaml:"ports"`
		// PodDisruptionBudget
		MaxUnavailable *int `yaml:"maxUnavailable"`
		MinAvailable   *int `yaml:"minAvailable"`
	}
	k8sPod struct {
		SecurityContext struct {
			RunAsNonRoot *bool `yaml:"runAsNonRoot"`
		} `yaml:"securityContext"`
		Containers []k8sContainer `yaml:"containers"`
	}
	k8sContainer struct {
		Name  string   `yaml:"name"`
		Args  []string `yaml:"args"`
		Ports []struct {
			Name          string `yaml:"name"`
			ContainerPort int    `yaml:"containerPort"`
		} `yaml:"ports"`
		EnvFrom []struct {
			ConfigMapRef struct {
				Name string `yaml:"name"`
			} `yaml:"configMapRef"`
		} `yaml:"envFrom"`
		Env []struct {
			Name      string  `yaml:"name"`
			Value     *string `yaml:"value"`
			ValueFrom *struct {
				SecretKeyRef *struct {
					Name string `yaml:"name"`
					Key  string `yaml:"key"`
				} `yaml:"secretKeyRef"`
			} `yaml:"valueFrom"`
		} `yaml:"env"`
		ReadinessProbe *k8sProbe `yaml:"readinessProbe"`
		LivenessProbe  *k8sProbe `yaml:"livenessProbe"`
		StartupProbe   *k8sProbe `yaml:"startupProbe"`
		Resources      struct {
			Requests map[string]string `yaml:"requests"`
			Limits   map[string]string `yaml:"limits"`
		} `yaml:"resources"`
		SecurityContext struct {
			AllowPrivilegeEscalation *bool `yaml:"allowPrivilegeEscalation"`
			ReadOnlyRootFilesystem   *bool `yaml:"readOnlyRootFilesystem"`
		} `yaml:"securityContext"`
	}
	k8sProbe struct {
		HTTPGet struct {
			Path string `yaml:"path"`
			Port string `yaml:"port"`
		} `yaml:"httpGet"`
	}
)

// readManifests decodes every object of every YAML file in deploy/kubernetes, by kind.
func readManifests(t *testing.T) map[string][]k8sObject {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(deployDir, "kubernetes", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests: %v", err)
	}
	objects := map[string][]k8sObject{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(b))
		for {
			var node yaml.Node
			if err := dec.Decode(&node); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			var o k8sObject
			if err := node.Decode(&o); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			// A Service's selector is a plain map, a Deployment's has matchLabels: read it apart.
			if o.Kind == "Service" {
				var svc struct {
					Spec struct {
						Selector map[string]string `yaml:"selector"`
					} `yaml:"spec"`
				}
				if err := node.Decode(&svc); err != nil {
					t.Fatalf("%s: %v", f, err)
				}
				o.Spec.ServiceSelector = svc.Spec.Selector
			}
			objects[o.Kind] = append(objects[o.Kind], o)
		}
	}
	return objects
}

// TestKubernetesManifests: the manifests in deploy/kubernetes run N replicas of kycd serve with
// probes on routes the binary serves (asked of a real kycd), on the port of its default listen
// address, the master key and database URL from Secrets that secrets.example.yaml defines, a
// PodDisruptionBudget, a migration Job running a real subcommand, non-root containers on a
// read-only root file system; and every variable they set is one kycd reads.
func TestKubernetesManifests(t *testing.T) {
	t.Parallel()
	objects := readManifests(t)
	one := func(kind string) k8sObject {
		if len(objects[kind]) != 1 {
			t.Fatalf("%d objects of kind %s, want 1", len(objects[kind]), kind)
		}
		return objects[kind][0]
	}
	configMaps, secrets := map[string]map[string]string{}, map[string]map[string]string{}
	for _, c := range objects["ConfigMap"] {
		configMaps[c.Metadata.Name] = c.Data
	}
	for _, s := range objects["Secret"] {
		secrets[s.Metadata.Name] = s.StringData
	}

	// The binary's default listen address gives the port.
	var defaultAddr string
	for _, s := range settings {
		if s.env == "KYCD_ADDR" {
			defaultAddr = s.def
		}
	}
	_, defaultPort, err := net.SplitHostPort(defaultAddr)
	if err != nil {
		t.Fatalf("default KYCD_ADDR %q: %v", defaultAddr, err)
	}

	deploy := one("Deployment")
	if deploy.Spec.Replicas == nil || *deploy.Spec.Replicas < 3 {
		t.Errorf("the Deployment runs %v replicas, want 3 or more", deploy.Spec.Replicas)
	}
	pod := deploy.Spec.Template
	if len(deploy.Spec.Selector.MatchLabels) == 0 {
		t.Error("the Deployment's selector selects no pods")
	}
	for k, v := range deploy.Spec.Selector.MatchLabels {
		if pod.Metadata.Labels[k] != v {
			t.Errorf("the Deployment's selector %s=%s does not match its pods", k, v)
		}
	}
	probed := map[string]bool{}
	for _, kind := range []string{"Deployment", "Job"} {
		for _, o := range objects[kind] {
			spec := o.Spec.Template.Spec
			if spec.SecurityContext.RunAsNonRoot == nil || !*spec.SecurityContext.RunAsNonRoot {
				t.Errorf("%s %s: runAsNonRoot is not true", kind, o.Metadata.Name)
			}
			for _, c := range spec.Containers {
				where := kind + " " + o.Metadata.Name + ", container " + c.Name
				checkContainer(t, where, c, configMaps, secrets)
				if kind == "Deployment" {
					checkServing(t, where, c, configMaps, defaultPort, objects["Service"], probed)
				}
			}
		}
	}
	if !probed["/readyz"] || !probed["/healthz"] {
		t.Errorf("probes: %v, want readiness on /readyz and liveness on /healthz", probed)
	}
	if len(objects["Job"]) == 0 {
		t.Error("no migration Job")
	}

	svc := one("Service")
	if len(svc.Spec.ServiceSelector) == 0 {
		t.Error("the Service selects no pods")
	}
	for k, v := range svc.Spec.ServiceSelector {
		if pod.Metadata.Labels[k] != v {
			t.Errorf("the Service's selector %s=%s does not match the pods", k, v)
		}
	}

	pdb := one("PodDisruptionBudget")
	if !(pdb.Spec.MaxUnavailable != nil && *pdb.Spec.MaxUnavailable == 1) && !(pdb.Spec.MinAvailable != nil && *pdb.Spec.MinAvailable == *deploy.Spec.Replicas-1) {
		t.Errorf("the PodDisruptionBudget (maxUnavailable %s, minAvailable %s) does not let exactly one replica go at a time", intOrNone(pdb.Spec.MaxUnavailable), intOrNone(pdb.Spec.MinAvailable))
	}
	if len(pdb.Spec.Selector.MatchLabels) == 0 {
		t.Error("the PodDisruptionBudget's selector selects no pods")
	}
	for k, v := range pdb.Spec.Selector.MatchLabels {
		if pod.Metadata.Labels[k] != v {
			t.Errorf("the PodDisruptionBudget's selector %s=%s does not match the pods", k, v)
		}
	}

	// KYCD_REPLICAS covers every pool open at once: the replicas and the rolling update's surge.
	for _, c := range pod.Spec.Containers {
		for _, ref := range c.EnvFrom {
			if r := configMaps[ref.ConfigMapRef.Name]["KYCD_REPLICAS"]; r != "" {
				if n, _ := strconv.Atoi(r); n < *deploy.Spec.Replicas+deploy.Spec.Strategy.RollingUpdate.MaxSurge {
					t.Errorf("KYCD_REPLICAS=%s, fewer than %d replicas + %d surge", r, *deploy.Spec.Replicas, deploy.Spec.Strategy.RollingUpdate.MaxSurge)
				}
			}
		}
	}

	// The probes' paths answer 200 from a real kycd (SQLite, local blobs).
	a, err := app.New(t.Context(), app.Config{DataDir: t.TempDir()}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	srv := httptest.NewServer(a.Handler)
	defer srv.Close()
	for path := range probed {
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d, want 200", path, res.StatusCode)
		}
	}
}

// checkContainer checks what every kycd container needs: a real subcommand, settings kycd reads,
// the master key and database URL from defined Secrets, resources, no privilege escalation and a
// read-only root file system.
func checkContainer(t *testing.T, where string, c k8sContainer, configMaps, secrets map[string]map[string]string) {
	t.Helper()
	if len(c.Args) == 0 {
		t.Errorf("%s: no subcommand", where)
	} else if err := run(append(slices.Clone(c.Args), "--help"), io.Discard, io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("%s: kycd %s is not a subcommand: %v", where, strings.Join(c.Args, " "), err)
	}
	names := map[string]string{}
	for _, ref := range c.EnvFrom {
		data, ok := configMaps[ref.ConfigMapRef.Name]
		if !ok {
			t.Errorf("%s: no ConfigMap %s", where, ref.ConfigMapRef.Name)
		}
		for k := range data {
			names[k] = where + " (ConfigMap " + ref.ConfigMapRef.Name + ")"
		}
	}
	fromSecret := map[string]bool{}
	for _, e := range c.Env {
		names[e.Name] = where
		if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
			ref := e.ValueFrom.SecretKeyRef
			if _, ok := secrets[ref.Name][ref.Key]; !ok {
				t.Errorf("%s: %s from secret %s key %s, which secrets.example.yaml does not define", where, e.Name, ref.Name, ref.Key)
			}
			fromSecret[e.Name] = true
		}
	}
	checkSettingNames(t, names)
	for _, name := range []string{"KYCD_MASTER_KEY", "KYCD_DATABASE_URL"} {
		if !fromSecret[name] {
			t.Errorf("%s: %s does not come from a Secret", where, name)
		}
	}
	if c.Resources.Requests["memory"] == "" || c.Resources.Limits["memory"] == "" {
		t.Errorf("%s: no memory request and limit", where)
	}
	sc := c.SecurityContext
	if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		t.Errorf("%s: want readOnlyRootFilesystem true and allowPrivilegeEscalation false", where)
	}
}

// checkServing checks a serving container: it listens on the default port, its probes and the
// Service reach that port, and records the probes' paths.
func checkServing(t *testing.T, where string, c k8sContainer, configMaps map[string]map[string]string, defaultPort string, services []k8sObject, probed map[string]bool) {
	t.Helper()
	if !slices.Equal(c.Args, []string{"serve"}) {
		t.Errorf("%s: args %v, want serve", where, c.Args)
	}
	ports := map[string]int{}
	for _, p := range c.Ports {
		ports[p.Name] = p.ContainerPort
		if strconv.Itoa(p.ContainerPort) != defaultPort {
			t.Errorf("%s: port %d, not kycd's default %s", where, p.ContainerPort, defaultPort)
		}
	}
	addr := ""
	for _, ref := range c.EnvFrom {
		if v, ok := configMaps[ref.ConfigMapRef.Name]["KYCD_ADDR"]; ok {
			addr = v
		}
	}
	if _, port, err := net.SplitHostPort(addr); err != nil || port != defaultPort {
		t.Errorf("%s: KYCD_ADDR %q, want the default port %s on every interface", where, addr, defaultPort)
	}
	for kind, p := range map[string]*k8sProbe{"readiness": c.ReadinessProbe, "liveness": c.LivenessProbe, "startup": c.StartupProbe} {
		if p == nil {
			if kind != "startup" {
				t.Errorf("%s: no %s probe", where, kind)
			}
			continue
		}
		if _, ok := ports[p.HTTPGet.Port]; !ok {
			t.Errorf("%s: the %s probe's port %q is not the container's", where, kind, p.HTTPGet.Port)
		}
		want := map[string]string{"readiness": "/readyz", "liveness": "/healthz", "startup": "/healthz"}[kind]
		if p.HTTPGet.Path != want {
			t.Errorf("%s: the %s probe asks %s, want %s", where, kind, p.HTTPGet.Path, want)
		}
		probed[p.HTTPGet.Path] = true
	}
	for _, svc := range services {
		for _, p := range svc.Spec.Ports {
			if _, ok := ports[p.TargetPort]; !ok {
				t.Errorf("Service %s: targetPort %q is no port of %s", svc.Metadata.Name, p.TargetPort, where)
			}
		}
	}
}

// intOrNone prints an optional number.
func intOrNone(n *int) string {
	if n == nil {
		return "none"
	}
	return strconv.Itoa(*n)
}
