package main

import (
	"io"
	"net/url"
	"os"
	"slices"
	"strings"

	"github.com/qfpay-go/qfpay"
	"github.com/spf13/cobra"
)

// maxInputBytes bounds what sign and verify-notification read from a file
// or stdin.
const maxInputBytes = 1 << 20

func (a *app) signCmd() *cobra.Command {
	var form, signType string
	var verbose bool
	cmd := &cobra.Command{
		Use:   "sign [name=value ...]",
		Short: "Sign request parameters (X-QF-SIGN)",
		Long: `Print the X-QF-SIGN signature of request parameters, as the SDK signs every
request (API section "Signature Generation"): the parameters sorted by name,
name=value pairs of the raw (not URL-encoded) values joined with &, the client
key appended, hashed with MD5 or SHA256 (--sign-type) in upper-case hex.

The parameters are the arguments (name=value, taken as they are), or --form
(a URL-encoded form, decoded first: a=1&b=x%20y), or, with neither, a
URL-encoded form read from stdin. --verbose writes the signed string to stderr
with the key masked. Only the client key is needed, not the app code.`,
		Example: `  qfpay sign pay_type=800101 txamt=10 txcurrcd=HKD out_trade_no=o-1 'txdtm=2026-11-30 10:00:00'
  qfpay sign --form 'syssn=20261130000200020000000042&txamt=250' --sign-type SHA256
  echo 'a=1&b=2' | qfpay sign --verbose`,
		RunE: func(cmd *cobra.Command, args []string) error {
			t := qfpay.SignType(strings.ToUpper(signType))
			if t != qfpay.MD5 && t != qfpay.SHA256 {
				return usagef("--sign-type %q: want MD5 or SHA256", signType)
			}
			params := url.Values{}
			switch {
			case len(args) > 0 && form != "":
				return usagef("give name=value arguments or --form, not both")
			case len(args) > 0:
				for _, arg := range args {
					name, value, ok := strings.Cut(arg, "=")
					if !ok || name == "" {
						return usagef("argument %q: want name=value", arg)
					}
					params.Add(name, value)
				}
			default:
				if form == "" && cmd.Flags().Changed("client-key-file") && a.flags.clientKeyFile == "-" {
					return usagef("the parameters and the client key cannot both come from stdin: give name=value arguments or --form")
				}
				if form == "" {
					data, err := io.ReadAll(io.LimitReader(a.stdin, maxInputBytes))
					if err != nil {
						return err
					}
					form = strings.TrimSpace(string(data))
				}
				var err error
				if params, err = url.ParseQuery(form); err != nil {
					return usagef("the form %q: %v", form, err)
				}
			}
			if len(params) == 0 {
				return usagef("no parameters to sign")
			}
			cfg, err := a.config(cmd)
			if err != nil {
				return err
			}
			if err := cfg.requireCredentials(false); err != nil {
				return err
			}
			if verbose {
				a.infof("signed string: %s****  (**** is the client key)", signedString(params))
				a.infof("sign type:     %s", t)
			}
			_, err = io.WriteString(a.stdout, qfpay.Sign(params, cfg.key.value, t)+"\n")
			return err
		},
	}
	cmd.Flags().StringVar(&form, "form", "", "parameters as a URL-encoded form")
	cmd.Flags().StringVar(&signType, "sign-type", string(qfpay.MD5), "MD5 or SHA256")
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "write the signed string, key masked, to stderr")
	return cmd
}

// signedString is the string Sign hashes, without the key: names sorted
// by byte order, one name=value pair per value, joined with &.
func signedString(params url.Values) string {
	names := make([]string, 0, len(params))
	for name := range params {
		names = append(names, name)
	}
	slices.Sort(names)
	var b strings.Builder
	for _, name := range names {
		for _, v := range params[name] {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(name + "=" + v)
		}
	}
	return b.String()
}

func (a *app) verifyNotificationCmd() *cobra.Command {
	var signature string
	cmd := &cobra.Command{
		Use:   "verify-notification <body-file|-> --sign <X-QF-SIGN>",
		Short: "Check a notification's signature",
		Long: `Check the X-QF-SIGN header of an asynchronous notification against its body
(qfpay.VerifyNotification; API section "Asynchronous Notifications"): the MD5
of the raw body bytes followed by the client key. The body is read from the
file, or stdin for -, exactly as received: do not reformat it.

Prints "valid" and exits 0, or prints "invalid" and exits 5.`,
		Example: `  qfpay verify-notification body.json --sign E288C774319DB5F15FE2B36DB05970FD
  pbpaste | qfpay verify-notification - --sign "$SIGN"`,
		Args: exactArgs(1, "the body's file, or - for stdin"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if signature == "" {
				return usagef("--sign is required: the notification's X-QF-SIGN header")
			}
			cfg, err := a.config(cmd)
			if err != nil {
				return err
			}
			if err := cfg.requireCredentials(false); err != nil {
				return err
			}
			if args[0] == "-" && a.keyFromStdin {
				return usagef("the body and the client key cannot both come from stdin")
			}
			var body []byte
			if args[0] == "-" {
				body, err = io.ReadAll(io.LimitReader(a.stdin, maxInputBytes+1))
			} else {
				body, err = os.ReadFile(args[0])
			}
			if err != nil {
				return &usageError{err: err}
			}
			if len(body) > maxInputBytes {
				return usagef("the body is over %d bytes", maxInputBytes)
			}
			if err := qfpay.VerifyNotification(body, signature, cfg.key.value); err != nil {
				_, _ = io.WriteString(a.stdout, "invalid\n")
				return err
			}
			_, err = io.WriteString(a.stdout, "valid\n")
			return err
		},
	}
	cmd.Flags().StringVar(&signature, "sign", "", "the X-QF-SIGN header received (required)")
	return cmd
}
