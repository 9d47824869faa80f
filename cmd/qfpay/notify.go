package main

import (
	"crypto/rand"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/qfpay-go/qfpay"
	"github.com/qfpay-go/qfpay/qfpaytest"
	"github.com/spf13/cobra"
)

func (a *app) notifyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "notify",
		Short: "Send test notifications to your handler",
		Long:  "Commands that play QF Pay's part in asynchronous notifications, to test a notification handler without the gateway.",
	}
	cmd.AddCommand(a.notifySendCmd())
	return groupRun(cmd)
}

// newSysSN makes a syssn of the gateway's shape: the date (UTC+8) and 18
// random digits.
func newSysSN(now time.Time) (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000_000_000_000_000))
	if err != nil {
		return "", err
	}
	return now.In(time.FixedZone("UTC+8", 8*3600)).Format("20060102") + fmt.Sprintf("%018d", n), nil
}

func (a *app) notifySendCmd() *cobra.Command {
	var (
		to, notifyType, syssn, origSysSN, outTradeNo, amount, currency, payType, goodsName, respcd string
		verbose                                                                                    bool
	)
	cmd := &cobra.Command{
		Use:   "send --to <URL> --out-trade-no <number> --amount <amount>",
		Short: "Post a signed payment or refund notification to a handler",
		Long: `Build a payment or refund notification exactly as the gateway writes it
(qfpaytest.BuildNotification: the documented field order, every value a
string, Python json.dumps style), sign it with the client key
(qfpay.SignNotification, the X-QF-SIGN header) and POST it to --to as QF Pay
does (Content-Type: application/json). Prints the HTTP status and the answer.

Exits 0 only when the handler answered 200 with the body SUCCESS, which is
what makes QF Pay stop retrying; 1 otherwise. A syssn is made up when
--syssn is not given; the times are now. Only the client key is needed, and
never a live one: with a live environment the command refuses (exit 2), since
a handler cannot tell such a notification from QF Pay's own.`,
		Example: `  qfpay notify send --to http://127.0.0.1:8080/qfpay/notify --out-trade-no order-8812 --amount 12.50
  qfpay notify send --to http://127.0.0.1:8080/qfpay/notify --type refund --out-trade-no order-8812-r1 \
      --orig-syssn 20261130000200020000000042 --amount 2.50 --pay-type 800101`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			u, err := url.Parse(to)
			switch {
			case to == "":
				return usagef("--to is required: your notification handler's URL")
			case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
				return usagef("--to %q: want an http(s) URL", to)
			case notifyType != string(qfpay.NotifyPayment) && notifyType != string(qfpay.NotifyRefund):
				return usagef("--type %q: want payment or refund", notifyType)
			case outTradeNo == "":
				return usagef("--out-trade-no is required: the order your handler knows")
			case amount == "":
				return usagef("--amount is required, such as 12.50")
			case respcd != "" && (len(respcd) != 4 || !looksLikeDigits(respcd)):
				return usagef("--respcd %q: want 4 digits", respcd)
			}
			cur, err := checkCurrency(currency)
			if err != nil {
				return err
			}
			if cur == "" {
				return usagef("--currency is required")
			}
			minor, err := checkAmount(amount, cur)
			if err != nil {
				return err
			}
			pts, err := payTypes([]string{payType})
			if err != nil || len(pts) != 1 {
				return usagef("--pay-type %q: want one 6-digit pay type code", payType)
			}
			cfg, err := a.config(cmd)
			if err != nil {
				return err
			}
			if err := cfg.requireCredentials(false); err != nil {
				return err
			}
			if cfg.live() {
				return usagef("the environment is LIVE (%s): a notification signed with the live client key is one your handler cannot tell from QF Pay's own, and could ship an unpaid order; use a test environment's key", cfg.envLabel())
			}
			now := a.now()
			if syssn == "" {
				if syssn, err = newSysSN(now); err != nil {
					return err
				}
			}
			cancel := qfpay.CancelNone
			if notifyType == string(qfpay.NotifyRefund) && origSysSN == "" {
				return usagef("--orig-syssn is required with --type refund: the refunded payment's syssn")
			}
			body := qfpaytest.BuildNotification(qfpaytest.NotificationFields{
				Type: qfpay.NotifyType(notifyType), PayType: pts[0], SysSN: syssn, OrigSysSN: origSysSN,
				OutTradeNo: outTradeNo, Amount: minor, Currency: cur, GoodsName: goodsName, MerchantID: cfg.mchid.value,
				TxTime: now.In(time.FixedZone("UTC+8", 8*3600)).Format(time.DateTime), SysTime: now, PayTime: now,
				RespCode: respcd, Cancel: cancel,
			})
			sign := qfpay.SignNotification(body, cfg.key.value)
			if verbose {
				a.infof("POST %s\nContent-Type: application/json\nX-QF-SIGN: %s\n\n%s\n", to, sign, body)
			}
			req, err := http.NewRequestWithContext(cmd.Context(), http.MethodPost, to, strings.NewReader(string(body)))
			if err != nil {
				return err
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-QF-SIGN", sign)
			req.Header.Set("User-Agent", "qfpay-cli/"+qfpay.Version+" (notify send)")
			hc := &http.Client{
				Timeout: a.flags.timeout,
				// QF Pay does not follow redirects: neither does this.
				CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
			}
			resp, err := hc.Do(req)
			if err != nil {
				return errorf("posting the notification: %w", err)
			}
			defer resp.Body.Close()
			answer, err := io.ReadAll(io.LimitReader(resp.Body, 4096))
			if err != nil {
				return errorf("reading the handler's answer: %w", err)
			}
			fmt.Fprintf(a.stdout, "HTTP %d\n%s\n", resp.StatusCode, strings.TrimRight(string(answer), "\r\n"))
			if resp.StatusCode != http.StatusOK || strings.TrimSpace(string(answer)) != "SUCCESS" {
				return errorf("the handler did not acknowledge the notification (want HTTP 200 and SUCCESS): QF Pay would send it again")
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&to, "to", "", "URL of your notification handler (required)")
	f.StringVar(&notifyType, "type", string(qfpay.NotifyPayment), "payment or refund")
	f.StringVar(&syssn, "syssn", "", "syssn of the transaction (default: made up)")
	f.StringVar(&origSysSN, "orig-syssn", "", "the refunded payment's syssn (refunds)")
	f.StringVar(&outTradeNo, "out-trade-no", "", "out_trade_no of the payment, or of the refund itself (required)")
	f.StringVar(&amount, "amount", "", "amount, in the currency's major unit (required)")
	f.StringVar(&currency, "currency", string(qfpay.CurrencyHKD), "currency")
	f.StringVar(&payType, "pay-type", string(qfpay.PayTypeWeChatMPM), "pay type")
	f.StringVar(&goodsName, "goods-name", "", "goods_name")
	f.StringVar(&respcd, "respcd", "", "respcd (default 0000)")
	f.BoolVarP(&verbose, "verbose", "v", false, "write the request sent (body and signature) to stderr")
	return cmd
}
