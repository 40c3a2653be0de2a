package roster

import (
	"net"
	"net/url"
	"strings"
)

// CheckActivationURL checks a program's invitation link template (A10):
// the link lands in an email's href, so only https is allowed, and http
// for a loopback host (local runs).
func CheckActivationURL(t string) error {
	if t == "" {
		return nil
	}
	// The placeholders are replaced by escaped values; parse a sample.
	u, err := url.Parse(strings.NewReplacer("{program}", "p", "{email}", "e", "{token}", "t").Replace(t))
	if err != nil {
		return Errorf(ErrInvalid, "activationUrl %q is not a URL: %v", t, err)
	}
	host := u.Hostname()
	switch {
	case u.Scheme == "https" && host != "":
		return nil
	case u.Scheme == "http" && isLoopback(host):
		return nil
	case u.Scheme == "http":
		return Errorf(ErrInvalid, "activationUrl %q: use https (http only for localhost)", t)
	}
	return Errorf(ErrInvalid, "activationUrl %q must be an https link with a host", t)
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
