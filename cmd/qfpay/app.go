package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/qfpay-go/qfpay"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// globalFlags are the flags every command takes.
type globalFlags struct {
	appCode, clientKey, clientKeyFile, env, mchid, profile, configPath string
	timeout                                                            time.Duration
}

// app is one run of the command: its input, outputs and environment, so
// that tests run it in-process.
type app struct {
	ctx            context.Context
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	flags          globalFlags

	// started is set once cobra has parsed the command line and a command
	// runs: an error before that is a usage error.
	started bool
	// keyFromStdin is set when the client key was read from stdin, which
	// the confirmation prompt then cannot use.
	keyFromStdin bool

	// isTerminal reports whether w is a terminal (progress is shown on
	// stderr only then); tests replace it.
	isTerminal func(w io.Writer) bool
	// clientOptions are added to every client made (tests: a short poll
	// interval).
	clientOptions []qfpay.Option
	// now is the clock for defaults such as the current month.
	now func() time.Time
}

// run runs the qfpay command with args and returns its exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	a := newApp(ctx, stdin, stdout, stderr, getenv)
	return a.run(args)
}

func newApp(ctx context.Context, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) *app {
	return &app{
		ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv,
		isTerminal: isTerminal,
		now:        time.Now,
	}
}

// isTerminal reports whether w is an *os.File open on a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func (a *app) run(args []string) int {
	root := a.rootCmd()
	root.SetArgs(args)
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	err := root.ExecuteContext(a.ctx)
	if err == nil {
		return exitOK
	}
	if !a.started {
		var coded *exitCodeError
		if !errors.As(err, &coded) {
			err = &usageError{err: err}
		}
	}
	if a.ctx.Err() != nil {
		err = &interruptedError{err: err}
	}
	code := exitCode(err)
	if msg := err.Error(); msg != "" {
		fmt.Fprintln(a.stderr, "qfpay: "+strings.TrimPrefix(msg, "qfpay: "))
	}
	if code == exitUsage && !a.started {
		fmt.Fprintln(a.stderr, "Run 'qfpay --help' for usage.")
	}
	return code
}

// warnf writes a warning on stderr.
func (a *app) warnf(format string, args ...any) {
	fmt.Fprintf(a.stderr, "qfpay: warning: "+format+"\n", args...)
}

// infof writes a line for people on stderr (never on stdout, which holds
// machine output only).
func (a *app) infof(format string, args ...any) {
	fmt.Fprintf(a.stderr, format+"\n", args...)
}

const rootLong = `qfpay runs the QF Pay Open API from a terminal: look up, list and settle
transactions, refund and cancel (with a confirmation prompt), download the
day's bill, sign parameters and check notification signatures; run the
local sandbox, drive it, and send test notifications to your handler.

Configuration, highest precedence first:
  flags        --app-code, --client-key-file (- for stdin), --env, --mchid
  environment  QFPAY_APP_CODE, QFPAY_CLIENT_KEY, QFPAY_ENV, QFPAY_MCHID,
               QFPAY_PROFILE (the profile to read), QFPAY_CONFIG (its file)
  profile      a [name] section of the profile file (--profile, default
               "default"; --config, default $QFPAY_CONFIG or
               <user config dir>/qfpay/config) with app_code, client_key or
               client_key_file, env and mchid as "key = value" lines
--env is an environment name (sandbox, hk-test, hk-live, ...) or an http(s)
base URL such as a local sandbox's (on a loopback address with no app code
and key set, the sandbox's public ones are used); the default is sandbox, so
no real money moves by accident, and commands that move money say LIVE when
it would.
The client key is never printed: "qfpay config show" masks it.

Amounts are decimals in the currency's major unit (10.50 for HKD 10.50).
Machine output goes to stdout, messages and prompts to stderr.

` + exitCodesHelp

func (a *app) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "qfpay",
		Short:         "The QF Pay Open API from a terminal",
		Long:          rootLong,
		Version:       qfpay.Version,
		SilenceErrors: true,
		SilenceUsage:  true,
		Example: `  export QFPAY_APP_CODE=... QFPAY_ENV=hk-test
  qfpay tx get 20261130000200020000000042 --client-key-file ~/.qfpay-key
  qfpay tx list --from 2026-11-01 --to 2026-11-30 --output csv > nov.csv
  qfpay refund 20261130000200020000000042 --amount 2.50 --out-trade-no order-42-r1`,
		PersistentPreRun: func(*cobra.Command, []string) { a.started = true },
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err: err} })
	pf := root.PersistentFlags()
	f := &a.flags
	pf.StringVar(&f.appCode, "app-code", "", "app code (X-QF-APPCODE) [$"+envAppCode+"]")
	pf.StringVar(&f.clientKeyFile, "client-key-file", "", "file holding the client key, - for stdin")
	pf.StringVar(&f.clientKey, "client-key", "", "the client key itself (shows in shell history and ps: prefer $"+envClientKey+" or --client-key-file)")
	pf.StringVar(&f.env, "env", "", "environment name or http(s) base URL (default sandbox) [$"+envEnv+"]")
	pf.StringVar(&f.mchid, "mchid", "", "merchant ID, if QF Pay gave you one [$"+envMchID+"]")
	pf.StringVar(&f.profile, "profile", "", "profile to read from the profile file (default \"default\") [$"+envProfile+"]")
	pf.StringVar(&f.configPath, "config", "", "profile file (default $"+envConfig+" or <user config dir>/qfpay/config)")
	pf.DurationVar(&f.timeout, "call-timeout", qfpay.DefaultTimeout, "bound on each API call, retries included")
	root.AddGroup(&cobra.Group{ID: "tx", Title: "Transactions:"}, &cobra.Group{ID: "tools", Title: "Tools:"})
	for _, c := range []*cobra.Command{a.txCmd(), a.refundCmd(), a.cancelCmd(), a.billCmd()} {
		c.GroupID = "tx"
		root.AddCommand(c)
	}
	for _, c := range []*cobra.Command{a.sandboxCmd(), a.notifyCmd(), a.signCmd(), a.verifyNotificationCmd(), a.configCmd()} {
		c.GroupID = "tools"
		root.AddCommand(c)
	}
	return root
}

// config resolves the configuration for cmd.
func (a *app) config(cmd *cobra.Command) (*config, error) {
	return a.resolveConfig(func(name string) bool { return cmd.Flags().Changed(name) })
}

// client resolves the configuration and makes the client.
func (a *app) client(cmd *cobra.Command) (*qfpay.Client, *config, error) {
	cfg, err := a.config(cmd)
	if err != nil {
		return nil, nil, err
	}
	c, err := a.newClient(cfg)
	return c, cfg, err
}

func (a *app) configCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Show the configuration in use",
		Long:  "Commands about the configuration: flags, environment variables and the profile file.",
	}
	show := &cobra.Command{
		Use:   "show",
		Short: "Print the resolved configuration, the client key masked",
		Long: `Print the configuration every other command would use: the environment,
app code, client key and merchant ID, each with where it came from (a flag,
an environment variable, a profile, or the default). The client key is shown
as **** and nothing of it.`,
		Example: "  qfpay config show\n  qfpay config show --profile shop-hk",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := a.config(cmd)
			if err != nil {
				return err
			}
			a.showConfig(cfg)
			return nil
		},
	}
	cmd.AddCommand(show)
	return groupRun(cmd)
}

// groupRun makes a command that only groups subcommands print its help
// when run alone and refuse an unknown subcommand as a usage error (cobra
// prints the help and succeeds).
func groupRun(cmd *cobra.Command) *cobra.Command {
	cmd.Args = cobra.ArbitraryArgs
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) > 0 {
			return usagef("unknown command %q for %q", args[0], cmd.CommandPath())
		}
		return cmd.Help()
	}
	return cmd
}
