package main

import (
	"bytes"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qfpay-go/qfpay/qfpaytest"
)

func TestParseProfiles(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    map[string]profile
		wantErr string
	}{
		{"sections, comments, spaces", "# mine\n[default]\napp_code = A1\n env=hk-test \n\n; other\n[shop]\nclient_key_file = key.txt\nmchid= M9 \n",
			map[string]profile{"default": {"app_code": "A1", "env": "hk-test"}, "shop": {"client_key_file": "key.txt", "mchid": "M9"}}, ""},
		{"value with =", "[p]\nclient_key = a=b\n", map[string]profile{"p": {"client_key": "a=b"}}, ""},
		{"section repeated merges", "[p]\napp_code = A\n[p]\nmchid = M\n", map[string]profile{"p": {"app_code": "A", "mchid": "M"}}, ""},
		{"empty file", "", map[string]profile{}, ""},
		{"key outside a section", "app_code = A\n", nil, "cfg:1: app_code outside any [profile] section"},
		{"unknown key", "[p]\napp_key = A\n", nil, `cfg:2: unknown key "app_key"`},
		{"no =", "[p]\napp_code\n", nil, "cfg:2: want key = value"},
		{"bad header", "[p\n", nil, "cfg:1: want a [name] section header"},
		{"empty header", "[ ]\n", nil, "cfg:1: want a [name] section header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseProfiles(strings.NewReader(tt.in), "cfg")
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// writeFile writes a file with a mode in dir and returns its path.
func writeFile(t *testing.T, dir, name, content string, mode os.FileMode) string {
	t.Helper()
	path := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(path, []byte(content), mode))
	require.NoError(t, os.Chmod(path, mode))
	return path
}

// configLines reads config show's output into name → line.
func configLines(t *testing.T, out string) map[string]string {
	t.Helper()
	lines := map[string]string{}
	for line := range strings.Lines(out) {
		name, rest, _ := strings.Cut(strings.TrimSpace(line), " ")
		lines[name] = strings.Join(strings.Fields(rest), " ")
	}
	return lines
}

func TestConfigPrecedence(t *testing.T) {
	s := newSandbox(t)
	dir := t.TempDir()
	keyFile := writeFile(t, dir, "key.txt", "  "+testKey+"\n", 0o600)
	cfgPath := writeFile(t, dir, "config", "[default]\napp_code = PROFILEAPP\nenv = hk-test\nmchid = PM1\nclient_key_file = key.txt\n"+
		"[live]\napp_code = LIVEAPP\nenv = hk-live\nclient_key = "+testKey+"\n", 0o600)
	tests := []struct {
		name  string
		env   map[string]string
		stdin string
		args  []string
		want  map[string]string // config show line prefixes
		warn  string
	}{
		{"profile only", map[string]string{envConfig: cfgPath}, "", nil, map[string]string{
			"profile":    "default (" + cfgPath + ")",
			"env":        "hk-test (https://test-openapi-hk.qfapi.com) from profile default (" + cfgPath + ")",
			"app_code":   "PROFILEAPP from profile default",
			"client_key": "**** from profile default (" + cfgPath + ") client_key_file (" + keyFile + ")",
			"mchid":      "PM1 from profile default",
		}, ""},
		{"env over profile", map[string]string{envConfig: cfgPath, envAppCode: "ENVAPP", envEnv: "sg-test", envClientKey: testKey}, "", nil, map[string]string{
			"env":        "sg-test (https://test-openapi-sg.qfapi.com) from env QFPAY_ENV",
			"app_code":   "ENVAPP from env QFPAY_APP_CODE",
			"client_key": "**** from env QFPAY_CLIENT_KEY",
			"mchid":      "PM1 from profile default",
		}, ""},
		{"flags over env", map[string]string{envConfig: cfgPath, envAppCode: "ENVAPP", envClientKey: testKey, envMchID: "EM"},
			"", []string{"--app-code", "FLAGAPP", "--env", "http://127.0.0.1:8787", "--mchid", "FM", "--client-key-file", keyFile}, map[string]string{
				"env":        "http://127.0.0.1:8787 from flag --env",
				"app_code":   "FLAGAPP from flag --app-code",
				"client_key": "**** from flag --client-key-file (" + keyFile + ")",
				"mchid":      "FM from flag --mchid",
			}, ""},
		{"named profile, live, key in the file", map[string]string{envConfig: cfgPath, envProfile: "live"}, "", nil, map[string]string{
			"profile":    "live (" + cfgPath + ")",
			"env":        "hk-live (https://openapi-hk.qfapi.com) from profile live",
			"LIVE:":      "real money moves",
			"client_key": "**** from profile live",
		}, ""},
		{"--profile over QFPAY_PROFILE", map[string]string{envConfig: cfgPath, envProfile: "live"}, "", []string{"--profile", "default"}, map[string]string{
			"app_code": "PROFILEAPP from profile default",
		}, ""},
		{"--config over QFPAY_CONFIG", map[string]string{envConfig: "/nonexistent"}, "", []string{"--config", cfgPath}, map[string]string{
			"app_code": "PROFILEAPP from profile default",
		}, ""},
		{"no profile file: defaults", map[string]string{envConfig: filepath.Join(dir, "absent")}, "", nil, map[string]string{
			"profile":    "default (" + filepath.Join(dir, "absent") + "), not found: not used",
			"env":        "sandbox (https://openapi-test.qfpay.com) from default",
			"app_code":   "(not set)",
			"client_key": "(not set)",
		}, ""},
		{"key from stdin", map[string]string{envConfig: cfgPath}, testKey + "\n", []string{"--client-key-file", "-"}, map[string]string{
			"client_key": "**** from flag --client-key-file (stdin)",
		}, ""},
		{"key on the command line warns", map[string]string{envConfig: cfgPath}, "", []string{"--client-key", testKey}, map[string]string{
			"client_key": "**** from flag --client-key",
		}, "qfpay: warning: --client-key shows the key in your shell history and to ps"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.env = tt.env
			r := s.run(t, tt.stdin, append([]string{"config", "show"}, tt.args...)...)
			require.Equal(t, exitOK, r.code, r.stderr)
			lines := configLines(t, r.stdout)
			for name, want := range tt.want {
				assert.True(t, strings.HasPrefix(lines[name], want), "%s: got %q, want %q...", name, lines[name], want)
			}
			if tt.warn != "" {
				assert.Contains(t, r.stderr, tt.warn)
			} else {
				assert.Empty(t, r.stderr)
			}
		})
	}
}

func TestConfigErrors(t *testing.T) {
	s := newSandbox(t)
	dir := t.TempDir()
	cfgPath := writeFile(t, dir, "config", "[default]\napp_code = A\n", 0o600)
	bad := writeFile(t, dir, "bad", "[default]\nappcode = A\n", 0o600)
	both := writeFile(t, dir, "both", "[default]\nclient_key = K\nclient_key_file = k.txt\n", 0o600)
	empty := writeFile(t, dir, "empty-key", "\n", 0o600)
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"unknown profile named", map[string]string{envConfig: cfgPath}, []string{"--profile", "nope"}, "no profile [nope] in " + cfgPath},
		{"named profile, no file", map[string]string{envConfig: filepath.Join(dir, "absent")}, []string{"--profile", "p"}, "profile \"p\": open"},
		{"bad profile file", map[string]string{envConfig: bad}, nil, `unknown key "appcode"`},
		{"both key settings in a profile", map[string]string{envConfig: both}, nil, "give client_key or client_key_file, not both"},
		{"both key flags", map[string]string{envConfig: cfgPath}, []string{"--client-key", "k", "--client-key-file", "f"}, "give --client-key or --client-key-file, not both"},
		{"empty key file", map[string]string{envConfig: cfgPath}, []string{"--client-key-file", empty}, "the client key from flag --client-key-file (" + empty + ") is empty"},
		{"missing key file", map[string]string{envConfig: cfgPath}, []string{"--client-key-file", filepath.Join(dir, "nokey")}, "reading the client key"},
		{"unknown env name", map[string]string{envConfig: cfgPath, envEnv: "hk-prod"}, nil, `unknown environment "hk-prod"`},
		{"env URL without host", map[string]string{envConfig: cfgPath}, []string{"--env", "http://"}, "not a base URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.env = tt.env
			r := s.run(t, "", append([]string{"config", "show"}, tt.args...)...)
			assert.Equal(t, exitUsage, r.code)
			assert.Contains(t, r.stderr, tt.want)
			assert.True(t, strings.HasPrefix(r.stderr, "qfpay: "), r.stderr)
			assert.Empty(t, r.stdout)
		})
	}
}

func TestProfileKeyReadableWarns(t *testing.T) {
	s := newSandbox(t)
	dir := t.TempDir()
	tests := []struct {
		name    string
		content string
		mode    os.FileMode
		warns   bool
	}{
		{"key, group-readable", "[default]\nclient_key = " + testKey + "\n", 0o640, true},
		{"key, others-readable", "[default]\nclient_key = " + testKey + "\n", 0o604, true},
		{"key, owner only", "[default]\nclient_key = " + testKey + "\n", 0o600, false},
		{"no key, world-readable", "[default]\napp_code = A\n", 0o644, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, dir, "config", tt.content, tt.mode)
			s.env = map[string]string{envConfig: path}
			r := s.run(t, "", "config", "show")
			require.Equal(t, exitOK, r.code, r.stderr)
			if tt.warns {
				assert.Contains(t, r.stderr, "qfpay: warning: "+path+" holds a client_key and is readable by group or others")
			} else {
				assert.Empty(t, r.stderr)
			}
		})
	}
}

func TestMissingCredentials(t *testing.T) {
	s := newSandbox(t)
	for _, tt := range []struct {
		name, unset, want string
	}{
		{"no app code", envAppCode, "no app code: set --app-code, QFPAY_APP_CODE or app_code in a profile"},
		{"no key", envClientKey, "no client key: set QFPAY_CLIENT_KEY"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			delete(s.env, tt.unset)
			defer func() { s.env[envAppCode], s.env[envClientKey] = testAppCode, testKey }()
			r := s.run(t, "", "tx", "get", "order-1")
			assert.Equal(t, exitUsage, r.code)
			assert.Contains(t, r.stderr, tt.want)
			assert.Zero(t, s.log.count(""), "a request was sent")
		})
	}
}

// TestLocalSandboxCredentials: with an env on a loopback address and no
// credentials configured, the command uses the sandbox's public ones, so
// that "QFPAY_ENV=http://127.0.0.1:8787 qfpay tx list" works against
// "qfpay sandbox" as it starts; anywhere else, or with one credential
// given, nothing is made up.
func TestLocalSandboxCredentials(t *testing.T) {
	srv := qfpaytest.NewServer(qfpaytest.SandboxAppCode, qfpaytest.SandboxClientKey)
	t.Cleanup(srv.Close)
	u, err := url.Parse(srv.URL)
	require.NoError(t, err)
	tests := []struct {
		name     string
		env      map[string]string
		wantCode int
		wantErr  string
	}{
		{"127.0.0.1, nothing configured", map[string]string{envEnv: srv.URL}, exitOK, ""},
		{"localhost, nothing configured", map[string]string{envEnv: "http://localhost:" + u.Port()}, exitOK, ""},
		{"the app code given", map[string]string{envEnv: srv.URL, envAppCode: qfpaytest.SandboxAppCode}, exitUsage, "no client key"},
		{"another host", map[string]string{envEnv: "https://qfpay.example"}, exitUsage, "no app code"},
		{"a named environment", map[string]string{envEnv: "hk-test"}, exitUsage, "no app code"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.env[envConfig] = filepath.Join(t.TempDir(), "no-config")
			getenv := func(k string) string { return tt.env[k] }
			var stdout, stderr bytes.Buffer
			code := newApp(t.Context(), strings.NewReader(""), &stdout, &stderr, getenv).run([]string{"tx", "list", "-o", "json"})
			require.Equal(t, tt.wantCode, code, "%s", stderr.String())
			if tt.wantErr != "" {
				assert.Contains(t, stderr.String(), tt.wantErr)
				return
			}
			assert.Empty(t, stdout.String(), "the sandbox has no transactions")

			stdout.Reset()
			code = newApp(t.Context(), strings.NewReader(""), &stdout, &stderr, getenv).run([]string{"config", "show"})
			require.Equal(t, exitOK, code, "%s", stderr.String())
			lines := configLines(t, stdout.String())
			assert.Equal(t, qfpaytest.SandboxAppCode+" from "+sandboxCredentials, lines["app_code"])
			assert.Equal(t, "**** from "+sandboxCredentials, lines["client_key"])
			assert.NotContains(t, stdout.String(), qfpaytest.SandboxClientKey)
		})
	}
}
