package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/qfpay-go/qfpay"
	"github.com/qfpay-go/qfpay/internal/loopback"
	"github.com/qfpay-go/qfpay/qfpaytest"
)

// errorf is fmt.Errorf; messages are written without the "qfpay: "
// prefix, which run adds once when it prints an error.
var errorf = fmt.Errorf

// Environment variables the command reads.
const (
	envAppCode   = "QFPAY_APP_CODE"
	envClientKey = "QFPAY_CLIENT_KEY"
	envEnv       = "QFPAY_ENV"
	envMchID     = "QFPAY_MCHID"
	envProfile   = "QFPAY_PROFILE"
	envConfig    = "QFPAY_CONFIG"
	envSandbox   = "QFPAY_SANDBOX"
)

// defaultEnv is the environment used when none is configured: the shared
// test gateway, so that no real money moves by accident.
const defaultEnv = "sandbox"

// defaultProfile is the profile read when none is named.
const defaultProfile = "default"

// profile is one [section] of the profile file.
type profile map[string]string

// profileKeys are the keys a profile may hold.
var profileKeys = map[string]bool{"app_code": true, "client_key": true, "client_key_file": true, "env": true, "mchid": true}

// parseProfiles reads the profile file: "[name]" sections of "key = value"
// lines; blank lines and lines starting with # or ; are ignored.
func parseProfiles(r io.Reader, path string) (map[string]profile, error) {
	profiles := map[string]profile{}
	var cur profile
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
			continue
		case line[0] == '[':
			name, ok := strings.CutSuffix(line[1:], "]")
			if name = strings.TrimSpace(name); !ok || name == "" {
				return nil, errorf("%s:%d: want a [name] section header, found %q", path, n, line)
			}
			if cur = profiles[name]; cur == nil {
				cur = profile{}
				profiles[name] = cur
			}
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		switch {
		case !ok:
			return nil, errorf("%s:%d: want key = value, found a line without =", path, n)
		case cur == nil:
			return nil, errorf("%s:%d: %s outside any [profile] section", path, n, key)
		case !profileKeys[key]:
			return nil, errorf("%s:%d: unknown key %q: want app_code, client_key, client_key_file, env or mchid", path, n, key)
		}
		cur[key] = value
	}
	if err := sc.Err(); err != nil {
		return nil, errorf("reading %s: %w", path, err)
	}
	return profiles, nil
}

// setting is one resolved configuration value and where it came from.
type setting struct {
	value  string
	source string // "flag --app-code", "env QFPAY_APP_CODE", "profile default (path)", "default"
}

// config is the resolved configuration of a command.
type config struct {
	appCode, env, mchid setting
	key                 setting // value is the client key: never printed
	profileName         string
	profilePath         string
	profileFound        bool
	environment         qfpay.Environment // the base URL env names
	envName             string            // the environment's name, "" for a URL not in the table
}

// live reports whether the configured environment moves real money.
func (c *config) live() bool { return strings.HasSuffix(c.envName, "-live") }

// envLabel names the environment for people: "hk-live (https://...)".
func (c *config) envLabel() string {
	if c.envName != "" {
		return c.envName + " (" + string(c.environment) + ")"
	}
	return string(c.environment)
}

// resolveConfig reads flags, environment and the profile file, in that
// order of precedence. It reads the client key (from a file or stdin when
// so configured) but does not require any value: commands check what they
// need with requireCredentials.
func (a *app) resolveConfig(flagChanged func(string) bool) (*config, error) {
	f := &a.flags
	cfg := &config{}
	// The profile file: --config, $QFPAY_CONFIG, or the user's config dir.
	cfg.profilePath = f.configPath
	if !flagChanged("config") {
		cfg.profilePath = a.getenv(envConfig)
	}
	if cfg.profilePath == "" {
		dir, err := os.UserConfigDir()
		if err == nil {
			cfg.profilePath = filepath.Join(dir, "qfpay", "config")
		}
	}
	named := true
	switch {
	case flagChanged("profile"):
		cfg.profileName = f.profile
	case a.getenv(envProfile) != "":
		cfg.profileName = a.getenv(envProfile)
	default:
		cfg.profileName, named = defaultProfile, false
	}
	prof, err := a.loadProfile(cfg, named)
	if err != nil {
		return nil, err
	}
	profSource := fmt.Sprintf("profile %s (%s)", cfg.profileName, cfg.profilePath)

	pick := func(flagName, flagValue, envName, profKey string) setting {
		switch {
		case flagChanged(flagName):
			return setting{flagValue, "flag --" + flagName}
		case a.getenv(envName) != "":
			return setting{a.getenv(envName), "env " + envName}
		case prof[profKey] != "":
			return setting{prof[profKey], profSource}
		}
		return setting{}
	}
	cfg.appCode = pick("app-code", f.appCode, envAppCode, "app_code")
	cfg.mchid = pick("mchid", f.mchid, envMchID, "mchid")
	cfg.env = pick("env", f.env, envEnv, "env")
	if cfg.env.value == "" {
		cfg.env = setting{defaultEnv, "default"}
	}
	if err := cfg.parseEnv(); err != nil {
		return nil, err
	}
	if cfg.key, err = a.resolveKey(prof, profSource, cfg.profilePath, flagChanged); err != nil {
		return nil, err
	}
	if cfg.appCode.value == "" && cfg.key.value == "" && loopbackURL(cfg.environment) {
		// A local sandbox started without credentials takes its own public
		// ones; the real gateway is never on a loopback address.
		cfg.appCode = setting{qfpaytest.SandboxAppCode, sandboxCredentials}
		cfg.key = setting{qfpaytest.SandboxClientKey, sandboxCredentials}
	}
	return cfg, nil
}

// sandboxCredentials is the source of the credentials used for a local
// sandbox when none is configured.
const sandboxCredentials = "default for a local sandbox (its public credentials)"

// loopbackURL reports whether env is a base URL on a loopback host
// (localhost, 127.0.0.0/8, ::1), where a local sandbox listens.
func loopbackURL(env qfpay.Environment) bool {
	u, err := url.Parse(string(env))
	if err != nil {
		return false
	}
	return loopback.Host(u.Hostname())
}

// loadProfile reads the profile cfg names. A missing file or section is
// an error only when the profile was named (flag or environment).
func (a *app) loadProfile(cfg *config, named bool) (profile, error) {
	if cfg.profilePath == "" {
		if named {
			return nil, usagef("profile %q: no config file (set --config or %s)", cfg.profileName, envConfig)
		}
		return nil, nil
	}
	data, err := os.ReadFile(cfg.profilePath)
	switch {
	case errors.Is(err, fs.ErrNotExist) && !named:
		return nil, nil
	case err != nil:
		return nil, &usageError{err: errorf("profile %q: %w", cfg.profileName, err)}
	}
	profiles, err := parseProfiles(bytes.NewReader(data), cfg.profilePath)
	if err != nil {
		return nil, &usageError{err: err}
	}
	prof, ok := profiles[cfg.profileName]
	if !ok {
		if named {
			return nil, usagef("no profile [%s] in %s", cfg.profileName, cfg.profilePath)
		}
		return nil, nil
	}
	cfg.profileFound = true
	if prof["client_key"] != "" && runtime.GOOS != "windows" {
		if st, err := os.Stat(cfg.profilePath); err == nil && st.Mode().Perm()&0o077 != 0 {
			a.warnf("%s holds a client_key and is readable by group or others (mode %v): chmod 600 %s, or use client_key_file",
				cfg.profilePath, st.Mode().Perm(), cfg.profilePath)
		}
	}
	return prof, nil
}

// resolveKey finds the client key: --client-key-file (a path, or - for
// stdin) or --client-key, then QFPAY_CLIENT_KEY, then the profile's
// client_key or client_key_file (relative to the profile file).
func (a *app) resolveKey(prof profile, profSource, profPath string, flagChanged func(string) bool) (setting, error) {
	f := &a.flags
	switch {
	case flagChanged("client-key") && flagChanged("client-key-file"):
		return setting{}, usagef("give --client-key or --client-key-file, not both")
	case flagChanged("client-key-file"):
		return a.readKeyFile(f.clientKeyFile, "flag --client-key-file")
	case flagChanged("client-key"):
		a.warnf("--client-key shows the key in your shell history and to ps: prefer %s, --client-key-file or a profile", envClientKey)
		return nonEmptyKey(setting{f.clientKey, "flag --client-key"})
	case a.getenv(envClientKey) != "":
		return nonEmptyKey(setting{a.getenv(envClientKey), "env " + envClientKey})
	case prof["client_key"] != "" && prof["client_key_file"] != "":
		return setting{}, usagef("%s: give client_key or client_key_file, not both", profSource)
	case prof["client_key"] != "":
		return nonEmptyKey(setting{prof["client_key"], profSource})
	case prof["client_key_file"] != "":
		path := prof["client_key_file"]
		if !filepath.IsAbs(path) {
			path = filepath.Join(filepath.Dir(profPath), path)
		}
		return a.readKeyFile(path, profSource+" client_key_file")
	}
	return setting{}, nil
}

// readKeyFile reads a client key from path, or from stdin for "-".
func (a *app) readKeyFile(path, source string) (setting, error) {
	var data []byte
	var err error
	if path == "-" {
		a.keyFromStdin = true
		data, err = io.ReadAll(io.LimitReader(a.stdin, 4096))
		source += " (stdin)"
	} else {
		data, err = os.ReadFile(path)
		source += " (" + path + ")"
	}
	if err != nil {
		return setting{}, &usageError{err: errorf("reading the client key: %w", err)}
	}
	return nonEmptyKey(setting{strings.TrimSpace(string(data)), source})
}

func nonEmptyKey(s setting) (setting, error) {
	if strings.TrimSpace(s.value) == "" {
		return setting{}, usagef("the client key from %s is empty", s.source)
	}
	return s, nil
}

// parseEnv reads cfg.env: a ParseEnvironment name or an http(s) base URL.
func (c *config) parseEnv() error {
	v := c.env.value
	if strings.HasPrefix(v, "http://") || strings.HasPrefix(v, "https://") {
		u, err := url.Parse(v)
		if err != nil || u.Host == "" {
			return usagef("env %q (%s): not a base URL", v, c.env.source)
		}
		c.environment = qfpay.Environment(strings.TrimSuffix(v, "/"))
		c.envName = c.environment.Name()
		return nil
	}
	env, err := qfpay.ParseEnvironment(v)
	if err != nil {
		return &usageError{err: errorf("%w (%s), or an http(s) base URL", err, c.env.source)}
	}
	c.environment, c.envName = env, env.Name()
	return nil
}

// requireCredentials checks that the app code and the client key are set.
func (c *config) requireCredentials(appCode bool) error {
	if appCode && c.appCode.value == "" {
		return usagef("no app code: set --app-code, %s or app_code in a profile", envAppCode)
	}
	if c.key.value == "" {
		return usagef("no client key: set %s, --client-key-file (- for stdin) or client_key_file in a profile", envClientKey)
	}
	return nil
}

// newClient makes the SDK client the configuration describes.
func (a *app) newClient(cfg *config) (*qfpay.Client, error) {
	if err := cfg.requireCredentials(true); err != nil {
		return nil, err
	}
	opts := []qfpay.Option{
		qfpay.WithUserAgent("qfpay-cli/" + qfpay.Version + " qfpay-go/" + qfpay.Version),
		qfpay.WithTimeout(a.flags.timeout),
		qfpay.WithClock(a.now),
	}
	if cfg.envName != "" {
		opts = append(opts, qfpay.WithEnvironment(cfg.environment))
	} else {
		opts = append(opts, qfpay.WithBaseURL(string(cfg.environment)))
	}
	if cfg.mchid.value != "" {
		opts = append(opts, qfpay.WithMerchantID(cfg.mchid.value))
	}
	opts = append(opts, a.clientOptions...)
	client, err := qfpay.NewClient(cfg.appCode.value, cfg.key.value, opts...)
	if err != nil {
		return nil, &usageError{err: err}
	}
	return client, nil
}

// showConfig prints the resolved configuration, the key masked.
func (a *app) showConfig(cfg *config) {
	w := a.stdout
	profile := cfg.profileName + " (" + cfg.profilePath + ")"
	if !cfg.profileFound {
		profile += ", not found: not used"
	}
	row := func(name, value, source string) {
		if source != "" {
			source = "from " + source
		}
		fmt.Fprintln(w, strings.TrimRight(fmt.Sprintf("%-11s %-50s %s", name, value, source), " "))
	}
	row("profile", profile, "")
	row("env", cfg.envLabel(), cfg.env.source)
	if cfg.live() {
		row("", "LIVE: real money moves", "")
	}
	orNone := func(s setting) string {
		if s.value == "" {
			return "(not set)"
		}
		return s.value
	}
	row("app_code", orNone(cfg.appCode), cfg.appCode.source)
	key := "(not set)"
	if cfg.key.value != "" {
		key = "****"
	}
	row("client_key", key, cfg.key.source)
	row("mchid", orNone(cfg.mchid), cfg.mchid.source)
}
