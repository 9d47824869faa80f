package loopback

import "testing"

func TestHost(t *testing.T) {
	tests := []struct {
		host string
		want bool
	}{
		{"localhost", true},
		{"LocalHost", true},
		{"127.0.0.1", true},
		{"127.8.9.10", true},
		{"::1", true},
		{"::ffff:127.0.0.1", true},
		{"", false},
		{"localhost.example", false},
		{"128.0.0.1", false},
		{"10.0.0.7", false},
		{"0.0.0.0", false},
		{"::", false},
		{"2001:db8::1", false},
		{"::ffff:192.0.2.1", false},
		{"[::1]", false}, // a Hostname() has no brackets
		{"qfpay.example", false},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			if got := Host(tt.host); got != tt.want {
				t.Errorf("Host(%q) = %v, want %v", tt.host, got, tt.want)
			}
		})
	}
}
