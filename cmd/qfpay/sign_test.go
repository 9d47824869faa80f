package main

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// signatureVectors are the repository's signature vectors (testdata/,
// computed independently of the SDK).
type signatureVectors struct {
	Requests []struct {
		Name      string            `json:"name"`
		Key       string            `json:"key"`
		SignType  string            `json:"sign_type"`
		Params    map[string]string `json:"params"`
		Signature string            `json:"signature"`
	} `json:"requests"`
	Notifications []struct {
		Name      string `json:"name"`
		Key       string `json:"key"`
		Body      string `json:"body"`
		Signature string `json:"signature"`
	} `json:"notifications"`
}

func loadVectors(t *testing.T) signatureVectors {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "signatures.json"))
	require.NoError(t, err)
	var v signatureVectors
	require.NoError(t, json.Unmarshal(raw, &v))
	require.NotEmpty(t, v.Requests)
	require.NotEmpty(t, v.Notifications)
	return v
}

func TestSignVectors(t *testing.T) {
	s := newSandbox(t)
	for _, vec := range loadVectors(t).Requests {
		form := url.Values{}
		var args []string
		for k, v := range vec.Params {
			form.Set(k, v)
			args = append(args, k+"="+v)
		}
		for _, mode := range []struct {
			name  string
			stdin string
			args  []string
		}{
			{"arguments", "", args},
			{"--form", "", []string{"--form", form.Encode()}},
			{"stdin", form.Encode() + "\n", nil},
		} {
			t.Run(vec.Name+"/"+mode.name, func(t *testing.T) {
				s.env = map[string]string{envClientKey: vec.Key, envConfig: s.env[envConfig]}
				r := s.run(t, mode.stdin, append([]string{"sign", "--sign-type", strings.ToLower(vec.SignType), "--verbose"}, mode.args...)...)
				require.Equal(t, exitOK, r.code, r.stderr)
				assert.Equal(t, vec.Signature+"\n", r.stdout)
				assert.NotContains(t, r.stdout+r.stderr, vec.Key)
				// The signed string shown is the one hashed.
				signed, ok := strings.CutPrefix(strings.SplitN(r.stderr, "\n", 2)[0], "signed string: ")
				require.True(t, ok, r.stderr)
				signed, ok = strings.CutSuffix(signed, "****  (**** is the client key)")
				require.True(t, ok, r.stderr)
				var sum string
				if vec.SignType == "SHA256" {
					h := sha256.Sum256([]byte(signed + vec.Key))
					sum = hex.EncodeToString(h[:])
				} else {
					h := md5.Sum([]byte(signed + vec.Key))
					sum = hex.EncodeToString(h[:])
				}
				assert.Equal(t, vec.Signature, strings.ToUpper(sum))
				assert.Contains(t, r.stderr, "sign type:     "+vec.SignType+"\n")
			})
		}
	}
}

func TestSignInput(t *testing.T) {
	s := newSandbox(t)
	tests := []struct {
		name  string
		stdin string
		args  []string
		code  int
		want  string
	}{
		{"repeated name: one pair per value, in order", "", []string{"b=2", "a=x", "a=y"}, exitOK, "a=x&a=y&b=2****"},
		{"raw values, not encoded", "", []string{"goods_name=milk tea & cake"}, exitOK, "goods_name=milk tea & cake****"},
		{"form decoded first", "", []string{"--form", "goods_name=milk%20tea&txamt=10"}, exitOK, "goods_name=milk tea&txamt=10****"},
		{"bad sign type", "", []string{"--sign-type", "SHA1", "a=1"}, exitUsage, `--sign-type "SHA1": want MD5 or SHA256`},
		{"argument without =", "", []string{"a"}, exitUsage, `argument "a": want name=value`},
		{"arguments and --form", "", []string{"a=1", "--form", "b=2"}, exitUsage, "give name=value arguments or --form, not both"},
		{"nothing to sign", "\n", nil, exitUsage, "no parameters to sign"},
		{"bad form", "", []string{"--form", "a=%zz"}, exitUsage, `the form "a=%zz"`},
		{"key and parameters both on stdin", testKey, []string{"--client-key-file", "-"}, exitUsage, "the parameters and the client key cannot both come from stdin"},
		{"key on stdin, parameters as arguments", testKey + "\n", []string{"--client-key-file", "-", "a=1"}, exitOK, "a=1****"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.run(t, tt.stdin, append([]string{"sign", "-v"}, tt.args...)...)
			require.Equal(t, tt.code, r.code, r.stderr)
			assert.Contains(t, r.stderr, tt.want)
			if tt.code == exitOK {
				assert.Regexp(t, `^[0-9A-F]{32}\n$`, r.stdout)
			} else {
				assert.Empty(t, r.stdout)
			}
		})
	}
	t.Run("no key", func(t *testing.T) {
		delete(s.env, envClientKey)
		defer func() { s.env[envClientKey] = testKey }()
		r := s.run(t, "", "sign", "a=1")
		assert.Equal(t, exitUsage, r.code)
		assert.Contains(t, r.stderr, "no client key")
	})
}

func TestVerifyNotification(t *testing.T) {
	s := newSandbox(t)
	dir := t.TempDir()
	for _, vec := range loadVectors(t).Notifications {
		body := writeFile(t, dir, vec.Name+".json", vec.Body, 0o600)
		tampered := writeFile(t, dir, vec.Name+"-tampered.json", strings.Replace(vec.Body, `"10"`, `"1000"`, 1), 0o600)
		reformatted := writeFile(t, dir, vec.Name+"-reformatted.json", vec.Body+"\n", 0o600)
		tests := []struct {
			name  string
			stdin string
			args  []string
			code  int
			out   string
		}{
			{"valid", "", []string{body, "--sign", vec.Signature}, exitOK, "valid\n"},
			{"valid, lower-case signature", "", []string{body, "--sign", strings.ToLower(vec.Signature)}, exitOK, "valid\n"},
			{"valid, from stdin", vec.Body, []string{"-", "--sign", vec.Signature}, exitOK, "valid\n"},
			{"tampered", "", []string{tampered, "--sign", vec.Signature}, exitBadSign, "invalid\n"},
			{"a byte added", "", []string{reformatted, "--sign", vec.Signature}, exitBadSign, "invalid\n"},
			{"wrong signature", "", []string{body, "--sign", strings.Repeat("0", 32)}, exitBadSign, "invalid\n"},
			{"no --sign", "", []string{body}, exitUsage, ""},
			{"no such file", "", []string{filepath.Join(dir, "absent"), "--sign", vec.Signature}, exitUsage, ""},
		}
		for _, tt := range tests {
			t.Run(vec.Name+"/"+tt.name, func(t *testing.T) {
				s.env = map[string]string{envClientKey: vec.Key, envConfig: s.env[envConfig]}
				r := s.run(t, tt.stdin, append([]string{"verify-notification"}, tt.args...)...)
				assert.Equal(t, tt.code, r.code, r.stderr)
				assert.Equal(t, tt.out, r.stdout)
				assert.NotContains(t, r.stdout+r.stderr, vec.Key)
				if tt.code == exitBadSign {
					assert.Equal(t, "qfpay: invalid notification signature: the signature does not match the body and the client key\n", r.stderr)
				}
			})
		}
	}
}
