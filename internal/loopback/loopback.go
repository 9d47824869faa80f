// Package loopback tells whether a host is this machine's loopback, the one
// rule the SDK (plain http:// only for loopback base URLs), qfpaytest (its
// admin API answers loopback clients only) and the qfpay command (a local
// sandbox's credentials by default) share.
package loopback

import (
	"net/netip"
	"strings"
)

// Host reports whether hostname (a URL's Hostname() or a RemoteAddr's
// host) is "localhost" or a loopback IP address: 127.0.0.0/8, ::1, or an
// IPv4-mapped 127.0.0.0/8 address.
func Host(hostname string) bool {
	if strings.EqualFold(hostname, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(hostname)
	return err == nil && a.Unmap().IsLoopback()
}
